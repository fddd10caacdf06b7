"""Settings for Procurement Hub. Every environment variable is read here, through env.py."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from procurement_hub.env import (
    envbool,
    envcurrency,
    envdb,
    envdecimal,
    envemail,
    envint,
    envlist,
    envredis,
    envstr,
    envtimezone,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "categories",
    "vendors",
    "contracts",
    "kpis",
    "notifications",
    "sourcing",
    "spend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "procurement_hub.middleware.refuse_nul_bytes",  # After auth: its 400 page shows who is in.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "procurement_hub.urls"
WSGI_APPLICATION = "procurement_hub.wsgi.application"

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
                "procurement_hub.context_processors.hub",
            ],
            # {{ user|person }} and {{ value|money }} on every page, without a {% load %}.
            "builtins": [
                "categories.templatetags.people",
                "procurement_hub.formatting",
                "procurement_hub.chart_tables",
            ],
        },
    },
]

DATABASES = {"default": envdb("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite builds them without the extra
    # columns, which is fine for the embedded default: no warning on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    # Session settings for every PostgreSQL connection (libpq `options`), before any given in
    # DATABASE_URL. JIT off: the spend dashboards' aggregates are estimated costly enough to
    # trigger it, and compiling took 120 of a query's 500 ms. work_mem 32MB (per sort or hash
    # step): a pillar's suppliers over two years (45,000 groups) hash in memory instead of
    # spilling to disk. Empty adds nothing (PgBouncer refuses the `options` parameter).
    _session = envstr("DATABASE_SESSION_OPTIONS", "-c jit=off -c work_mem=32MB").strip()
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if _session:
        _options["options"] = f"{_session} {_options.get('options', '')}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envtimezone("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

_email = envemail("EMAIL_URL", "console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
if _email.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Procurement Hub <hub@localhost>")

# Celery: with no REDIS_URL the embedded default runs tasks eagerly, in-process.
REDIS_URL = envredis("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The cache is shared through Redis when there is one (the worker announces an import's steps
# there for the web processes' progress bars); else each process keeps its own in memory. Its
# own Redis database (REDIS_CACHE_URL) keeps it apart from the broker's queues.
REDIS_CACHE_URL = envredis("REDIS_CACHE_URL") or REDIS_URL
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "hub",
            # A hung Redis fails fast; procurement_hub.cache then carries on without it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60, minimum=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# The hub itself.
HUB_NAME = envstr("HUB_NAME", "Procurement Hub")
HUB_CURRENCY = envcurrency("HUB_CURRENCY", "GBP")
HUB_PUBLIC_INDEX = envbool("HUB_PUBLIC_INDEX", False)
HUB_EXPIRING_SOON_DAYS = envint("HUB_EXPIRING_SOON_DAYS", 90, minimum=1)
HUB_KPI_PUBLICATION_THRESHOLD = envdecimal("HUB_KPI_PUBLICATION_THRESHOLD", "5000000")

# --- KPI reviews (kpis/) ---------------------------------------------------------------------
# Days after a contract's end during which its last reviews may still be logged.
HUB_KPI_REVIEW_GRACE_DAYS = envint("HUB_KPI_REVIEW_GRACE_DAYS", 90, minimum=0)
# "Due soon" on My reviews and the dashboard: a review due within this many days.
HUB_KPI_DUE_SOON_DAYS = envint("HUB_KPI_DUE_SOON_DAYS", 30, minimum=0)

# --- Reminders and notifications (notifications/) -------------------------------------------
# Links in emails and calendar feeds start with this address.
HUB_BASE_URL = envstr("HUB_BASE_URL", "http://localhost:8000").rstrip("/")


def _reminder_time(name: str, default: str) -> tuple[int, int]:
    raw = envstr(name, default).strip()
    hour, _sep, minute = raw.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a local time such as 07:00.")
    return int(hour), int(minute)


def _reminder_days(name: str, default: str) -> tuple[int, ...]:
    days = envlist(name, default)
    if not all(day.isdigit() for day in days):
        raise ImproperlyConfigured(f"{name}={','.join(days)!r} must be whole days, e.g. 90,30,0.")
    return tuple(sorted({int(day) for day in days}, reverse=True))


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Daily reminder scan and weekly digest, in local time (TIME_ZONE).
HUB_REMINDER_SCAN_TIME = _reminder_time("HUB_REMINDER_SCAN_TIME", "07:00")
HUB_DIGEST_TIME = _reminder_time("HUB_DIGEST_TIME", "08:00")
HUB_DIGEST_WEEKDAY = envstr("HUB_DIGEST_WEEKDAY", "monday").strip().lower()
if HUB_DIGEST_WEEKDAY not in _WEEKDAYS:
    raise ImproperlyConfigured(f"HUB_DIGEST_WEEKDAY={HUB_DIGEST_WEEKDAY!r} is not a weekday name.")
# Default lead times (days); a hub administrator overrides them in Django admin (Reminder settings).
HUB_REMINDER_EXPIRY_DAYS = _reminder_days("HUB_REMINDER_EXPIRY_DAYS", "270,180,90,30,0")
HUB_REMINDER_EXTENSION_DAYS = _reminder_days("HUB_REMINDER_EXTENSION_DAYS", "60,14")
HUB_REMINDER_KPI_BEFORE_DAYS = _reminder_days("HUB_REMINDER_KPI_BEFORE_DAYS", "14,0")
HUB_REMINDER_KPI_OVERDUE_DAYS = _reminder_days("HUB_REMINDER_KPI_OVERDUE_DAYS", "7")
HUB_REMINDER_KPI_ESCALATE_DAYS = envint("HUB_REMINDER_KPI_ESCALATE_DAYS", 30, minimum=1)
# Email retries for temporary SMTP failures: attempts after the first, first delay in seconds.
HUB_REMINDER_EMAIL_RETRIES = envint("HUB_REMINDER_EMAIL_RETRIES", 5, minimum=0)
HUB_REMINDER_EMAIL_BACKOFF = envint("HUB_REMINDER_EMAIL_BACKOFF", 60, minimum=1)

# --- Sourcing pipeline (sourcing/) ----------------------------------------------------------
# Renewal pipeline: contracts ending within this many months with no decision recorded.
SOURCING_RENEWAL_HORIZON_MONTHS = envint("SOURCING_RENEWAL_HORIZON_MONTHS", 18, minimum=1)
# Pipeline notice export: procurements of at least this value starting within the window.
SOURCING_PIPELINE_NOTICE_THRESHOLD = envdecimal("SOURCING_PIPELINE_NOTICE_THRESHOLD", "2000000")
SOURCING_PIPELINE_NOTICE_MONTHS = envint("SOURCING_PIPELINE_NOTICE_MONTHS", 18, minimum=1)
# RAG: a project this many days (or fewer) behind plan is amber; more is red.
SOURCING_RAG_RED_DAYS = envint("SOURCING_RAG_RED_DAYS", 30, minimum=1)
# Forward plan: quarters ahead (24 months = 8 quarters).
SOURCING_FORWARD_PLAN_MONTHS = envint("SOURCING_FORWARD_PLAN_MONTHS", 24, minimum=3)
# Lead time assumed per stage (days) until enough finished stages exist to learn from.
SOURCING_DEFAULT_STAGE_DAYS = envint("SOURCING_DEFAULT_STAGE_DAYS", 30, minimum=1)
SOURCING_MIN_SAMPLES = envint("SOURCING_MIN_SAMPLES", 3, minimum=1)
# Seconds the learned medians are cached for planning and the renewal pipeline (0: no cache).
SOURCING_LEAD_TIME_CACHE_SECONDS = envint("SOURCING_LEAD_TIME_CACHE_SECONDS", 300, minimum=0)
# Cards shown per board column (the most urgent); the list shows the rest.
SOURCING_BOARD_COLUMN_LIMIT = envint("SOURCING_BOARD_COLUMN_LIMIT", 20, minimum=1)

# --- Spend (spend/) -------------------------------------------------------------------------
# Suppliers paid at least this much (in the filtered period) with no contract are listed.
SPEND_OFF_CONTRACT_THRESHOLD = envdecimal("SPEND_OFF_CONTRACT_THRESHOLD", "5000")
# A contract is flagged "nearly used up" at this share of its value (and "used up" at 100%).
SPEND_BURN_WARN_PERCENT = envint("SPEND_BURN_WARN_PERCENT", 80, minimum=1)
# Largest spend file accepted by the upload form, in megabytes.
SPEND_UPLOAD_MAX_MB = envint("SPEND_UPLOAD_MAX_MB", 200, minimum=1)
# Rows staged per COPY / bulk_create chunk (progress is reported per chunk).
SPEND_IMPORT_CHUNK_ROWS = envint("SPEND_IMPORT_CHUNK_ROWS", 20000, minimum=100)

# --- end of app settings --------------------------------------------------------------------

SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Not the -responsive variant: its {{ block.super }} wrapper cost ~30 ms of CPU per contract
# index page (bench, 129 -> 159 ms). On a phone hub.css makes every table scroll inside itself.
DJANGO_TABLES2_TEMPLATE = "tables/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}
