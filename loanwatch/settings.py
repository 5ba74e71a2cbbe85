"""LoanWatch settings, all read from the environment.

Defaults run on a laptop against the embedded servers that `scripts/services.py` starts; a
production deployment differs only by environment variables (see README, "Configuration").
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from loanwatch import local_servers
from loanwatch.local_secret import local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# The embedded local set-up: no DATABASE_URL, so the servers of .data/ (loanwatch/local_servers.py).
EMBEDDED_DATABASE = not env.str("DATABASE_URL", default="")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and EMBEDDED_DATABASE:
    # One key kept with the local data (see loanwatch/local_secret.py).
    SECRET_KEY = local_secret_key(local_servers.data_dir() / "secret_key")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. A server with its own DATABASE_URL needs its own SECRET_KEY."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as static files (no CDN)
    "loanwatch.accounts",
    "loanwatch.core",
    "loanwatch.api",
    "customers",
    "customers.records",
    "customers.feed",
    "visits",
    "visits.schedule",
    "reports",
]
# Demo data, the synthetic portfolio and the benchmark: in a checkout, never in the Docker image
# (which deletes loanwatch/devtools/), so production has no command that loads demo users.
if (BASE_DIR / "loanwatch" / "devtools").is_dir():
    INSTALLED_APPS.append("loanwatch.devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses NUL in the path, query, cookies and headers before the session or a view reads them.
    "loanwatch.core.middleware.RequestInputMiddleware",
    # Refuses a body cut off before its Content-Length, before any view sees a partial form.
    "loanwatch.core.middleware.CompleteBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Tags every audited change made during a request with the user and the URL.
    "pghistory.middleware.HistoryMiddleware",
    # A form's one-time key: a double click or a retry does the work once (core/once.py).
    "loanwatch.core.once.OnceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "loanwatch.core.middleware.ContentSecurityPolicyMiddleware",
    "loanwatch.accounts.middleware.SessionLifetimeMiddleware",
    "loanwatch.accounts.middleware.SignInStepsMiddleware",
    # The signed-in user's unit for amounts (yuan or ten thousand yuan), for the `money` filter.
    "loanwatch.accounts.middleware.AmountUnitMiddleware",
    # A post sent after the session idled out is kept for its user to send again (core/held.py).
    "loanwatch.core.held.HeldPostMiddleware",
    # Deny by default: every page needs a signed-in user unless its view opts out.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "loanwatch.urls"
WSGI_APPLICATION = "loanwatch.wsgi.application"

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
                "loanwatch.core.context_processors.navigation",
                "loanwatch.core.context_processors.session_timer",
            ],
            # Its csrf_token tag adds a one-time key to every form (core/once.py).
            # `money` formats an amount in the reader's unit (loanwatch/formats/amounts.py).
            "builtins": ["loanwatch.core.templatetags.form_keys",
                         "loanwatch.core.templatetags.figures"],
        },
    },
]

# --- Data stores ------------------------------------------------------------------------------
# The defaults point at the embedded servers started by scripts/services.py, on the ports it
# started them on (loanwatch/local_servers.py), so no command reaches another installation's.
DATABASES = {
    "default": env.db("DATABASE_URL", default=local_servers.postgres_url()),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT pays off for long analytic queries, never for a page's short ones: a query it
# misjudges as costly spends 30-50 ms compiling what runs in a millisecond. Switched off per
# connection, so the server's own setting does not matter.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
# A PostgreSQL replica for the bank-wide reads (charts, export jobs, the bank's lists): they
# run inside loanwatch.core.replica.reading_from_replica(), and the router sends them there;
# writes and every other read stay on the primary. In the tests the replica is the primary.
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **env.db("REPLICA_DATABASE_URL"), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True, "OPTIONS": dict(_db_options),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["loanwatch.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default=local_servers.redis_url())

# Sessions live in the database so that a Redis outage signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60  # idle timeout: requests push the expiry forward
# Pushing the expiry forward is a write; it happens at most once a minute (the session lifetime
# middleware), so the idle timeout lies between 29 and 30 minutes, never beyond.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Charts and bank-wide counts are kept where every web process finds them: a Redis database of
# their own (flushing the cache never touches the broker's queues), the process's memory while
# Redis is away (loanwatch/core/shared_cache.py).
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=urlunsplit(
    urlsplit(REDIS_URL)._replace(path=f"/{env.int('CACHE_REDIS_DB', default=1)}")))
CACHES = {
    "default": {"BACKEND": "loanwatch.core.shared_cache.SharedCache",
                "LOCATION": CACHE_REDIS_URL, "KEY_PREFIX": "lw",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    # The API's rate limits: one count per token shared by every web process.
    "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                 "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle",
                 "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}},
}

# --- Users ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username before checking it
    "loanwatch.accounts.backends.UserBackend",  # Django's ModelBackend, team loaded with the user
]
# Failed sign-ins lock a username from the address they came from, never everywhere: an attacker
# elsewhere cannot lock a user out, and a branch that shares one address is not locked out by one
# user. An address that fails too often with any usernames is refused as a whole (the handler in
# loanwatch/accounts/lockout.py). Attempts during a lock count too: a lock ends
# LOGIN_LOCKOUT_MINUTES after the attempts stop.
AXES_HANDLER = "loanwatch.accounts.lockout.SignInLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# The client's address is REMOTE_ADDR. Behind reverse proxies that append to X-Forwarded-For, say
# how many: the address is then read that many entries from the header's end. Trusting the header
# without a proxy of our own would let an attacker pick a new address for every attempt.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "loanwatch.accounts.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "loanwatch.accounts.views.locked_out"
AXES_VERBOSE = False
# A session ends 12 hours after sign-in however active it is (idle timeout: SESSION_COOKIE_AGE).
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
OTP_TOTP_ISSUER = "LoanWatch"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "loanwatch.accounts.passwords.PublishedPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"  # used when the browser asks for neither language
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True
# Thousands grouped with commas and dates written out, in both languages (loanwatch/formats).
FORMAT_MODULE_PATH = ["loanwatch.formats"]

# --- Static files: served by the app itself (whitenoise), never from a CDN ---------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "media/"
# Workbooks written by export jobs: a private folder, served only through the owner's download
# view. Web and worker nodes must share it (one server: a folder; several: a shared volume).
EXPORTS_ROOT = Path(env.str("EXPORTS_ROOT", default=str(MEDIA_ROOT / "exports")))

# --- Visit evidence: files stored through the storage API, never served from MEDIA_URL -------
# A local folder under MEDIA_ROOT by default; with EVIDENCE_STORAGE=s3, S3-compatible object
# storage shared by several web nodes (needs `pip install -e '.[s3]'`; credentials come from
# boto3's usual AWS_* environment variables).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", default=20) * 1024 * 1024
# An on-site visit whose photos were all taken farther than this from the customer's place
# (or on another day) is flagged for the supervisor.
PHOTO_FAR_KM = env.float("PHOTO_FAR_KM", default=1.0)
if env.str("EVIDENCE_STORAGE", default="local") == "s3":
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": env.str("EVIDENCE_S3_BUCKET", default="loanwatch-evidence"),
                    "endpoint_url": env.str("EVIDENCE_S3_ENDPOINT_URL", default="") or None,
                    "default_acl": "private", "file_overwrite": False},
    }
else:
    STORAGES["evidence"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

# --- E-mail -----------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.com:587 ; the default prints mail.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LoanWatch <loanwatch@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mails point here (the address users open LoanWatch at); by default the port that
# `make run` serves on.
_SERVED_PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{_SERVED_PORT}")

# --- Security ---------------------------------------------------------------------------------
# HTTPS=true when served behind TLS (production): secure cookies, HSTS and redirects.
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it ran: a worker that dies mid-task leaves it to another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Visibility timeout above the hard time limit, or Redis redelivers a task that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# A web request that enqueues while Redis is down must fail fast, not hang the user's save.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULE = {
    # The heartbeat shows on /healthz and the admin home that beat and a worker are alive.
    "beat-tick": {
        "task": "loanwatch.core.tasks.beat_tick",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "notifications-sweep": {
        "task": "loanwatch.core.tasks.notifications_sweep",
        "schedule": timedelta(minutes=2),
        "options": {"expires": 110},
    },
    "clear-expired-sessions": {
        "task": "loanwatch.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}
# Record checks: officers hear each morning which of their subjects are due for a check.
CELERY_BEAT_SCHEDULE["record-checks-remind"] = {
    "task": "customers.records.tasks.record_checks_remind",
    "schedule": crontab(hour=7, minute=40),
}
# Risk signals: open notices and warnings past the administrators' limit expire each night.
CELERY_BEAT_SCHEDULE["export-files-clean"] = {
    "task": "customers.tasks.export_files_clean",
    "schedule": crontab(minute=25),
}
CELERY_BEAT_SCHEDULE["risk-signals-expire"] = {
    "task": "customers.tasks.expire_signals",
    "schedule": crontab(hour=2, minute=40),
}
# Revisit schedule: the planner (then the officers' reminders) each morning, and the
# supervisors' overdue digest later, once the day's visits are planned. Times are HH:MM in
# TIME_ZONE.
REVISIT_PLANNER_TIME = env.str("REVISIT_PLANNER_TIME", default="06:15")
_PLANNER_H, _PLANNER_M = REVISIT_PLANNER_TIME.split(":")
_DIGEST_H, _DIGEST_M = env.str("REVISIT_DIGEST_TIME", default="08:30").split(":")
CELERY_BEAT_SCHEDULE["revisit-planner"] = {
    "task": "visits.schedule.tasks.plan_revisits",
    "schedule": crontab(hour=int(_PLANNER_H), minute=int(_PLANNER_M)),
}
# A planner run that did not finish (the database went away mid-run, beat was down at the
# planner time) is run by the next hourly check once the planner time has passed.
CELERY_BEAT_SCHEDULE["revisit-planner-catch-up"] = {
    "task": "visits.schedule.tasks.plan_revisits_if_missed",
    "schedule": crontab(minute=45),
    "options": {"expires": 50 * 60},
}
CELERY_BEAT_SCHEDULE["revisit-overdue-digest"] = {
    "task": "visits.schedule.tasks.overdue_digest",
    "schedule": crontab(hour=int(_DIGEST_H), minute=int(_DIGEST_M)),
}
# Where automatic record checks come from: a class with RecordProvider's `fetch`
# (customers/records/providers.py); the bundled one reads data-feed files.
RECORDS_PROVIDER = env.str("RECORDS_PROVIDER",
                           default="customers.records.providers.FileFeedProvider")

# File runs (loan feed, customer import, loanwatch/core/runs.py): a run "running" without
# progress for this many seconds has lost its worker and is failed, by beat every few minutes
# and when a worker starts. A run's applying transaction keeps it alive however long it takes.
RUN_STALE_AFTER = env.int("RUN_STALE_AFTER", default=15 * 60)
CELERY_BEAT_SCHEDULE["runs-fail-stale"] = {
    "task": "loanwatch.core.tasks.runs_fail_stale",
    "schedule": timedelta(minutes=5),
    "options": {"expires": 4 * 60},
}
# The loan feed's watched folder: where the core banking system's export drops the night's file.
# Unset, nothing is watched. Beat looks every few minutes; a file is taken once it has not
# changed for FEED_DIR_SETTLE seconds (or at once if the exporter writes `name.part` and renames
# it when complete), moved to processing/, then to done/ or failed/ with its run's number.
FEED_DIR = env.str("FEED_DIR", default="")
FEED_DIR_SETTLE = env.int("FEED_DIR_SETTLE", default=60)
CELERY_BEAT_SCHEDULE["feed-folder-scan"] = {
    "task": "customers.feed.tasks.feed_folder_scan",
    "schedule": timedelta(minutes=3),
    "options": {"expires": 2 * 60},
}

# --- The REST API for the bank's other systems (loanwatch/api, README "API") ----------------
# Token authentication only: no session, so no CSRF, and the browsable API (inline scripts) off.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["loanwatch.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["loanwatch.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["loanwatch.api.throttles.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_read": env.str("API_READ_RATE", default="120/min"),
        "api_feed": env.str("API_FEED_RATE", default="30/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "loanwatch.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LoanWatch API",
    "DESCRIPTION": "Read the bank's post-loan records and send loan-status batches. "
                   "Authenticate with `Authorization: Bearer <token>`; see the README, \"API\".",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "CustomerKindEnum": "customers.models.Customer.Kind",
        "ReportKindEnum": "reports.models.RiskReport.Kind",
    },
}
# Calls of the API are recorded (loanwatch/api ApiCall) and kept this many days.
API_CALLS_KEEP_DAYS = env.int("API_CALLS_KEEP_DAYS", default=90)
# Rows per loan-status batch; a night's export goes as several batches or as a file.
API_FEED_BATCH_MAX_ROWS = env.int("API_FEED_BATCH_MAX_ROWS", default=5000)
CELERY_BEAT_SCHEDULE["api-calls-forget"] = {
    "task": "loanwatch.api.tasks.api_calls_forget",
    "schedule": crontab(hour=3, minute=35),
}

# --- Audit trail (django-pghistory) -----------------------------------------------------------
# Triggers record inserts, updates (only when a value changed) and deletes of every tracked model,
# including changes made by bulk statements and by the background jobs.
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange()),
    pghistory.DeleteEvent(),
)
# History rows outlive the records they describe (a deleted loan keeps its trail).
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_constraint=False)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # 403, 404 and 400 answers are one line each; Django would add the refusal's traceback.
    "filters": {"one_line_refusals": {"()": "loanwatch.core.log_filters.OneLineRefusals"},
                "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["one_line_refusals"]},
                 "mail_admins": {"level": "ERROR", "class": "django.utils.log.AdminEmailHandler",
                                 "filters": ["require_debug_false"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own "django" logger writes to a console of its own under DEBUG, traceback and
    # all: here it keeps only the mail to the admins and passes its lines to the root's console.
    "loggers": {"django.db.backends": {"level": "INFO"},
                "django": {"handlers": ["mail_admins"], "level": "INFO"}},
}

# Demo users sign in with a published password: `manage.py demo_data` (run by `make run`) loads
# them into the embedded database, and into one named by DATABASE_URL only when asked.
DEMO_DATA = env.bool("DEMO_DATA", default=EMBEDDED_DATABASE)

# Demo data and the development run need a known admin contact for mails to the bank.
ADMINS = [("LoanWatch", a) for a in env.list("ADMIN_EMAILS", default=[])]

# Django's own admin site, for the bank's IT only; a non-obvious path keeps scanners away.
ADMIN_URL = env.str("ADMIN_URL", default="django-admin/")
