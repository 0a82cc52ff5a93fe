"""Test settings: fast hashing, in-memory e-mail and cache. Celery is not eager: tests call tasks
directly, or start a real worker (marker `celery_worker`)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SITE_URL = "http://outstaff.example.com"
# django-axes logs every attempt at INFO/WARNING; tests make thousands.
AXES_VERBOSE = False
# Rate limits far above what any test sends (the cache is per process and survives between
# tests); the throttling tests set their own small limits.
API_RATE_LIMIT = "1000000/hour"
API_BURST_RATE_LIMIT = "1000000/min"
API_SESSION_RATE_LIMIT = "1000000/min"
# Every API list page served by a prebuilt template (outstaff/api/prepared.py) also builds its own
# queryset and fails when the two differ: the whole suite checks the templates' keys.
API_LIST_TEMPLATES_VERIFY = True
# Every fixed query (outstaff/lookups.py: the session's, the memberships') also compiles its own
# queryset and fails when it differs from the prepared statement.
FIXED_QUERIES_VERIFY = True
