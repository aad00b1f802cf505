"""The bounties API under /api/v1/: reads for everyone, moves by role, refusals as JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bounties.models import BountyStatus
from tests.bounties.conftest import TX

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_list_filters_and_paginates(api, drive, pot, make_bounty, django_assert_max_num_queries):
    drive.to(make_bounty(title="A"), "open")
    drive.to(make_bounty(title="B", denomination="USDC", amount=Decimal(100)), "assigned")
    for i in range(3):
        make_bounty(title=f"P{i}")

    with django_assert_max_num_queries(4):
        everything = api.get("/api/v1/bounties/?page_size=2").json()
    usdc = api.get("/api/v1/bounties/?denomination=USDC").json()

    assert everything["count"] == 5
    assert len(everything["results"]) == 2
    assert [b["title"] for b in usdc["results"]] == ["B"]
    b = usdc["results"][0]
    assert (b["amount"], b["developer_portion"], b["status"]) == (
        "100.000000",
        "80.000000",
        "assigned",
    )
    assert b["assignee"]["github_handle"] == "alice-dev"


def test_unknown_filter_value_is_a_400_naming_it(api):
    response = api.get("/api/v1/bounties/?status=done")

    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_detail_and_events(api, drive, pot, make_bounty, staff):
    bounty = drive.to(make_bounty(), "assigned")

    detail = api.get(f"/api/v1/bounties/{bounty.pk}/").json()
    events = api.get(f"/api/v1/bounties/{bounty.pk}/events/").json()["results"]

    assert detail["pot"] == pot.slug
    assert [e["kind"] for e in events] == ["funded", "assigned"]
    assert events[0]["actor"] == staff.username


def test_staff_create_and_move_a_bounty(api, staff, maintainer, pot, exchange):
    api.force_authenticate(staff)
    created = api.post(
        "/api/v1/bounties/",
        {
            "title": "Fix",
            "type": "bug",
            "priority": "P3",
            "exchange": exchange.slug,
            "amount": "10000",
            "denomination": "HBOT",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]

    assert api.post(f"/api/v1/bounties/{pk}/fund/", {"pot": pot.slug}).json()["status"] == "open"
    assigned = api.post(f"/api/v1/bounties/{pk}/assign/", {"maintainer": maintainer.pk})
    assert assigned.json()["assignee"]["id"] == maintainer.pk

    api.force_authenticate(maintainer.user)
    submitted = api.post(
        f"/api/v1/bounties/{pk}/submit/",
        {"pr_url": "https://github.com/hummingbot/hummingbot/pull/9000"},
    )
    assert submitted.json()["status"] == "submitted"

    api.force_authenticate(staff)
    api.post(f"/api/v1/bounties/{pk}/merge/", {})
    paid = api.post(f"/api/v1/bounties/{pk}/pay/", {"tx_hash": TX})
    assert paid.json()["status"] == "paid"


@pytest.mark.parametrize(
    ("who", "status_code", "code"),
    [("anonymous", 403, None), ("maintainer", 403, "not_allowed"), ("staff", 200, None)],
)
def test_moves_are_refused_to_other_roles_with_json(
    api, drive, pot, make_bounty, staff, maintainer, who, status_code, code
):
    bounty = drive.to(make_bounty(), "submitted")
    if who == "staff":
        api.force_authenticate(staff)
    elif who == "maintainer":
        api.force_authenticate(maintainer.user)

    response = api.post(f"/api/v1/bounties/{bounty.pk}/merge/", {})

    assert response.status_code == status_code
    if code:
        assert response.json()["code"] == code
        assert "Only Foundation staff" in response.json()["error"]


def test_conflicts_and_bad_input_are_json(api, drive, pot, make_bounty, staff, maintainer):
    bounty = drive.to(make_bounty(), "open")
    api.force_authenticate(staff)

    conflict = api.post(f"/api/v1/bounties/{bounty.pk}/merge/", {})
    invalid = api.post(f"/api/v1/bounties/{bounty.pk}/assign/", {"maintainer": 999999})
    missing = api.post("/api/v1/bounties/999999/merge/", {})

    assert conflict.status_code == 409
    assert conflict.json()["code"] == "status_conflict"
    assert "is Open" in conflict.json()["error"]
    assert invalid.status_code == 400
    assert "maintainer" in invalid.json()["fields"]
    assert missing.status_code == 404


def test_insufficient_funds_is_409(api, pot, make_bounty, staff):
    bounty = make_bounty(amount=Decimal(2_000_000))
    api.force_authenticate(staff)

    response = api.post(f"/api/v1/bounties/{bounty.pk}/fund/", {})

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_funds"
    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.POTENTIAL


def test_pots_totals_history_and_entries(api, drive, pot, make_bounty):
    drive.to(make_bounty(amount=Decimal(300_000)), "open")

    pots = api.get("/api/v1/pots/").json()
    detail = api.get(f"/api/v1/pots/{pot.slug}/").json()
    entries = api.get(f"/api/v1/pots/{pot.slug}/entries/").json()

    hbot = next(t for t in pots[0]["totals"] if t["denomination"] == "HBOT")
    assert (hbot["balance"], hbot["available"], hbot["reserved"]) == (
        "1000000.000000",
        "700000.000000",
        "300000.000000",
    )
    assert [p["available"] for p in detail["history"]["HBOT"]] == [
        "1000000.000000",
        "700000.000000",
    ]
    assert entries["results"][0]["kind"] == "reservation"


def test_sponsor_funding_by_api(api, pot, staff, maintainer):
    api.force_authenticate(maintainer.user)
    refused = api.post(
        f"/api/v1/pots/{pot.slug}/sponsor-funding/",
        {"sponsor_name": "S", "denomination": "USDC", "amount": "10"},
    )
    api.force_authenticate(staff)
    recorded = api.post(
        f"/api/v1/pots/{pot.slug}/sponsor-funding/",
        {"sponsor_name": "S", "denomination": "USDC", "amount": "10.5"},
    )

    assert refused.status_code == 403
    assert recorded.status_code == 201
    assert recorded.json()["amount"] == "10.500000"


def test_leaderboard_and_maintainer(api, drive, pot, make_bounty):
    drive.to(make_bounty(amount=Decimal(100_000)), "paid")

    rows = api.get("/api/v1/leaderboard/?by=hbot").json()
    profile = api.get("/api/v1/maintainers/alice-dev/").json()

    assert rows[0]["maintainer"]["github_handle"] == "alice-dev"
    assert rows[0]["earnings"] == {"HBOT": "90000.000000"}
    assert profile["earnings"] == {"HBOT": "90000.000000"}
    assert api.get("/api/v1/leaderboard/?by=money").status_code == 400


def test_csv_export_endpoint(api, make_bounty):
    make_bounty(amount=Decimal(50_000))

    response = api.get("/api/v1/bounties.csv?columns=tracker")

    assert response.status_code == 200
    assert response.content.decode().startswith("Bounty ID,Type,Source,Connector")


def test_payout_verify_needs_staff(api, drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), "paid")
    api.force_authenticate(maintainer.user)

    assert api.post(f"/api/v1/payouts/{bounty.payout.pk}/verify/").status_code == 403


def test_schema_builds(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/bounties/{id}/assign/" in response.content
