"""The independent recount: signatures re-verified from the signed typed data, voting power
re-read on-chain, the result recomputed and compared, from the database or from a
downloaded votes.json without any database."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from governance.audit.recount import (
    AuditInputError,
    audit_reader,
    audit_subject_from_export,
    audit_subject_from_poll,
    poll_audit,
)
from governance.chain.devchain import HBOT
from governance.chain.errors import ChainIdMismatch
from governance.choices import ChoiceSpec
from governance.models import Choice, Poll, Vote
from governance.services.polls import poll_close, poll_create, poll_finalize, poll_open
from governance.services.tallies import poll_recount
from governance.services.votes import vote_cast
from tests.governance.conftest import hbot_transfer, now_seconds, sign_typed_data
from tests.governance.factories import EpochFactory, GovernanceRulesFactory

BALLOTS = [[(1, 3), (2, 1)], [(2, 1)], [(3, 1)], [(4, 1), (1, 1)]]


def cast(poll: Poll, signed_vote: Any, key: str, choices: list[tuple[int, int]], **kw: Any) -> Vote:
    typed_data, signature = signed_vote(poll=poll, key=key, choices=choices, **kw)
    return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)


@pytest.fixture
def voted_poll(open_poll, signed_vote, chain_info):  # type: ignore[no-untyped-def]
    """Four holders voted; alice's first vote was superseded by a newer one."""
    holders = chain_info.holders
    cast(open_poll, signed_vote, holders[0].private_key, [(4, 1)], timestamp=now_seconds() - 30)
    for holder, choices in zip(holders[:4], BALLOTS, strict=True):
        cast(open_poll, signed_vote, holder.private_key, choices)
    return open_poll


def finalize(poll: Poll) -> None:
    assert poll_close(poll=poll, now=poll.ends_at + timedelta(seconds=1))
    poll_finalize(poll=poll)


def audit(poll: Poll, **reader_options: Any):  # type: ignore[no-untyped-def]
    subject = audit_subject_from_poll(poll=Poll.objects.get(pk=poll.pk))
    return poll_audit(subject=subject, reader=audit_reader(subject=subject, **reader_options))


def kinds(report) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(f.kind, f.subject) for f in report.findings}


# --- from the database ------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_clean_active_poll_agrees_with_the_live_result(voted_poll):
    report = audit(voted_poll)

    assert report.agrees, report.lines()
    assert report.votes_checked == 5
    assert report.counted_votes == 4
    assert report.voters_read == 4
    assert report.site_result.source == "live"
    assert report.lines()[-1].startswith("AGREES")


def test_clean_finalized_poll_agrees_with_the_frozen_result(voted_poll):
    finalize(voted_poll)

    report = audit(voted_poll)

    assert report.agrees, report.lines()
    assert report.site_result.source == "final"
    assert sum(row.allocation_hbot for row in report.recount.rows) == 1_000_000


def test_quadratic_poll_agrees_once_finalized(chain_settings, signed_vote, chain_info):
    # given: square roots make scores inexact; frozen and recount must round alike
    rules = GovernanceRulesFactory(slug="quadratic", voting_method="quadratic")
    poll = poll_create(
        epoch=EpochFactory(rules=rules),
        kind="cex",
        choices=[ChoiceSpec(label=label) for label in ("A", "B", "C")],
    )
    poll = poll_open(poll=poll)
    for holder, choices in zip(
        chain_info.holders[:5],
        [[(1, 1)], [(2, 3), (3, 1)], [(3, 1)], [(1, 2), (2, 1)], [(2, 1)]],
        strict=True,
    ):
        cast(poll, signed_vote, holder.private_key, choices)
    finalize(poll)

    # when
    report = audit(poll)

    # then
    assert report.agrees, report.lines()
    assert poll.voting_method == "quadratic"


def test_power_the_chain_does_not_confirm_is_reported(voted_poll, chain_info):
    # given: bob's stored voting power inflated before the poll was finalized
    bob = chain_info.holders[1].address
    Vote.objects.filter(poll=voted_poll, voter=bob).update(voting_power=9_000_000 * HBOT)
    poll_recount(poll=voted_poll, repair=True)  # and counted so by the site
    finalize(voted_poll)

    # when
    report = audit(voted_poll)

    # then: the power, and the frozen figures it distorted
    assert not report.agrees
    found = kinds(report)
    assert ("power", bob) in found
    assert ("score", "choice 2 (OKX)") in found
    assert ("total_power", "poll") in found
    assert any("9000000 HBOT; the chain has 2250000 HBOT" in str(f) for f in report.findings)
    assert report.lines()[-1] != "AGREES"


def test_signature_not_made_by_the_voter_is_reported_and_not_counted(
    voted_poll, chain_info, signed_vote
):
    # given: carol's stored signature replaced by bob's signature of the same message
    carol = chain_info.holders[2]
    vote = Vote.objects.get(poll=voted_poll, voter=carol.address)
    vote.signature = sign_typed_data(vote.typed_data, chain_info.holders[1].private_key)
    vote.save(update_fields=["signature"])

    # when
    report = audit(voted_poll)

    # then
    assert ("signature", carol.address) in kinds(report)
    assert report.recount.voter_count == 3
    assert ("score", "choice 3 (Kraken)") in kinds(report)
    assert ("voter_count", "poll") in kinds(report)


def test_weights_changed_after_signing_are_reported(voted_poll, chain_info):
    # given: dave's counted weights rewritten in the stored signed message
    dave = chain_info.holders[3].address
    vote = Vote.objects.get(poll=voted_poll, voter=dave, is_current=True)
    vote.typed_data["message"]["choices"] = [{"choice": 2, "weight": 1}]
    vote.weights = [[2, 1]]
    vote.save(update_fields=["typed_data", "weights"])

    # when
    report = audit(voted_poll)

    # then: the message no longer hashes to the signed digest
    finding = next(f for f in report.findings if f.subject == dave)
    assert finding.kind == "signature"
    assert "hashes to" in finding.detail


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"final_score": Decimal("1")}, "score"),
        ({"allocation_hbot": 999_999}, "allocation"),
        ({"passed": False}, "passed"),
        ({"final_rank": 4}, "rank"),
        ({"final_share": Decimal("1.5")}, "share"),
    ],
)
def test_tampered_frozen_result_is_reported(voted_poll, change, kind):
    # given
    finalize(voted_poll)
    Choice.objects.filter(poll=voted_poll, position=1).update(**change)

    # when
    report = audit(voted_poll)

    # then
    assert (kind, "choice 1 (Binance)") in kinds(report)


def test_tampered_frozen_voter_count_is_reported(voted_poll):
    finalize(voted_poll)
    Poll.objects.filter(pk=voted_poll.pk).update(voter_count=5)

    assert ("voter_count", "poll") in kinds(audit(voted_poll))


def test_contract_wallet_vote_is_verified_through_eip1271(
    fresh_chain_settings, fresh_devchain, draft_poll, signed_vote
):
    # given: a vote by the dev chain's one-owner contract wallet
    chain = fresh_devchain.chain
    wallet, owner = chain.info.smart_wallet_address, chain.info.smart_wallet_owner
    hbot_transfer(chain, sender=chain.info.holders[0].address, to=wallet, whole=300_000)
    poll = poll_open(poll=draft_poll)
    vote = cast(poll, signed_vote, owner.private_key, [(2, 1)], voter=wallet)
    assert vote.is_contract_signature

    # when
    report = audit(poll)

    # then
    assert report.agrees, report.lines()
    assert report.recount.total_power == 300_000 * HBOT


def test_another_chain_than_the_polls_is_refused(voted_poll):
    with pytest.raises(ChainIdMismatch):
        audit(voted_poll, chain_id=1)


def test_archived_or_unopened_polls_have_nothing_to_verify(history, draft_poll):
    archived = Poll.objects.filter(is_archived=True).first()

    with pytest.raises(AuditInputError, match="archived result"):
        audit_subject_from_poll(poll=archived)
    with pytest.raises(AuditInputError, match="has not opened yet"):
        audit_subject_from_poll(poll=draft_poll)


# --- from a download, without the database ----------------------------------------------


def downloaded(poll: Poll) -> dict[str, Any]:
    response = Client().get(f"/api/v1/polls/{poll.pk}/votes.json")
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def export(voted_poll) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    finalize(voted_poll)
    return downloaded(voted_poll)


def audit_file(data: dict[str, Any], **reader_options: Any):  # type: ignore[no-untyped-def]
    subject = audit_subject_from_export(data=data, name="votes.json")
    return poll_audit(subject=subject, reader=audit_reader(subject=subject, **reader_options))


def test_download_verifies_without_touching_the_database(export, django_assert_num_queries):
    with django_assert_num_queries(0):
        report = audit_file(copy.deepcopy(export))

    assert report.agrees, report.lines()
    assert report.source == "votes.json"
    assert report.votes_checked == 5


def test_download_of_an_active_poll_verifies_against_its_live_result(voted_poll):
    report = audit_file(downloaded(voted_poll))

    assert report.agrees, report.lines()
    assert report.site_result.source == "live"


def test_download_with_an_edited_power_is_reported(export, chain_info):
    bob = chain_info.holders[1].address
    for vote in export["votes"]:
        if vote["voter"] == bob:
            vote["voting_power"] = str(3_000_000 * HBOT)

    report = audit_file(export)

    assert ("power", bob) in kinds(report)


def test_download_with_an_edited_result_is_reported(export):
    export["result"]["choices"][0]["allocation_hbot"] += 1
    export["result"]["choices"][0]["score_hbot"] = "1.5"

    report = audit_file(export)

    label = export["result"]["choices"][0]["label"]
    position = export["result"]["choices"][0]["position"]
    subject = f"choice {position} ({label})"
    assert {("allocation", subject), ("score", subject)} <= kinds(report)


def test_download_counting_a_superseded_vote_is_reported(export, chain_info):
    # given: alice's older vote marked counted instead of her newest
    alice = chain_info.holders[0].address
    older, newer = [v for v in export["votes"] if v["voter"] == alice]
    older["counted"], newer["counted"] = True, False

    # when
    report = audit_file(export)

    # then
    finding = next(f for f in report.findings if f.kind == "counted")
    assert finding.subject == alice
    assert "newer one" in finding.detail


def test_download_counting_a_voter_twice_is_reported(export, chain_info):
    alice = chain_info.holders[0].address
    for vote in export["votes"]:
        vote["counted"] = True

    report = audit_file(export)

    assert ("counted", alice) in kinds(report)


def test_download_with_a_vote_received_after_the_end_is_reported(export, chain_info):
    export["votes"][-1]["received_at"] = "2999-01-01T00:00:00+00:00"

    report = audit_file(export)

    assert ("counted", export["votes"][-1]["voter"]) in kinds(report)


def test_download_with_a_vote_signed_for_another_poll_is_reported(export):
    export["votes"][1]["typed_data"]["message"]["poll"] += 1

    report = audit_file(export)

    finding = next(f for f in report.findings if f.kind == "signature")
    assert "signed for poll" in finding.detail


def test_download_with_a_vote_signed_for_another_site_is_reported(export):
    export["poll"]["eip712_domain"]["name"] = "Another site"

    report = audit_file(export)

    assert len([f for f in report.findings if f.kind == "signature"]) == 5


def test_auditor_naming_another_token_is_reported(export, chain_info):
    # given: the file claims a different token than the one the auditor knows is HBOT
    real_token = export["poll"]["token_address"]
    export["poll"]["token_address"] = chain_info.smart_wallet_address

    # when the auditor insists on the real token
    report = audit_file(export, token_address=real_token)

    # then
    assert ("token", "poll") in kinds(report)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="something-else/1"), "not a votes download"),
        (lambda d: d.pop("votes"), "votes must be a JSON list"),
        (lambda d: d["poll"].update(snapshot_block="soon"), "poll.snapshot_block must be a whole"),
        (lambda d: d["poll"].update(token_address="0x12"), "must be an Ethereum address"),
        (lambda d: d["votes"][0].update(counted="yes"), "votes[0].counted must be true or false"),
        (lambda d: d["votes"][0].update(weights=[[1]]), "votes[0].weights must be"),
        (lambda d: d["votes"][0].update(received_at="Tuesday"), "must be an ISO 8601 time"),
        (lambda d: d["result"]["choices"][0].update(score_hbot=1.5), "must be a decimal"),
    ],
)
def test_malformed_download_is_refused_saying_where(export, edit, message):
    edit(export)

    with pytest.raises(AuditInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        audit_subject_from_export(data=export, name="votes.json")


def test_a_file_that_is_not_an_object_is_refused():
    with pytest.raises(AuditInputError, match="the top level must be a JSON object"):
        audit_subject_from_export(data=[1, 2], name="votes.json")
