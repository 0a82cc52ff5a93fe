from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outstaff import previews
        from outstaff.signals import worker_change_recorded, worker_changed, workers_changed

        from .receivers import record_pending_rescans, rescan_worker_on_change, rescan_workers_on_bulk_change

        worker_change_recorded.connect(record_pending_rescans, dispatch_uid="risks.record_pending_rescans")
        from workers.story import register_story_part

        from .story import risk_story_part

        register_story_part("risks", risk_story_part)
        worker_changed.connect(rescan_worker_on_change, dispatch_uid="risks.rescan_worker_on_change")
        workers_changed.connect(rescan_workers_on_bulk_change, dispatch_uid="risks.rescan_workers_on_bulk_change")
        # Warn before saving: lower apps' views preview a change through outstaff.previews.
        from .services.preview import risk_preview

        previews.register(risk_preview)
