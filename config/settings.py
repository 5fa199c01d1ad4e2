"""Settings for Kontakt, read from the environment (and an optional `.env` file).

Every variable is documented in the README's configuration table. With nothing set, Kontakt
runs on SQLite with an embedded Celery transport and prints e-mail to the console.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.anymail_settings import anymail_from_environ
from config.cache_backends import cache_from_url
from config.log_filters import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file; ENV_FILE="" reads no file at all.
ENV_FILE = env("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-kontakt-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------------------

INSTALLED_APPS = [
    "config.apps.KontaktAdminConfig",
    "config.apps.ProjectConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Full-text and trigram lookups for the group finder (registered on PostgreSQL connections only).
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "axes",
    "csp",
    "centres",
    "meetings",
    "volunteers",
    "intake",
    "events",
    "imports",
    "notifications",
]

# How an API view opens the tenant scope of its user (config.api names no app; centres does it).
TENANT_SCOPE_FOR_USER = "centres.middleware.scope_for_user"
# What /readyz/ checks (config names no app; centres does it), and the bearer token /metrics/
# asks for (empty: the endpoint answers 404).
READINESS_CHECK = "centres.observability.readiness"
METRICS_TOKEN = env("METRICS_TOKEN", default="")

MIDDLEWARE = [
    # First: load balancers ask /healthz/ by address, before host checks and HTTPS redirects.
    "config.request_id.RequestIdMiddleware",
    "config.middleware.HealthCheckMiddleware",
    "config.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.LanguageParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "centres.middleware.CentreScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.undo.undo",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------

if "DATABASE_URL" not in env.ENVIRON:
    # The zero-setup default: a SQLite file in var/, which a fresh clone does not have yet.
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'kontakt.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web server, a worker and beat share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Behind PgBouncer in transaction mode (DATABASE_POOL_MODE=transaction) a connection is the
# server's only for one transaction: no server-side cursors (Django's .iterator() keeps one open
# across transactions) and no prepared statements (psycopg prepares a query after its fifth use).
if env("DATABASE_POOL_MODE", default="session") == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# A read replica for the heavy read-only reports (config/db_router.py); never migrated.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {})},
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # With Redis (CACHE_URL=redis://...), a cache that answers as empty while Redis is down.
    "default": cache_from_url(env("CACHE_URL", default="locmemcache://")),
    # Calendar answers (meetings.caching), in each process's memory: their keys carry the
    # calendar version read from the database, so a process never serves a stale one, and a
    # hit costs no round trip. A few hundred entries of at most ~100 KB each.
    "calendar": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kontakt-calendar",
        "OPTIONS": {"MAX_ENTRIES": 400},
    },
    # The public group finder's lists apart, so that anyone varying the filters cannot push the
    # staff's answers out.
    "calendar-public": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kontakt-calendar-public",
        "OPTIONS": {"MAX_ENTRIES": 400},
    },
}

# --- Authentication -----------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses attempts for a locked-out username and address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff log in on the workspace's own page; the admin's login is the platform operator's.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace-start"
LOGOUT_REDIRECT_URL = "login"
# Sessions know their user (centres.sessions), so all of a user's sessions can be ended at once.
SESSION_ENGINE = "centres.sessions"
# An API token works this long after it was issued; asking the token endpoint again issues a new
# one and ends the old (centres.services.accounts). A password change, a deactivation or the end of a
# user's last staff role ends it at once.
API_TOKEN_MAX_AGE_HOURS = env.int("API_TOKEN_MAX_AGE_HOURS", default=24)
# A staff invitation's link works this long, once.
STAFF_INVITATION_MAX_AGE_DAYS = env.int("STAFF_INVITATION_MAX_AGE_DAYS", default=7)
# The federation's published counts: any count from 1 to this less one is hidden, with whatever
# else it takes for it not to be worked out (small-cell suppression). At least 2.
REPORT_THRESHOLD = max(env.int("REPORT_THRESHOLD", default=5), 2)
# A reset link is a login: short-lived. Django's token is also spent by the new password, a
# login or an e-mail change (it hashes all three). Invitations have their own link (centres.services.accounts).
PASSWORD_RESET_TIMEOUT = 3600

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False  # the failure rows hold usernames; keep only the counters
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "locked_out.html"

# How many proxies in front of Kontakt append to X-Forwarded-For. 0: trust no such header, the
# client is REMOTE_ADDR; otherwise the address that many hops from the right. Lockouts and
# throttles count per client address, so a wrong value lets clients forge theirs.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Lockouts count per client as the rate limits do: an IPv4 address, an IPv6 /64 network.
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_network"
# The username as django-axes stores it, cut to its column (an over-long one was a 500).
AXES_USERNAME_CALLABLE = "config.client_ip.lockout_username"
# The login form's username field: axes' own default (the user model's USERNAME_FIELD), named here
# because `lockout_username` reads it.
AXES_USERNAME_FORM_FIELD = "username"

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("da", _("Danish")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English in the style of the other three languages: 24-hour times and day-month dates (en-GB
# style) instead of Django's US "7:01 p.m." and "12/02/2026" (config/formats/en).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -----------------------------------------------------------------------------------
# Off DEBUG these default to what `manage.py check --deploy` asks for; behind a TLS-terminating
# proxy set SECURE_PROXY_SSL_HEADER so Django knows the original request was HTTPS.

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list binds the whole domain to HTTPS for years: a decision for
# the domain's owner, made with SECURE_HSTS_PRELOAD, not a default the application should force.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content Security Policy (django-csp): only this site's own scripts, styles, fonts and images,
# no plugins, no framing, forms post only here. Every page's script is a file under static/; no
# inline script or style attribute anywhere (a test scans the templates). Three kinds of page
# relax styles: the newsletter preview (an issue's e-mail HTML, in a sandboxed frame), the API
# docs, and the browsable API's HTML pages (config.renderers).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API -----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first, so an unauthenticated call gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "centres.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    # The API speaks JSON only: one body format to validate, test and document.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env("LOGIN_THROTTLE_RATE", default="10/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "config.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Kontakt API",
    "DESCRIPTION": "Coordination platform for self-help group contact points.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "DEFAULT_GENERATOR_CLASS": "config.schema.ScopedSchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "centres.models.LANGUAGE_CHOICES",
        "StaffRoleEnum": "centres.models.StaffRole.Role",
        "MembershipRoleEnum": "meetings.models.Membership.Role",
        "GroupStatusEnum": "meetings.models.Group.Status",
        "MeetingStatusEnum": "meetings.models.Meeting.Status",
        "MailStatusEnum": "notifications.models.OutgoingMail.Status",
        "IssueStatusEnum": "notifications.models.NewsletterIssue.Status",
        "VolunteerStatusEnum": "volunteers.models.Volunteer.Status",
        "AssignmentStatusEnum": "volunteers.models.StarterAssignment.Status",
        "StarterRequestStatusEnum": "volunteers.models.StarterRequest.Status",
        "RecruitmentNeedKindEnum": "volunteers.models.RecruitmentNeed.Kind",
        "EnquiryStatusEnum": "intake.models.Enquiry.Status",
        "EnquiryChannelEnum": "intake.models.Enquiry.Channel",
        "ConversationKindEnum": "intake.models.Enquiry.ConversationKind",
    },
    # Swagger UI is served from this installation, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------------------------
# Without a broker URL Celery uses kombu's filesystem transport: a worker and beat on one machine
# exchange messages through a folder, so the default run needs no server.

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
BROKER_FOLDER = Path(env("BROKER_FOLDER", default=str(BASE_DIR / "var" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER),
        "data_folder_out": str(BROKER_FOLDER),
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    # A task that is not acknowledged within this time is delivered again: keep it above the
    # longest task, and never schedule ETA/countdown tasks further ahead than this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # A free worker process takes the first queue of CELERY_TASK_QUEUES that has a task.
        "queue_order_strategy": "priority",
    }
# Three lanes, so that mail a person waits for never queues behind bulk mail: `mail` (change
# notices, reminders, login and confirmation links), `celery` (the periodic jobs and the rest) and
# `bulk` (newsletters and recruitment mailings). Every worker takes all three, `mail` first (on
# Redis; the filesystem transport of the embedded default takes them in turn). A worker started
# with `-Q mail` is a lane of its own, for installations that want one reserved.
CELERY_TASK_QUEUES = [Queue("mail"), Queue("celery"), Queue("bulk")]
CELERY_TASK_DEFAULT_QUEUE = "celery"
MAIL_QUEUE, BULK_QUEUE = "mail", "bulk"
CELERY_TASK_ROUTES = {
    "notifications.send_mails": {"queue": MAIL_QUEUE},
    "notifications.handle_mail_request": {"queue": MAIL_QUEUE},
    "notifications.queue_issue_chunk": {"queue": BULK_QUEUE},
    "notifications.send_due_newsletters": {"queue": BULK_QUEUE},
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(
    Path(env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")))
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- E-mail -------------------------------------------------------------------------------------
# EMAIL_ESP picks the backend; every ANYMAIL_* variable is passed to anymail with its prefix
# removed (ANYMAIL_POSTMARK_SERVER_TOKEN -> ANYMAIL["POSTMARK_SERVER_TOKEN"]).

ESP_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "postmark": "anymail.backends.postmark.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
    "sendgrid": "anymail.backends.sendgrid.EmailBackend",
    "brevo": "anymail.backends.brevo.EmailBackend",
    "amazon_ses": "anymail.backends.amazon_ses.EmailBackend",
    "mailjet": "anymail.backends.mailjet.EmailBackend",
}
EMAIL_ESP = env("EMAIL_ESP", default="console")
if EMAIL_ESP not in ESP_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL_ESP={EMAIL_ESP!r} is not one of: {', '.join(ESP_BACKENDS)}")
EMAIL_BACKEND = ESP_BACKENDS[EMAIL_ESP]
if EMAIL_ESP == "smtp":
    _smtp = env.email_url("EMAIL_URL", default="smtp://localhost:25")
    _smtp.pop("EMAIL_BACKEND", None)
    globals().update(_smtp)
ANYMAIL = anymail_from_environ(env.ENVIRON)  # typed as anymail expects (config/anymail_settings.py)

# --- Text messages (SMS) ------------------------------------------------------------------------
# SMS_BACKEND: "infobip" sends texts through Infobip's API (SMS_INFOBIP_BASE_URL is the account's
# API address, SMS_INFOBIP_API_KEY its key); "console" prints them (the default with DEBUG on);
# "off" sends none (the default otherwise), so members without e-mail are on the list to phone;
# "memory" keeps them for tests. SMS_SENDER is the sender ID of a centre that set none.
SMS_BACKEND = env("SMS_BACKEND", default="console" if DEBUG else "off")
if SMS_BACKEND not in ("off", "console", "memory", "infobip"):
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND!r} is not one of: off, console, memory, infobip")
SMS_INFOBIP_BASE_URL = env("SMS_INFOBIP_BASE_URL", default="https://api.infobip.com")
SMS_INFOBIP_API_KEY = env("SMS_INFOBIP_API_KEY", default="")
if SMS_BACKEND == "infobip" and not SMS_INFOBIP_API_KEY:
    raise ImproperlyConfigured("SMS_BACKEND=infobip needs SMS_INFOBIP_API_KEY")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
SMS_SENDER = env("SMS_SENDER", default="Kontakt")
if not (3 <= len(SMS_SENDER) <= 11 and SMS_SENDER.isascii() and SMS_SENDER.isalnum() and not SMS_SENDER.isdigit()):
    raise ImproperlyConfigured("SMS_SENDER must be 3 to 11 letters or digits, with at least one letter")
# The port `make run` serves on (WEB_PORT in the Makefile); in development the links in mails and
# pages follow it, so a newcomer can click them.
WEB_PORT = env.int("WEB_PORT", default=8000)
# The public address of this installation, for links in e-mails.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{WEB_PORT}")

# Seconds before the 1st, 2nd, ... retry of a mail after a transient ESP error (never more than a
# few minutes: longer countdowns would outlive the broker's visibility timeout).
OUTBOX_RETRY_DELAYS = [int(seconds) for seconds in env.list("OUTBOX_RETRY_DELAYS", default=["30", "60", "120", "240"])]
# A row in `sending` this long belongs to a worker that died: the sweeper re-queues it, in doubt.
OUTBOX_STUCK_AFTER_SECONDS = env.int("OUTBOX_STUCK_AFTER_SECONDS", default=600)
# Send through the ESP's batch API where Kontakt speaks it (Postmark: 500 messages a request).
OUTBOX_ESP_BATCH = env.bool("OUTBOX_ESP_BATCH", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kontakt <noreply@kontakt.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Meetings -----------------------------------------------------------------------------------

# Meetings exist as rows this many weeks ahead; a nightly job extends the horizon.
MEETING_HORIZON_WEEKS = env.int("MEETING_HORIZON_WEEKS", default=26)

# --- Logging ------------------------------------------------------------------------------------
# Log lines name objects by id only: never a person's name, address or group membership.

# Error reports to Sentry, scrubbed of personal data and tokens (config/sentry.py); off without a DSN.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"))

# `plain` lines for a terminal, `json` (one object per line) for a log collector.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is plain or json.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))

# --- The public directory -------------------------------------------------------------------------

# Websites (https://host, comma-separated) that may frame the finder over every centre
# (/embed/groups/): a federation's portal, a city's. Each centre names its own in its settings.
DIRECTORY_FRAME_ORIGINS = env.list("DIRECTORY_FRAME_ORIGINS", default=[])
# The licence the open data of the directory is published under (/open-data/).
OPEN_DATA_LICENCE_NAME = env("OPEN_DATA_LICENCE_NAME", default="Creative Commons Attribution 4.0 (CC BY 4.0)")
OPEN_DATA_LICENCE_URL = env("OPEN_DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/")
