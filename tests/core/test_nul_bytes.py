"""A NUL byte anywhere a request can carry text to the database is a 4xx, never a 500.

PostgreSQL cannot compare text holding NUL (0x00); the NUL reached a query through a path
slug, a query-string filter, a session cookie or an HTTP Basic user name.
"""

from __future__ import annotations

import base64

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """A client that answers a server error with its 500 instead of raising it."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "path",
    [
        "/maintainers/%00/",
        "/api/v1/maintainers/%00/",
        "/api/v1/exchanges/%00/",
        "/pots/a%00b/",
        "/static/%00.css",
    ],
)
def test_nul_in_the_path_is_not_found(client, path):
    response = client.get(path)

    assert response.status_code == 404


def test_nul_in_an_api_path_answers_in_the_api_shape(client):
    response = client.get("/api/v1/maintainers/%00/")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found.", "code": "not_found"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/connectors/?q=%00",
        "/api/v1/bounties/?status=open%00",
        "/api/v1/polls/?%00=1",
        "/bounties/?q=%00",
        "/maintainers/someone/?page=%00",
    ],
)
def test_nul_in_the_query_string_is_a_bad_request(client, path):
    response = client.get(path)

    assert response.status_code == 400


def test_nul_in_the_query_string_of_a_post_is_a_bad_request(client):
    response = client.post("/api/v1/polls/?epoch=%00", {}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_nul_in_a_session_cookie_is_a_bad_request(client):
    # given a session cookie whose quoted octal escape decodes to NUL
    client.cookies.load('sessionid="abcdefgh\\000ijkl"')

    # when any page is asked for
    response = client.get("/api/v1/polls/")

    # then the session is never looked up
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/exchanges/", "/api/v1/bounties/", "/api/v1/polls/"])
def test_nul_in_a_basic_user_name_is_no_server_error(client, path):
    header = "Basic " + base64.b64encode(b"own\x00er:password").decode()

    response = client.get(path, HTTP_AUTHORIZATION=header)

    # HTTP Basic is not read at all: an anonymous reader
    assert response.status_code == 200


def test_nul_in_a_token_is_refused(client):
    response = client.post(
        "/api/v1/polls/", {}, content_type="application/json", HTTP_AUTHORIZATION="Token ab\x00cd"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "authentication_failed"


def test_requests_without_nul_pass(client):
    assert client.get("/api/v1/exchanges/?q=binance").status_code == 200
