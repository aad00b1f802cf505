"""Settings shared by every environment, read from environment variables.

Every variable is documented in the README with its default. ``local.py`` fills in the
embedded defaults for development, ``test.py`` those for the test suite and
``production.py`` only hardens.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    """A boolean variable, strictly: a typo fails start-up instead of reading as False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


if env_bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# --- core -------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.str("SITE_NAME", default="Connector Hub")

INSTALLED_APPS = [
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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "core",
    "connectors_registry",
    "governance",
    "bounties",
    "health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
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
                "core.context_processors.site",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks and take them up front.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    VAR_DIR.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://connector-hub")}

# --- auth -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "governance:sign-in"
# django-axes first: it refuses a locked-out username+address before any password is checked
# (wallet sign-in logs in without a password, through ModelBackend).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password logins (the admin's) lock out a username from one address after this many
# failures in a row, for the cool-off; the address is the API's (NUM_PROXIES).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.throttling.client_ip"
AXES_RESET_ON_SUCCESS = True
# Failures only: no table of every successful sign-in (wallet sign-ins log in too).
AXES_DISABLE_ACCESS_LOG = True

# --- i18n / time ------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.storage.StaticFilesStorage"},
}

# --- Content-Security-Policy (django-csp) -----------------------------------------------
# Scripts, styles, images and fetches from this site only; no plugins, no framing. Inline
# style attributes are allowed (style-src-attr): result bars set their width that way, and
# an attribute can carry no script. Wallets reach the page through their extension, which
# the policy does not govern.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- API --------------------------------------------------------------------------------
# Reverse proxies in front of the web processes that append the client to X-Forwarded-For;
# 0: the header is ignored and the TCP peer is the client (a made-up header changes nothing).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES={NUM_PROXIES} must be 0 or more.")
REST_FRAMEWORK = {
    # The site's session, or a staff member's token for scripts; never HTTP Basic. Signed
    # votes and proposals take none (their signature says who sent them).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.authentication.StaffTokenAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    # Every refusal in one shape: {"error", "code", "fields"?} (core/api_errors.py).
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
    # The API takes JSON bodies only (the site's own forms post to its pages, not here).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": ["core.filters.QueryFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Counted in the default cache: set CACHE_URL to Redis so every process shares one count.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="120/min")},
    "NUM_PROXIES": NUM_PROXIES,
}
# Pages that read many tables (a connector's page) are shared by visitors without a session
# for this long, rebuilt by one request at a time (core.cache.visitor_copy); 0: off.
VISITOR_PAGE_CACHE_SECONDS = env.int("VISITOR_PAGE_CACHE_SECONDS", default=30)
VISITOR_PAGE_STALE_SECONDS = env.int("VISITOR_PAGE_STALE_SECONDS", default=300)
# The OpenAPI schema as written at deploy (`manage.py spectacular --format openapi-json
# --file F`), served as is; empty: each process builds it once (core.schema_view).
API_SCHEMA_FILE = env.str("API_SCHEMA_FILE", default="")
SPECTACULAR_SETTINGS = {
    "TITLE": "Connector Hub API",
    "DESCRIPTION": (
        "Registry, governance, bounties and health of Hummingbot exchange connectors. "
        "Read endpoints are public. Votes and proposals are authenticated by their EIP-712 "
        "signature (no session); maintainers act with their wallet sign-in session; staff "
        "endpoints need a staff session or a staff API token (`Authorization: Token <key>`); "
        "HTTP Basic is not accepted."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Request bodies get schemas of their own: no read-only fields, required text non-empty.
    "COMPONENT_SPLIT_REQUEST": True,
}

# Choice sets that share a field name (status, kind, outcome) get names of their own.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "BountyStatusEnum": "bounties.models.BountyStatus",
    "BountyTypeEnum": "bounties.models.BountyType",
    "DenominationEnum": "bounties.models.Denomination",
    "PotEntryKindEnum": "bounties.models.PotEntryKind",
    "VerificationStatusEnum": "bounties.models.VerificationStatus",
    # The registry's connector status keeps the name it had before bounties had a status.
    "StatusEnum": "connectors_registry.models.InclusionStatus",
    "PollStatusEnum": "governance.models.PollStatus",
    "PollKindEnum": "governance.models.PollKind",
    "ProposalOutcomeEnum": "governance.models.ProposalOutcome",
    "DecisionStatusEnum": "governance.models.DecisionStatus",
    "HealthStatusEnum": "health.models.HealthStatus",
    "CheckOutcomeEnum": "health.models.Outcome",
    "ExchangeKindEnum": "connectors_registry.models.ExchangeKind",
}

# --- Celery -----------------------------------------------------------------------------
# A host name, even for the filesystem transport, or kombu warns on every connection.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded default: kombu's filesystem transport, one folder under var/.
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Longer than the longest countdown/ETA we use, so a slow task is not redelivered.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "health.tasks.heartbeat_record_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "purge-sign-in-nonces": {
        "task": "governance.tasks.sign_in_nonces_purge_task",
        "schedule": crontab(minute=41),
        "options": {"expires": 3000},
    },
    "advance-polls": {
        "task": "governance.tasks.polls_advance_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # --- bounties (beat entries) ---
    "sync-pot-credits": {
        "task": "bounties.tasks.pot_credits_sync_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "flag-idle-bounties": {
        "task": "bounties.tasks.bounties_flag_idle_task",
        "schedule": crontab(minute=23),
        "options": {"expires": 3000},
    },
    # --- end bounties ---
    "purge-old-heartbeats": {
        "task": "health.tasks.heartbeat_purge_task",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expires": 3600},
    },
}

# --- logging ----------------------------------------------------------------------------
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
        # django-axes announces itself at INFO on every start (each manage.py command) and
        # every login; lockouts are WARNING and still shown.
        "axes": {"level": "WARNING"},
    },
}

# --- Connector Hub ----------------------------------------------------------------------
CATALOGUE_PATH = env.path(
    "CATALOGUE_PATH", default=str(BASE_DIR / "connectors_registry" / "data" / "catalogue.csv")
)
HUMMINGBOT_REPO_URL = env.str(
    "HUMMINGBOT_REPO_URL", default="https://github.com/hummingbot/hummingbot"
)
GATEWAY_REPO_URL = env.str("GATEWAY_REPO_URL", default="https://github.com/hummingbot/gateway")
HEARTBEAT_RETENTION_DAYS = env.int("HEARTBEAT_RETENTION_DAYS", default=7)
HEALTH_REGION = env.str("HEALTH_REGION", default="local")

# --- chain (HBOT balances) --------------------------------------------------------------
ETH_RPC_URL = env.str("ETH_RPC_URL", default="")
ETH_CHAIN_ID = env.int("ETH_CHAIN_ID", default=1)
HBOT_TOKEN_ADDRESS = env.str(
    "HBOT_TOKEN_ADDRESS", default="0xE5097D9baeAFB89f9bcB78C9290d545dB5f9e9CB"
)
HBOT_DECIMALS = env.int("HBOT_DECIMALS", default=18)
MULTICALL3_ADDRESS = env.str(
    "MULTICALL3_ADDRESS", default="0xcA11bde05977b3631167028862bE2a173976CA11"
)
# Used when the node does not answer the "finalized" block tag.
ETH_CONFIRMATIONS = env.int("ETH_CONFIRMATIONS", default=12)
ETH_RPC_TIMEOUT = env.float("ETH_RPC_TIMEOUT", default=10.0)
ETH_RPC_RETRIES = env.int("ETH_RPC_RETRIES", default=4)
ETH_RPC_BACKOFF = env.float("ETH_RPC_BACKOFF", default=0.5)
BALANCE_BATCH_SIZE = env.int("BALANCE_BATCH_SIZE", default=1000)

# --- Sign-In with Ethereum --------------------------------------------------------------
SIWE_STATEMENT = env.str(
    "SIWE_STATEMENT", default="Sign in to Connector Hub with your Ethereum wallet."
)
SIWE_NONCE_TTL_SECONDS = env.int("SIWE_NONCE_TTL_SECONDS", default=600)
SIWE_MAX_CLOCK_SKEW_SECONDS = env.int("SIWE_MAX_CLOCK_SKEW_SECONDS", default=60)

# --- governance (polls, votes, proposals) -----------------------------------------------
# EIP-712 domain of signed votes and proposals; a staging site should use another name so
# its signatures can never be replayed on production.
EIP712_DOMAIN_NAME = env.str("EIP712_DOMAIN_NAME", default="Connector Hub")
EIP712_DOMAIN_VERSION = env.str("EIP712_DOMAIN_VERSION", default="1")
VOTE_MAX_AGE_SECONDS = env.int("VOTE_MAX_AGE_SECONDS", default=600)
VOTE_MAX_CLOCK_SKEW_SECONDS = env.int("VOTE_MAX_CLOCK_SKEW_SECONDS", default=60)
VOTE_MAX_BODY_BYTES = env.int("VOTE_MAX_BODY_BYTES", default=16384)
# Each web process keeps an open poll's unchanging facts this long instead of reading them
# for every vote (its state is re-checked under a lock before a vote is written); 0 = off.
VOTE_POLL_CACHE_SECONDS = env.float("VOTE_POLL_CACHE_SECONDS", default=5.0)
# Every Nth vote folds the pending changes into its poll's running totals (reads add the
# pending ones, so results are exact whatever N is; a larger N writes less per vote).
POLL_TOTALS_FOLD_EVERY = env.int("POLL_TOTALS_FOLD_EVERY", default=16)
# Closed polls are finalized automatically this long after they close (an audit window in
# which anyone can download the votes and check them with verify_poll).
POLL_FINALIZE_AFTER_HOURS = env.int("POLL_FINALIZE_AFTER_HOURS", default=24)
# New proposals continue the published numbering (HGP-82 added Backpack, docs/DOMAIN.md 3.9).
PROPOSAL_LAST_PUBLISHED_NUMBERS = {"HGP": env.int("HGP_LAST_PUBLISHED_NUMBER", default=82)}
GOVERNANCE_HISTORY_PATH = env.path(
    "GOVERNANCE_HISTORY_PATH",
    default=str(BASE_DIR / "governance" / "data" / "governance_history.json"),
)

# --- health: connector checks, status, alerts (issue 6) ---------------------------------
# Which queue this region's sweep and checks go to (each region consumes its own).
HEALTH_QUEUE = env.str("HEALTH_QUEUE", default="") or None
HEALTH_DEFAULT_INTERVAL_SECONDS = env.int("HEALTH_DEFAULT_INTERVAL_SECONDS", default=60)
HEALTH_SWEEP_SECONDS = env.float("HEALTH_SWEEP_SECONDS", default=10.0)
HEALTH_HTTP_TIMEOUT = env.float("HEALTH_HTTP_TIMEOUT", default=5.0)
HEALTH_WS_TIMEOUT = env.float("HEALTH_WS_TIMEOUT", default=10.0)
HEALTH_CHECK_DEADLINE_SECONDS = env.float("HEALTH_CHECK_DEADLINE_SECONDS", default=30.0)
HEALTH_MAX_CLOCK_SKEW_SECONDS = env.float("HEALTH_MAX_CLOCK_SKEW_SECONDS", default=5.0)
HEALTH_MAX_DATA_AGE_SECONDS = env.float("HEALTH_MAX_DATA_AGE_SECONDS", default=60.0)
HEALTH_DEGRADED_LATENCY_MS = env.int("HEALTH_DEGRADED_LATENCY_MS", default=2000)
# Hysteresis: consecutive observations needed to leave operational / to return to it.
HEALTH_FAILURE_THRESHOLD = env.int("HEALTH_FAILURE_THRESHOLD", default=2)
HEALTH_RECOVERY_THRESHOLD = env.int("HEALTH_RECOVERY_THRESHOLD", default=2)
HEALTH_RESULT_RETENTION_DAYS = env.int("HEALTH_RESULT_RETENTION_DAYS", default=14)
HEALTH_HOURLY_RETENTION_DAYS = env.int("HEALTH_HOURLY_RETENTION_DAYS", default=90)
# {"binance": {"rest": "https://...", "ws": "wss://..."}}; the admin's per-check URLs win.
HEALTH_ENDPOINT_OVERRIDES: dict[str, dict[str, str]] = env.json(
    "HEALTH_ENDPOINT_OVERRIDES", default={}
)
HEALTH_USE_SIMULATOR = env_bool("HEALTH_USE_SIMULATOR", default=False)
HEALTH_SIMULATOR_URL = env.str("HEALTH_SIMULATOR_URL", default="http://127.0.0.1:8765")
GATEWAY_URL = env.str("GATEWAY_URL", default="")
HEALTH_ALERTS_ENABLED = env_bool("HEALTH_ALERTS_ENABLED", default=True)
# Our own monitoring is offline in a region when the newest result of every check in this
# window failed to reach its exchange, across at least this many exchanges (health.attribution).
HEALTH_OFFLINE_WINDOW_SECONDS = env.int("HEALTH_OFFLINE_WINDOW_SECONDS", default=900)
HEALTH_OFFLINE_MIN_EXCHANGES = env.int("HEALTH_OFFLINE_MIN_EXCHANGES", default=2)
HEALTH_OFFLINE_CACHE_SECONDS = env.int("HEALTH_OFFLINE_CACHE_SECONDS", default=20)
# /metrics: scrapes within this many seconds share one rendered body (0: no cache).
HEALTH_METRICS_CACHE_SECONDS = env.int("HEALTH_METRICS_CACHE_SECONDS", default=5)
# A connector regression open this long prepares a draft bug bounty (staff fund it).
HEALTH_DRAFT_BOUNTY_AFTER_HOURS = env.float("HEALTH_DRAFT_BOUNTY_AFTER_HOURS", default=24.0)
HEALTH_ALERT_TIMEOUT = env.float("HEALTH_ALERT_TIMEOUT", default=10.0)
HEALTH_ALERT_MAX_RETRIES = env.int("HEALTH_ALERT_MAX_RETRIES", default=6)
# Maintainers' webhooks and staff's per-check URLs may name loopback, link-local or private
# addresses (core.outbound); on for `make run` (local.py) and the tests, off in production.
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env_bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", default=False)
HEALTH_PUBLIC_URL = env.str("HEALTH_PUBLIC_URL", default="")
HEALTH_STATUS_PAGE_CACHE_SECONDS = env.int("HEALTH_STATUS_PAGE_CACHE_SECONDS", default=30)
# After it stops being fresh, the anonymous copy is still served while one request rebuilds
# it (core.cache), for at most this long.
HEALTH_STATUS_PAGE_STALE_SECONDS = env.int("HEALTH_STATUS_PAGE_STALE_SECONDS", default=300)
# A group's table is cached under a digest of its rows (status, summary, incident), so it is
# rendered again only when one of them changed; 0 turns the fragments off.
HEALTH_STATUS_FRAGMENT_CACHE_SECONDS = env.int("HEALTH_STATUS_FRAGMENT_CACHE_SECONDS", default=600)
_health_task_options = {"queue": HEALTH_QUEUE} if HEALTH_QUEUE else {}
CELERY_BEAT_SCHEDULE.update(
    {
        "health-sweep": {
            "task": "health.tasks.health_sweep_task",
            "schedule": HEALTH_SWEEP_SECONDS,
            "options": {"expires": HEALTH_SWEEP_SECONDS * 0.9, **_health_task_options},
        },
        "health-rollup": {
            "task": "health.tasks.uptime_rollup_task",
            "schedule": 300.0,
            "options": {"expires": 290},
        },
        "health-incidents-review": {
            "task": "health.tasks.incidents_review_task",
            "schedule": 300.0,
            "options": {"expires": 290},
        },
        "health-alerts-requeue": {
            "task": "health.tasks.alert_deliveries_requeue_task",
            "schedule": 120.0,
            "options": {"expires": 110},
        },
        "health-purge": {
            "task": "health.tasks.health_history_purge_task",
            "schedule": crontab(minute=29, hour=3),
            "options": {"expires": 3600},
        },
    }
)


# --- bounties (pots, bounties, payouts) -------------------------------------------------
# The Foundation's handling fee, in percent of the bounty amount (docs/DOMAIN.md 5.4); the rest
# is the developer portion.
def _bounty_fee_percent(name: str, default: str) -> Decimal:
    raw = env.str(name, default=default).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number of percent.") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ImproperlyConfigured(f"{name}={raw!r} must be between 0 and 100.")
    return value


BOUNTY_FEE_PERCENT = {
    "HBOT": _bounty_fee_percent("BOUNTY_FEE_PERCENT_HBOT", "10"),
    "USDC": _bounty_fee_percent("BOUNTY_FEE_PERCENT_STABLECOIN", "20"),
    "USDT": _bounty_fee_percent("BOUNTY_FEE_PERCENT_STABLECOIN", "20"),
}
# An assignee with no sign of work for this many days is flagged idle (beat, hourly);
# staff may then reassign the bounty.
BOUNTY_IDLE_DAYS = env.int("BOUNTY_IDLE_DAYS", default=7)
# A merged bounty tied to a connector is payable once the connector has been operational
# this many days in a row since the merge (staff may override, with a reason).
BOUNTY_PAYOUT_GREEN_DAYS = env.int("BOUNTY_PAYOUT_GREEN_DAYS", default=7)
# Amounts of bounties drafted automatically (a connector regression), per type, in HBOT;
# never more than the connector's pot has available.
BOUNTY_DRAFT_AMOUNTS_HBOT: dict[str, int] = env.json(
    "BOUNTY_DRAFT_AMOUNTS_HBOT", default={"bug": 10000}
)
# --- end bounties ---
