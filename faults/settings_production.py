"""The production settings as gunicorn runs them in the fault tests, with one difference: static
files are served without the collectstatic manifest (the tests do not run collectstatic)."""

from outstaff.settings.production import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
