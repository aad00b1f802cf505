"""Every route of the site and the API, sent hostile bodies and headers, answers 4xx or 2xx.

The routes are read from the URL configuration itself (a new page or endpoint is covered
without touching this test), with path parameters naming real objects so the request gets
past "no such object" to its body. Each is posted, anonymously and as staff: JSON nested
100,000 deep, NUL bytes (in a JSON string, raw in the body, in a form field, in a multipart
part, in the query string, in the path, in an HTTP Basic user name), multipart and form
bodies, and content types that are wrong or broken.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from bounties.models import Bounty, Maintainer, Payout, Pot
from connectors_registry.models import Connector, Exchange
from governance.models import Epoch, GovernanceRules, Poll, Proposal
from health.models import Incident
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# The admin is Django's own; its login form is the one part anyone can post to.
SKIPPED_PREFIXES = ("admin/", "static/")
EXTRA_ROUTES = ["admin/login/"]


@dataclass(frozen=True)
class Hostile:
    name: str
    body: bytes
    content_type: str | None
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    path_suffix: str = ""


BOUNDARY = "hostileboundary"
HOSTILE = [
    Hostile("nested-json", b"[" * 100_000 + b"]" * 100_000, "application/json"),
    Hostile("nested-object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json"),
    Hostile(
        "nul-in-json-string",
        b'{"note": "a\\u0000b", "title": "\\u0000", "typed_data": {"x": "\\u0000"}}',
        "application/json",
    ),
    Hostile("raw-nul-in-json", b'{"note": "a\x00b"}', "application/json"),
    Hostile(
        "nul-in-form", b"note=a%00b&title=%00&message=%00", "application/x-www-form-urlencoded"
    ),
    Hostile(
        "multipart",
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\na\x00b\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f\x00"; '
            f'filename="x\x00.csv"\r\nContent-Type: text/csv\r\n\r\n=1+1\x00\r\n--{BOUNDARY}--\r\n'
        ).encode(),
        f"multipart/form-data; boundary={BOUNDARY}",
    ),
    Hostile("multipart-without-boundary", b"--x\r\n\r\n", "multipart/form-data"),
    Hostile(
        "broken-multipart",
        b"--hostileboundary\r\nnonsense",
        f"multipart/form-data; boundary={BOUNDARY}",
    ),
    Hostile("text-plain", b'{"note": "x"}', "text/plain"),
    Hostile(
        "xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "application/xml"
    ),
    Hostile("utf16-json", '{"note": "x"}'.encode("utf-16"), "application/json; charset=utf-16"),
    Hostile("unknown-charset", b'{"note": "x"}', "application/json; charset=nonsense-8"),
    Hostile("broken-content-type", b"{}", "}{; ;="),
    Hostile("no-content-type", b'{"note": "x"}', None),
    Hostile("invalid-utf8", b'{"note": "\xff\xfe"}', "application/json"),
    Hostile("nul-in-query", b"{}", "application/json", query="?q=%00&note=a%00"),
    Hostile("nul-in-path", b"{}", "application/json", path_suffix="%00"),
    Hostile(
        "nul-in-basic-user",
        b"{}",
        "application/json",
        headers={"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"staff\x00:pw").decode()},
    ),
    Hostile(
        "nul-in-token", b"{}", "application/json", headers={"HTTP_AUTHORIZATION": "Token a\x00b"}
    ),
]


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
            yield route


@pytest.fixture
def site(chain_settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Demo data of every kind; returns the value to put in each kind of path parameter."""
    for command, options in [
        ("import_catalogue", {}),
        ("load_governance_history", {}),
        ("seed_demo_governance", {"wait": 10}),
        ("seed_demo_bounties", {}),
    ]:
        call_command(command, stdout=open("/dev/null", "w"), **options)  # noqa: SIM115
    poll = Poll.objects.filter(status="active").first() or Poll.objects.first()
    incident = Incident.objects.first()
    payout = Payout.objects.first()
    return {
        "bounties:pk": str(Bounty.objects.order_by("-pk").first().pk),  # type: ignore[union-attr]
        "polls:pk": str(poll.pk),  # type: ignore[union-attr]
        "incidents:pk": str(incident.pk if incident else 1),
        "payouts:pk": str(payout.pk if payout else 1),
        "connectors:slug": Connector.objects.first().slug,  # type: ignore[union-attr]
        "badge:slug": Connector.objects.first().slug,  # type: ignore[union-attr]
        "health:slug": Connector.objects.first().slug,  # type: ignore[union-attr]
        "exchanges:slug": Exchange.objects.first().slug,  # type: ignore[union-attr]
        "rules:slug": GovernanceRules.objects.first().slug,  # type: ignore[union-attr]
        "pots:slug": Pot.objects.first().slug,  # type: ignore[union-attr]
        "epochs:number": str(Epoch.objects.order_by("-number").first().number),  # type: ignore[union-attr]
        "proposals:reference": Proposal.objects.first().reference,  # type: ignore[union-attr]
        "maintainers:handle": Maintainer.objects.first().github_handle,  # type: ignore[union-attr]
    }


def _path(route: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        before = route[: match.start()]
        for key, found in values.items():
            where, what = key.split(":")
            if what == name and where in before:
                return found
        raise AssertionError(f"No test value for <{name}> in {route}: add one to the fixture.")

    return "/" + PARAMETER.sub(value, route)


def _paths(values: dict[str, str]) -> list[str]:
    return [_path(route, values) for route in [*_routes(get_resolver()), *EXTRA_ROUTES]]


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_every_route_answers_hostile_input_without_a_server_error(site, role):
    client = Client(raise_request_exception=False)
    staff = UserFactory(is_staff=True, is_superuser=True) if role == "staff" else None
    failures = []

    for path in _paths(site):
        for hostile in HOSTILE:
            if staff is not None:  # again each time: a post to sign-out/ ends the session
                client.force_login(staff)
            response = client.generic(  # sends the bytes as they are, whatever the charset
                "POST",
                path + hostile.path_suffix + hostile.query,
                data=hostile.body,
                content_type=hostile.content_type or "",
                **hostile.headers,
            )
            if response.status_code >= 500:
                failures.append(f"{hostile.name}: POST {path} -> {response.status_code}")

    assert failures == []


def test_the_walk_covers_every_body_taking_endpoint(site):
    paths = _paths(site)

    # a sample of each kind: the API's writes, the site's forms, sign-in and the admin's login
    for expected in [
        "/api/v1/polls/{polls}/votes/",
        "/api/v1/proposals/",
        "/api/v1/bounties/{bounties}/close/",
        "/api/v1/pots/{pots}/sponsor-funding/",
        "/proposals/new/",
        "/auth/sign-in/",
        "/bounties/import/",
        "/admin/login/",
    ]:
        path = expected.format(
            polls=site["polls:pk"], bounties=site["bounties:pk"], pots=site["pots:slug"]
        )
        assert path in paths
