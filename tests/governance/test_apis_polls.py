"""Polls through the API: lists and filters, details with live, frozen and published results,
and the staff-only create, open and finalize."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from governance.models import Poll, PollStatus
from governance.results import poll_result_compute
from governance.selectors import poll_totals_recount
from governance.services.polls import poll_close, poll_finalize
from governance.services.votes import vote_cast
from tests.factories import UserFactory
from tests.governance.factories import EpochFactory, PollFactory

pytestmark = pytest.mark.django_db


def cast(poll, signed_vote, holder, choices):  # type: ignore[no-untyped-def]
    typed_data, signature = signed_vote(poll=poll, key=holder.private_key, choices=choices)
    return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)


@pytest.fixture
def voted_poll(open_poll, signed_vote, chain_info):  # type: ignore[no-untyped-def]
    """The open poll with four holders' votes."""
    alice, bob, carol, dave = chain_info.holders[:4]
    cast(open_poll, signed_vote, alice, [(1, 3), (2, 1)])
    cast(open_poll, signed_vote, bob, [(2, 1)])
    cast(open_poll, signed_vote, carol, [(3, 1)])
    cast(open_poll, signed_vote, dave, [(4, 1), (1, 1)])
    return open_poll


def finalize(poll: Poll) -> None:
    assert poll_close(poll=poll, now=poll.ends_at + timedelta(seconds=1))
    poll_finalize(poll=poll)


# --- lists ------------------------------------------------------------------------------


@pytest.fixture
def assorted_polls(db):  # type: ignore[no-untyped-def]
    first, second = EpochFactory(number=7), EpochFactory(number=8)
    return {
        "e7-cex": PollFactory(epoch=first, kind="cex"),
        "e7-dex": PollFactory(epoch=first, kind="dex"),
        "e8-cex-archived": PollFactory(epoch=second, kind="cex", archived=True),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"e7-cex", "e7-dex", "e8-cex-archived"}),
        ({"epoch": 7}, {"e7-cex", "e7-dex"}),
        ({"kind": "cex"}, {"e7-cex", "e8-cex-archived"}),
        ({"status": "finalized"}, {"e8-cex-archived"}),
        ({"archived": "false"}, {"e7-cex", "e7-dex"}),
        ({"epoch": 8, "kind": "dex"}, set()),
    ],
)
def test_poll_list_filters(client, assorted_polls, params, expected):
    body = client.get("/api/v1/polls/", params).json()

    names = {
        name
        for name, poll in assorted_polls.items()
        if poll.pk in {r["id"] for r in body["results"]}
    }
    assert names == expected
    assert body["count"] == len(expected)


def test_poll_list_refuses_an_unknown_kind_naming_the_field(client, assorted_polls):
    response = client.get("/api/v1/polls/", {"kind": "options"})

    assert response.status_code == 400
    assert "kind" in response.json()["fields"]


def test_poll_list_is_paginated_in_a_fixed_number_of_queries(
    client, assorted_polls, django_assert_max_num_queries
):
    PollFactory.create_batch(5, epoch=assorted_polls["e7-cex"].epoch)

    # the request's savepoint and its release, the count, one page of rows with epoch and rules
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/polls/", {"page_size": 3}).json()

    assert body["count"] == 8
    assert len(body["results"]) == 3
    assert "page=2" in body["next"]
    assert body["results"][0]["epoch"] in (7, 8)


# --- details ----------------------------------------------------------------------------


def test_draft_poll_has_choices_and_no_result(client, draft_poll):
    body = client.get(f"/api/v1/polls/{draft_poll.pk}/").json()

    assert body["status"] == "draft"
    assert body["result_source"] is None
    assert [c["label"] for c in body["choices"]] == ["Binance", "OKX", "Kraken", "Coinbase"]
    assert body["choices"][0]["score_hbot"] is None
    assert body["snapshot_block"] is None


def test_active_poll_shows_the_live_result(client, voted_poll):
    # when
    body = client.get(f"/api/v1/polls/{voted_poll.pk}/").json()

    # then: the same figures as the service computes, by rank
    live = recounted(voted_poll)
    assert body["result_source"] == "live"
    assert body["voter_count"] == 4
    assert body["total_power"] == str(live.total_power)
    assert [c["position"] for c in body["choices"]] == [r.choice.position for r in live.choices]
    top = body["choices"][0]
    assert Decimal(top["score_hbot"]) == live.choices[0].score / 10**18
    assert top["rank"] == 1
    assert top["allocation_hbot"] == live.choices[0].allocation_hbot
    assert body["snapshot_block"] == voted_poll.snapshot_block
    assert body["chain_id"] == voted_poll.chain_id
    assert body["token_address"] == voted_poll.token_address
    assert body["rules_snapshot"]["inclusion_threshold_hbot"] == 200_000
    assert body["downloads"]["json"].endswith(f"/api/v1/polls/{voted_poll.pk}/votes.json")


def test_finalized_poll_shows_the_frozen_result(client, voted_poll, signed_vote, chain_info):
    # given
    live = client.get(f"/api/v1/polls/{voted_poll.pk}/").json()
    finalize(voted_poll)
    voted_poll.choices.filter(position=1).update(allocation_hbot=1)  # frozen is what counts

    # when
    body = client.get(f"/api/v1/polls/{voted_poll.pk}/").json()

    # then
    assert body["status"] == "finalized"
    assert body["result_source"] == "final"
    assert body["voter_count"] == 4
    assert body["total_power"] == live["total_power"]
    frozen = {c["position"]: c for c in body["choices"]}
    assert frozen[1]["allocation_hbot"] == 1
    assert [c["score_hbot"] for c in body["choices"]] == [c["score_hbot"] for c in live["choices"]]
    assert sum(c["allocation_hbot"] for c in live["choices"]) == 1_000_000


def test_archived_poll_shows_the_published_result(client, history):
    poll = Poll.objects.filter(is_archived=True, epoch__number=12, kind="clob_cex").get()

    body = client.get(f"/api/v1/polls/{poll.pk}/").json()

    assert body["result_source"] == "published"
    assert body["is_archived"] is True
    assert body["choices"][0]["rank"] == 1
    assert any(c["passed"] is False for c in body["choices"])


def test_missing_poll_is_404_in_the_error_shape(client, db):
    response = client.get("/api/v1/polls/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- staff writes -----------------------------------------------------------------------


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="member")


STAFF_POSTS = [
    ("/api/v1/polls/", {"epoch": 1, "kind": "cex"}),
    ("/api/v1/polls/{pk}/open/", {}),
    ("/api/v1/polls/{pk}/finalize/", {}),
]


@pytest.mark.parametrize(("url", "data"), STAFF_POSTS)
def test_staff_endpoints_refuse_anonymous_clients(client, draft_poll, url, data):
    response = client.post(url.format(pk=draft_poll.pk), data, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert Poll.objects.get(pk=draft_poll.pk).status == PollStatus.DRAFT


@pytest.mark.parametrize(("url", "data"), STAFF_POSTS)
def test_staff_endpoints_refuse_members_who_are_not_staff(client, member, draft_poll, url, data):
    client.force_login(member)

    response = client.post(url.format(pk=draft_poll.pk), data, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Poll.objects.count() == 1


def test_staff_create_a_draft_poll(client, staff_user, epoch, catalogue):
    # given
    client.force_login(staff_user)

    # when
    response = client.post(
        "/api/v1/polls/",
        {"epoch": epoch.number, "kind": "cex", "reference": "HGP-200"},
        content_type="application/json",
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["reference"] == "HGP-200"
    assert body["epoch"] == epoch.number
    assert len(body["choices"]) >= 2
    assert Poll.objects.get(pk=body["id"]).created_by == staff_user


def test_staff_create_a_draft_poll_from_a_script_with_an_api_token(staff_user, epoch, catalogue):
    # given a staff member's API token, and a client that checks CSRF as a browser does
    token = Token.objects.create(user=staff_user)
    script = Client(enforce_csrf_checks=True)

    # when a script posts with the token alone (no session, no CSRF token)
    response = script.post(
        "/api/v1/polls/",
        {"epoch": epoch.number, "kind": "cex"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    # then the draft is created in the staff member's name
    assert response.status_code == 201, response.content
    assert Poll.objects.get(pk=response.json()["id"]).created_by == staff_user


@pytest.mark.parametrize(("url", "data"), STAFF_POSTS)
def test_staff_endpoints_refuse_http_basic_with_a_staff_password(
    client, staff_user, draft_poll, url, data
):
    credentials = base64.b64encode(f"{staff_user.username}:correct horse battery staple".encode())

    response = client.post(
        url.format(pk=draft_poll.pk),
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {credentials.decode()}",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert Poll.objects.get(pk=draft_poll.pk).status == PollStatus.DRAFT
    assert Poll.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"epoch": 99, "kind": "cex"}, "no epoch 99"),
        ({"epoch": "{epoch}", "kind": "clob_cex"}, "no CLOB CEX connectors poll"),
    ],
)
def test_staff_create_refused_with_a_clear_message(
    client, staff_user, epoch, catalogue, data, fragment
):
    client.force_login(staff_user)
    data = {k: (epoch.number if v == "{epoch}" else v) for k, v in data.items()}

    response = client.post("/api/v1/polls/", data, content_type="application/json")

    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert not Poll.objects.exists()


def test_staff_create_validates_fields(client, staff_user, epoch):
    client.force_login(staff_user)

    response = client.post("/api/v1/polls/", {"kind": "proposal"}, content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"epoch", "kind"}


def test_staff_open_a_draft(client, staff_user, chain_settings, draft_poll):
    client.force_login(staff_user)

    response = client.post(f"/api/v1/polls/{draft_poll.pk}/open/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active"
    assert body["snapshot_block"] is not None
    assert body["chain_id"] == chain_settings.ETH_CHAIN_ID
    assert body["result_source"] == "live"


def test_staff_open_twice_is_409(client, staff_user, open_poll):
    client.force_login(staff_user)

    response = client.post(f"/api/v1/polls/{open_poll.pk}/open/")

    assert response.status_code == 409
    assert response.json()["code"] == "poll_state"


def test_staff_open_with_the_chain_down_is_503(client, staff_user, draft_poll, settings):
    client.force_login(staff_user)
    settings.ETH_RPC_URL = "http://127.0.0.1:9"

    response = client.post(f"/api/v1/polls/{draft_poll.pk}/open/")

    assert response.status_code == 503
    assert response.json()["code"] == "chain_unavailable"
    assert Poll.objects.get(pk=draft_poll.pk).status == PollStatus.DRAFT


def test_staff_finalize_a_closed_poll(client, staff_user, voted_poll):
    # given
    client.force_login(staff_user)
    assert poll_close(poll=voted_poll, now=voted_poll.ends_at + timedelta(seconds=1))

    # when
    response = client.post(f"/api/v1/polls/{voted_poll.pk}/finalize/")

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "finalized"
    assert body["result_source"] == "final"
    assert sum(c["allocation_hbot"] for c in body["choices"]) == 1_000_000


def test_staff_finalize_an_active_poll_is_409(client, staff_user, voted_poll):
    client.force_login(staff_user)

    response = client.post(f"/api/v1/polls/{voted_poll.pk}/finalize/")

    assert response.status_code == 409
    assert "only a closed poll" in response.json()["error"]
    assert Poll.objects.get(pk=voted_poll.pk).status == PollStatus.ACTIVE


def recounted(poll):  # type: ignore[no-untyped-def]
    """The poll's result from a recount of its signed votes (not its running totals)."""
    return poll_result_compute(poll=poll, totals=poll_totals_recount(poll=poll))
