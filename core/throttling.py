"""Who the client is, for the API's rate limit and the login lockout alike.

The address is DRF's (``NUM_PROXIES``): with the default 0, ``X-Forwarded-For`` is ignored
and the TCP peer is the client, so a made-up header cannot start a fresh count; behind N
reverse proxies that each append to the header, the Nth address from the right is the one
the outermost proxy saw. django-axes asks ``client_ip`` too (``AXES_CLIENT_IP_CALLABLE``),
so the admin's lockout and the API's rate limit count the same client.

The counts live in the ``default`` cache: shared by every process when ``CACHE_URL`` names
Redis, per process otherwise (``manage.py check --deploy`` warns, ``core.W001``).
"""

from __future__ import annotations

import ipaddress
from typing import cast

from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.request import Request


def client_ip(request: HttpRequest | Request) -> str | None:
    """The client's address as DRF's throttles see it; the TCP peer's when that is not
    an IP address (``NUM_PROXIES`` larger than the proxies really in front, and a client
    that wrote the header itself)."""
    # DRF reads only ``META``, which a Django request (django-axes passes one) has too.
    address = throttling.BaseThrottle().get_ident(cast(Request, request))
    try:
        ipaddress.ip_address(address)
    except ValueError:
        remote_addr: str | None = request.META.get("REMOTE_ADDR")
        return remote_addr
    return address


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous rate limit, counting by ``client_ip``."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or ""
