"""Proposal pages: the list by stage, a proposal with its vote, and the signed new-proposal
form, which publishes through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors_registry.models import Connector
from governance import eip712
from governance.models import Proposal, ProposalOutcome, Wallet
from governance.services.polls import poll_open
from governance.services.proposals import proposal_create
from governance.services.votes import vote_cast
from tests.factories import UserFactory
from tests.governance.conftest import now_seconds, sign_typed_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules_in_force(catalogue, history):
    """HGP-77 (2026): HGP only, 200,000 HBOT to propose, 5M quorum, 2 + 3 days."""


def proposal_payload(holder, **fields: Any) -> dict[str, Any]:
    message = {
        "proposalType": "HGP",
        "title": "Fund a bounty to upgrade the Binance connector",
        "body": "Binance changed its API.\n\nThis pays for the fix.\n<script>alert(1)</script>",
        "githubUrl": "https://github.com/hummingbot/hummingbot/issues/1",
        "action": "fund_bounty",
        "connector": "binance",
        "exchange": "",
        "hbotAllocation": 150_000,
        "proposer": holder.address,
        "timestamp": now_seconds(),
        **fields,
    }
    typed_data = eip712.proposal_typed_data(message=message)
    return {"typed_data": typed_data, "signature": sign_typed_data(typed_data, holder.private_key)}


def post_proposal(client, payload):
    """Post a proposal where the form (static/js/proposal.js) posts it: the API."""
    return client.post(
        "/api/v1/proposals/", data=json.dumps(payload), content_type="application/json"
    )


# --- the form and the endpoint it posts to ------------------------------------------------


def test_form_offers_the_types_in_force_with_their_minimum(client, rules_in_force, chain_settings):
    body = client.get("/proposals/new/").content.decode()

    assert '<option value="HGP" data-min-balance="200000">' in body
    assert 'value="NCP"' not in body  # gone since HGP-77
    assert "at least <strong>200,000 HBOT</strong> to propose" in body
    config = json.loads(
        body.split('id="proposal-signing" type="application/json">')[1].split("<")[0]
    )
    assert config["types"] == eip712.PROPOSAL_TYPES
    assert config["domain"] == eip712.domain()
    assert '<option value="binance"' in body
    assert 'data-submit-url="/api/v1/proposals/"' in body


def test_form_shows_a_signed_in_holders_balance(client, rules_in_force, chain_settings, chain_info):
    bob = chain_info.holders[1]
    user = UserFactory(username=bob.address)
    Wallet.objects.create(address=bob.address, user=user)
    client.force_login(user)

    body = client.get("/proposals/new/").content.decode()

    assert "2,250,000" in body


def test_form_without_proposal_types_in_force_says_so(client, db):
    body = client.get("/proposals/new/").content.decode()

    assert "No proposal types are part of the rules in force" in body
    assert "data-proposal-form" not in body


def test_signed_proposal_is_published(client, rules_in_force, chain_settings, chain_info):
    alice = chain_info.holders[0]

    response = post_proposal(client, proposal_payload(alice))

    assert response.status_code == 201
    proposal = Proposal.objects.get()
    assert response.json()["reference"] == proposal.reference
    # where proposal.js goes next: the proposal's page
    assert response.json()["page_url"] == f"http://testserver/proposals/{proposal.reference}/"
    assert proposal.proposer == alice.address
    assert proposal.exchange == Connector.objects.get(connector_id="binance").exchange


def test_proposal_below_the_minimum_balance_is_refused(
    client, rules_in_force, chain_settings, chain_info
):
    heidi = chain_info.holders[7]  # 60,000 HBOT

    response = post_proposal(client, proposal_payload(heidi))

    assert response.status_code == 403
    assert response.json()["code"] == "below_minimum_balance"
    assert "at least 200,000 HBOT" in response.json()["error"]
    assert not Proposal.objects.exists()


def test_proposal_signed_by_someone_else_is_refused(
    client, rules_in_force, chain_settings, chain_info
):
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    payload = proposal_payload(bob, proposer=alice.address)

    response = post_proposal(client, payload)

    assert response.status_code == 400
    assert response.json()["code"] == "proposal_rejected"
    assert "does not prove" in response.json()["error"]
    assert not Proposal.objects.exists()


def test_proposal_of_a_type_not_in_force_is_refused(
    client, rules_in_force, chain_settings, chain_info
):
    response = post_proposal(client, proposal_payload(chain_info.holders[0], proposalType="NCP"))

    assert response.status_code == 400
    assert "not part of the rules in force" in response.json()["error"]


def test_the_form_page_takes_no_post(client, rules_in_force, chain_settings, chain_info):
    payload = json.dumps(proposal_payload(chain_info.holders[0]))

    response = client.post("/proposals/new/", data=payload, content_type="application/json")

    assert response.status_code == 405
    assert not Proposal.objects.exists()


# --- list and detail ---------------------------------------------------------------------


@pytest.fixture
def proposal(rules_in_force, chain_settings, chain_info) -> Proposal:
    payload = proposal_payload(chain_info.holders[0])
    return proposal_create(typed_data=payload["typed_data"], signature=payload["signature"])


def test_list_filters_by_stage(client, proposal):
    assert proposal.reference in client.get("/proposals/").content.decode()
    assert proposal.reference in client.get("/proposals/?stage=discussion").content.decode()
    assert proposal.reference not in client.get("/proposals/?stage=voting").content.decode()


def test_list_refuses_an_unknown_stage(client, proposal):
    response = client.get("/proposals/?stage=bogus")

    assert response.status_code == 400
    assert "Unknown stage" in response.content.decode()


def test_proposal_in_discussion_says_when_voting_opens(client, proposal):
    body = client.get(proposal.get_absolute_url()).content.decode()

    assert "Voting opens on" in body
    assert "Cast your vote" not in body
    assert "150,000 HBOT" in body
    assert "4,000,000 HBOT" in body  # the proposer's balance when proposing


def test_proposal_body_is_plain_text_with_line_breaks(client, proposal):
    body = client.get(proposal.get_absolute_url()).content.decode()

    assert "<p>Binance changed its API.</p>" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_proposal_in_voting_shows_the_vote_quorum_and_approval(
    client, proposal, chain_info, signed_vote
):
    poll_open(poll=proposal.poll)
    for holder, choice in [(chain_info.holders[1], 1), (chain_info.holders[2], 2)]:
        typed_data, signature = signed_vote(
            poll=proposal.poll, key=holder.private_key, choices=[(choice, 1)]
        )
        vote_cast(typed_data=typed_data, signature=signature, poll_id=proposal.poll.pk)

    body = client.get(proposal.get_absolute_url()).content.decode()

    assert body.count("data-basic-choice=") == 3
    assert "3,250,000 / 5,000,000 HBOT" in body  # turnout against the quorum
    assert "For 69.2% of For + Against; needs more than 50%" in body
    assert "js/vote.js" in body


def test_proposal_outcome_is_shown(client, proposal):
    proposal.outcome = ProposalOutcome.NO_QUORUM
    proposal.save()

    body = client.get(proposal.get_absolute_url()).content.decode()

    assert "Quorum not reached" in body
    assert "may revise and submit it again" in body


@pytest.mark.parametrize("reference", ["HGP-999", "XYZ-1", "HGP-one", "HGP"])
def test_unknown_proposal_is_404(client, db, reference):
    assert client.get(f"/proposals/{reference}/").status_code == 404
