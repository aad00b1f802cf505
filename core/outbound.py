"""Rules for URLs this site requests on someone's say-so (maintainers' alert webhooks,
staff's per-check health endpoints): only public http(s) (or ws/wss) addresses.

A URL is refused when its scheme is not allowed, or when its host is, or resolves to, an
address that is not public: loopback, link-local (which includes the cloud metadata service
at 169.254.169.254), private, multicast, unspecified, reserved, or any other
special-purpose range (carrier-grade NAT, documentation, benchmarking). IPv6 addresses that
embed an IPv4 one (``::ffff:127.0.0.1``, 6to4, Teredo, NAT64) are judged by that address
too. A host name that resolves to several addresses is refused if any of them is refused.

URLs are checked when they are saved (model validators) and again just before each request
(DNS can change in between). ``OUTBOUND_ALLOW_PRIVATE_NETWORKS`` (on for ``make run`` and
the tests, where the exchange simulator and webhook receivers run on loopback) skips the
address rules and the look-up; the scheme rule always holds.

Addresses from the operator's own settings (``HEALTH_ENDPOINT_OVERRIDES``, ``GATEWAY_URL``,
the simulator) are trusted and not checked here.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

HTTP_SCHEMES = ("http", "https")
WS_SCHEMES = ("ws", "wss")
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# ValidationError codes; callers tell a refusal (permanent) from a failed look-up (retry).
CODE_INVALID = "outbound_invalid"
CODE_SCHEME = "outbound_scheme"
CODE_ADDRESS = "outbound_address"
CODE_UNRESOLVED = "outbound_unresolved"

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_class(address: IPAddress) -> str | None:
    """Why ``address`` is not a public destination ("a loopback address"), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        for embedded in _embedded_ipv4(address):
            reason = address_class(embedded)
            if reason is not None:
                return f"{reason} ({embedded}) in IPv6 form"
        if address.ipv4_mapped is not None or address in _NAT64:
            return None  # it reaches exactly the public IPv4 address it carries
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a special-purpose (non-public) address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def allow_private_networks() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE_NETWORKS", False))


def outbound_url_check(
    url: str,
    *,
    schemes: Collection[str] = HTTP_SCHEMES,
    allow_private: bool | None = None,
) -> list[IPAddress]:
    """The addresses ``url``'s host resolves to, if every one may be requested.

    Raises ``ValidationError`` naming what is wrong ("169.254.169.254 is a link-local
    address"), with code ``CODE_SCHEME``, ``CODE_INVALID``, ``CODE_ADDRESS`` or
    ``CODE_UNRESOLVED`` (the look-up failed: perhaps only for now). With private networks
    allowed only the scheme and the URL's shape are checked, and nothing is resolved (the
    list is empty).
    """
    if allow_private is None:
        allow_private = allow_private_networks()
    text = str(url)
    if any(ch.isspace() or ord(ch) < 0x20 or ch in "\\\x7f" for ch in text):
        raise ValidationError(
            "The URL contains spaces, control characters or backslashes.", code=CODE_INVALID
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise ValidationError(f"The URL is not valid: {exc}.", code=CODE_INVALID) from None
    scheme = parts.scheme.lower()
    allowed = ", ".join(f"{s}://" for s in schemes)
    if scheme not in schemes:
        shown = f"{scheme}://" if scheme else "no scheme"
        raise ValidationError(
            f"The URL must start with {allowed}; {shown} is not allowed.", code=CODE_SCHEME
        )
    if not host:
        raise ValidationError("The URL has no host.", code=CODE_INVALID)
    if allow_private:
        return []
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        addresses = _resolve(host, port or DEFAULT_PORTS.get(scheme, 0))
    for address in addresses:
        reason = address_class(address)
        if reason is not None:
            named = str(address) if literal is not None else f"{host} resolves to {address}, which"
            raise ValidationError(
                f"{named} is {reason}; this site only sends requests to public internet addresses.",
                code=CODE_ADDRESS,
            )
    return addresses


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(
            f"The host name {host} could not be resolved ({exc}).", code=CODE_UNRESOLVED
        ) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ValidationError(f"The host name {host} resolves to no address.", code=CODE_UNRESOLVED)
    return addresses


def validate_outbound_http_url(value: str) -> None:
    """Model/form validator: a public http(s) URL (see the module's rules)."""
    outbound_url_check(value, schemes=HTTP_SCHEMES)


def validate_outbound_ws_url(value: str) -> None:
    """Model/form validator: a public ws(s) URL (see the module's rules)."""
    outbound_url_check(value, schemes=WS_SCHEMES)
