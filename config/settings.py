"""Settings, read from the environment (see README for every variable).

Fail closed: without ``DJANGO_ENV`` the settings are production's, and production refuses to
start without its secret, PostgreSQL, a real broker and a shared cache instead of quietly
falling back to a laptop's SQLite, in-process tasks and a per-process cache. ``make demo``,
``make test`` and the other development commands set ``DJANGO_ENV=development``;
``config.settings_dev`` does it for pytest and mypy.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

ENVIRONMENTS = ("development", "production")
DJANGO_ENV = env("DJANGO_ENV", default="production")
if DJANGO_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"DJANGO_ENV={DJANGO_ENV!r} is not known: set DJANGO_ENV=production on a server "
        "or DJANGO_ENV=development on a laptop."
    )
PRODUCTION = DJANGO_ENV == "production"

# What production cannot run without, and why; every missing one is named at once.
REQUIRED_IN_PRODUCTION = {
    "DJANGO_SECRET_KEY": "the signing key of sessions and tokens",
    "DATABASE_URL": "PostgreSQL, e.g. postgres://user:password@host:5432/name (no SQLite fallback)",
    "CELERY_BROKER_URL": "Redis for the task queue, e.g. redis://host:6379/0 (no in-process tasks)",
    "CACHE_URL": "a cache shared by every process, e.g. redis://host:6379/1 (no per-process cache)",
}
if PRODUCTION:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: "
            + "; ".join(f"{name} ({REQUIRED_IN_PRODUCTION[name]})" for name in missing)
            + ". On a laptop set DJANGO_ENV=development instead."
        )
    if env.bool("DJANGO_DEBUG", default=False):
        raise ImproperlyConfigured("DJANGO_DEBUG is on with DJANGO_ENV=production: debug pages leak data.")

DEBUG = False if PRODUCTION else env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = (
    env("DJANGO_SECRET_KEY") if PRODUCTION else env("DJANGO_SECRET_KEY", default="dev-only-insecure-key")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "treebeard",
    "django_fsm",
    "django_fsm_log",
    "import_export",
    "django_filters",
    "core",
    "accounts",
    "budgets",
    "grants",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    # First: the load balancer's probe is answered before host validation and HTTPS redirect.
    "config.middleware.HealthCheckMiddleware",
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        f"DATABASE_URL must point at PostgreSQL with DJANGO_ENV=production "
        f"(it names {DATABASES['default']['ENGINE']}): row locks and the ledger's triggers need it."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-fsm-log keys objects by integer id; export jobs (UUID ids) keep their own ExportJobLog.
DJANGO_FSM_LOG_IGNORED_MODELS = ["reporting.models.ExportJob"]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# German by default, English available (gettext catalogues in locale/).
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Attachments hold personal data: stored outside any public URL, served only by a
    # permission-checking view (grants.views.attachment_download).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Only for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (make serve-prod).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="foerderung@example.org")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# A cache shared by every web and worker process in production (e.g. redis://127.0.0.1:6379/1).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
if PRODUCTION and CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
    raise ImproperlyConfigured(
        "CACHE_URL must name a cache shared by every process with DJANGO_ENV=production "
        f"(it names {CACHES['default']['BACKEND']}), e.g. redis://host:6379/1."
    )

# The paying account for SEPA payment runs (pain.001): the office's budget account at its bank.
SEPA_DEBTOR_NAME = env("SEPA_DEBTOR_NAME", default="Förderverwaltung Demo")
SEPA_DEBTOR_IBAN = env("SEPA_DEBTOR_IBAN", default="DE02120300000000202051")
SEPA_DEBTOR_BIC = env("SEPA_DEBTOR_BIC", default="BYLADEM1001")

# Celery: Redis in production; in development without a broker the tasks run in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
if PRODUCTION and CELERY_BROKER_URL.startswith("memory://"):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL=memory:// runs tasks inside the web process; with DJANGO_ENV=production "
        "name a real broker, e.g. redis://host:6379/0."
    )
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = (
    False
    if PRODUCTION
    else env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://"))
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses the broker stops its running tasks: the broker hands them out again.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# The worker logs through LOGGING below (JSON lines with the request id), not its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Time limits: the soft one raises SoftTimeLimitExceeded in the task (an export records the
# failure on its job), the hard one kills the worker child. Every task has both; the long ones
# (exports, the nightly batches) are named here rather than on each task.
TASK_SOFT_TIME_LIMIT = 120
TASK_TIME_LIMIT = 150
LONG_TASK_SOFT_TIME_LIMIT = 540
LONG_TASK_TIME_LIMIT = 600
LONG_TASKS = (
    "reporting.exports.tasks.run_export_job",
    "reporting.tasks.generate_budget_report",
    "reporting.tasks.generate_missing_notices",
    "grants.tasks.make_notices_final",
    "grants.tasks.mark_proofs_due",
    "grants.tasks.send_deadline_reminders",
)
CELERY_TASK_SOFT_TIME_LIMIT = TASK_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = TASK_TIME_LIMIT
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": LONG_TASK_SOFT_TIME_LIMIT, "time_limit": LONG_TASK_TIME_LIMIT}
    for name in LONG_TASKS
}
# Redis hands a message that was not acknowledged within the visibility timeout to another
# worker (acks_late: a task is acknowledged when it ends). Longer than the longest task, or a
# long export runs twice at once; short, so that the task of a killed worker runs again within
# minutes (Redis's default is an hour). Workers look for such messages every 30 s.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=LONG_TASK_TIME_LIMIT + 300)
if CELERY_VISIBILITY_TIMEOUT <= LONG_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT} s must be longer than the longest "
        f"task may run ({LONG_TASK_TIME_LIMIT} s), or Redis hands a running task to a second worker."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 3,
    "socket_connect_timeout": 5,
}
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "make-notices-final": {"task": "grants.tasks.make_notices_final", "schedule": crontab(hour=1, minute=5)},
    # The night's state changes (final notices, ended periods) come before the morning's reminders.
    "mark-proofs-due": {"task": "grants.tasks.mark_proofs_due", "schedule": crontab(hour=1, minute=10)},
    "send-deadline-reminders": {
        "task": "grants.tasks.send_deadline_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "generate-missing-notices": {
        "task": "reporting.tasks.generate_missing_notices",
        "schedule": crontab(hour=1, minute=20),
    },
}

# HTTPS: behind a TLS-terminating proxy that sets X-Forwarded-Proto (README, "Production").
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (config.middleware), in the shape of Django 6's SECURE_CSP. Scripts
# only from our own static files; inline styles are allowed for htmx's indicator style and a
# chart's sizing; charts are data: images. Applied in development too, so the tests see it.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env("DJANGO_CSP_REPORT_URI", default=""):
    SECURE_CSP["report-uri"] = [env("DJANGO_CSP_REPORT_URI")]

# The load balancer's probe (config.health): database, cache, broker, storage, migrations.
HEALTH_CHECK_PATH = "/health/"
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=3.0)

# Logs: JSON lines in production (one object per line, with the request id that the request's
# tasks carry too), readable lines in development. core.logs adds the ids to every record.
LOG_FORMAT = env("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: choose json or text.")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"ids": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}, "text": {"()": "core.logs.TextFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["ids"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # One line per request comes from config.middleware; Django's own would repeat it.
        "django.server": {"level": "WARNING"},
    },
}

# Error reporting: on when SENTRY_DSN is set (personal data is not sent).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        release=env("SENTRY_RELEASE", default=None),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )

# --- Webhooks (issue 13; webhooks/, docs/webhooks.md) -------------------------------------------
# The app; the sweeper that sends every delivery whose next attempt is due (retries after their
# back-off, and events whose on-commit task never reached the broker); where endpoints may point.
INSTALLED_APPS += ["webhooks"]
CELERY_BEAT_SCHEDULE["deliver-due-webhooks"] = {"task": "webhooks.tasks.deliver_due", "schedule": 60.0}
# https:// only in production; http:// for a receiver on a laptop.
WEBHOOKS_ALLOW_HTTP = not PRODUCTION
# Addresses in private networks (loopback, RFC 1918, link-local) are refused in production unless
# the receivers live inside the administration's own network.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=not PRODUCTION)
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10.0)  # seconds per POST
# Deliveries keep their own attempt log (webhooks.DeliveryAttempt).
DJANGO_FSM_LOG_IGNORED_MODELS = [*DJANGO_FSM_LOG_IGNORED_MODELS, "webhooks.models.Delivery"]

# --- Who may get in (accounts; README, "Logins, two-factor authentication, security log") ----
# Lockout after repeated failed logins (django-axes), two-factor authentication (django-otp:
# an authenticator app and recovery codes), logout after inactivity, and the security log
# (accounts.SecurityEvent). Appended here as one block by the accounts part of issue 12.
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# The lockout check runs before the password check; it counts only logins over HTTP.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend", *AUTHENTICATION_BACKENDS]
MIDDLEWARE += [
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.SecurityLogMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into the answer
]
# LOGIN_FAILURE_LIMIT failed logins in a row for one user name (from any address), or from one
# address (for any user names), block that name or address for LOGIN_LOCKOUT_MINUTES; each
# further try starts the wait again. A successful login clears both counts, so colleagues
# behind one address lock each other out only after that many failures without a success.
# Administrators see and lift lockouts in the admin ("Access attempts").
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("LOGIN_LOCKOUT_MINUTES", default=30) / 60  # hours, as axes reads a float
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # the security log records every login already
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_VERBOSE = False
# Proxies in front of the application that append to X-Forwarded-For: production runs behind
# the TLS proxy (see SECURE_PROXY_SSL_HEADER), so 1; 0 takes REMOTE_ADDR. Lockouts and the
# security log use the client address found so (without it, every client would be the proxy).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)
# Approvers, finance staff and administrators must use a second factor in production; the demo
# and the tests run without the obligation (anyone may still set one up, and must then use it).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=PRODUCTION)
OTP_TOTP_ISSUER = "Förderverwaltung"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Logged out after SESSION_IDLE_MINUTES without a request (accounts.middleware.SessionIdleMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
for _validator in AUTH_PASSWORD_VALIDATORS:
    if _validator["NAME"].endswith("MinimumLengthValidator"):
        _validator["OPTIONS"] = {"min_length": 12}  # type: ignore[assignment]

# --- Records management (retention helper; docs/records.md) -----------------------------------
# The daily retention run anonymises or deletes case files whose retention period has ended and
# skips held ones, after the night's state changes (01:05–01:20) and before office hours.
CELERY_BEAT_SCHEDULE["retention-run"] = {
    "task": "grants.tasks.retention_run",
    "schedule": crontab(hour=2, minute=30),
}

# --- JSON API (api; docs/api.md, issue 13) ---------------------------------------------------
# django-ninja under /api/v1/ ("ninja" in INSTALLED_APPS serves Swagger UI from its own static
# files, no CDN). Each personal API token (or browser session) may send API_RATE_LIMIT requests
# per API_RATE_WINDOW seconds (counted in the shared cache); a request body may carry at most
# API_MAX_BODY_BYTES.
INSTALLED_APPS += ["ninja", "api"]
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", default=60)
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

# --- Abuse and accidents (issue 12, part 4; core.idempotency) --------------------------------
# Every {% csrf_token %} also renders a one-time form key (core.templatetags.idempotency, a
# template builtin that replaces Django's tag); the middleware lets one POST per key do the work
# and sends a replay of the same form to where the first answer went. Last, right before the
# view: what the middleware above answers itself (a login, a second factor) is never recorded.
_template_options: dict = TEMPLATES[0]["OPTIONS"]  # type: ignore[assignment]
_template_options["builtins"] = [*_template_options.get("builtins", []), "core.templatetags.idempotency"]
MIDDLEWARE.append("core.idempotency.IdempotencyMiddleware")

# --- First checks of proofs of use (issue 10 part 3, VV Nr. 11.1) ------------------------------
# The office's case officers get one digest per office and day of the proofs whose first check
# (within three months of receipt) is due soon or overdue; after the carriers' reminders.
CELERY_BEAT_SCHEDULE["send-first-check-reminders"] = {
    "task": "grants.tasks.send_first_check_reminders",
    "schedule": crontab(hour=6, minute=40),
}

# --- Help pages (issue 11 §4/§5): where feedback from the accessibility statement goes
# (BITV 2.0 § 7 (1) no. 3). Set it to the office's accessibility contact in production.
ACCESSIBILITY_CONTACT_EMAIL = env("ACCESSIBILITY_CONTACT_EMAIL", default="barrierefreiheit@example.org")
ACCESSIBILITY_FEEDBACK_PER_HOUR = env.int("ACCESSIBILITY_FEEDBACK_PER_HOUR", default=5)  # per client address
# --- Password reset by e-mail (accounts.sign_in): at most this many requests an hour from one
# address of the requester, and mails to one e-mail address; the link is valid for 1 day.
PASSWORD_RESET_LIMITS = (
    env.int("PASSWORD_RESET_PER_ADDRESS", default=10),
    env.int("PASSWORD_RESET_PER_EMAIL", default=3),
)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 60 * 60)
