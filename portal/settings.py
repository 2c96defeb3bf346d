"""Settings for the provider portal: one module, every value read from the environment.

DJANGO_ENV picks the mode:
- ``dev`` (default): DEBUG on, SQLite in var/, Celery on kombu's filesystem broker in var/celery/.
- ``test`` (automatic under pytest): like dev, with fast password hashing and in-memory email.
- ``production``: DEBUG off; SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL have no default and stop the
  boot when missing; cookies, HSTS and CSP are strict so that ``manage.py check --deploy`` is clean.

DATABASE_URL (e.g. postgres://user@host:5432/portal) and CELERY_BROKER_URL (e.g. redis://host:6379/0)
switch to PostgreSQL and Redis with no code change.
"""

import datetime
import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

# pytest sets PYTEST_VERSION for the whole session, before Django is configured.
DJANGO_ENV = env.str("DJANGO_ENV", default="test" if "PYTEST_VERSION" in os.environ else "dev")
if DJANGO_ENV not in {"dev", "test", "production"}:
    raise environ.ImproperlyConfigured(f"DJANGO_ENV must be dev, test or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    # A fixed key is acceptable only because these modes never hold real data.
    SECRET_KEY = env.str(
        "SECRET_KEY",
        default="dev-only-insecure-key-0f3b6c1e9a7d4e2b8c5a1f0e7d3c9b6a2e4f8d1c",
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
    DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}

DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "dev")

_db = DATABASES["default"]
_db.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
_db.setdefault("CONN_HEALTH_CHECKS", True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web server reads; the test database is a file (not
    # in-memory) so that a real Celery worker process can open it during integration tests.
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault(
        "init_command",
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    )
    _db["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # One file per test run (by process id), so two suites running at once never share a database.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-portal-{os.getpid()}.sqlite3")}
elif _db["ENGINE"].startswith("django.db.backends.postgresql"):
    # No JIT: PostgreSQL compiles a query whose estimated cost passes jit_above_cost (My Worklist's search, an
    # OR of subplans over a practice's 10,000 cases) in 100-150 ms, longer than the query itself runs. The
    # portal's queries are short; JIT is for analytics.
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("options", "-c jit=off")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_email",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "axes",
    "portal",
    "audit",
    "delivery",
    "accounts",
    "mfa",
    "practices",
    "reference",
    "resources",
    "cases",
    "correspondence",
    "ecrm",
    "p2p",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their caching), before sessions, CSRF and authentication (it reads
    # the cookies they set and the user): Cache-Control: no-store for signed-in users and downloads.
    "portal.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mfa.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it says why the user was signed out.
    "accounts.middleware.SessionTimeoutMiddleware",
    # After authentication and MFA: an ECRM-only account is sent from the portal's pages to ECRM.
    "ecrm.middleware.EcrmOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "portal.forms.PortalFormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user or address is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Seed 000's policy (ACC-3), enforced wherever a password is set, plus Django's list of 20,000
# common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.password_validation.LengthValidator"},
    {"NAME": "accounts.password_validation.CharacterClassesValidator"},
    {"NAME": "accounts.password_validation.RepeatedCharactersValidator"},
    {"NAME": "accounts.password_validation.SequenceValidator"},
    {"NAME": "accounts.password_validation.UserDataValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    # Hashing cost is not what the tests check; the production hasher stays the default elsewhere.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need collectstatic first; dev and tests serve the files as they are.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Outside production WhiteNoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DJANGO_ENV == "dev"
# Uploaded clinical documents live outside the web root and are only served through views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
CLINICAL_UPLOAD_ROOT = Path(env.str("CLINICAL_UPLOAD_ROOT", default=str(VAR_DIR / "clinical-uploads")))
# Five files of up to 25 MB (DME) in one post: stream to temp files, never hold them in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Case build (CASE-11): a request not submitted within this many days expires, with no letter.
CASE_DRAFT_EXPIRY_DAYS = env.int("CASE_DRAFT_EXPIRY_DAYS", default=2)

# --- ECRM (seed 000): tickets' confirmation emails come from the ECRM address; attachments of any type,
# stored outside the web root, each at most this size.
ECRM_FROM_EMAIL = env.str("ECRM_FROM_EMAIL", default="EviCore ECRM <ecrm@portal.example>")
ECRM_ATTACHMENT_ROOT = Path(env.str("ECRM_ATTACHMENT_ROOT", default=str(VAR_DIR / "ecrm-attachments")))
ECRM_ATTACHMENT_MAX_BYTES = env.int("ECRM_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ECRM_ATTACHMENT_MAX_FILES = env.int("ECRM_ATTACHMENT_MAX_FILES", default=10)
# A Resolved ticket the reporter neither accepts nor rejects closes by itself after this many days (beat job
# "ecrm-auto-close-resolved", ecrm.tasks.auto_close_resolved).
ECRM_AUTO_CLOSE_DAYS = env.int("ECRM_AUTO_CLOSE_DAYS", default=7)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (Index(include=...), cases.models.Case) are PostgreSQL's; SQLite builds them without their
# INCLUDE columns, which is all a development or test database needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EviCore Provider Portal <no-reply@portal.example>")
if PRODUCTION:
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)

# --- Sign-in: lockout, MFA, sessions --------------------------------------------------------------
# django-axes: 5 failures lock that user name, and separately that address, for 15 minutes; the lock
# ends by itself and a successful login or a password reset clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"

# MFA (ACC-5): PINs by email or SMS, authenticator apps (TOTP).
MFA_PIN_VALIDITY_SECONDS = env.int("MFA_PIN_VALIDITY_SECONDS", default=300)
MFA_REMEMBER_DEVICE_DAYS = 30
# Seed 003: "Authentication is good for 24 hours" on a device that is not remembered.
MFA_REVERIFY_AFTER = datetime.timedelta(hours=24)
OTP_EMAIL_TOKEN_VALIDITY = MFA_PIN_VALIDITY_SECONDS
OTP_TOTP_ISSUER = "EviCore Provider Portal"
# Staff never see a user's authenticator secret or its QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys (WebAuthn, django-otp-webauthn). A passkey belongs to one relying-party ID, a domain name (never
# an IP address): browsers offer it only on that domain or its subdomains, over https or on
# http://localhost. Production defaults to the first ALLOWED_HOSTS name; changing the ID later voids
# every registered passkey.
OTP_WEBAUTHN_RP_ID = env.str("OTP_WEBAUTHN_RP_ID", default=ALLOWED_HOSTS[0].lstrip(".") if PRODUCTION else "localhost")
OTP_WEBAUTHN_RP_NAME = env.str("OTP_WEBAUTHN_RP_NAME", default=OTP_TOTP_ISSUER)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    default=[f"https://{OTP_WEBAUTHN_RP_ID}"] if PRODUCTION else ["http://localhost:8000"],
)
# A passkey is the second factor after the password here, never a way to log in without one.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
SMS_BACKEND = env.str(
    "SMS_BACKEND",
    default={
        # Until a real provider is configured, production refuses to send rather than print PINs.
        "production": "delivery.sms.backends.unconfigured.SMSBackend",
        "test": "delivery.sms.backends.locmem.SMSBackend",
    }.get(DJANGO_ENV, "delivery.sms.backends.filebased.SMSBackend"),
)
SMS_FILE_PATH = VAR_DIR / "sms"
# Letters are faxed through delivery.fax (COR-2): the file backend by default, in-memory under test; production
# refuses until FAX_BACKEND names a real fax service (its deliveries wait as Failed, for staff to retry).
FAX_BACKEND = env.str(
    "FAX_BACKEND",
    default={
        "production": "delivery.fax.backends.unconfigured.FaxBackend",
        "test": "delivery.fax.backends.locmem.FaxBackend",
    }.get(DJANGO_ENV, "delivery.fax.backends.filebased.FaxBackend"),
)
FAX_FILE_PATH = Path(env.str("FAX_FILE_PATH", default=str(VAR_DIR / "fax")))

# Sessions (ACC-11): idle timeout with a warning a minute before, and an absolute limit.
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=15))
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(hours=12)
SESSION_WARNING_SECONDS = 60
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy (nginx, a load balancer) that sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
    # /health/ answers the orchestrator over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]

# No inline scripts or styles anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "celery")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: a real broker in a folder, so the embedded default needs no server.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
else:
    # Redis re-delivers an unacknowledged task after visibility_timeout; it must outlast the
    # longest countdown/eta we schedule, or a delayed task would run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Reliability (README, "Celery: what survives a dead worker"): a task is acknowledged only after it
# ran, so it may run twice and must be idempotent. reject_on_worker_lost hands a task back when a pool
# process dies under it; when the worker's main process dies, the filesystem broker has already
# deleted the message (lost) and Redis re-delivers it after visibility_timeout. So every beat job
# catches up: each run does all outstanding work, and a lost run costs one interval. One task at a
# time per process keeps a killed worker from taking prefetched tasks down with it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every job here must catch up (tests/integration/test_scheduled_jobs.py proves each one does). A run
# not started by the time the next is due expires: the next run does its work, and a worker back from
# an outage does not replay a backlog.
CELERY_BEAT_SCHEDULE = {
    "record-worker-heartbeat": {
        "task": "portal.tasks.record_worker_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "expire-stale-case-drafts": {
        "task": "cases.tasks.expire_stale_drafts",
        "schedule": 15 * 60.0,
        "options": {"expires": 15 * 60.0},
    },
    "lapse-due-holds": {
        "task": "cases.tasks.lapse_due_holds",
        "schedule": 15 * 60.0,
        "options": {"expires": 15 * 60.0},
    },
    # Every 5 minutes: the renames' rewrites of the cases' search text whose task was lost (cases/renames.py).
    "cases-search-text-rewrite-sweep": {
        "task": "cases.tasks.search_text_rewrite_sweep",
        "schedule": 5 * 60.0,
        "options": {"expires": 5 * 60.0},
    },
    "delete-expired-appeal-drafts": {
        "task": "cases.tasks.delete_expired_appeal_drafts",
        "schedule": 60 * 60.0,
        "options": {"expires": 60 * 60.0},
    },
    "correspondence-outbox-sweep": {
        "task": "correspondence.tasks.outbox_sweep",
        "schedule": 5 * 60.0,
        "options": {"expires": 5 * 60.0},
    },
    # Hourly: each run sends the period's digest to the users who have not had it (correspondence/digests.py).
    "correspondence-daily-digest": {
        "task": "correspondence.tasks.daily_digest",
        "schedule": 60 * 60.0,
        "options": {"expires": 60 * 60.0},
    },
    "correspondence-weekly-digest": {
        "task": "correspondence.tasks.weekly_digest",
        "schedule": 60 * 60.0,
        "options": {"expires": 60 * 60.0},
    },
    # Hourly: Resolved tickets unanswered for ECRM_AUTO_CLOSE_DAYS days close (ecrm.tickets.tickets_auto_close).
    "ecrm-auto-close-resolved": {
        "task": "ecrm.tasks.auto_close_resolved",
        "schedule": 60 * 60.0,
        "options": {"expires": 60 * 60.0},
    },
    # P2P emails (p2p/notify_tasks.py): the notices whose task was lost, and the reminders before the calls.
    "p2p-notice-sweep": {
        "task": "p2p.notify_tasks.notice_sweep",
        "schedule": 5 * 60.0,
        "options": {"expires": 5 * 60.0},
    },
    "p2p-reminders": {
        "task": "p2p.notify_tasks.reminders_send",
        "schedule": 15 * 60.0,
        "options": {"expires": 15 * 60.0},
    },
    # Every minute: P2P slots held for 10 minutes and never booked are released (p2p.booking.release_lapsed_holds).
    "p2p-release-lapsed-holds": {
        "task": "p2p.tasks.release_lapsed_holds",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}
# COR-5: letters whose deliveries are still pending this long after they were written are sent again by the
# sweep (their task was lost with a killed worker, or the broker was down at the decision).
CORRESPONDENCE_SWEEP_AFTER = datetime.timedelta(minutes=env.int("CORRESPONDENCE_SWEEP_AFTER_MINUTES", default=10))
# The queue the letter tasks go to; empty: Celery's default queue, which every worker consumes.
CORRESPONDENCE_QUEUE = env.str("CORRESPONDENCE_QUEUE", default="")
# P2P-6: the reminder of a scheduled P2P call goes out this many hours before it starts (beat job "p2p-reminders").
P2P_REMINDER_HOURS = env.int("P2P_REMINDER_HOURS", default=24)
# P2P-1: a Reconsideration P2P is offered this many calendar days after a denial (p2p.eligibility); later, the
# call is consultative only.
P2P_RECONSIDERATION_DAYS = env.int("P2P_RECONSIDERATION_DAYS", default=14)
# P2P-3: New P2P Request's case lookups per user in a window of minutes (p2p.lookup), against guessing.
P2P_LOOKUP_LIMIT = env.int("P2P_LOOKUP_LIMIT", default=20)
P2P_LOOKUP_WINDOW_MINUTES = env.int("P2P_LOOKUP_WINDOW_MINUTES", default=10)
# The local hour from which the day's (and on Mondays the week's) digest of new correspondence is sent.
CORRESPONDENCE_DIGEST_HOUR = env.int("CORRESPONDENCE_DIGEST_HOUR", default=7)
# The portal's address as users reach it, for the links in emails sent by tasks (which have no request).
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
# A worker whose last heartbeat is older than this is reported as stale by /health/.
WORKER_HEARTBEAT_STALE_AFTER = 3 * 60

# --- Logging: no PHI in logs. Paths are logged without their query strings, which can carry a patient's
# name (admin searches); portal/logging.py. gunicorn's access log: docker/gunicorn.conf.py. -----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query_strings": {"()": "portal.logging.QueryStringFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # Django's own format for the development server's request lines.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query_strings"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["no_query_strings"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # runserver logs each request line ("GET /path?query HTTP/1.1") here.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Demo data -------------------------------------------------------------------------------------
# seed_demo creates demo logins with this password outside production only.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Evergreen#Clinic48")
