from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outstaff.signals import resource_change_recorded, worker_change_recorded

        from .receivers import record_resource_events, record_webhook_events

        worker_change_recorded.connect(record_webhook_events, dispatch_uid="integrations.record_webhook_events")
        resource_change_recorded.connect(record_resource_events, dispatch_uid="integrations.record_resource_events")
