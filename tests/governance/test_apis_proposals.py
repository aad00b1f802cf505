"""Proposals through the API: published by signature alone, listed, looked up by
reference; refusals with their status codes."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from governance import eip712
from governance.apis.proposals import proposal_body_limit
from governance.models import Proposal
from governance.services.proposals import MAX_BODY, MAX_TITLE
from tests.governance.conftest import now_seconds, sign_typed_data

pytestmark = pytest.mark.django_db


def proposal_payload(key: str, **changes: object) -> tuple[dict, str]:
    message = {
        "proposalType": "HGP",
        "title": "Add a connector for Example Exchange",
        "body": "Why, who maintains it, and the bounty.",
        "githubUrl": "",
        "action": "none",
        "connector": "",
        "exchange": "",
        "hbotAllocation": 0,
        "proposer": Account.from_key(key).address,
        "timestamp": now_seconds(),
        **changes,
    }
    typed_data = eip712.proposal_typed_data(message=message)
    return typed_data, sign_typed_data(typed_data, key)


def post(client, typed_data: object, signature: object):  # type: ignore[no-untyped-def]
    body = json.dumps({"typed_data": typed_data, "signature": signature})
    return client.post("/api/v1/proposals/", body, content_type="application/json")


def test_holder_publishes_a_proposal_by_signature(client, history, chain_settings, chain_info):
    # given
    alice = chain_info.holders[0]
    typed_data, signature = proposal_payload(alice.private_key)

    # when
    response = post(client, typed_data, signature)

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "HGP-83"
    assert body["proposer"] == alice.address
    assert body["proposer_balance"] == str(chain_info.balances[alice.address])
    assert body["status"] == "discussion"
    assert body["signature"] == signature
    assert body["typed_data"]["message"]["title"] == typed_data["message"]["title"]
    assert Proposal.objects.get().digest == body["digest"]


def test_proposal_list_detail_and_filters(client, history, chain_settings, chain_info):
    # given
    typed_data, signature = proposal_payload(chain_info.holders[0].private_key)
    assert post(client, typed_data, signature).status_code == 201

    # when
    listed = client.get("/api/v1/proposals/", {"type": "HGP"}).json()
    none_of_them = client.get("/api/v1/proposals/", {"outcome": "passed"}).json()
    detail = client.get("/api/v1/proposals/hgp-83/").json()

    # then
    assert [row["reference"] for row in listed["results"]] == ["HGP-83"]
    assert none_of_them["count"] == 0
    assert detail["title"] == "Add a connector for Example Exchange"
    assert detail["poll"] is not None
    assert detail["rules_snapshot"]["min_balance_hbot"] == 200_000


@pytest.mark.parametrize("reference", ["HGP-84", "HGP", "nonsense-1-2"])
def test_unknown_reference_is_404(client, db, reference):
    response = client.get(f"/api/v1/proposals/{reference}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_holder_below_the_minimum_is_403(client, history, chain_settings, chain_info):
    heidi = chain_info.holders[7]  # 60,000 HBOT; HGPs need 200,000
    typed_data, signature = proposal_payload(heidi.private_key)

    response = post(client, typed_data, signature)

    assert response.status_code == 403
    assert response.json()["code"] == "below_minimum_balance"
    assert "200,000" in response.json()["error"]
    assert not Proposal.objects.exists()


def test_forged_proposal_is_400(client, history, chain_settings, chain_info):
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    typed_data, _ = proposal_payload(alice.private_key)
    _, bobs_signature = proposal_payload(bob.private_key)

    response = post(client, typed_data, bobs_signature)

    assert response.status_code == 400
    assert response.json()["code"] == "proposal_rejected"
    assert not Proposal.objects.exists()


def test_proposal_type_outside_the_rules_is_400(client, history, chain_settings, chain_info):
    typed_data, signature = proposal_payload(chain_info.holders[0].private_key, proposalType="NCP")

    response = post(client, typed_data, signature)

    assert response.status_code == 400
    assert "NCP proposals are not part of the rules in force" in response.json()["error"]


def test_longest_description_the_rules_allow_fits(client, history, chain_settings, chain_info):
    # given: 20,000 characters, each six bytes as JSON
    typed_data, signature = proposal_payload(
        chain_info.holders[0].private_key, body="\u00e9" * MAX_BODY, title="\u00e9" * MAX_TITLE
    )

    # when
    response = post(client, typed_data, signature)

    # then
    assert response.status_code == 201, response.json()


def test_proposal_body_over_the_limit_is_413(client, history, chain_info):
    typed_data, signature = proposal_payload(
        chain_info.holders[0].private_key, body="x" * (proposal_body_limit() + 1)
    )

    response = post(client, typed_data, signature)

    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert not Proposal.objects.exists()


def test_proposal_body_not_json_is_400(client, db):
    response = client.post("/api/v1/proposals/", "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
