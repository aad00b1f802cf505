"""A poll's audit trail as a download: every signed vote, counted or superseded.

Anyone can download a poll's votes (``/api/v1/polls/<id>/votes.json`` or ``.csv``): each
signed message with its signature, digest and the voting power the site gave it, whether it
counted, and in the JSON a header with the snapshot block, chain, token, rules and the
site's result, everything ``governance.audit.recount`` needs to recount the poll.

Which votes count: each voter's newest accepted vote. An export taken while a poll is
active is cut at the newest vote when it starts, and "counted" means counted at that cut,
so the header's live result and the rows always agree.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from governance import eip712
from governance.models import Poll, PollStatus, Vote
from governance.selectors import PollResults, poll_results
from governance.tally import Ballot, Totals, totals_of
from governance.units import token_amount

EXPORT_FORMAT = "connector-hub-votes/1"
EXPORT_CHUNK = 500
CSV_COLUMNS = (
    "poll_id",
    "voter",
    "weights",
    "signed_timestamp",
    "signature",
    "typed_data",
    "digest",
    "voting_power",
    "voting_power_hbot",
    "counted",
    "is_contract_signature",
    "received_at",
    "superseded_at",
)


# --- the site's result -------------------------------------------------------------------


def poll_site_result(*, poll: Poll, totals: Totals | None = None) -> PollResults | None:
    """The result the site states for ``poll`` (``selectors.poll_results``), None for a
    draft. ``totals``: the counted votes at an export's cut, for a live poll."""
    results = poll_results(poll=poll, totals=totals)
    return None if results.source == "none" else results


def result_as_json(result: PollResults) -> dict[str, Any]:
    """A result as a votes download states it (the ``result`` of ``votes.json``)."""
    return {
        "source": result.source,
        "voter_count": result.voter_count,
        "total_power": None if result.total_power is None else str(result.total_power),
        "choices": [
            {
                "position": row.choice.position,
                "label": row.choice.label,
                "score_hbot": None if row.score_hbot is None else str(row.score_hbot),
                "share_percent": None if row.share is None else str(row.share),
                "rank": row.rank,
                "passed": row.passed,
                "failure_reason": row.failure_reason,
                "allocation_hbot": row.allocation_hbot or 0,
                "tier": row.tier,
            }
            for row in result.rows
        ],
    }


# --- the download -----------------------------------------------------------------------


def poll_votes_cut(*, poll: Poll) -> int:
    """The newest vote id of ``poll`` now: an export covers votes up to it."""
    return int(poll.votes.aggregate(cut=Max("id"))["cut"] or 0)


def poll_votes_for_export(*, poll: Poll, cut: int) -> QuerySet[Vote]:
    """Every vote of ``poll`` up to ``cut`` (oldest first), annotated ``counted``: whether
    it was its voter's newest vote at the cut."""
    return (
        Vote.objects.filter(poll_id=poll.pk, id__lte=cut)
        .annotate(counted=~_newer_vote(poll=poll, cut=cut))
        .order_by("id")
    )


def poll_is_live(poll: Poll) -> bool:
    """Whether the site states a live result for ``poll`` (from its counted votes), so an
    audit gives it the totals at its cut; frozen and draft polls need none."""
    return poll.status in (PollStatus.ACTIVE, PollStatus.CLOSED) and not poll.is_archived


def _totals_at(*, poll: Poll, cut: int) -> Totals:
    """The totals of the votes counted at ``cut`` (each voter's newest), so a live export's
    stated result and its rows agree even while votes arrive."""
    counted = (
        Vote.objects.filter(poll_id=poll.pk, id__lte=cut)
        .filter(~_newer_vote(poll=poll, cut=cut))
        .values_list("weights", "voting_power")
    )
    return totals_of(
        method=poll.voting_method,
        ballots=(
            Ballot.stored(power=power, weights=weights)
            for weights, power in counted.iterator(chunk_size=EXPORT_CHUNK)
        ),
    )


def _newer_vote(*, poll: Poll, cut: int) -> Exists:
    """Whether the voter cast a newer vote up to ``cut`` (then this one is superseded)."""
    return Exists(
        Vote.objects.filter(
            poll_id=poll.pk, voter=OuterRef("voter"), id__gt=OuterRef("id"), id__lte=cut
        )
    )


def vote_is_counted(vote: Vote) -> bool:
    """The ``counted`` annotation where the query made one, else the stored flag."""
    return bool(vote.__dict__.get("counted", vote.is_current))


def poll_export_header(*, poll: Poll, cut: int) -> dict[str, Any]:
    """Everything needed to recount the poll besides its votes."""
    totals = _totals_at(poll=poll, cut=cut) if poll_is_live(poll) else None
    result = poll_site_result(poll=poll, totals=totals)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "poll": {
            "id": poll.pk,
            "title": poll.title,
            "reference": poll.reference,
            "kind": poll.kind,
            "status": poll.status,
            "voting_method": poll.voting_method,
            "snapshot_block": poll.snapshot_block,
            "chain_id": poll.chain_id,
            "token_address": poll.token_address,
            "token_decimals": settings.HBOT_DECIMALS,
            "eip712_domain": eip712.domain(),
            "opened_at": _iso(poll.opened_at),
            "ends_at": _iso(poll.ends_at),
            "closed_at": _iso(poll.closed_at),
            "finalized_at": _iso(poll.finalized_at),
            "rules_snapshot": poll.rules_in_effect,
            "choices": [
                {"position": c.position, "label": c.label}
                for c in sorted(poll.choices.all(), key=lambda c: c.position)
            ],
        },
        "result": None if result is None else result_as_json(result),
    }


def vote_export_row(vote: Vote) -> dict[str, Any]:
    power = int(vote.voting_power)
    counted = vote_is_counted(vote)
    return {
        "voter": vote.voter,
        "weights": [[int(c), int(w)] for c, w in vote.weights],
        "signed_timestamp": vote.signed_timestamp,
        "signature": vote.signature,
        "typed_data": vote.typed_data,
        "digest": vote.digest,
        "voting_power": str(power),
        "voting_power_hbot": token_amount(power, settings.HBOT_DECIMALS),
        "counted": bool(counted),
        "is_contract_signature": vote.is_contract_signature,
        "received_at": _iso(vote.received_at),
        "superseded_at": _iso(vote.superseded_at),
    }


def votes_json_stream(*, poll: Poll) -> Iterator[str]:
    """``{"format", "exported_at", "poll", "result", "votes": [...]}``, a chunk at a time."""
    cut = poll_votes_cut(poll=poll)
    header = json.dumps(poll_export_header(poll=poll, cut=cut))
    yield header[:-1] + ', "votes": ['
    rows = poll_votes_for_export(poll=poll, cut=cut).iterator(chunk_size=EXPORT_CHUNK)
    for index, vote in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(vote_export_row(vote))
    yield "\n]}\n"


class _Line:
    """A file-like sink for ``csv.writer`` that hands back what was written."""

    def write(self, value: str) -> str:
        return value


def votes_csv_stream(*, poll: Poll) -> Iterator[str]:
    """One row per signed vote; weights and typed data as JSON text."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    cut = poll_votes_cut(poll=poll)
    for vote in poll_votes_for_export(poll=poll, cut=cut).iterator(chunk_size=EXPORT_CHUNK):
        row = vote_export_row(vote)
        row["weights"] = json.dumps(row["weights"])
        row["typed_data"] = json.dumps(row["typed_data"], sort_keys=True)
        row["counted"] = "true" if row["counted"] else "false"
        row["is_contract_signature"] = "true" if row["is_contract_signature"] else "false"
        yield writer.writerow([poll.pk, *(row[name] for name in CSV_COLUMNS[1:])])


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
