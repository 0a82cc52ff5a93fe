from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outstaff.signals import worker_change_recorded

        from .receivers import record_webhook_events

        worker_change_recorded.connect(record_webhook_events, dispatch_uid="integrations.record_webhook_events")
