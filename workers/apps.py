from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .story import register_story_part
        from .story_parts import employment_story_part

        register_story_part("employment", employment_story_part)
