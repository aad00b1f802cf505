"""The three endpoints that take a signed JSON body (a vote, a proposal, a wallet sign-in)
read it with one reader and refuse a bad body with the same status and code."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client

from core.signed_body import MAX_DEPTH, BodyNotJson, signed_body_parse
from governance.apis.proposals import proposal_body_limit
from governance.models import Proposal, Vote
from governance.views.sign_in import MAX_SIGN_IN_BODY_BYTES

pytestmark = pytest.mark.django_db

BODY_CODES = {"body_too_large", "unsupported_media_type", "malformed_json", "body_invalid"}


@dataclass(frozen=True)
class Endpoint:
    url: str
    message_field: str
    message: object  # a value of the right type for message_field

    def body(self, **changes: object) -> str:
        return json.dumps({self.message_field: self.message, "signature": "0x", **changes})


VOTE = Endpoint("/api/v1/polls/1/votes/", "typed_data", {})
PROPOSAL = Endpoint("/api/v1/proposals/", "typed_data", {})
SIGN_IN = Endpoint("/auth/sign-in/", "message", "hi")
ENDPOINTS = pytest.mark.parametrize(
    "endpoint", [VOTE, PROPOSAL, SIGN_IN], ids=["vote", "proposal", "sign-in"]
)


def refusal(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body = response.json()
    assert body["error"]
    return response.status_code, body["code"]


@pytest.fixture(autouse=True)
def _nothing_written():
    yield
    assert not Vote.objects.exists()
    assert not Proposal.objects.exists()


def limit_of(endpoint: Endpoint) -> int:
    if endpoint is PROPOSAL:
        return proposal_body_limit()
    return MAX_SIGN_IN_BODY_BYTES if endpoint is SIGN_IN else settings.VOTE_MAX_BODY_BYTES


@ENDPOINTS
def test_body_over_the_limit_is_413(client, endpoint):
    limit = limit_of(endpoint)
    body = endpoint.body(padding="x" * limit)

    response = client.post(endpoint.url, body, content_type="application/json")

    assert refusal(response) == (413, "body_too_large")
    assert f"at most {limit:,}" in response.json()["error"]


@ENDPOINTS
def test_declared_length_over_the_limit_is_413_before_reading(client, endpoint):
    response = client.post(
        endpoint.url,
        endpoint.body(),
        content_type="application/json",
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )

    assert refusal(response) == (413, "body_too_large")


@ENDPOINTS
@pytest.mark.parametrize("body", ["{not json", b"\xff\xfe", "", "message=hi&signature=0x"], ids=str)
def test_body_that_is_not_json_is_malformed_json(client, endpoint, body):
    response = client.post(endpoint.url, body, content_type="application/json")

    assert refusal(response) == (400, "malformed_json")
    assert '"signature": "0x..."' in response.json()["error"]


@ENDPOINTS
def test_deeply_nested_json_is_malformed_json_not_a_crash(client, endpoint):
    # given JSON nested past the parser's recursion limit, within every size limit
    depth = 5_000
    body = "[" * depth + "]" * depth

    response = client.post(endpoint.url, body, content_type="application/json")

    assert refusal(response) == (400, "malformed_json")


@ENDPOINTS
def test_the_signed_message_nested_too_deep_is_malformed_json(client, endpoint):
    nested: object = "hi"
    for _ in range(MAX_DEPTH):
        nested = [nested]
    body = endpoint.body(signature=nested)

    response = client.post(endpoint.url, body, content_type="application/json")

    assert refusal(response) == (400, "malformed_json")
    assert f"more than {MAX_DEPTH} levels" in response.json()["error"]


def test_json_nested_a_hundred_thousand_deep_is_malformed_json(client, settings):
    # given a limit that lets the body through: ``json.loads`` would overflow the C stack
    # here (py_ecc raises the recursion limit to 100,000), so the reader must refuse it first
    settings.VOTE_MAX_BODY_BYTES = 1024 * 1024
    body = "[" * 100_000 + "]" * 100_000

    response = client.post(VOTE.url, body, content_type="application/json")

    assert refusal(response) == (400, "malformed_json")


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 40 + b"1" + b"}" * 40,
        b"[" * 100_000,  # never closed
        b'{"typed_data": {}, "signature": "0x", "x": "\\\\", "y": ' + b"[" * 40,
    ],
    ids=["lists", "objects", "unclosed", "after-an-escaped-backslash"],
)
def test_nesting_is_measured_before_parsing(body):
    with pytest.raises(BodyNotJson, match=f"more than {MAX_DEPTH} levels"):
        signed_body_parse(body, limit=len(body))


def test_brackets_inside_strings_do_not_count():
    # given a description full of brackets, and quotes escaped inside it
    text = "[" * 1000 + '\\"{' + "]" * 10
    body = json.dumps({"typed_data": {"message": {"body": text}}, "signature": "0x"}).encode()

    read = signed_body_parse(body, limit=len(body))

    assert read.message == {"message": {"body": text}}
    assert read.signature == "0x"


def test_json_as_deep_as_allowed_is_read():
    nested: object = {}
    for _ in range(MAX_DEPTH - 2):  # the body object and typed_data are two levels
        nested = {"a": nested}
    body = json.dumps({"typed_data": nested, "signature": "0x"}).encode()

    assert signed_body_parse(body, limit=len(body)).message == nested


def test_json_in_utf16_is_malformed_json():
    body = json.dumps({"typed_data": {}, "signature": "0x"}).encode("utf-16")

    with pytest.raises(BodyNotJson):
        signed_body_parse(body, limit=len(body))


@ENDPOINTS
@pytest.mark.parametrize(
    "make_body",
    [
        lambda e: "[1, 2]",
        lambda e: '"text"',
        lambda e: "null",
        lambda e: json.dumps({e.message_field: e.message}),
        lambda e: json.dumps({"signature": "0x"}),
        lambda e: e.body(signature=7),
        lambda e: e.body(**{e.message_field: 7}),
    ],
    ids=[
        "a-list",
        "a-string",
        "null",
        "no-signature",
        "no-message",
        "signature-not-text",
        "message-of-the-wrong-type",
    ],
)
def test_json_of_the_wrong_shape_is_body_invalid(client, endpoint, make_body):
    response = client.post(endpoint.url, make_body(endpoint), content_type="application/json")

    assert refusal(response) == (400, "body_invalid")
    assert f'{{"{endpoint.message_field}": ' in response.json()["error"]


@ENDPOINTS
def test_multipart_form_is_415_not_a_crash(client, endpoint):
    response = client.post(endpoint.url, {endpoint.message_field: "x", "signature": "0x"})

    assert refusal(response) == (415, "unsupported_media_type")
    assert "application/json" in response.json()["error"]


@ENDPOINTS
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "application/xml"]
)
def test_other_media_types_are_415(client, endpoint, content_type):
    response = client.post(endpoint.url, endpoint.body(), content_type=content_type)

    assert refusal(response) == (415, "unsupported_media_type")


@ENDPOINTS
@pytest.mark.parametrize("content_type", ["", "application/json; charset=utf-8"])
def test_json_without_a_media_type_or_with_a_charset_is_read(client, endpoint, content_type):
    # given a body of the right shape whose message is not a valid signed one
    response = client.generic("POST", endpoint.url, endpoint.body(), content_type=content_type)

    # then the reader accepted it: the refusal comes from the service behind it
    status, code = refusal(response)
    assert code not in BODY_CODES
    assert status in {400, 404}


def test_every_endpoint_stays_open_to_scripts_without_csrf(db):
    # the vote and proposal endpoints take no CSRF token (the signature is the
    # authentication); sign-in is CSRF-protected like any POST
    browser = Client(enforce_csrf_checks=True)

    assert refusal(browser.post(VOTE.url, "{", content_type="application/json"))[0] == 400
    assert refusal(browser.post(PROPOSAL.url, "{", content_type="application/json"))[0] == 400
    assert browser.post(SIGN_IN.url, "{", content_type="application/json").status_code == 403
