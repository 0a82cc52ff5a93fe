from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outstaff.signals import worker_changed

        from .receivers import rescan_worker_on_change

        worker_changed.connect(rescan_worker_on_change, dispatch_uid="risks.rescan_worker_on_change")
