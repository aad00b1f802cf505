"""Production: only hardens ``base``. Fails at start-up on missing secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Production refuses to start without a secret key; "
        "set it to a long random string (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')."
    )
# No silent fallback to the embedded demo parts (SQLite file, filesystem queue).
for _name, _example in (
    ("DATABASE_URL", "postgres://user:password@db-host:5432/connector_hub"),
    ("CELERY_BROKER_URL", "redis://redis-host:6379/0"),
    ("ETH_RPC_URL", "https://an-archive-node.example/v1/KEY (Ethereum mainnet, archive)"),
):
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(
            f"{_name} is not set. Production does not fall back to the embedded default; "
            f"set it, e.g. {_name}={_example}"
        )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
