from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "assignments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workers.story import register_story_part

        from . import receivers  # noqa: F401 - connects the signal receivers
        from .story import assignment_story_part

        register_story_part("assignments", assignment_story_part)
