"""Libranet settings: one family, driven by environment variables through one ``env`` object.

The embedded default needs nothing but Python: SQLite (WAL) and files under the data folder,
mail to the console. Production switches (``LIBRANET_PRODUCTION=1``) turn on HTTPS-only cookies,
HSTS and the SSL redirect so that ``manage.py check --deploy`` is clean.
"""

import datetime
import secrets
from pathlib import Path

import environ
import xstatic.pkg.leaflet

from libranet.storage import storages_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DATA_DIR = Path(env.str("LIBRANET_DATA_DIR", default=str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once into the data folder."""
    given = env.str("LIBRANET_SECRET_KEY", default="")
    if given:
        return given
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("LIBRANET_DEBUG", default=False)
PRODUCTION = env.bool("LIBRANET_PRODUCTION", default=False)
ALLOWED_HOSTS = env.list("LIBRANET_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("LIBRANET_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # The task queue: Django's tasks interface (the django-tasks backport) stored in the
    # database; `manage.py run_worker` runs them (`make run` starts one).
    "django_tasks",
    "django_tasks_db",
    "libranet.worker",  # the task worker: heartbeat, takeover, supervision
    "libranet.audit",
    "libranet.mail",
    "libranet.schedule",  # the periodic jobs (manage.py run_schedule)
    "libranet.accounts",
    "libranet.network",
    "libranet.resources",
    "libranet.usage",
    "libranet.planning",  # the annual opening plan: rounds, proposals, decisions
    "libranet.imports",  # uploads checked and written by the task worker, with their reports
    "libranet.stats",
    "libranet.meetings",  # the annual meeting, its resolution and the resolution's tasks
    "libranet.public",
    "libranet.backoffice",
    "libranet.campaigns",  # monitoring campaigns: indicators, centers' answers, results
    "libranet.api",
    "libranet.oai",
    "libranet.sushi",
    "libranet.agreements",  # cooperation agreements and their renewal rounds
    "libranet.videos",  # video of the centers' events for the Library's channel
    "django.contrib.sitemaps",  # /sitemap.xml (libranet.public.sitemaps)
    "libranet.events",  # the network's events and the joint-event reports
    "libranet.news",  # news of the regional and foreign network, reviewed and published
    "libranet.catalogs",  # partner catalogs harvested over OAI-PMH, for the union search
    # The local ESIA-compatible provider (manage.py esia_dev_provider): installed for its
    # command and templates; its URLs are served only by its own server, never by the site.
    "libranet.esia_dev",
]

MIDDLEWARE = [
    # First: sees every answer, and gives an error that left bare its door's format.
    "libranet.doors.DoorErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "libranet.audit.context.RequestAddressMiddleware",
    # Counts a session on the public site's and the API's pages (after who and where).
    "libranet.usage.recorder.UsageSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused for too many failures into the sign-in page saying so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "libranet.urls"
CSRF_FAILURE_VIEW = "libranet.doors.csrf_failure"  # the site's page, or the door's format
WSGI_APPLICATION = "libranet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "libranet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "libranet.public.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'libranet.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the write lock before "database is locked".
        "timeout": env.float("LIBRANET_DB_BUSY_TIMEOUT", default=20),
    }
# Persistent connections, on SQLite too: opening the file and running the pragmas on every
# request costs more than the cached page it serves.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("LIBRANET_DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_config(url: str) -> dict:
    """The cache of ``LIBRANET_CACHE_URL``: per-process memory by default; entries are keyed by
    the registry version kept in the database, so workers never serve a stale page. Redis
    (``redis://``, ``rediss://``: django-redis) or memcached to share it between servers."""
    config = env.cache_url_config(url)
    options = config.setdefault("OPTIONS", {})
    if config["BACKEND"].endswith("LocMemCache"):
        # Room for the pages of a large directory (the default of 300 entries thrashes); a
        # page is some 30 kB, so this holds at most about 60 MB per worker.
        options.setdefault("MAX_ENTRIES", 2000)
    elif config["BACKEND"] == "django_redis.cache.RedisCache":
        # The cache only spares the database work: Redis down or hung must never fail a page.
        # A command that fails or times out is logged and answered as a miss (a stored
        # nothing); the short timeouts bound what a hung Redis adds to a page (the URL's
        # ?socket_timeout=&socket_connect_timeout= override them), and after a failure the
        # pool leaves Redis alone for a few seconds (libranet.rediscache).
        options.setdefault("SOCKET_CONNECT_TIMEOUT", 0.5)
        options.setdefault("SOCKET_TIMEOUT", 0.5)
        options.setdefault("IGNORE_EXCEPTIONS", True)
        options.setdefault("CONNECTION_POOL_CLASS", "libranet.rediscache.PausingConnectionPool")
    return config


CACHES = {"default": cache_config(env.str("LIBRANET_CACHE_URL", default="locmemcache://"))}
# A failed cache command is logged (one line: see LOGGING) as well as answered as a miss.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "libranet.cache"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backoffice:dashboard"
LOGOUT_REDIRECT_URL = "public:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
# Staff sign-in (README "Staff accounts"): the lockout backend first, so that a locked account or
# address is refused before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "libranet.accounts.signin.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A session lasts at most this long from its last change (sign-in, second factor) and ends when
# the browser closes: staff often work on shared computers in reading rooms.
SESSION_COOKIE_AGE = env.int("LIBRANET_SESSION_HOURS", default=12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PASSWORD_RESET_TIMEOUT = env.int("LIBRANET_PASSWORD_RESET_HOURS", default=2) * 3600
# Lockout (django-axes): failed sign-ins counted per account and per address within the
# cool-off; a locked account or address is refused until the last counted failure is that old.
AXES_HANDLER = "libranet.accounts.signin.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env.int("LIBRANET_LOGIN_FAILURES_PER_ACCOUNT", default=5)
LIBRANET_LOGIN_FAILURES_PER_ADDRESS = env.int("LIBRANET_LOGIN_FAILURES_PER_ADDRESS", default=20)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env.int("LIBRANET_LOGIN_COOLOFF_MINUTES", default=15)
)
# Attempts while locked are refused without being counted, so the lock ends when announced.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # the account's failures only (LockoutHandler keeps the address's)
AXES_CLIENT_IP_CALLABLE = "libranet.audit.context.client_address"
AXES_LOCKOUT_CALLABLE = "libranet.accounts.signin.views.lockout_response"
# Failures are counted under the username as Django compares it (NFKC), not as typed.
AXES_USERNAME_CALLABLE = "libranet.accounts.signin.lockout.normalised_username"
AXES_ENABLE_ADMIN = False
# Slow-down: from this many failures on, each attempt must wait twice as long after the last
# failure as the one before (2 s, 4 s, 8 s, ... at most LIBRANET_LOGIN_MAX_DELAY seconds).
LIBRANET_LOGIN_SLOWDOWN_AFTER = 3
LIBRANET_LOGIN_MAX_DELAY = env.int("LIBRANET_LOGIN_MAX_DELAY", default=60)
# Second factor (django-otp, TOTP): required for the network department and administrators.
OTP_TOTP_ISSUER = env.str("LIBRANET_TOTP_ISSUER", default="Libranet")
# Invitations to staff accounts: the link works this many days.
LIBRANET_INVITATION_DAYS = env.int("LIBRANET_INVITATION_DAYS", default=7)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language on every page (libranet/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["libranet.formats"]
TIME_ZONE = env.str("LIBRANET_TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "libranet" / "static",
    # Third-party assets come from their packages at install time, never pasted into the repo.
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
]
# Every stored file (and the IIIF derivatives): the media folder, or an S3-compatible store
# shared by several servers (libranet/storage.py; README "Files: the local folder or an object
# store").
LIBRANET_STORAGE_ACCESS_KEY = env.str("LIBRANET_STORAGE_ACCESS_KEY", default="")
LIBRANET_STORAGE_SECRET_KEY = env.str("LIBRANET_STORAGE_SECRET_KEY", default="")
STORAGES = {
    **storages_from_url(
        env.str("LIBRANET_STORAGE_URL", default=""),
        access_key=LIBRANET_STORAGE_ACCESS_KEY,
        secret_key=LIBRANET_STORAGE_SECRET_KEY,
    ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# Pictures staff upload for the public site (news covers, event photos): the largest accepted
# (libranet.markup.check_image).
LIBRANET_IMAGE_MAX_BYTES = env.int("LIBRANET_IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
LIBRANET_IMAGE_MAX_PIXELS = env.int("LIBRANET_IMAGE_MAX_PIXELS", default=40_000_000)
# Video files centers upload for the Library's channel (mp4, webm): the largest accepted.
LIBRANET_VIDEO_MAX_BYTES = env.int("LIBRANET_VIDEO_MAX_BYTES", default=500 * 1024 * 1024)

EMAIL_CONFIG = env.email_url("LIBRANET_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("LIBRANET_FROM_EMAIL", default="libranet@localhost")
# Links in mail (invitations, password reset) point here, never at the Host of a request.
LIBRANET_SITE_URL = env.str("LIBRANET_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Uploads (center imports): larger files are refused with a message, not read into memory.
LIBRANET_UPLOAD_MAX_BYTES = env.int("LIBRANET_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The map's tile server; the points are drawn from our own data, so they show without tiles.
LIBRANET_MAP_TILE_URL = env.str(
    "LIBRANET_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
LIBRANET_MAP_ATTRIBUTION = env.str(
    "LIBRANET_MAP_ATTRIBUTION", default="&copy; OpenStreetMap contributors"
)
LIBRANET_API_PAGE_MAX = 500
# The widest network (shortest prefix) a center may be given without the network department's
# capability: every address in a center's networks reads on-site material.
LIBRANET_NETWORK_WIDEST_IPV4 = env.int("LIBRANET_NETWORK_WIDEST_IPV4", default=16)
LIBRANET_NETWORK_WIDEST_IPV6 = env.int("LIBRANET_NETWORK_WIDEST_IPV6", default=48)
# OAI-PMH data provider at /oai (README "OAI-PMH"). Identifiers are oai:<repository id>:<id>;
# the admin address defaults to the sender address of mail.
LIBRANET_OAI_REPOSITORY_NAME = env.str("LIBRANET_OAI_REPOSITORY_NAME", default="Libranet")
LIBRANET_OAI_REPOSITORY_ID = env.str("LIBRANET_OAI_REPOSITORY_ID", default="libranet")
LIBRANET_OAI_ADMIN_EMAIL = env.str("LIBRANET_OAI_ADMIN_EMAIL", default="")
LIBRANET_OAI_RECORDS_PER_PAGE = env.int("LIBRANET_OAI_RECORDS_PER_PAGE", default=500)
LIBRANET_OAI_IDENTIFIERS_PER_PAGE = env.int("LIBRANET_OAI_IDENTIFIERS_PER_PAGE", default=1000)
LIBRANET_OAI_TOKEN_HOURS = env.int("LIBRANET_OAI_TOKEN_HOURS", default=24)
# The demo's OAI-PMH provider of partner catalogs (README "The demo's partner catalogs"):
# `manage.py catalog_provider` serves it here (`make run` starts it); the demo registers its
# sources at LIBRANET_CATALOG_PROVIDER_URL, so that scheduled harvests reach it after seeding.
LIBRANET_CATALOG_PROVIDER_HOST = env.str("LIBRANET_CATALOG_PROVIDER_HOST", default="127.0.0.1")
LIBRANET_CATALOG_PROVIDER_PORT = env.int("LIBRANET_CATALOG_PROVIDER_PORT", default=8765)
LIBRANET_CATALOG_PROVIDER_URL = env.str(
    "LIBRANET_CATALOG_PROVIDER_URL",
    default=f"http://{LIBRANET_CATALOG_PROVIDER_HOST}:{LIBRANET_CATALOG_PROVIDER_PORT}",
).rstrip("/")
LIBRANET_CATALOG_PROVIDER_PAGE_SIZE = env.int("LIBRANET_CATALOG_PROVIDER_PAGE_SIZE", default=100)

# The task queue (README "Search"): tasks wait in the database until `manage.py run_worker`
# runs them; "django_tasks.backends.immediate.ImmediateBackend" runs them at once, in-process.
TASKS = {
    "default": {
        "BACKEND": env.str("LIBRANET_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The task worker (README "The task worker: supervision, heartbeat, takeover"): each worker
# records a heartbeat this often; a worker silent for the timeout is dead and the task it ran is
# queued again, claimed at most MAX_ATTEMPTS times in all (first run, takeovers, runs again
# after a transient database error). Transient database errors are tried again after pauses
# doubling from RETRY_SECONDS up to RETRY_MAX_SECONDS.
LIBRANET_WORKER_HEARTBEAT_SECONDS = env.float("LIBRANET_WORKER_HEARTBEAT_SECONDS", default=5.0)
LIBRANET_WORKER_TIMEOUT_SECONDS = env.float("LIBRANET_WORKER_TIMEOUT_SECONDS", default=60.0)
LIBRANET_WORKER_MAX_ATTEMPTS = env.int("LIBRANET_WORKER_MAX_ATTEMPTS", default=5)
LIBRANET_WORKER_RETRY_SECONDS = env.float("LIBRANET_WORKER_RETRY_SECONDS", default=2.0)
LIBRANET_WORKER_RETRY_MAX_SECONDS = env.float("LIBRANET_WORKER_RETRY_MAX_SECONDS", default=60.0)
# Usage statistics: counting (README "Usage statistics: counting"). Events are appended to a
# spool folder local to each machine, loaded into the database by `manage.py ingest_usage`
# (the usage_ingest task), rolled up per day; raw events are kept this many whole months.
LIBRANET_USAGE_SPOOL_DIR = Path(
    env.str("LIBRANET_USAGE_SPOOL_DIR", default=str(DATA_DIR / "usage-spool"))
)
LIBRANET_USAGE_SPOOL_ROTATE_SECONDS = env.int("LIBRANET_USAGE_SPOOL_ROTATE_SECONDS", default=60)
LIBRANET_USAGE_SPOOL_MAX_BYTES = env.int("LIBRANET_USAGE_SPOOL_MAX_BYTES", default=4 * 1024 * 1024)
LIBRANET_USAGE_RETENTION_MONTHS = env.int("LIBRANET_USAGE_RETENTION_MONTHS", default=24)
# On PostgreSQL raw events are partitioned by month; the usage-partitions job makes this month's
# partition and this many months ahead (README "Partitions on PostgreSQL").
LIBRANET_USAGE_PARTITIONS_AHEAD = env.int("LIBRANET_USAGE_PARTITIONS_AHEAD", default=3)
# COUNTER's robots list (JSON as COUNTER publishes it); empty: the copy shipped with Libranet.
LIBRANET_USAGE_ROBOTS_FILE = env.str("LIBRANET_USAGE_ROBOTS_FILE", default="")
# Usage statistics: COUNTER reports over SUSHI (README "COUNTER reports and the SUSHI API").
# The platform's name in every report; the namespace of its proprietary identifiers (items
# "presidentlib:<identifier>", institutions "presidentlib:<center code>"); the customer_id of
# the whole Library; the platform's COUNTER Registry record, if it has one.
LIBRANET_SUSHI_PLATFORM = env.str("LIBRANET_SUSHI_PLATFORM", default="Libranet")
LIBRANET_SUSHI_PLATFORM_ID = env.str("LIBRANET_SUSHI_PLATFORM_ID", default="presidentlib")
LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID = env.str(
    "LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID", default="presidentlib"
)
LIBRANET_SUSHI_REGISTRY_RECORD = env.str("LIBRANET_SUSHI_REGISTRY_RECORD", default="")
# At most this many COUNTER API requests per customer in each window of this many seconds
# (0: no limit); counted in the cache, so across workers when LIBRANET_CACHE_URL is shared.
LIBRANET_SUSHI_RATE_REQUESTS = env.int("LIBRANET_SUSHI_RATE_REQUESTS", default=60)
LIBRANET_SUSHI_RATE_WINDOW = env.int("LIBRANET_SUSHI_RATE_WINDOW", default=60)
# Usage statistics: reports (README "Usage statistics: reports"). The zero-usage report lists
# a center when ANY of these indicators (COUNTER Metric_Type names, or "Sessions") is zero over
# the days of the month it was open.
LIBRANET_ZERO_USAGE_INDICATORS = env.list(
    "LIBRANET_ZERO_USAGE_INDICATORS", default=["Sessions", "Total_Item_Requests"]
)
# Usage statistics: mail delivery, the schedule and the monthly mailing (README "Mail delivery,
# the schedule and the monthly zero-usage mailing"). The outbox's worker tries a message up to
# LIBRANET_MAIL_MAX_ATTEMPTS times, waiting 1, 2, 4, ... minutes (at most the maximum) between
# attempts; a claim older than the timeout is a sender that died, and is taken over.
LIBRANET_MAIL_MAX_ATTEMPTS = env.int("LIBRANET_MAIL_MAX_ATTEMPTS", default=10)
LIBRANET_MAIL_RETRY_SECONDS = env.int("LIBRANET_MAIL_RETRY_SECONDS", default=60)
LIBRANET_MAIL_RETRY_MAX_SECONDS = env.int("LIBRANET_MAIL_RETRY_MAX_SECONDS", default=4 * 3600)
LIBRANET_MAIL_CLAIM_TIMEOUT_SECONDS = env.int("LIBRANET_MAIL_CLAIM_TIMEOUT_SECONDS", default=600)
# A mail server that stops answering fails the attempt instead of holding a worker (and its
# claim) forever: well under the claim timeout.
EMAIL_TIMEOUT = env.int("LIBRANET_EMAIL_TIMEOUT", default=60)
LIBRANET_ZERO_USAGE_MAILING_DAY = env.int("LIBRANET_ZERO_USAGE_MAILING_DAY", default=3)
LIBRANET_ZERO_USAGE_MAILING_HOUR = env.int("LIBRANET_ZERO_USAGE_MAILING_HOUR", default=10)
# Monitoring campaigns (README "Monitoring campaigns"): reminders go this many days before the
# deadline to the centers that have not submitted, at this hour, and once after it to the late.
LIBRANET_CAMPAIGN_REMINDER_DAYS = env.list(
    "LIBRANET_CAMPAIGN_REMINDER_DAYS", cast=int, default=[7, 1]
)
LIBRANET_CAMPAIGN_REMINDER_HOUR = env.int("LIBRANET_CAMPAIGN_REMINDER_HOUR", default=9)
# The periodic jobs, all in one place: (name, cron spec in TIME_ZONE, task, keyword arguments).
# `manage.py run_schedule` queues each job once per slot, however many runners there are; a
# slot missed while no runner ran is caught up if it is at most this many hours old.
# The opening plan (README "The opening plan"): the heads of regions with no submitted
# proposal are reminded this many days before a round's deadline.
LIBRANET_PLANNING_REMINDER_DAYS = [
    int(days) for days in env.list("LIBRANET_PLANNING_REMINDER_DAYS", default=["14", "7", "1"])
]
LIBRANET_SCHEDULE: list[tuple[str, str, str, dict]] = [
    ("usage-rollup", "*/15 * * * *", "libranet.usage.tasks.usage_rollup", {}),
    ("usage-purge", "30 3 * * *", "libranet.usage.tasks.usage_purge", {}),
    ("usage-partitions", "15 3 * * *", "libranet.usage.tasks.usage_partitions", {}),
    ("mail-send-due", "* * * * *", "libranet.mail.tasks.mail_send_due", {}),
    (
        "zero-usage-mailing",
        f"0 {LIBRANET_ZERO_USAGE_MAILING_HOUR} {LIBRANET_ZERO_USAGE_MAILING_DAY} * *",
        "libranet.usage.mailing_tasks.zero_usage_mailing",
        {},
    ),
    # Monitoring campaigns: reminders before the deadline and to the late ones, daily.
    (
        "campaign-reminders",
        f"0 {LIBRANET_CAMPAIGN_REMINDER_HOUR} * * *",
        "libranet.campaigns.tasks.send_campaign_reminders",
        {},
    ),
    ("planning-reminders", "0 9 * * *", "libranet.planning.tasks.planning_reminders", {}),
    ("meeting-task-reminders", "0 9 * * *", "libranet.meetings.tasks.send_task_reminders", {}),
    # Cooperation agreements: automatic prolongations, then the reminders (README).
    ("agreements-daily", "0 8 * * *", "libranet.agreements.tasks.agreements_daily", {}),
    # Joint-event reports: reminders to the regional centers' heads before the deadline.
    ("joint-event-reminders", "0 9 * * *", "libranet.events.tasks.send_joint_event_reminders", {}),
    # Partner catalogs: every hour, harvest the sources whose schedule is due (README).
    ("catalogs-harvest", "20 * * * *", "libranet.catalogs.tasks.harvest_due_sources", {}),
]
# Harvesting partner catalogs (README "Registering a source and harvesting"): seconds to wait
# for an answer; retries of a request on a timeout, a dropped connection or a 5xx, waiting
# LIBRANET_HARVEST_RETRY_AFTER seconds (doubled each time; a 503's Retry-After is honoured up to
# LIBRANET_HARVEST_MAX_RETRY_AFTER).
LIBRANET_HARVEST_TIMEOUT = env.int("LIBRANET_HARVEST_TIMEOUT", default=30)
LIBRANET_HARVEST_RETRIES = env.int("LIBRANET_HARVEST_RETRIES", default=3)
LIBRANET_HARVEST_RETRY_AFTER = env.int("LIBRANET_HARVEST_RETRY_AFTER", default=10)
LIBRANET_HARVEST_MAX_RETRY_AFTER = env.int("LIBRANET_HARVEST_MAX_RETRY_AFTER", default=300)
# Registering a source checks it with this shorter timeout (seconds) and no retries.
LIBRANET_HARVEST_CHECK_TIMEOUT = env.int("LIBRANET_HARVEST_CHECK_TIMEOUT", default=10)
# The hosts sources may be registered at (shell patterns, "*" any): a server that asks only
# known partners can say so (and the API's fuzzer is kept on loopback).
LIBRANET_HARVEST_HOSTS = env.list("LIBRANET_HARVEST_HOSTS", default=["*"])
# A run still "running" after this many hours is taken for stopped (its process ended).
LIBRANET_HARVEST_STALE_HOURS = env.int("LIBRANET_HARVEST_STALE_HOURS", default=12)
# Days before a reporting round's deadline when the heads who have not confirmed are reminded.
LIBRANET_JOINT_EVENT_REMINDER_DAYS = env.list(
    "LIBRANET_JOINT_EVENT_REMINDER_DAYS", cast=int, default=[14, 3]
)
# Days before a resolution's task's deadline when its party is reminded (and once when late).
LIBRANET_TASK_REMINDER_DAYS = [
    int(d) for d in env.list("LIBRANET_TASK_REMINDER_DAYS", default=["7", "1"])
]
LIBRANET_SCHEDULE_CATCH_UP_HOURS = env.int("LIBRANET_SCHEDULE_CATCH_UP_HOURS", default=24)
# Cooperation agreements (README "Cooperation agreements"): "expiring" within this many days;
# reminders this many days before the end; the largest signed scan accepted.
LIBRANET_AGREEMENT_EXPIRY_DAYS = env.int("LIBRANET_AGREEMENT_EXPIRY_DAYS", default=90)
LIBRANET_AGREEMENT_REMINDER_DAYS = env.list(
    "LIBRANET_AGREEMENT_REMINDER_DAYS", cast=int, default=[90, 30]
)
LIBRANET_AGREEMENT_SCAN_MAX_BYTES = env.int(
    "LIBRANET_AGREEMENT_SCAN_MAX_BYTES", default=10 * 1024 * 1024
)
# Search (README "Search"): "tantivy" (an index folder per machine) or "postgres" (PostgreSQL
# full text in the database, for several application servers without a shared folder).
LIBRANET_SEARCH_BACKEND = env.str("LIBRANET_SEARCH_BACKEND", default="tantivy")
LIBRANET_SEARCH_DIR = Path(env.str("LIBRANET_SEARCH_DIR", default=str(DATA_DIR / "search")))
# Each server's Tantivy index follows the shared change log with a cursor of this name (empty:
# the host name and LIBRANET_SEARCH_DIR); an index silent this long no longer holds the log
# back, and rebuilds when it comes back behind what was pruned (README "Search").
LIBRANET_SEARCH_INDEX_NAME = env.str("LIBRANET_SEARCH_INDEX_NAME", default="")
LIBRANET_SEARCH_INDEX_SILENT_SECONDS = env.int(
    "LIBRANET_SEARCH_INDEX_SILENT_SECONDS", default=24 * 3600
)
# A server's own duties (README "Several servers"): what lives on its own disk is looked after
# by its own worker, whatever the shared queue holds (any server's worker takes a task):
# (name, callable, every so many seconds; 0: at each of the worker's polls).
LIBRANET_SERVER_DUTIES: list[tuple[str, str, float]] = [
    # Its search index and partner works follow the change log and the harvests.
    ("search-index", "libranet.resources.search.index_apply_changes", 0),
    ("partner-works", "libranet.catalogs.union.works_follow", 0),
    # Its usage spool is loaded into the database.
    ("usage-spool", "libranet.usage.services.spool_ingest", 10),
]

# ESIA (Gosuslugi) sign-in for readers (README, "Readers: ESIA sign-in"). With no base URL or
# client id the sign-in link answers that ESIA is not configured; `make run` points it at the
# local provider explicitly, so production never talks to the development one by accident.
LIBRANET_ESIA_BASE_URL = env.str("LIBRANET_ESIA_BASE_URL", default="").rstrip("/")
LIBRANET_ESIA_CLIENT_ID = env.str("LIBRANET_ESIA_CLIENT_ID", default="")
LIBRANET_ESIA_SCOPE = env.str("LIBRANET_ESIA_SCOPE", default="openid fullname email")
LIBRANET_ESIA_API_VERSION = env.str("LIBRANET_ESIA_API_VERSION", default="v2")  # or "legacy"
LIBRANET_ESIA_REDIRECT_URI = env.str("LIBRANET_ESIA_REDIRECT_URI", default="")
LIBRANET_ESIA_ISSUER = env.str("LIBRANET_ESIA_ISSUER", default="")
LIBRANET_ESIA_SIGNER = env.str("LIBRANET_ESIA_SIGNER", default="openssl")  # cryptopro, rsa
# How the client's certificate is named to ESIA (client_certificate_hash), decided here once
# for the application and the local provider alike, never by probing the machine: "gost"
# (GOST R 34.11-2012, what ESIA expects; needs the GOST engine, or CryptoPro) or "sha256"
# (RSA development keys, LIBRANET_ESIA_SIGNER=rsa).
LIBRANET_ESIA_CERT_HASH = env.str(
    "LIBRANET_ESIA_CERT_HASH", default="sha256" if LIBRANET_ESIA_SIGNER == "rsa" else "gost"
)
LIBRANET_ESIA_KEY = env.str("LIBRANET_ESIA_KEY", default="")
LIBRANET_ESIA_CERT = env.str("LIBRANET_ESIA_CERT", default="")
LIBRANET_ESIA_PROVIDER_CERT = env.str("LIBRANET_ESIA_PROVIDER_CERT", default="")
LIBRANET_ESIA_CONNECT_TIMEOUT = env.float("LIBRANET_ESIA_CONNECT_TIMEOUT", default=5.0)
LIBRANET_ESIA_READ_TIMEOUT = env.float("LIBRANET_ESIA_READ_TIMEOUT", default=15.0)
LIBRANET_ESIA_LEEWAY = env.int("LIBRANET_ESIA_LEEWAY", default=60)  # seconds of clock skew
LIBRANET_ESIA_CRYPTOPRO_CONTAINER = env.str("LIBRANET_ESIA_CRYPTOPRO_CONTAINER", default="")
LIBRANET_ESIA_CRYPTOPRO_THUMBPRINT = env.str("LIBRANET_ESIA_CRYPTOPRO_THUMBPRINT", default="")
LIBRANET_ESIA_CRYPTOPRO_PASSWORD = env.str("LIBRANET_ESIA_CRYPTOPRO_PASSWORD", default="")
LIBRANET_ESIA_CRYPTOPRO_BIN = env.str(
    "LIBRANET_ESIA_CRYPTOPRO_BIN", default="/opt/cprocsp/bin/amd64"
)
# The local provider's keys and registered clients (manage.py esia_dev_keys writes them).
LIBRANET_ESIA_DEV_DIR = Path(env.str("LIBRANET_ESIA_DEV_DIR", default=str(DATA_DIR / "esia_dev")))
# The front proxies whose X-Forwarded-For is believed (CIDRs); nobody else's is.
LIBRANET_TRUSTED_PROXIES = env.list("LIBRANET_TRUSTED_PROXIES", default=[])
# Resources' files handed to nginx after the access decision (e.g. "/protected/", an internal
# location aliased to the media folder); empty: the application streams them itself.
LIBRANET_X_ACCEL_REDIRECT_PREFIX = env.str("LIBRANET_X_ACCEL_REDIRECT_PREFIX", default="")
# The IIIF image service's derivatives (tiles, scaled pages), made once and kept in this folder
# (with an S3 store: in its bucket, under iiif-cache/).
LIBRANET_IIIF_CACHE_DIR = Path(
    env.str("LIBRANET_IIIF_CACHE_DIR", default=str(DATA_DIR / "iiif-cache"))
).resolve()

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("LIBRANET_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("LIBRANET_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LIBRANET_LOG_LEVEL", default="WARNING")},
    # The shared cache's failures (see CACHES), one line each.
    "filters": {"one_line": {"()": "libranet.rediscache.OneLine"}},
    "loggers": {"libranet.cache": {"filters": ["one_line"]}},
}
