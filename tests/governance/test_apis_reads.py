"""Public governance reads: epochs, rules versions, the typed data to sign, and the schema."""

from __future__ import annotations

import pytest

from connectors_registry.models import Connector
from governance import eip712
from governance.models import Epoch, GovernanceRules, InclusionDecision, Poll

pytestmark = pytest.mark.django_db


def test_epochs_newest_first_and_paginated(client, history):
    body = client.get("/api/v1/epochs/", {"page_size": 5}).json()

    assert body["count"] == Epoch.objects.count() == 13
    assert [row["number"] for row in body["results"]] == [13, 12, 11, 10, 9]
    assert body["results"][1]["rules"] == "hgp-70-2025"
    assert body["results"][0]["url"].endswith("/api/v1/epochs/13/")


def test_epoch_detail_lists_its_polls(client, history):
    body = client.get("/api/v1/epochs/12/").json()

    assert body["name"].startswith("Epoch 12")
    assert {poll["kind"] for poll in body["polls"]} == {"clob_cex", "clob_dex", "gateway_dex"}
    assert all(poll["is_archived"] for poll in body["polls"])
    assert body["sources"]


def test_unknown_epoch_is_404(client, history):
    response = client.get("/api/v1/epochs/99/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_rules_versions_newest_first(client, history):
    body = client.get("/api/v1/rules/", {"page_size": 100}).json()

    assert body["count"] == GovernanceRules.objects.count()
    assert body["results"][0]["slug"] == "hgp-77-2026"
    dates = [row["effective_from"] for row in body["results"]]
    assert dates == sorted(dates, reverse=True)


def test_rules_detail_has_proposal_rules_and_epochs(client, history):
    current = client.get("/api/v1/rules/hgp-77-2026/").json()
    pro_rata = client.get("/api/v1/rules/hgp-70-2025/").json()

    assert current["proposal_rules"] == [
        {
            "proposal_type": "HGP",
            "min_balance_hbot": 200_000,
            "quorum_hbot": 5_000_000,
            "quorum_note": current["proposal_rules"][0]["quorum_note"],
            "approval_percent": "50.00",
            "discussion_days": 2,
            "vote_days": 3,
        }
    ]
    assert pro_rata["inclusion_threshold_hbot"] == 400_000
    assert pro_rata["allocation_rule"] == "pro_rata_included"
    assert pro_rata["epochs"] == [13, 12]


def test_unknown_rules_is_404(client, history):
    assert client.get("/api/v1/rules/nope/").status_code == 404


def test_typed_data_is_what_the_site_verifies(client, settings):
    settings.ETH_CHAIN_ID = 5

    body = client.get("/api/v1/governance/typed-data/").json()

    assert body == eip712.definition()
    assert body["domain"]["chainId"] == 5
    assert body["vote"]["types"]["Vote"][0] == {"name": "poll", "type": "uint256"}
    assert body["limits"]["max_vote_age_seconds"] == settings.VOTE_MAX_AGE_SECONDS


GOVERNANCE_PATHS = {
    "/api/v1/epochs/": {"get"},
    "/api/v1/epochs/{number}/": {"get"},
    "/api/v1/rules/": {"get"},
    "/api/v1/rules/{slug}/": {"get"},
    "/api/v1/governance/typed-data/": {"get"},
    "/api/v1/polls/": {"get", "post"},
    "/api/v1/polls/{id}/": {"get"},
    "/api/v1/polls/{id}/open/": {"post"},
    "/api/v1/polls/{id}/finalize/": {"post"},
    "/api/v1/polls/{id}/votes/": {"get", "post"},
    "/api/v1/polls/{id}/votes.json": {"get"},
    "/api/v1/polls/{id}/votes.csv": {"get"},
    "/api/v1/proposals/": {"get", "post"},
    "/api/v1/proposals/{reference}/": {"get"},
    "/api/v1/connectors/{slug}/poll-history/": {"get"},
}


def test_openapi_schema_describes_every_governance_endpoint(client):
    # when
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    # then
    assert response.status_code == 200
    schema = response.json()
    paths = {path.replace("{pk}", "{id}"): ops for path, ops in schema["paths"].items()}
    for path, methods in GOVERNANCE_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    cast = paths["/api/v1/polls/{id}/votes/"]["post"]
    assert {"201", "400", "403", "404", "409", "413", "503"} <= set(cast["responses"])
    assert cast["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SignedMessageRequest"
    )
    components = schema["components"]["schemas"]
    assert {"PollDetail", "Vote", "Error", "ChoiceResult", "ProposalDetail"} <= set(components)
    assert "fields" in components["Error"]["properties"]


def test_connector_poll_history_lists_its_polls_and_pending_decisions(
    client, catalogue, history, django_assert_max_num_queries
):
    # given: a pending removal decided by an archived poll
    binance = Connector.objects.get(slug="binance")
    poll = Poll.objects.get(epoch__number=12, kind="clob_cex")
    InclusionDecision.objects.create(
        connector=binance, action="remove", poll=poll, reason="Below the threshold."
    )

    # when
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/connectors/binance/poll-history/").json()

    # then
    assert body["connector"] == "binance"
    epochs = [line["epoch"] for line in body["polls"]]
    assert epochs == sorted(epochs, reverse=True)
    line = next(line for line in body["polls"] if line["poll"] == poll.pk)
    assert line["choice"] == "Binance"
    assert line["kind"] == "clob_cex"
    assert line["is_archived"] is True
    assert line["rank"] == 1
    assert body["pending_decisions"] == [
        {
            "action": "remove",
            "reason": "Below the threshold.",
            "poll": poll.pk,
            "proposal": None,
            "created_at": body["pending_decisions"][0]["created_at"],
        }
    ]


def test_poll_history_of_an_unknown_connector_is_404(client, db):
    response = client.get("/api/v1/connectors/nope/poll-history/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
