"""Deployment checks of our own (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": (
        "is kept in each process's memory: every web process (each gunicorn worker) counts "
        "the API rate limit alone, so N workers let N times the limit through"
    ),
    "django.core.cache.backends.dummy.DummyCache": (
        "stores nothing: the API rate limit never counts a request"
    ),
}


@register(Tags.caches, Tags.security, deploy=True)
def throttle_cache_is_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The API's rate limit counts in the default cache: warn when processes do not share it."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    why = PROCESS_LOCAL_CACHES.get(backend)
    if why is None:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) {why}.",
            hint="Set CACHE_URL to a cache every web process shares, e.g. "
            "CACHE_URL=redis://redis-host:6379/1.",
            id="core.W001",
        )
    ]


@register(Tags.security, deploy=True)
def outbound_private_networks_refused(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Webhooks and health probes must not reach the server's own network in production."""
    if not getattr(settings, "OUTBOUND_ALLOW_PRIVATE_NETWORKS", False):
        return []
    return [
        Warning(
            "OUTBOUND_ALLOW_PRIVATE_NETWORKS is on: maintainer webhooks and health-check URLs "
            "may point at loopback, link-local (cloud metadata) and private addresses, and "
            "the site will request them.",
            hint="Unset OUTBOUND_ALLOW_PRIVATE_NETWORKS in production; it is for the local "
            "exchange simulator and webhooks in development and tests.",
            id="core.W002",
        )
    ]
