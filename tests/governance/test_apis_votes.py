"""Casting signed votes through the API: accepted, superseded, and every refusal with its
status code and the ``{"error", "code"}`` body."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.test import Client

from governance.chain.devchain import holder_key
from governance.models import PollStatus, Vote
from governance.services.polls import poll_close
from tests.governance.conftest import now_seconds

pytestmark = pytest.mark.django_db


def votes_url(poll_id: int) -> str:
    return f"/api/v1/polls/{poll_id}/votes/"


def post_vote(client: Client, poll_id: int, typed_data: object, signature: object):  # type: ignore[no-untyped-def]
    body = json.dumps({"typed_data": typed_data, "signature": signature})
    return client.post(votes_url(poll_id), body, content_type="application/json")


def test_signed_vote_is_accepted_with_its_voting_power(client, open_poll, signed_vote, chain_info):
    # given
    alice = chain_info.holders[0]
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(2, 3), (1, 1)]
    )

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["voter"] == alice.address
    assert body["weights"] == [[2, 3], [1, 1]]
    assert body["voting_power"] == str(chain_info.balances[alice.address])
    assert body["voting_power_hbot"] == "4000000"
    assert body["counted"] is True
    assert Vote.objects.get().digest == body["digest"]


def test_vote_needs_no_session_or_csrf_token(open_poll, signed_vote, chain_info):
    # given: a client that enforces CSRF like a browser without a token
    client = Client(enforce_csrf_checks=True)
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[1].private_key, choices=[(1, 1)]
    )

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then
    assert response.status_code == 201


def test_chain_is_read_outside_any_database_transaction(
    client, open_poll, signed_vote, chain_info, monkeypatch
):
    # given: a spy on the balance read (on SQLite a transaction holds the write lock)
    from django.db import connection

    from governance.chain.balances import BalanceReader

    seen: list[int] = []
    read = BalanceReader.balances_at

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(len(connection.atomic_blocks))
        return read(self, *args, **kwargs)

    monkeypatch.setattr(BalanceReader, "balances_at", spy)
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[4].private_key, choices=[(1, 1)]
    )

    test_depth = len(connection.atomic_blocks)  # the test's own transaction

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then: no transaction of the request's around the read
    assert response.status_code == 201
    assert seen == [test_depth]


def test_newer_vote_supersedes_and_both_are_kept(client, open_poll, signed_vote, chain_info):
    # given
    key = chain_info.holders[0].private_key
    first = signed_vote(poll=open_poll, key=key, choices=[(1, 1)], timestamp=now_seconds() - 5)
    assert post_vote(client, open_poll.pk, *first).status_code == 201

    # when
    second = signed_vote(poll=open_poll, key=key, choices=[(3, 1)])
    response = post_vote(client, open_poll.pk, *second)

    # then
    assert response.status_code == 201
    assert Vote.objects.count() == 2
    current = client.get(votes_url(open_poll.pk)).json()
    assert current["count"] == 1
    assert current["results"][0]["weights"] == [[3, 1]]


def refusal(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) >= {"error", "code"}
    assert body["error"]
    return response.status_code, body["code"]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda td: td["message"].pop("timestamp"), (400, "malformed")),
        (lambda td: td.update(primaryType="Proposal"), (400, "malformed")),
        (lambda td: td["domain"].update(name="Another site"), (400, "wrong_domain")),
        (lambda td: td["domain"].update(chainId=1), (400, "wrong_chain")),
        (
            lambda td: td["message"].update(choices=[{"choice": 1, "weight": 0}]),
            (400, "zero_weights"),
        ),
    ],
    ids=["no-timestamp", "not-a-vote", "other-site", "other-chain", "zero-weight"],
)
def test_malformed_votes_are_refused(client, open_poll, signed_vote, chain_info, tamper, expected):
    # given
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )
    tamper(typed_data)

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then
    assert refusal(response) == expected
    assert not Vote.objects.exists()


def test_signature_of_another_key_is_refused(client, open_poll, signed_vote, chain_info):
    # given: bob signs a vote that names alice as the voter
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    typed_data, signature = signed_vote(
        poll=open_poll, key=bob.private_key, voter=alice.address, choices=[(1, 1)]
    )

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then
    assert refusal(response) == (400, "bad_signature")


def test_garbage_signature_is_refused(client, open_poll, signed_vote, chain_info):
    typed_data, _ = signed_vote(
        poll=open_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )

    response = post_vote(client, open_poll.pk, typed_data, "0x" + "ab" * 65)

    assert refusal(response) == (400, "bad_signature")


def test_unknown_choice_is_refused(client, open_poll, signed_vote, chain_info):
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[0].private_key, choices=[(9, 1)]
    )

    response = post_vote(client, open_poll.pk, typed_data, signature)

    assert refusal(response) == (400, "unknown_choice")


@pytest.mark.parametrize(
    ("offset", "code"), [(-3600, "stale_timestamp"), (3600, "future_timestamp")]
)
def test_vote_signed_too_long_ago_or_in_the_future_is_refused(
    client, open_poll, signed_vote, chain_info, offset, code
):
    typed_data, signature = signed_vote(
        poll=open_poll,
        key=chain_info.holders[0].private_key,
        choices=[(1, 1)],
        timestamp=now_seconds() + offset,
    )

    response = post_vote(client, open_poll.pk, typed_data, signature)

    assert refusal(response) == (400, code)


def test_older_vote_cannot_replace_a_newer_one(client, open_poll, signed_vote, chain_info):
    # given
    key = chain_info.holders[0].private_key
    newer = signed_vote(poll=open_poll, key=key, choices=[(1, 1)])
    older = signed_vote(poll=open_poll, key=key, choices=[(2, 1)], timestamp=now_seconds() - 30)
    assert post_vote(client, open_poll.pk, *newer).status_code == 201

    # when
    response = post_vote(client, open_poll.pk, *older)

    # then
    assert refusal(response) == (400, "stale_timestamp")
    assert Vote.objects.get().weights == [[1, 1]]


def test_holder_without_hbot_at_the_snapshot_is_refused(client, open_poll, signed_vote):
    # given: a key the session dev chain never funded
    typed_data, signature = signed_vote(poll=open_poll, key=holder_key(987_654), choices=[(1, 1)])

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then
    assert refusal(response) == (403, "zero_balance")


def test_same_signed_vote_twice_counts_once(client, open_poll, signed_vote, chain_info):
    payload = signed_vote(poll=open_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)])
    assert post_vote(client, open_poll.pk, *payload).status_code == 201

    response = post_vote(client, open_poll.pk, *payload)

    assert refusal(response) == (409, "replayed")
    assert Vote.objects.count() == 1


def test_vote_on_a_draft_poll_is_refused(
    client, chain_settings, draft_poll, signed_vote, chain_info
):
    typed_data, signature = signed_vote(
        poll=draft_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )

    response = post_vote(client, draft_poll.pk, typed_data, signature)

    assert refusal(response) == (409, "poll_not_active")


def test_vote_on_a_closed_poll_is_refused(client, open_poll, signed_vote, chain_info):
    # given
    assert poll_close(poll=open_poll, now=open_poll.ends_at + timedelta(seconds=1))
    assert open_poll.status == PollStatus.CLOSED
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then
    assert refusal(response) == (409, "poll_not_active")


def test_vote_for_a_poll_that_does_not_exist_is_404(
    client, chain_settings, signed_vote, chain_info
):
    typed_data, signature = signed_vote(
        poll=424_242, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )

    response = post_vote(client, 424_242, typed_data, signature)

    assert refusal(response) == (404, "poll_not_found")


def test_vote_signed_for_another_poll_than_the_url_is_refused(
    client, open_poll, signed_vote, chain_info
):
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )

    response = post_vote(client, open_poll.pk + 1, typed_data, signature)

    assert refusal(response) == (400, "malformed")


def test_chain_down_is_503_and_nothing_is_stored(
    client, open_poll, signed_vote, chain_info, settings
):
    # given: the node stops answering after the poll opened
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.ETH_RPC_URL = f"http://127.0.0.1:{closed_port}"
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )

    # when
    response = post_vote(client, open_poll.pk, typed_data, signature)

    # then
    assert refusal(response) == (503, "chain_unavailable")
    assert not Vote.objects.exists()


def test_body_over_the_limit_is_413(client, open_poll, settings):
    settings.VOTE_MAX_BODY_BYTES = 1024
    body = json.dumps({"typed_data": {"padding": "x" * 2000}, "signature": "0x"})

    response = client.post(votes_url(open_poll.pk), body, content_type="application/json")

    assert refusal(response) == (413, "body_too_large")
    assert "1,024" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "malformed_json"),
        (b"\xff\xfe", "malformed_json"),
        ("[1, 2]", "body_invalid"),
        ('{"typed_data": {}}', "body_invalid"),
        ('{"typed_data": {}, "signature": 7}', "body_invalid"),
        ('{"typed_data": "0x", "signature": "0x"}', "body_invalid"),
        ('{"typed_data": {}, "signature": "0x"}', "malformed"),
    ],
    ids=[
        "broken",
        "not-utf8",
        "a-list",
        "no-signature",
        "signature-not-text",
        "typed-data-not-an-object",
        "typed-data-not-a-vote",
    ],
)
def test_body_of_the_wrong_shape_is_400(client, open_poll, body, code):
    response = client.post(votes_url(open_poll.pk), body, content_type="application/json")

    assert refusal(response) == (400, code)


def test_current_votes_are_paginated(client, open_poll, signed_vote, chain_info):
    # given
    for holder in chain_info.holders[:3]:
        payload = signed_vote(poll=open_poll, key=holder.private_key, choices=[(1, 1)])
        assert post_vote(client, open_poll.pk, *payload).status_code == 201

    # when
    first = client.get(votes_url(open_poll.pk), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    # then
    assert first["count"] == 3
    voters = [row["voter"] for row in first["results"] + second["results"]]
    assert sorted(voters) == sorted(h.address for h in chain_info.holders[:3])


def test_votes_of_a_missing_poll_are_404(client, db):
    assert client.get(votes_url(999_999)).status_code == 404
