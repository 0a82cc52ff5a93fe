from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "assignments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workers.story import register_story_part

        from .story import assignment_story_part

        register_story_part("assignments", assignment_story_part)
