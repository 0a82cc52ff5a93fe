from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The organization-wide audit log: every audited change the organization may see, from every
    app, in one list. Above the domain apps (it reads all of them), below the dashboard."""

    name = "audit"
    default_auto_field = "django.db.models.BigAutoField"
