"""Outbound URL rules (issue 11): only public http(s) / ws(s) addresses, resolved; private
networks only where ``OUTBOUND_ALLOW_PRIVATE_NETWORKS`` allows them (development, tests).

Nothing here opens a connection: IP literals need no look-up, ``localhost`` and numeric host
names resolve locally, and other names are answered by a stand-in resolver."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.core.exceptions import ValidationError

from core import outbound
from core.outbound import (
    CODE_ADDRESS,
    CODE_SCHEME,
    CODE_UNRESOLVED,
    WS_SCHEMES,
    outbound_url_check,
    validate_outbound_http_url,
    validate_outbound_ws_url,
)

# (URL, what the refusal says) for every address class
REFUSED = [
    ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[::1]/hook", "::1 is a loopback address"),
    ("https://10.1.2.3/hook", "10.1.2.3 is a private address"),
    ("https://172.16.0.9/hook", "172.16.0.9 is a private address"),
    ("https://192.168.1.20/hook", "192.168.1.20 is a private address"),
    ("https://[fd00::1]/hook", "fd00::1 is a private address"),
    ("https://[fe80::1]/hook", "fe80::1 is a link-local address"),
    ("http://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
    ("http://[ff02::1]/hook", "ff02::1 is a multicast address"),
    ("http://0.0.0.0:8000/hook", "0.0.0.0 is an unspecified address"),
    ("http://[::]/hook", ":: is an unspecified address"),
    ("http://240.0.0.1/hook", "240.0.0.1 is a reserved address"),
    ("http://100.64.0.1/hook", "100.64.0.1 is a special-purpose (non-public) address"),
    ("http://[::ffff:127.0.0.1]/", "is a loopback address (127.0.0.1) in IPv6 form"),
    ("http://[::ffff:169.254.169.254]/", "is a link-local address (169.254.169.254) in IPv6"),
    ("http://[64:ff9b::a9fe:a9fe]/", "is a link-local address (169.254.169.254) in IPv6"),
]


@pytest.fixture
def strict(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def resolver(monkeypatch):
    """Host names resolve to what the test says, never through the network."""
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port),
            )
            for a in answers[host]
        ]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.usefixtures("strict")
@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_every_non_public_address_class_is_refused(url, message):
    with pytest.raises(ValidationError) as refused:
        validate_outbound_http_url(url)

    assert refused.value.code == CODE_ADDRESS
    assert message in refused.value.messages[0]
    assert "only sends requests to public internet addresses" in refused.value.messages[0]


@pytest.mark.usefixtures("strict")
@pytest.mark.parametrize(
    "url",
    ["http://localhost:8000/hook", "http://127.1/hook", "http://2130706433/hook"],
)
def test_host_names_resolving_to_loopback_are_refused(url):
    # localhost and the numeric spellings of 127.0.0.1 resolve without a network
    with pytest.raises(ValidationError) as refused:
        validate_outbound_http_url(url)

    assert refused.value.code == CODE_ADDRESS
    assert "resolves to" in refused.value.messages[0]
    assert "is a loopback address" in refused.value.messages[0]


@pytest.mark.usefixtures("strict")
def test_a_name_is_refused_if_any_of_its_addresses_is(resolver):
    resolver["hooks.example.com"] = ["93.184.215.14", "169.254.169.254"]

    with pytest.raises(ValidationError, match=r"hooks.example.com resolves to 169.254.169.254"):
        validate_outbound_http_url("https://hooks.example.com/x")


@pytest.mark.usefixtures("strict")
def test_public_addresses_are_accepted_and_returned(resolver):
    resolver["hooks.example.com"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]

    assert outbound_url_check("https://1.1.1.1/hook") == [ipaddress.ip_address("1.1.1.1")]
    assert outbound_url_check("https://[2606:4700:4700::1111]/") == [
        ipaddress.ip_address("2606:4700:4700::1111")
    ]
    assert outbound_url_check("https://hooks.example.com/x") == [
        ipaddress.ip_address("93.184.215.14"),
        ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
    ]
    validate_outbound_ws_url("wss://1.1.1.1/ws")


@pytest.mark.usefixtures("strict")
def test_a_name_that_does_not_resolve_is_refused_as_unresolved(resolver):
    with pytest.raises(ValidationError) as refused:
        validate_outbound_http_url("https://nowhere.example/x")

    assert refused.value.code == CODE_UNRESOLVED
    assert "could not be resolved" in refused.value.messages[0]


@pytest.mark.parametrize("allow", [True, False])
@pytest.mark.parametrize(
    ("url", "validator", "message"),
    [
        ("ftp://1.1.1.1/x", validate_outbound_http_url, "ftp:// is not allowed"),
        ("file:///etc/passwd", validate_outbound_http_url, "file:// is not allowed"),
        ("gopher://1.1.1.1/", validate_outbound_http_url, "gopher:// is not allowed"),
        ("wss://1.1.1.1/ws", validate_outbound_http_url, "must start with http://, https://"),
        ("https://1.1.1.1/", validate_outbound_ws_url, "must start with ws://, wss://"),
    ],
)
def test_other_schemes_are_always_refused(settings, allow, url, validator, message):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = allow

    with pytest.raises(ValidationError) as refused:
        validator(url)

    assert refused.value.code == CODE_SCHEME
    assert message in refused.value.messages[0]


@pytest.mark.usefixtures("strict")
@pytest.mark.parametrize(
    "url", ["http://1.1.1.1\\@127.0.0.1/", "http://1.1.1.1 /", "http:///path", "http://[::1/"]
)
def test_malformed_urls_are_refused(url):
    with pytest.raises(ValidationError):
        validate_outbound_http_url(url)


def test_private_networks_are_allowed_when_the_setting_says_so(settings, resolver):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True

    # nothing is looked up (a name that does not resolve is fine too)
    assert outbound_url_check("http://127.0.0.1:8765/binance") == []
    assert outbound_url_check("http://nowhere.example/") == []
    assert outbound_url_check("ws://[::1]:8765/ws", schemes=WS_SCHEMES) == []


@pytest.mark.parametrize(("allowed", "warned"), [(True, True), (False, False)])
def test_deploy_check_warns_when_private_networks_are_allowed(settings, allowed, warned):
    from django.core.checks import Warning as CheckWarning

    from core import checks

    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = allowed

    messages = checks.outbound_private_networks_refused()

    assert bool(messages) is warned
    assert all(isinstance(m, CheckWarning) and m.id == "core.W002" for m in messages)
