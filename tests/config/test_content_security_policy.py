"""Every page carries the Content-Security-Policy header."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/polls/", "/api/v1/connectors/", "/api/docs/"])
def test_responses_carry_the_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]

    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
