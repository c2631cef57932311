"""UniBridge settings: one module, every value from the environment (12-factor).

The defaults give a working development installation on SQLite with no other service.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and EMAIL_URL.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# Four small helpers rather than django-environ: its Env.bool reads any unknown spelling as
# False ("DEBUG=ture" silently turns debugging off), where these refuse it and name the
# variable; its e-mail URL schemes (consolemail://…) would also change existing settings.


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def email_settings(url: str) -> dict[str, str | int | bool]:
    """Turn EMAIL_URL (console://, smtp://user:pass@host:587, smtps://…) into settings."""
    parsed = urlparse(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "submission": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parsed.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {sorted(backends)}")
    options = parse_qs(parsed.query)
    result: dict[str, str | int | bool] = {"EMAIL_BACKEND": backends[parsed.scheme]}
    if parsed.scheme == "file":
        result["EMAIL_FILE_PATH"] = parsed.path
    if parsed.scheme in ("smtp", "smtps", "submission"):
        result.update(
            EMAIL_HOST=parsed.hostname or "localhost",
            EMAIL_PORT=parsed.port or (465 if parsed.scheme == "smtps" else 587),
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_SSL=parsed.scheme == "smtps",
            EMAIL_USE_TLS=parsed.scheme == "submission" or "tls" in options,
        )
    return result


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("UNIBRIDGE_TESTING", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # our apps first: their templates (registration/…) win over django.contrib.admin's
    "unibridge.core",
    "unibridge.accounts",
    "unibridge.institutions",
    "unibridge.agreements",
    "unibridge.visits",
    "unibridge.meetings",
    "unibridge",  # the project: layout, home page, menu, and site.py (after the apps it lists)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_countries",
    "django_htmx",
    "axes",
    "auditlog",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    # first: the health check reads no session, user or locale
    "unibridge.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # early: the lines every later middleware logs carry the request id
    "unibridge.core.request_id.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # before authentication: an idle session is ended before it can sign anyone in
    "unibridge.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "unibridge.core.middleware.ViewerTimeZoneMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # axes last: it needs the authenticated user and answers lockouts itself
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unibridge.urls"
WSGI_APPLICATION = "unibridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "unibridge.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'unibridge.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock-upgrade deadlocks
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-32000; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background tasks ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long a list's filter options over records (units, agreement types) are reused.
CHOICES_CACHE_SECONDS = env_int("CHOICES_CACHE_SECONDS", 300)

# Huey: SQLite-backed queue by default (no extra service, survives restarts), Redis when set.
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "unibridge",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "unibridge",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }
HUEY["consumer"] = {"workers": env_int("TASK_WORKERS", 2), "worker_type": "thread"}
# A running job renews its lease every JOB_HEARTBEAT_SECONDS; once the lease has run out the
# sweep queues it again, up to JOB_MAX_ATTEMPTS attempts. The lease is long because on SQLite
# a long import transaction holds the write lock and the heartbeat waits for it.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 300)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)

# Imported files (see unibridge.core.tabular): refused before the work starts when larger.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 100) * 1024 * 1024

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
# Over all usernames from one address; higher, as a campus's staff may share one address.
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
# The order matters: accounts.lockout gives the second its own, higher limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "unibridge.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
if LOGIN_IP_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("LOGIN_IP_FAILURE_LIMIT must be at least LOGIN_FAILURE_LIMIT")
# A session ends after this long without a request (accounts.middleware keeps a used one on).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 8 * 60)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 1")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# API tokens are accepted for this many days after they are issued (accounts.services).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be at least 1")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", "English"),
    ("ru", "Русский"),
    ("kk", "Қазақша"),
    ("pl", "Polski"),
]
# Kosovo's user-assigned code is used by the world directory and by EWP partners.
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}
LOCALE_PATHS = [BASE_DIR / "unibridge" / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS: list = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------
globals().update(email_settings(env("EMAIL_URL", "console://")))
# Absolute links in e-mails (reminder digests) point here.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "UniBridge <unibridge@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production) --------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images
# from our own static files only — no inline scripts, event-handler or style attributes (the
# pages keep their behaviour in static/unibridge/js). data: images are Tabler's inline SVG
# backgrounds (select arrows, checkboxes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "unibridge.accounts.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["unibridge.core.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "unibridge.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "unibridge.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UniBridge API",
    "DESCRIPTION": "International relations office: institutions, units, people, partnerships.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # the list rows (AgreementSummary) and the detail share the agreement's status choices
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "unibridge.agreements.choices.AgreementStatus",
        # both the Institution and the InstitutionCreated answer name it
        "InstitutionKindEnum": "unibridge.institutions.choices.InstitutionType",
    },
    # Vendored Swagger UI: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's summary button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "displayOperationId": False},
}

# --- Demo -------------------------------------------------------------------------------------
DEMO_PASSWORD = env("DEMO_PASSWORD", "demo")

# --- Logs ------------------------------------------------------------------------------------
# One line per record on stderr: time, level, logger, [request id, user], message. The request
# id is the X-Request-ID the response carries (core.request_id), also the audit entries' cid.
# A 4xx is one WARNING line without a traceback; a 500 keeps its traceback.
LOG_LEVEL = env("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "unibridge.core.request_id.RequestContextFilter"},
        "one_line_client_errors": {"()": "unibridge.core.request_id.OneLineClientErrors"},
    },
    "formatters": {
        "line": {
            "format": "{asctime} {levelname} {name} [{request_id} {user}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["context", "one_line_client_errors"],
        },
        "none": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Configuring "django" drops Django's own handlers (a console handler that printed
        # "Not Found" a second time, runserver's django.server format): its records, the
        # request line of runserver among them, reach the root's handler only.
        "django": {"handlers": [], "level": LOG_LEVEL},
        "axes": {"level": "WARNING"},
        # A handler that writes nothing: run_huey adds its own console handler to a "huey"
        # logger that has none, and every worker line was printed twice.
        "huey": {"handlers": ["none"], "level": "WARNING"},
    },
}

# django-auditlog: every audit entry's correlation id (LogEntry.cid) is the request id; the
# client's X-Correlation-ID, which auditlog reads by default, is not used.
AUDITLOG_CID_GETTER = "unibridge.core.request_id.get"
