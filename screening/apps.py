from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The onboarding gate in workers asks screening whether a worker passed (workers may not
        # import screening, DESIGN §3).
        from workers.gate import passed_screening_check_register

        from .selectors import workers_with_passed_screening

        passed_screening_check_register(workers_with_passed_screening)

        from workers.story import register_story_part

        from .story import screening_story_part

        register_story_part("screening", screening_story_part)
