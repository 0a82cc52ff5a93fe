"""Production settings: `manage.py check --deploy` is clean with these and a real secret key. They
refuse to start with a weak or published secret key (outstaff.security)."""

from outstaff.security import check_plain_http_trial, check_secret_key

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
check_secret_key(SECRET_KEY, base_dir=BASE_DIR)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Makes `seed_demo` refuse unless told the data will be public (its logins are published).
OUTSTAFF_PRODUCTION = True

# A trial over plain http on this machine (`DJANGO_PLAIN_HTTP=true docker compose up`): no https
# redirect, cookies without `Secure` (a browser would not send them back over http), no HSTS.
# Refused for any host but localhost. Default: secure.
PLAIN_HTTP_TRIAL = env.bool("DJANGO_PLAIN_HTTP", default=False)
if PLAIN_HTTP_TRIAL:
    check_plain_http_trial(ALLOWED_HOSTS)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not PLAIN_HTTP_TRIAL)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not PLAIN_HTTP_TRIAL
CSRF_COOKIE_SECURE = not PLAIN_HTTP_TRIAL
SECURE_HSTS_SECONDS = 0 if PLAIN_HTTP_TRIAL else env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_RENDERER_CLASSES": ["outstaff.api.renderers.OrjsonRenderer"]}  # noqa: F405
# Webhook endpoints must be https:// and resolve to public addresses in production (integrations.services).
WEBHOOK_REQUIRE_HTTPS = True
WEBHOOK_BLOCK_PRIVATE_ADDRESSES = True
