"""The API's JSON parser refuses JSON nested too deep, before parsing it."""

from __future__ import annotations

import io

import pytest
from rest_framework.exceptions import ParseError

from core.parsers import BoundedJSONParser
from core.signed_body import MAX_DEPTH

pytestmark = pytest.mark.django_db


def parse(body: bytes) -> object:
    return BoundedJSONParser().parse(io.BytesIO(body), "application/json", {})


def test_ordinary_json_is_parsed():
    assert parse(b'{"a": [1, {"b": "[[[["}]}') == {"a": [1, {"b": "[[[["}]}


def test_json_at_the_depth_limit_is_parsed():
    body = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert parse(body) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_json_nested_deeper_is_refused_before_parsing(depth):
    with pytest.raises(ParseError, match="nested more than"):
        parse(b"[" * depth + b"]" * depth)


def test_broken_json_is_still_a_parse_error():
    with pytest.raises(ParseError, match="JSON parse error"):
        parse(b"{not json")


@pytest.mark.parametrize(
    "path", ["/api/v1/polls/", "/api/v1/bounties/"], ids=["staff-poll-create", "bounty-create"]
)
def test_every_json_endpoint_answers_deep_nesting_with_400(client, staff_user, path):
    # given a staff session (so the request gets past authentication to the body)
    client.force_login(staff_user)

    # when 100,000 levels of brackets are posted
    response = client.post(path, "[" * 100_000 + "]" * 100_000, content_type="application/json")

    # then a clean 400, not a server error
    assert response.status_code == 400
