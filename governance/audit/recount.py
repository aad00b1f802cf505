"""An independent recount of a poll, to check what the site states about it.

``verify_poll`` (and ``poll_audit`` here) re-verifies every signature from the signed typed
data, re-reads every voter's balance at the snapshot block from a node of the auditor's
choice, recounts with the same tally and allocation code, and lists every difference. It
works from the database (the votes an export would hold, ``governance.audit.export``) or,
with no database at all, from a downloaded ``votes.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import requests
from django.conf import settings
from django.utils.dateparse import parse_datetime
from eth_account import Account
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError as EthValidationError
from siwe.siwe import check_contract_wallet_signature
from web3.exceptions import Web3Exception

from core.text import is_ascii_digits
from governance import eip712
from governance.audit.export import (
    EXPORT_FORMAT,
    poll_is_live,
    poll_site_result,
    poll_votes_cut,
    poll_votes_for_export,
    vote_is_counted,
)
from governance.chain.balances import BalanceReader, checksum
from governance.chain.errors import RpcUnavailable
from governance.chain.signatures import EOA_SIGNATURE_BYTES, signature_well_formed
from governance.models import Choice, Poll, PollStatus
from governance.results import poll_result_compute
from governance.selectors import PollResults, ResultRow, results_from_computed
from governance.tally import Ballot, InvalidBallot, Totals, totals_of
from governance.units import token_amount

# Files downloaded before results had one row type called a finalized result "frozen".
OLD_SOURCE_NAMES = {"frozen": "final"}
# A frozen score that differs from the recount by less than this share of it is what a
# database storing decimals as binary floating point (SQLite) keeps of an exact score.
FLOAT_STORAGE_RELATIVE = Decimal("1e-14")


class AuditInputError(Exception):
    """What was given to audit is not a poll's votes (a bad file, a poll without votes)."""


# --- what is audited --------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRecord:
    voter: str
    weights: list[tuple[int, int]]
    signed_timestamp: int
    signature: str
    typed_data: Any
    digest: str
    voting_power: int
    counted: bool
    received_at: datetime | None


@dataclass
class AuditSubject:
    """A poll's facts, votes and stated result, from the database or a downloaded file."""

    poll_id: int
    title: str
    kind: str
    voting_method: str
    snapshot_block: int
    chain_id: int
    token_address: str
    rules_snapshot: dict[str, Any]
    choices: list[tuple[int, str]]
    votes: list[VoteRecord]
    site_result: PollResults | None
    domain: tuple[str, str]  # EIP-712 name and version the votes are signed for
    ends_at: datetime | None = None
    source: str = "database"


def audit_subject_from_poll(*, poll: Poll) -> AuditSubject:
    """The poll as the database holds it. Raises ``AuditInputError`` for a poll that has
    no signed votes to audit (archived or never opened)."""
    if poll.is_archived:
        raise AuditInputError(
            f"{poll} is an archived result published before this site; it has no signed "
            "votes to verify."
        )
    if poll.status == PollStatus.DRAFT or poll.snapshot_block is None or poll.chain_id is None:
        raise AuditInputError(f"{poll} has not opened yet; there is nothing to verify.")
    cut = poll_votes_cut(poll=poll)
    exported = list(poll_votes_for_export(poll=poll, cut=cut))
    counted = [v for v in exported if vote_is_counted(v)]
    return AuditSubject(
        poll_id=poll.pk,
        title=str(poll),
        kind=poll.kind,
        voting_method=poll.voting_method,
        snapshot_block=poll.snapshot_block,
        chain_id=poll.chain_id,
        token_address=poll.token_address,
        rules_snapshot=poll.rules_in_effect,
        choices=[(c.position, c.label) for c in sorted(poll.choices.all(), key=_position)],
        votes=[
            VoteRecord(
                voter=v.voter,
                weights=[(int(c), int(w)) for c, w in v.weights],
                signed_timestamp=v.signed_timestamp,
                signature=v.signature,
                typed_data=v.typed_data,
                digest=v.digest,
                voting_power=int(v.voting_power),
                counted=vote_is_counted(v),
                received_at=v.received_at,
            )
            for v in exported
        ],
        site_result=poll_site_result(
            poll=poll,
            totals=totals_of(
                method=poll.voting_method,
                ballots=[Ballot.stored(power=v.voting_power, weights=v.weights) for v in counted],
            )
            if poll_is_live(poll)
            else None,
        ),
        domain=(settings.EIP712_DOMAIN_NAME, settings.EIP712_DOMAIN_VERSION),
        ends_at=poll.ends_at,
    )


def _position(choice: Choice) -> int:
    return choice.position


def audit_subject_from_export(*, data: object, name: str = "the file") -> AuditSubject:
    """A poll from a downloaded ``votes.json``. Raises ``AuditInputError`` naming what is
    wrong with the file; needs no database."""
    reader = _Fields(name)
    top = reader.mapping(data, "the top level")
    if top.get("format") != EXPORT_FORMAT:
        raise AuditInputError(
            f"{name} is not a votes download of this site (format {top.get('format')!r}, "
            f"expected {EXPORT_FORMAT!r})."
        )
    poll = reader.mapping(top.get("poll"), "poll")
    choices = [
        (reader.integer(c, "position", "poll.choices"), reader.string(c, "label", "poll.choices"))
        for c in reader.sequence(poll.get("choices"), "poll.choices")
    ]
    votes = [
        _vote_from_row(reader, row, f"votes[{index}]")
        for index, row in enumerate(reader.sequence(top.get("votes"), "votes"))
    ]
    result = top.get("result")
    domain = reader.mapping(poll.get("eip712_domain"), "poll.eip712_domain")
    subject = AuditSubject(
        poll_id=reader.integer(poll, "id", "poll"),
        title=str(poll.get("reference") or poll.get("title") or f"poll {poll.get('id')}"),
        kind=reader.string(poll, "kind", "poll"),
        voting_method=reader.string(poll, "voting_method", "poll"),
        snapshot_block=reader.integer(poll, "snapshot_block", "poll"),
        chain_id=reader.integer(poll, "chain_id", "poll"),
        token_address=reader.address(poll, "token_address", "poll"),
        rules_snapshot=reader.mapping(poll.get("rules_snapshot"), "poll.rules_snapshot"),
        choices=choices,
        votes=votes,
        site_result=None,
        domain=(
            reader.string(domain, "name", "poll.eip712_domain"),
            reader.string(domain, "version", "poll.eip712_domain"),
        ),
        ends_at=reader.moment(poll, "ends_at", "poll"),
        source=name,
    )
    if result is not None:
        subject.site_result = _result_from_json(reader, result, poll=_poll_in_memory(subject))
    return subject


def _vote_from_row(reader: _Fields, row: object, where: str) -> VoteRecord:
    vote = reader.mapping(row, where)
    weights = []
    for pair in reader.sequence(vote.get("weights"), f"{where}.weights"):
        if not (isinstance(pair, list) and len(pair) == 2 and all(_is_int(x) for x in pair)):
            raise AuditInputError(f"{reader.name}: {where}.weights must be [[choice, weight]].")
        weights.append((int(pair[0]), int(pair[1])))
    counted = vote.get("counted")
    if not isinstance(counted, bool):
        raise AuditInputError(f"{reader.name}: {where}.counted must be true or false.")
    return VoteRecord(
        voter=reader.address(vote, "voter", where),
        weights=weights,
        signed_timestamp=reader.integer(vote, "signed_timestamp", where),
        signature=reader.string(vote, "signature", where),
        typed_data=vote.get("typed_data"),
        digest=reader.string(vote, "digest", where),
        voting_power=reader.integer(vote, "voting_power", where),
        counted=counted,
        received_at=reader.moment(vote, "received_at", where),
    )


def _result_from_json(reader: _Fields, data: object, *, poll: Poll) -> PollResults:
    result = reader.mapping(data, "result")
    rows = []
    for row in reader.sequence(result.get("choices"), "result.choices"):
        item = reader.mapping(row, "result.choices")
        passed = item.get("passed")
        if passed is not None and not isinstance(passed, bool):
            raise AuditInputError(f"{reader.name}: result.choices passed must be true/false.")
        rows.append(
            ResultRow(
                choice=Choice(
                    position=reader.integer(item, "position", "result.choices"),
                    label=reader.string(item, "label", "result.choices"),
                ),
                score_hbot=reader.decimal(item, "score_hbot", "result.choices"),
                share=reader.decimal(item, "share_percent", "result.choices"),
                rank=reader.integer(item, "rank", "result.choices"),
                passed=passed,
                failure_reason=str(item.get("failure_reason") or ""),
                allocation_hbot=reader.integer(item, "allocation_hbot", "result.choices"),
                tier=str(item.get("tier") or ""),
            )
        )
    voter_count, total_power = result.get("voter_count"), result.get("total_power")
    source = str(result.get("source") or "unknown")
    return PollResults(
        poll=poll,
        source=OLD_SOURCE_NAMES.get(source, source),
        rows=rows,
        voter_count=int(str(voter_count)) if _is_int(voter_count) else None,
        total_power=int(str(total_power)) if _is_int(total_power) else None,
        total_power_hbot=None,
        threshold_hbot=0,
        threshold_percent=None,
    )


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and is_ascii_digits(value))


class _Fields:
    """Typed reads from parsed JSON, failing with where in the file the problem is."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, what: str) -> AuditInputError:
        return AuditInputError(f"{self.name}: {where} {what}.")

    def mapping(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a JSON object")
        return value

    def sequence(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "must be a JSON list")
        return value

    def integer(self, data: object, key: str, where: str) -> int:
        value = self.mapping(data, where).get(key)
        if not _is_int(value):
            raise self.fail(f"{where}.{key}", "must be a whole number")
        return int(str(value))

    def string(self, data: object, key: str, where: str) -> str:
        value = self.mapping(data, where).get(key)
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be text")
        return value

    def address(self, data: object, key: str, where: str) -> str:
        try:
            return checksum(self.string(data, key, where))
        except ValueError:
            raise self.fail(f"{where}.{key}", "must be an Ethereum address") from None

    def decimal(self, data: object, key: str, where: str) -> Decimal:
        value = self.mapping(data, where).get(key)
        try:
            number = Decimal(value) if isinstance(value, str) else Decimal("NaN")
        except ArithmeticError:
            number = Decimal("NaN")
        if not number.is_finite():
            raise self.fail(f"{where}.{key}", "must be a decimal number as text")
        return number

    def moment(self, data: object, key: str, where: str) -> datetime | None:
        value = self.mapping(data, where).get(key)
        if value is None:
            return None
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise self.fail(f"{where}.{key}", "must be an ISO 8601 time")
        return parsed


# --- the recount ------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One difference between what the site states and what the audit recomputed."""

    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.subject}: {self.detail}"


@dataclass
class AuditReport:
    poll_id: int
    title: str
    source: str
    snapshot_block: int
    chain_id: int
    token_address: str
    rpc_host: str
    votes_checked: int = 0
    counted_votes: int = 0
    voters_read: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recount: PollResults | None = None
    site_result: PollResults | None = None

    @property
    def agrees(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        """The report as text, for the command's output."""
        lines = [
            f"Poll {self.poll_id} ({self.title}), from {self.source}",
            f"Chain {self.chain_id}, token {self.token_address}, snapshot block "
            f"{self.snapshot_block}, balances re-read from {self.rpc_host}",
            f"Signed votes checked: {self.votes_checked} ({self.counted_votes} counted); "
            f"voters' balances re-read: {self.voters_read}",
        ]
        if self.recount is not None:
            decimals = settings.HBOT_DECIMALS
            total = token_amount(self.recount.total_power or 0, decimals, grouping=True)
            lines.append(
                f"Recount ({self.recount.voter_count} voters, {total} HBOT), compared with the "
                f"site's {self.site_result.source if self.site_result else 'missing'} result:"
            )
            for row in self.recount.rows:
                verdict = {True: "passes", False: "fails", None: ""}[row.passed]
                lines.append(
                    f"  #{row.rank:<3} {row.choice.label:<32} {row.score_hbot:>40} HBOT "
                    f"{row.share:>11}%  {verdict:<6} {row.allocation_hbot or 0:>12,} HBOT"
                )
        lines += [f"Note: {note}" for note in self.notes]
        if self.agrees:
            lines.append("AGREES: the site's votes, voting power and result check out.")
        else:
            lines.append(f"DIFFERS: {len(self.findings)} difference(s):")
            lines += [f"  {finding}" for finding in self.findings]
        return lines


def audit_reader(
    *,
    subject: AuditSubject,
    rpc_url: str | None = None,
    chain_id: int | None = None,
    token_address: str | None = None,
) -> BalanceReader:
    """A reader on the auditor's node (default ``ETH_RPC_URL``) for the poll's chain and
    token, or for the ones the auditor names (then differences are findings)."""
    url = rpc_url or settings.ETH_RPC_URL
    if not url:
        raise AuditInputError("No JSON-RPC node to read balances from: give --rpc-url.")
    return BalanceReader(
        rpc_url=url,
        chain_id=chain_id if chain_id is not None else subject.chain_id,
        token_address=token_address or subject.token_address,
        multicall_address=settings.MULTICALL3_ADDRESS,
        confirmations=settings.ETH_CONFIRMATIONS,
        timeout=settings.ETH_RPC_TIMEOUT,
        retries=settings.ETH_RPC_RETRIES,
        backoff=settings.ETH_RPC_BACKOFF,
        batch_size=settings.BALANCE_BATCH_SIZE,
    )


def poll_audit(*, subject: AuditSubject, reader: BalanceReader) -> AuditReport:
    """Re-verify every vote of ``subject`` and recount it from balances read through
    ``reader`` (on-chain, never the site's cache). Raises ``ChainError`` when the node
    cannot answer; every difference found is a ``Finding`` in the report."""
    report = AuditReport(
        poll_id=subject.poll_id,
        title=subject.title,
        source=subject.source,
        snapshot_block=subject.snapshot_block,
        chain_id=reader.chain_id,
        token_address=reader.token_address,
        rpc_host=reader.host,
        site_result=subject.site_result,
    )
    if reader.chain_id != subject.chain_id:
        report.findings.append(
            Finding(
                "chain",
                "poll",
                f"the site counted chain id {subject.chain_id}; the "
                f"audit reads chain id {reader.chain_id}",
            )
        )
    if reader.token_address.lower() != subject.token_address.lower():
        report.findings.append(
            Finding(
                "token",
                "poll",
                f"the site counted token {subject.token_address}; the "
                f"audit reads token {reader.token_address}",
            )
        )
    reader.check_chain()
    reader.require_final(subject.snapshot_block)

    valid = _signatures_check(subject=subject, reader=reader, report=report)
    _counted_check(subject=subject, report=report)
    voters = list(dict.fromkeys(v.voter for v in subject.votes))
    chain_powers = reader.balances_at(voters, block=subject.snapshot_block) if voters else {}
    report.voters_read = len(chain_powers)
    report.votes_checked = len(subject.votes)
    report.counted_votes = sum(1 for v in subject.votes if v.counted)
    decimals = settings.HBOT_DECIMALS
    for vote in subject.votes:
        on_chain, stated = chain_powers[vote.voter], vote.voting_power
        if stated != on_chain:
            report.findings.append(
                Finding(
                    "power",
                    vote.voter,
                    f"the site gave {token_amount(stated, decimals)} "
                    f"HBOT; the chain has {token_amount(on_chain, decimals)} HBOT at block "
                    f"{subject.snapshot_block}",
                )
            )

    totals = Totals(method=subject.voting_method)
    for index, vote in enumerate(subject.votes):
        if not (vote.counted and index in valid and chain_powers[vote.voter] > 0):
            continue
        try:
            totals.add(Ballot(power=chain_powers[vote.voter], weights=dict(vote.weights)))
        except InvalidBallot as exc:
            report.findings.append(
                Finding("weights", vote.voter, f"an invalid vote was counted: {exc}")
            )
    poll = _poll_in_memory(subject)
    try:
        report.recount = results_from_computed(
            poll_result_compute(poll=poll, totals=totals), source="recount"
        )
    except InvalidBallot as exc:  # a counted vote names a choice the poll lacks
        report.findings.append(Finding("weights", "poll", str(exc)))
        return report
    if subject.site_result is None:
        report.notes.append("The site states no result for this poll yet; only votes checked.")
    else:
        _results_compare(site=subject.site_result, recount=report.recount, report=report)
    return report


def _signatures_check(
    *, subject: AuditSubject, reader: BalanceReader, report: AuditReport
) -> set[int]:
    """Indexes of the votes whose signed message and signature check out."""
    valid: set[int] = set()
    seen: dict[str, int] = {}
    for index, vote in enumerate(subject.votes):
        problem = _message_problem(vote, subject=subject)
        if problem is None:
            try:
                signable = eip712.signable(vote.typed_data)
            except (ValueError, TypeError, KeyError) as exc:
                problem = f"its typed data cannot be hashed: {exc}"
                report.findings.append(Finding("signature", vote.voter, problem))
                continue
            digest = eip712.digest(signable)
            if digest != vote.digest:
                problem = f"its digest is {vote.digest}, but the signed message hashes to {digest}"
            elif digest in seen:
                problem = f"the same signed message appears twice (votes {seen[digest]}, {index})"
            else:
                seen[digest] = index
                problem = _signature_problem(vote, signable=signable, reader=reader)
        if problem is None:
            valid.add(index)
        else:
            report.findings.append(Finding("signature", vote.voter, problem))
    return valid


def _message_problem(vote: VoteRecord, *, subject: AuditSubject) -> str | None:
    data = vote.typed_data
    if not isinstance(data, dict) or data.get("primaryType") != "Vote":
        return "its typed data is not a signed Vote"
    if data.get("types") != eip712.VOTE_TYPES:
        return "its typed data uses other types than the Vote type the site publishes"
    domain, message = data.get("domain"), data.get("message")
    if not isinstance(domain, dict) or not isinstance(message, dict):
        return "its typed data lacks a domain or a message"
    if (domain.get("name"), domain.get("version")) != subject.domain:
        name, version = subject.domain
        return (
            f"it is signed for {domain.get('name')!r} version {domain.get('version')!r}, "
            f"not this site's {name!r} version {version!r}"
        )
    if str(domain.get("chainId")) != str(subject.chain_id):
        return f"it is signed for chain id {domain.get('chainId')}, not {subject.chain_id}"
    if str(message.get("poll")) != str(subject.poll_id):
        return f"it is signed for poll {message.get('poll')}, not poll {subject.poll_id}"
    if str(message.get("voter", "")).lower() != vote.voter.lower():
        return f"it is signed for voter {message.get('voter')}"
    signed = message.get("choices")
    pairs = (
        [(item.get("choice"), item.get("weight")) for item in signed if isinstance(item, dict)]
        if isinstance(signed, list)
        else None
    )
    if pairs is None or not all(_is_int(c) and _is_int(w) for c, w in pairs):
        return "its signed choices are not [{choice, weight}, ...]"
    if [(int(str(c)), int(str(w))) for c, w in pairs] != list(vote.weights):
        return f"its weights {vote.weights} are not the signed choices {signed}"
    if str(message.get("timestamp")) != str(vote.signed_timestamp):
        return f"its timestamp {vote.signed_timestamp} is not the signed {message.get('timestamp')}"
    return None


def _signature_problem(vote: VoteRecord, *, signable: Any, reader: BalanceReader) -> str | None:
    if not signature_well_formed(vote.signature):
        return "its signature is not 0x-hex"
    if len(vote.signature) == 2 + 2 * EOA_SIGNATURE_BYTES:
        try:
            if Account.recover_message(signable, signature=vote.signature) == vote.voter:
                return None
        except (BadSignature, EthValidationError, ValueError, TypeError):
            pass
    try:
        if check_contract_wallet_signature(
            address=checksum(vote.voter), message=signable, signature=vote.signature, w3=reader.w3
        ):
            return None
    except (requests.RequestException, Web3Exception) as exc:
        raise RpcUnavailable(
            f"{reader.host} could not check {vote.voter}'s contract-wallet signature: {exc}"
        ) from exc
    return "the signature was not made by the voter (neither its key nor, by EIP-1271, its wallet)"


def _counted_check(*, subject: AuditSubject, report: AuditReport) -> None:
    """Each voter counts once, with their newest signed vote, received before the end."""
    by_voter: dict[str, list[VoteRecord]] = {}
    for vote in subject.votes:
        by_voter.setdefault(vote.voter, []).append(vote)
    for voter, votes in by_voter.items():
        counted = [v for v in votes if v.counted]
        if len(counted) != 1:
            report.findings.append(
                Finding(
                    "counted",
                    voter,
                    f"{len(counted)} of the voter's votes are counted; exactly one should be",
                )
            )
            continue
        newest = max(v.signed_timestamp for v in votes)
        if counted[0].signed_timestamp != newest:
            report.findings.append(
                Finding(
                    "counted",
                    voter,
                    f"the counted vote was signed at "
                    f"{counted[0].signed_timestamp}, but the voter signed a newer one at "
                    f"{newest}",
                )
            )
        received = counted[0].received_at
        if subject.ends_at is not None and received is not None and received > subject.ends_at:
            report.findings.append(
                Finding(
                    "counted",
                    voter,
                    f"the counted vote arrived at {received.isoformat()}, "
                    f"after the poll ended at {subject.ends_at.isoformat()}",
                )
            )


def _poll_in_memory(subject: AuditSubject) -> Poll:
    """An unsaved Poll carrying the subject's choices, so the site's own result code
    recounts it without touching a database."""
    poll = Poll(
        pk=subject.poll_id,
        kind=subject.kind,
        voting_method=subject.voting_method,
        rules_snapshot=subject.rules_snapshot,
        snapshot_block=subject.snapshot_block,
        chain_id=subject.chain_id,
    )
    choices = [Choice(position=position, label=label) for position, label in subject.choices]
    cached = Choice.objects.all()
    cached._result_cache = choices
    cached._prefetch_done = True  # type: ignore[attr-defined]
    poll._prefetched_objects_cache = {"choices": cached}  # type: ignore[attr-defined]
    return poll


def _results_compare(*, site: PollResults, recount: PollResults, report: AuditReport) -> None:
    stated = {row.choice.position: row for row in site.rows}
    float_rounded = 0
    for row in recount.rows:
        theirs = stated.pop(row.choice.position, None)
        name = f"choice {row.choice.position} ({row.choice.label})"
        if theirs is None:
            report.findings.append(Finding("result", name, "missing from the site's result"))
            continue
        if theirs.score_hbot != row.score_hbot:
            if _float_rounding(theirs.score_hbot, row.score_hbot or Decimal(0)):
                float_rounded += 1
            else:
                report.findings.append(
                    Finding(
                        "score",
                        name,
                        f"the site states {theirs.score_hbot} HBOT; the "
                        f"recount gives {row.score_hbot} HBOT",
                    )
                )
        for kind, ours, stated_value in (
            ("share", row.share, theirs.share),
            ("rank", row.rank, theirs.rank),
            ("passed", row.passed, theirs.passed),
            ("allocation", row.allocation_hbot or 0, theirs.allocation_hbot or 0),
            ("tier", row.tier, theirs.tier),
        ):
            if ours != stated_value:
                report.findings.append(
                    Finding(kind, name, f"the site states {stated_value}; the recount gives {ours}")
                )
    for position, row in stated.items():
        report.findings.append(
            Finding(
                "result", f"choice {position} ({row.choice.label})", "is not a choice of the poll"
            )
        )
    if site.voter_count is not None and site.voter_count != recount.voter_count:
        report.findings.append(
            Finding(
                "voter_count",
                "poll",
                f"the site states {site.voter_count} voters; the "
                f"recount counts {recount.voter_count}",
            )
        )
    if site.total_power is not None and site.total_power != recount.total_power:
        decimals = settings.HBOT_DECIMALS
        report.findings.append(
            Finding(
                "total_power",
                "poll",
                f"the site states "
                f"{token_amount(site.total_power, decimals)} HBOT; the recount gives "
                f"{token_amount(recount.total_power or 0, decimals)} HBOT",
            )
        )
    if float_rounded:
        report.notes.append(
            f"{float_rounded} stated score(s) match the recount to 14 significant digits only: "
            "the site's database kept them as floating point (SQLite does)."
        )


def _float_rounding(stated: Decimal | None, recount: Decimal) -> bool:
    if stated is None or not stated.is_finite():
        return False
    return abs(stated - recount) <= abs(recount) * FLOAT_STORAGE_RELATIVE
