"""The portal's one settings module. Everything that varies by deployment comes from the environment.

Variables (README "Configuration"): DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, PORT,
HTTPS. With DATABASE_URL / REDIS_URL unset, the embedded servers of SPEC §1 are started (civil_affairs/embedded.py).
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# https://docs.djangoproject.com/en/5.2/ref/settings/#debug — off unless asked for.
DEBUG = env_bool("DEBUG", False)


def _local_secret_key(name: str = "secret_key") -> str:
    """A random key kept in var/<name> for a machine that sets none (development, demo). Processes starting
    together (web, worker, beat) agree on one: the first to link its file in place wins."""
    key_file = BASE_DIR / "var" / name
    if not key_file.exists():
        key_file.parent.mkdir(exist_ok=True)
        fresh = key_file.with_name(f".{name}.{os.getpid()}")
        fresh.touch(mode=0o600)
        fresh.write_text(secrets.token_urlsafe(50))
        try:
            os.link(fresh, key_file)
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    return key_file.read_text().strip()


# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key — from the environment in production.
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
# The audit chain's HMAC key (SPEC §2.4): set it in production and keep it away from the database and its
# backups, or whoever can write the table can re-hash it. `check --deploy` warns when it comes from var/.
AUDIT_KEY_FROM_ENVIRONMENT = bool(os.environ.get("AUDIT_KEY"))
AUDIT_KEY = os.environ.get("AUDIT_KEY") or _local_secret_key("audit_key")
# The append-only file outside the database where the chain's head is anchored (every 5 minutes, after
# every batch job), so that `verify_audit` notices a cut tail.
AUDIT_ANCHOR_PATH = Path(os.environ.get("AUDIT_ANCHOR_PATH") or BASE_DIR / "var" / "audit-anchors.log")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
PORT = int(os.environ.get("PORT", "8000"))

# HTTPS-only cookies, redirects and HSTS. On by default outside DEBUG; `make run` and the tests
# serve plain http on 127.0.0.1 and switch it off explicitly.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    # The shared kernel.
    "civil_affairs.divisions",
    "civil_affairs.accounts",
    "civil_affairs.audit",
    "civil_affairs.people",
    "civil_affairs.workflow",
    "civil_affairs.calendar",
    "civil_affairs.api",
    "civil_affairs.web",
    # One app per line of the bureau's work.
    "assistance",
    "eldercare",
    "marriage",
    "funeral",
    "community",
    # Figures across the lines of work (SPEC §9).
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civil_affairs.audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civil_affairs.urls"
WSGI_APPLICATION = "civil_affairs.wsgi.application"
ASGI_APPLICATION = "civil_affairs.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civil_affairs.web.context_processors.navigation",
            ],
        },
    },
]

# --- Servers -------------------------------------------------------------------------------------
# https://github.com/jazzband/dj-database-url — PostgreSQL only; there is no SQLite path.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
if not DATABASE_URL or not REDIS_URL:
    from civil_affairs import embedded

    DATABASE_URL = DATABASE_URL or embedded.ensure_postgres()
    REDIS_URL = REDIS_URL or embedded.ensure_redis()
    # Child processes (Celery, a second manage.py) then find the same servers without asking again.
    os.environ.setdefault("DATABASE_URL", DATABASE_URL)
    os.environ.setdefault("REDIS_URL", REDIS_URL)

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "civil_affairs",
    }
}

# --- Accounts and login --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # https://django-axes.readthedocs.io/ — locks out repeated failed logins (SPEC §2.3).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "civil_affairs.accounts.lockout.locked_out"
# Per address across usernames too (20 failures in the 15 minutes above → 429), counted by this handler.
AXES_HANDLER = "civil_affairs.accounts.lockout.AddressLimitedHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
# The client's address: the connection's own; X-Forwarded-For is believed only from these proxies
# (addresses or networks, comma-separated), for the login limits and the audit log alike (SPEC §2.3).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "civil_affairs.audit.context.request_address"
# API tokens expire this many days after they are issued (SPEC §2.3).
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time (SPEC §2.5) ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format, YYYY-MM-DD, in every language (issue 14): civil_affairs/web/formats/.
FORMAT_MODULE_PATH = ["civil_affairs.web.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files: served by the portal itself, never from a CDN -----------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' and packages' static folders when nothing was collected (tests, DEBUG).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Content-security policy: no inline scripts, nothing from elsewhere ---------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- REST API (SPEC §3) ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "civil_affairs.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bounded in size (413 over 1 MB) and depth (400 past 64 levels): no body makes a 500 (SPEC §3).
    "DEFAULT_PARSER_CLASSES": [
        "civil_affairs.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "civil_affairs.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "civil_affairs.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "civil_affairs.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/minute"},
    "COERCE_DECIMAL_TO_STRING": True,
    # `?format=csv|xlsx` asks a list for an export (SPEC §3), not for a renderer.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Civil-affairs case-management portal API",
    "DESCRIPTION": "章丘区民政局 case-management portal. See SPEC §3 for the conventions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and the docs need a login (SPEC §3).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every status code an endpoint answers, and the patterns of ID numbers and months (SPEC §3).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "civil_affairs.api.schema.declare_conventions",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # One schema name per shared choice set.
    "ENUM_NAME_OVERRIDES": {
        "AssistanceCategoryEnum": "assistance.rules.Category",
        "CouncilEventKindEnum": "funeral.models.CouncilEventKind",
        # Choice sets that share a field name across apps get their own names in the schema.
        "FacilityKindEnum": "eldercare.models.FacilityKind",
        "FacilityStatusEnum": "eldercare.models.FacilityStatus",
        "AlertKindEnum": "eldercare.models.AlertKind",
        "HomeCareKindEnum": "eldercare.models.HomeCareKind",
        "HomeCareStatusEnum": "eldercare.models.HomeCareStatus",
        "CertificateLevelEnum": "eldercare.models.CertificateLevel",
        "AwardLevelEnum": "eldercare.models.AwardLevel",
        "MovementKindEnum": "community.models.MovementKind",
        "DivisionLevelEnum": "civil_affairs.divisions.models.DivisionLevel",
        "JobStatusEnum": "assistance.models.JobStatus",
        "EnrollmentStatusEnum": "assistance.workflow.EnrollmentStatus",
        "UpliftStatusEnum": "assistance.workflow.UpliftStatus",
        "AnnulmentGroundEnum": "marriage.workflow.AnnulmentGround",
    },
}

# --- Celery (civil_affairs/celery.py) ---------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a job lost with its worker is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "civil_affairs")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django-celery-beat's tables when beat starts, so the schedule lives in the database.
CELERY_BEAT_SCHEDULE = {
    "verify-audit-chain-nightly": {
        "task": "civil_affairs.audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=0),
    },
    "anchor-audit-head": {
        "task": "civil_affairs.audit.tasks.anchor_audit_head",
        "schedule": crontab(minute="*/5"),
    },
}

# Each line of work brings its own periodic jobs in <app>/schedule.py (BEAT_SCHEDULE, crontabs only).
for _section in ("assistance", "eldercare", "marriage", "funeral", "community"):
    try:
        CELERY_BEAT_SCHEDULE.update(importlib.import_module(f"{_section}.schedule").BEAT_SCHEDULE)
    except ModuleNotFoundError as _error:
        if _error.name != f"{_section}.schedule":
            raise
# The dashboards' summary refresh (every two minutes).
CELERY_BEAT_SCHEDULE.update(importlib.import_module("dashboards.schedule").BEAT_SCHEDULE)

# --- Domain settings (README "Configuration") --------------------------------------------------------
# Batch jobs work in chunks of this many rows, one transaction each (SPEC §10); read by assistance/jobs.py.
ASSISTANCE_PAYMENT_CHUNK_SIZE = int(os.environ.get("ASSISTANCE_PAYMENT_CHUNK_SIZE", "20000"))
ASSISTANCE_UPLIFT_CHUNK_SIZE = int(os.environ.get("ASSISTANCE_UPLIFT_CHUNK_SIZE", "20000"))
# Assistance case deadlines (SPEC §4.2, §11): how far back a paper application's arrival may be recorded, and the
# decision period in working days after acceptance, once extended; read by assistance/services.py.
ASSISTANCE_RECEIVED_DAYS_BACK = int(os.environ.get("ASSISTANCE_RECEIVED_DAYS_BACK", "30"))
ASSISTANCE_DECISION_WORKING_DAYS = int(os.environ.get("ASSISTANCE_DECISION_WORKING_DAYS", "20"))
ASSISTANCE_DECISION_EXTENDED_WORKING_DAYS = int(
    os.environ.get("ASSISTANCE_DECISION_EXTENDED_WORKING_DAYS", "30")
)
# The 6-digit area code in the certificate numbers this registry office issues (SPEC §11).
MARRIAGE_REGISTRY_AREA_CODE = os.environ.get("MARRIAGE_REGISTRY_AREA_CODE", "370114")
# Eco-burial awards by burial type, yuan (SPEC §7, §11); FUNERAL_BURIAL_SUBSIDY_AMOUNTS='{"niche": "1200"}' overrides
# types; the basic funeral fee waiver. Read by funeral/rules.py.
FUNERAL_BURIAL_SUBSIDY_AMOUNTS = {
    **{"scattering": "4000.00", "sea": "4000.00", "degradable_urn": "3000.00", "tree": "3000.00"},
    **{"flower": "3000.00", "lawn": "3000.00", "deep_no_mound": "2000.00", "niche": "1000.00"},
    **json.loads(os.environ.get("FUNERAL_BURIAL_SUBSIDY_AMOUNTS") or "{}"),
}
FUNERAL_FEE_WAIVER_AMOUNT = os.environ.get("FUNERAL_FEE_WAIVER_AMOUNT", "630.00")
# Printed on the public-notice lists and decision notices of social assistance (SPEC §9); read by
# assistance/documents.py.
ASSISTANCE_COMPLAINTS_PHONE = os.environ.get("ASSISTANCE_COMPLAINTS_PHONE", "12345")
ASSISTANCE_BUREAU_NAME = os.environ.get("ASSISTANCE_BUREAU_NAME", "章丘区民政局")
# Where an administrative review of a decision is applied for (行政复议法 art. 24: the county government).
ASSISTANCE_REVIEW_BODY = os.environ.get("ASSISTANCE_REVIEW_BODY", "章丘区人民政府")
# Prepaid fees an elder-care institution may hold, in months of fees per resident (SPEC §5, §11).
ELDERCARE_PREPAID_MONTHS_CAP = int(os.environ.get("ELDERCARE_PREPAID_MONTHS_CAP", "6"))

# --- Logging ---------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# The names of the bureau's five lines of work, for navigation (one place).
# Apps that read every line of work (their demo step runs after the sections').
REPORT_APPS = ["dashboards"]
PORTAL_SECTIONS = [
    ("assistance", _("Social assistance")),
    ("eldercare", _("Elder care")),
    ("marriage", _("Marriage registration")),
    ("funeral", _("Funeral services")),
    ("community", _("Community governance")),
]
