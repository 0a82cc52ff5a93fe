from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data per worker (DESIGN §9): one export of everything held on the person, and the
    erasure that pseudonymises it while keeping what the law requires. Above every domain app and the
    audit log, because it reads and rewrites rows of all of them."""

    name = "privacy"
    default_auto_field = "django.db.models.BigAutoField"
