"""OncoPRO settings: one module, driven by environment variables.

The defaults run out of the box (SQLite in ./var, console email, plain HTTP on
127.0.0.1). A clinic server sets at least SITE_ROOT (https://...), SECRET_KEY
and DATABASE_URL; with an https SITE_ROOT every transport-security setting
switches on, and `oncopro check --deploy` is clean. docs/configuration.md
lists every variable.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# The spellings a yes/no setting may take, in any case (docs/configuration.md).
TRUE_SPELLINGS = ("true", "yes", "on", "1")
FALSE_SPELLINGS = ("false", "no", "off", "0")


def envbool(name: str, default: bool) -> bool:
    """A yes/no setting; unset or empty is `default`. Anything but a known
    spelling stops start-up: a typo such as BEHIND_PROXY=ture must not quietly
    mean "off"."""
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    spelled = value.strip().lower()
    if spelled in TRUE_SPELLINGS:
        return True
    if spelled in FALSE_SPELLINGS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is neither true nor false. Use one of: "
        f"{', '.join(TRUE_SPELLINGS)} (for true) or {', '.join(FALSE_SPELLINGS)} (for false)."
    )


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    return int(value) if value else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.getenv(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.getenv("ONCOPRO_DATA_DIR", BASE_DIR.parent / "var"))


def _local_secret_key(data_dir: Path) -> str:
    """A random key kept in the data folder, so sessions survive restarts
    without anyone having to invent a secret for a local demo."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.getenv("SECRET_KEY") or _local_secret_key(DATA_DIR)

SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.getenv("SITE_NAME", "OncoPRO")
_site = urlsplit(SITE_ROOT)
HTTPS = _site.scheme == "https"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [_site.hostname or "127.0.0.1", "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "oncopro.accounts",
    "oncopro.care",
    "oncopro.clinic",
    "oncopro.checkins",
    "oncopro.alerts",
    "oncopro.reports",
    "oncopro.fhir",
    "oncopro.ops",
]

# Flash messages ("Carol Carer can no longer see your reports") carry names:
# kept in the server-side session, never in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside WhiteNoise, so every answer but a static file is never cached.
    "oncopro.accounts.middleware.NoStoreMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "oncopro.accounts.middleware.SessionLimitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oncopro.urls"
WSGI_APPLICATION = "oncopro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oncopro.accounts.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in the data folder unless DATABASE_URL names another.
# SQLite runs in WAL mode with synchronous=FULL so a committed report
# survives a power cut; IMMEDIATE transactions avoid lock upgrades failing
# under concurrent writers. Connections are kept between requests, as with
# PostgreSQL: opening one (and its pragmas) on every request halved what a
# web worker could serve.
DATA_DIR.mkdir(parents=True, exist_ok=True)
_default_db_url = f"sqlite:///{DATA_DIR / 'oncopro.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", _default_db_url), conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with prepared statements and a health check of a kept
    # connection that costs no round trip (oncopro/db/postgres_backend says
    # how). A pooler in transaction mode cannot keep prepared statements.
    DATABASES["default"]["ENGINE"] = "oncopro.db.postgres_backend"
    if not envbool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=False, prepare_threshold=None
        )
# On PostgreSQL a check-in, its audit line and its outbox row go in one
# statement (oncopro/db/together.py says why); off: one INSERT each, in a
# transaction, as on SQLite.
INSERT_TOGETHER_ONE_STATEMENT = envbool("INSERT_TOGETHER_ONE_STATEMENT", True)
# Each INSERT's text built once and kept (oncopro/db/together.py); off: built
# by Django's compiler for every row.
KEEP_INSERT_TEXT = envbool("KEEP_INSERT_TEXT", True)
# The API's token and patient reads by hand-written SQL (oncopro/db/rows.py);
# off: through the ORM.
HAND_WRITTEN_READS = envbool("HAND_WRITTEN_READS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with write transactions queued on a lock file
    # (oncopro/db/sqlite_backend says why).
    DATABASES["default"]["ENGINE"] = "oncopro.db.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks: Django's Tasks framework, stored in the same database,
# so `oncopro worker` needs nothing else.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# People and logging in.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# A link to set a new password works once, for 3 days (Django's own default,
# said here because the pages and the email promise it).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed-login throttling (django-axes): a handful of wrong passwords for one
# account from one address locks that pair out for a while.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the email as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False  # its log lines name the account; keep them out of the logs

# Sessions end after SESSION_IDLE_MINUTES without activity and after
# SESSION_MAX_HOURS in all (accounts.middleware.SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=envint("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=envint("SESSION_MAX_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Transport and browser security. With an https SITE_ROOT everything is on.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True) and HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True) and HTTPS
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Wrong API and FHIR tokens from one address in a minute before 429.
TOKEN_FAILURES_PER_MINUTE = envint("TOKEN_FAILURES_PER_MINUTE", 20)

# Content-Security-Policy (Django's own): nothing but our own files, scripts
# only with the per-request nonce, no inline styles, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Email: console output unless an SMTP server is named (Django 6.1's MAILERS).
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
if EMAIL_HOST:
    _mailer: dict[str, object] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": EMAIL_HOST,
            "port": envint("EMAIL_PORT", 587),
            "username": os.getenv("EMAIL_HOST_USER", ""),
            "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", True),
            "timeout": 20,
        },
    }
else:
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "oncopro@localhost")
# Weekly check-in reminders go out from this hour (TIME_ZONE) on the due day.
REMINDER_HOUR = envint("REMINDER_HOUR", 10)
# Alerts: besides email to the person on call, an optional webhook (a chat
# bridge, a paging service) receives a signed POST with a link and no health details.
ALERT_WEBHOOK_URL = os.getenv("ALERT_WEBHOOK_URL", "")
ALERT_WEBHOOK_SECRET = os.getenv("ALERT_WEBHOOK_SECRET", "")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Spanish"), ("zh-hans", "Mandarin (simplified)")]
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the app folders directly, so `oncopro demo` and
# `oncopro serve` need no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Application logs go to stderr and never carry patient data: only ids,
# levels and counts (see docs/privacy.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO; fontTools too.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
