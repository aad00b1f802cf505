"""The test suite. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` come from the environment
(``.ci/run`` points them at PostgreSQL and Redis); without them, SQLite and eager tasks."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests call services directly and mock .delay; eager mode is only a safety net.
# Integration tests start a real worker process with its own settings.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_CLASSES": [],
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# The dev chain (tests start their own on a free loopback port and override ETH_RPC_URL).
ETH_RPC_URL = "http://127.0.0.1:8545"
ETH_CHAIN_ID = 131277322940537
HBOT_TOKEN_ADDRESS = "0xF2E246BB76DF876Cef8b38ae84130F4F55De395b"
ETH_CONFIRMATIONS = 0
ETH_RPC_RETRIES = 2
ETH_RPC_BACKOFF = 0.01
ETH_RPC_TIMEOUT = env.float("ETH_RPC_TIMEOUT", default=5.0)

# --- health (issue 6): fast bounds for the simulator on loopback; no real endpoints ------
HEALTH_HTTP_TIMEOUT = 2.0
HEALTH_WS_TIMEOUT = 2.0
HEALTH_CHECK_DEADLINE_SECONDS = 10.0
HEALTH_USE_SIMULATOR = False
HEALTH_ENDPOINT_OVERRIDES = {}
GATEWAY_URL = ""
HEALTH_STATUS_PAGE_CACHE_SECONDS = 0
HEALTH_STATUS_FRAGMENT_CACHE_SECONDS = 0
VISITOR_PAGE_CACHE_SECONDS = 0
HEALTH_OFFLINE_CACHE_SECONDS = 0
HEALTH_METRICS_CACHE_SECONDS = 0
HEALTH_PUBLIC_URL = "https://hub.example.org"
# The simulator and webhook receivers listen on loopback; tests of the rules turn it off.
OUTBOUND_ALLOW_PRIVATE_NETWORKS = True

# Tests reuse primary keys after rollbacks (SQLite): no per-process cache of open polls.
VOTE_POLL_CACHE_SECONDS = 0
