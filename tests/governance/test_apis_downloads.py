"""The audit downloads: every signed vote of a poll, counted and superseded, as JSON with
a header for recounting, and as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from core.csv_cells import FORMULA_PREFIXES
from governance import eip712
from governance.audit.export import CSV_COLUMNS, EXPORT_FORMAT
from governance.models import Vote
from governance.results import poll_result_compute
from governance.selectors import poll_totals_recount
from governance.services.polls import poll_close, poll_finalize
from governance.services.votes import vote_cast
from tests.governance.conftest import now_seconds

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll_with_history(open_poll, signed_vote, chain_info):  # type: ignore[no-untyped-def]
    """Alice votes twice (the first vote superseded), bob and carol once."""
    alice, bob, carol = chain_info.holders[:3]
    ballots = [
        (alice, [(1, 1)], now_seconds() - 20),
        (bob, [(2, 1)], None),
        (alice, [(3, 2), (1, 1)], None),
        (carol, [(4, 1)], None),
    ]
    for holder, choices, timestamp in ballots:
        typed_data, signature = signed_vote(
            poll=open_poll, key=holder.private_key, choices=choices, timestamp=timestamp
        )
        vote_cast(typed_data=typed_data, signature=signature, poll_id=open_poll.pk)
    return open_poll


def download(client, poll, extension):  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/polls/{poll.pk}/votes.{extension}")
    assert response.status_code == 200
    assert response.streaming
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="poll-{poll.pk}-votes.{extension}"'
    return b"".join(response.streaming_content).decode()


def test_json_holds_every_signed_vote_and_the_header(client, poll_with_history, chain_info):
    # when
    data = json.loads(download(client, poll_with_history, "json"))

    # then: the header
    poll = poll_with_history
    assert data["format"] == EXPORT_FORMAT
    header = data["poll"]
    assert header["id"] == poll.pk
    assert header["snapshot_block"] == poll.snapshot_block
    assert header["chain_id"] == poll.chain_id
    assert header["token_address"] == poll.token_address
    assert header["voting_method"] == "weighted"
    assert header["rules_snapshot"] == poll.rules_snapshot
    assert header["eip712_domain"] == eip712.domain()
    assert [c["label"] for c in header["choices"]] == ["Binance", "OKX", "Kraken", "Coinbase"]
    # the site's live result, from the counted votes
    live = recounted(poll)
    assert data["result"]["source"] == "live"
    assert data["result"]["voter_count"] == 3
    assert data["result"]["total_power"] == str(live.total_power)
    assert [c["position"] for c in data["result"]["choices"]] == [
        r.choice.position for r in live.choices
    ]
    # every vote, the superseded one too, oldest first
    votes = data["votes"]
    alice = chain_info.holders[0].address
    assert [(v["voter"], v["counted"]) for v in votes] == [
        (alice, False),
        (chain_info.holders[1].address, True),
        (alice, True),
        (chain_info.holders[2].address, True),
    ]
    newest = votes[2]
    assert newest["weights"] == [[3, 2], [1, 1]]
    assert newest["typed_data"]["message"]["choices"] == [
        {"choice": 3, "weight": 2},
        {"choice": 1, "weight": 1},
    ]
    assert newest["digest"] == eip712.digest(eip712.signable(newest["typed_data"]))
    assert newest["voting_power"] == str(chain_info.balances[alice])
    assert newest["voting_power_hbot"] == "4000000"
    assert newest["signature"].startswith("0x")
    assert len(newest["signature"]) == 132
    assert newest["received_at"]
    assert newest["superseded_at"] is None
    assert votes[0]["superseded_at"] is not None


def test_csv_has_one_row_per_signed_vote(client, poll_with_history, chain_info):
    rows = list(csv.DictReader(io.StringIO(download(client, poll_with_history, "csv"))))

    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 4
    assert [row["counted"] for row in rows] == ["false", "true", "true", "true"]
    assert {row["poll_id"] for row in rows} == {str(poll_with_history.pk)}
    typed_data = json.loads(rows[2]["typed_data"])
    assert typed_data["primaryType"] == "Vote"
    assert json.loads(rows[2]["weights"]) == [[3, 2], [1, 1]]
    assert rows[2]["voting_power"] == str(chain_info.balances[chain_info.holders[0].address])
    # no cell can be taken for a spreadsheet formula (issue 11): addresses, signatures and
    # digests begin with 0x, weights and typed data are JSON ([, {), numbers are never negative
    assert not [v for row in rows for v in row.values() if v.startswith(FORMULA_PREFIXES)]


def test_finalized_poll_download_carries_the_frozen_result(client, poll_with_history):
    # given
    poll = poll_with_history
    assert poll_close(poll=poll, now=poll.ends_at + timedelta(seconds=1))
    poll_finalize(poll=poll)

    # when
    data = json.loads(download(client, poll, "json"))

    # then
    assert data["poll"]["status"] == "finalized"
    assert data["result"]["source"] == "final"
    allocations = [c["allocation_hbot"] for c in data["result"]["choices"]]
    assert sum(allocations) == 1_000_000
    assert [v["counted"] for v in data["votes"]] == [False, True, True, True]


def test_download_of_a_poll_without_votes(client, draft_poll):
    data = json.loads(download(client, draft_poll, "json"))

    assert data["votes"] == []
    assert data["result"] is None


def test_download_streams_a_large_poll_in_chunks(client, open_poll, chain_info):
    # given: 1,200 stored votes of one voter (bulk, as the service would store them)
    alice = chain_info.holders[0]
    Vote.objects.bulk_create(
        Vote(
            poll=open_poll,
            voter=alice.address,
            weights=[[1, 1]],
            signed_timestamp=i,
            typed_data={},
            signature="0x",
            digest=f"0x{i:064x}",
            voting_power=1,
            is_current=i == 1199,
            superseded_at=None if i == 1199 else open_poll.opened_at,
        )
        for i in range(1200)
    )
    response = client.get(f"/api/v1/polls/{open_poll.pk}/votes.json")

    # when: the body is produced as it is read
    chunks = iter(response.streaming_content)
    first = next(chunks)
    rest = list(chunks)

    # then
    assert first.startswith(b'{"format"')
    assert len(rest) == 1201
    votes = json.loads(first + b"".join(rest))["votes"]
    assert len(votes) == 1200
    assert [v["counted"] for v in votes].count(True) == 1


def test_download_of_a_missing_poll_is_404(client, db):
    assert client.get("/api/v1/polls/999999/votes.json").status_code == 404
    assert client.get("/api/v1/polls/999999/votes.csv").status_code == 404


def recounted(poll):  # type: ignore[no-untyped-def]
    """The poll's result from a recount of its signed votes (not its running totals)."""
    return poll_result_compute(poll=poll, totals=poll_totals_recount(poll=poll))
