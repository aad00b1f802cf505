"""Local development: ``make run``. Embedded defaults, nothing to set up."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="local-development-only-not-secret-0123456789abcdefghijkl"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# The dev chain that `make run` starts (python manage.py devchain): deterministic addresses.
ETH_RPC_URL = env.str("ETH_RPC_URL", default="http://127.0.0.1:8545")
ETH_CHAIN_ID = env.int("ETH_CHAIN_ID", default=131277322940537)
HBOT_TOKEN_ADDRESS = env.str(
    "HBOT_TOKEN_ADDRESS", default="0xF2E246BB76DF876Cef8b38ae84130F4F55De395b"
)
ETH_CONFIRMATIONS = env.int("ETH_CONFIRMATIONS", default=0)

# The exchange simulator and local webhook receivers run on loopback (core.outbound).
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env_bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", default=True)
