"""Settings shared by every deployment. Anything that differs between deployments comes from the
environment (django-environ); `.env.example` lists every variable."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "outstaff",
    "accounts",
    "providers",
    "workers",
    "screening",
    "assignments",
    "risks",
    "integrations",
    "audit",
    "privacy",
    "dashboard",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "outstaff.middleware.ContentSecurityPolicyMiddleware",
    # One read of a tenant's data version per request, dropped by any write (outstaff/dataversion.py).
    "outstaff.middleware.DataVersionMemoMiddleware",
    # /api/: an oversized body is a 413 problem before anything reads it; RateLimit-* headers.
    "outstaff.api.middleware.ApiRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Sessions signed in before accounts.backends.ModelBackend keep their user.
    "accounts.middleware.SessionBackendMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a TOTP code (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.ActorMiddleware",
    # Staff on /admin/, and members of an organization that requires it, must pass a TOTP code.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "outstaff.middleware.RefusalPageMiddleware",
    # Records the acting user, channel, request and address on every audited change (DESIGN §9).
    "outstaff.middleware.AuditContextMiddleware",
    # Turns a lockout raised by the authentication backend into the lockout page (last, per its docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outstaff.urls"
WSGI_APPLICATION = "outstaff.wsgi.application"
ASGI_APPLICATION = "outstaff.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.actor",
                "outstaff.context_processors.today",
                "risks.context_processors.open_flag_count",
            ],
        },
    },
]

# PostgreSQL everywhere; `outstaff.embedded` sets DATABASE_URL to an embedded server when the
# environment does not name one.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/outstaff")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# Health checks keep a persistent connection that PostgreSQL dropped (a restart) from failing the
# next request; outstaff.postgresql checks without a round trip while the connection is healthy.
DATABASES["default"]["ENGINE"] = "outstaff.postgresql"
# Fault tolerance (issue 10, faults/test_postgres_restart.py): without health checks, the first request
# of each thread after a restart would answer 503 (the broken connection is closed at its end and the
# next request reconnects): the recovery still holds, one request per thread later.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A server that does not answer fails the request within this many seconds (a 503), never hangs it.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out username+IP (or IP) before any password is checked, on every
# form that calls authenticate() — /login/ and /admin/login/ alike.
# accounts.backends.ModelBackend: Django's, with the session's user lookup prepared.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.ModelBackend"]
# Argon2 (argon2-cffi): memory-hard, and a login costs tens of milliseconds rather than PBKDF2's
# hundreds. Older hashes still verify and are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["outstaff.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Outstaff <noreply@outstaff.local>")
# The public address of this deployment: links in e-mails (digests) are built from it.
SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Logins (accounts.throttling, django-axes) ---------------------------------------------------
# Failed logins for one username from one IP, and from one IP across all usernames, within
# AXES_COOLOFF_TIME before every login form refuses that pair (or that address).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.throttling.UsernameAndIpHandler"
AXES_USERNAME_CALLABLE = "accounts.throttling.normalise_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "outstaff.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
# A failure during a lockout does not restart the 15 minutes (the page says when it ends).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (outstaff.client_ip): 0 when
# gunicorn faces clients directly, so a forged header is never believed.
TRUSTED_PROXY_HOPS = env.int("DJANGO_TRUSTED_PROXY_HOPS", default=0)
# TOTP (django-otp): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Outstaff"

# Short socket timeouts everywhere Redis is used, so an unreachable Redis costs a request a second or
# two, never a hang. The cache holds nothing that must survive (debounce and deferred work live in
# PostgreSQL), and its backend treats an outage as a miss (outstaff.cache).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://")
    if not env("REDIS_URL", default="")
    else {
        "BACKEND": "outstaff.cache.FailSoftRedisCache",
        "LOCATION": env("REDIS_URL"),
        "OPTIONS": {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT},
    }
}

# --- Celery -------------------------------------------------------------------------------------
# With no REDIS_URL / CELERY_BROKER_URL the embedded filesystem broker under var/ is used, so a real
# worker and beat still run on a laptop without Redis.
_celery_fs_dir = Path(env("CELERY_FILESYSTEM_BROKER_DIR", default=str(VAR_DIR / "celery-broker")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="filesystem://"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_fs_dir / "queue"),
        "data_folder_out": str(_celery_fs_dir / "queue"),
        "processed_folder": str(_celery_fs_dir / "processed"),
        "control_folder": str(_celery_fs_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message taken by a worker that dies (SIGKILL, OOM) without acking is given to another
        # worker after this long (acks_late below). Longer than the longest task (the time limit),
        # or a slow task would run twice at once.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
    }
# Publishing a task with the broker down fails fast (one quick retry) instead of blocking the request:
# every caller records its work in PostgreSQL first and treats the failure as "the drain will do it".
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Our tasks are idempotent (ids in, services that upsert), so a task lost with its worker is
# redelivered rather than dropped.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "webhook-deliveries-dispatch": {
        "task": "integrations.tasks.webhook_deliveries_dispatch_task",
        "schedule": 60.0,
    },
    "webhook-events-purge-daily": {
        "task": "integrations.tasks.webhook_events_purge_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # CSV checks and applies whose task was lost with a killed worker or a restarted broker.
    "providers-csv-imports-resume": {
        "task": "providers.tasks.csv_imports_resume_task",
        "schedule": 60.0,
    },
    # Retention (docs/security.md): failed logins 30 days, idempotent responses 7 days; settled
    # webhook events 30 days (above).
    "login-failures-purge-daily": {
        "task": "accounts.tasks.login_failures_purge_task",
        "schedule": crontab(hour=3, minute=50),
    },
    # Uploaded CSV files name workers: cleared 30 days after the import's last change (providers.retention).
    "csv-imports-purge-daily": {
        "task": "providers.tasks.csv_imports_purge_task",
        "schedule": crontab(hour=4, minute=10),
    },
    "idempotency-records-purge-daily": {
        "task": "outstaff.tasks.idempotency_records_purge_task",
        "schedule": crontab(hour=4, minute=0),
    },
    "providers-compliance-daily": {
        "task": "providers.tasks.compliance_daily_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "risk-scan-nightly": {
        "task": "risks.tasks.risk_scan_full_task",
        "schedule": crontab(hour=2, minute=15),
    },
    # Re-evaluations whose task never came (broker down when the change committed): PostgreSQL keeps them.
    "risk-rescans-drain": {
        "task": "risks.tasks.risk_rescans_drain_task",
        "schedule": 60.0,
    },
    "risk-digest-daily": {
        "task": "risks.tasks.risk_digest_daily_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # A future exit date schedules the exit; this applies it on the day (workers.services.worker_exits_apply).
    "workers-exits-daily": {
        "task": "workers.tasks.worker_exits_apply_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "assignments-statuses-daily": {
        "task": "assignments.tasks.assignment_statuses_refresh_task",
        "schedule": crontab(hour=0, minute=10),
    },
}

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.OrganizationScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "outstaff.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "outstaff.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "outstaff.api.errors.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "outstaff.api.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "outstaff.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "outstaff.api.throttling.ApiKeyRateThrottle",
        "outstaff.api.throttling.ApiKeyBurstRateThrottle",
        "outstaff.api.throttling.SessionRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Per-API-key rate limits (DRF's "N/s|m|h|d"; empty turns a limit off), on the shared cache.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="3600/hour")
API_BURST_RATE_LIMIT = env("API_BURST_RATE_LIMIT", default="120/min")
API_SESSION_RATE_LIMIT = env("API_SESSION_RATE_LIMIT", default="1200/min")
# API list pages run their prebuilt SQL as prepared statements, planned once per database session
# (outstaff/api/prepared.py), as do the API key lookup and the fixed queries of every page request
# (outstaff/lookups.py: session, user, memberships) and the data versions. Turn off behind a pooler
# that shares sessions between transactions (PgBouncer in transaction mode).
API_PREPARED_STATEMENTS = env.bool("API_PREPARED_STATEMENTS", default=True)

SPECTACULAR_SETTINGS = {
    "TITLE": "Outstaff API",
    "DESCRIPTION": "REST API for HR systems: workers, contracts, assignments, screening, payroll, "
    "compliance and risk flags of outstaffed teams. Authenticate with `Authorization: Bearer <api key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every webhook event and its payload, one component schema per event (docs/webhooks.md).
    "WEBHOOKS": "integrations.api.webhook_schema.WEBHOOKS",
    # 3.0.3: Swagger UI (sidecar) does not render this document as 3.1.
    "OAS_VERSION": "3.0.3",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.api.webhook_schema.webhooks_for_oas_version",
        "outstaff.api.schema.add_examples",
    ],
    # Several models have a `status` (and the CEFR skills share one scale): name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "WorkerStatusEnum": "workers.choices.WorkerStatus",
        "AssignmentStatusEnum": "assignments.choices.AssignmentStatus",
        "PayrollRunStatusEnum": "providers.choices.PayrollRunStatus",
        "PayrollEntryStatusEnum": "providers.choices.PayrollEntryStatus",
        "ComplianceStatusEnum": "providers.choices.ComplianceStatus",
        "ScreeningStatusEnum": "screening.choices.ScreeningStatus",
        "RiskFlagStatusEnum": "risks.choices.FlagStatus",
        "CefrLevelEnum": "screening.choices.CefrLevel",
        "WebhookDeliveryStatusEnum": "integrations.choices.DeliveryStatus",
        "WebhookEventTypeEnum": "integrations.choices.EventType",
        "ComplianceItemKindEnum": "providers.choices.ComplianceKind",
        "ChecklistCodeEnum": "screening.choices.ChecklistCode",
        "BulkErrorCodeEnum": [("invalid", "invalid"), ("precondition_failed", "precondition_failed")],
    },
}

# Benchmarks only (bench/, DESIGN §11): route the raw-SQL + orjson baseline views at /bench/baseline/.
# They skip authentication, so never turn this on in a deployment that serves real data.
BENCH_BASELINE_VIEWS = env.bool("BENCH_BASELINE_VIEWS", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# Django's database sessions, with the session's lookup prepared (outstaff/sessions.py).
SESSION_ENGINE = "outstaff.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag; keep default.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
