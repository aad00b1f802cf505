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
from dataclasses import dataclass, field

import pytest
from django.test import Client

from tests.demo_site import demo_path_values, demo_site_seed, route_path, site_routes
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# The admin is Django's own (not walked); its login form is the one part anyone can post to.
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


@pytest.fixture
def site(chain_settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Demo data of every kind; returns the value to put in each kind of path parameter."""
    demo_site_seed()
    return demo_path_values()


def _paths(values: dict[str, str]) -> list[str]:
    return [route_path(route, values) for route in [*site_routes(), *EXTRA_ROUTES]]


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
