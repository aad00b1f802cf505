"""The OpenAPI schema tells the truth: null where the API answers null, and every refusal
status an operation can answer."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def schema_components(client) -> dict:  # type: ignore[no-untyped-def]
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return schema["components"]["schemas"]


@pytest.mark.parametrize(
    ("component", "fields"),
    [
        ("Bounty", ["connector", "exchange", "chain", "pot", "assignee"]),
        ("Proposal", ["connector", "exchange"]),
        ("ProposalDetail", ["connector", "exchange"]),
    ],
)
def test_related_objects_a_record_may_lack_are_declared_nullable(client, component, fields):
    properties = schema_components(client)[component]["properties"]

    not_nullable = [name for name in fields if not _nullable(properties[name])]

    assert not_nullable == []


def _nullable(spec: dict) -> bool:
    if spec.get("nullable"):
        return True
    # a $ref made nullable is written as allOf/oneOf with a nullable sibling
    return any(part.get("nullable") for part in spec.get("allOf", []) + spec.get("oneOf", []))


def schema_paths(client) -> dict:  # type: ignore[no-untyped-def]
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return schema["paths"]


def test_every_operation_on_one_object_documents_404(client):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema_paths(client).items()
        if "{" in path
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
        and "404" not in operation["responses"]
    ]

    assert missing == []


def test_writes_document_their_refusals_in_the_one_error_shape(client):
    paths = schema_paths(client)
    create_poll = paths["/api/v1/polls/"]["post"]["responses"]

    assert {"400", "403"} <= set(create_poll)
    assert create_poll["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_reads_open_to_anyone_do_not_claim_403(client):
    connectors = schema_paths(client)["/api/v1/connectors/"]["get"]["responses"]

    assert "403" not in connectors
