"""Proposals: a holder signs one (EIP-712); if their balance at the latest final block meets
the type's minimum, it is published for discussion, then voted For / Against / Abstain.

The outcome needs the quorum (For + Against + Abstain) and For above the approval share of
For + Against (docs/DOMAIN.md §4.1). A passed proposal that names a connector creates a pending
addition or removal for staff to confirm at the next release; one that funds a bounty
credits the named exchange's pot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from connectors_registry.models import Connector, Exchange
from governance import eip712
from governance.balance_snapshots import balance_get
from governance.chain.balances import BalanceReader, checksum
from governance.chain.errors import ChainError
from governance.chain.signatures import SignatureCheckUnavailable, SignatureInvalid, signer_verify
from governance.models import (
    Choice,
    Epoch,
    InclusionAction,
    InclusionDecision,
    Poll,
    PollKind,
    PotCredit,
    Proposal,
    ProposalAction,
    ProposalOutcome,
    ProposalRule,
    ProposalType,
    VotingMethod,
)
from governance.selectors import rules_current
from governance.services.errors import ChainUnavailable, ProposalBelowMinimum, ProposalRejected
from governance.services.polls import poll_open

if TYPE_CHECKING:
    from governance.results import PollResult

BASIC_CHOICES = ("For", "Against", "Abstain")
MAX_TITLE = 200
MAX_BODY = 20_000
FIELDS = {f["name"] for f in eip712.PROPOSAL_TYPES["Proposal"]}


def proposal_create(
    *,
    typed_data: object,
    signature: object,
    now: datetime | None = None,
    reader: BalanceReader | None = None,
) -> Proposal:
    """Verify a signed proposal and publish it. Raises ``ProposalRejected`` (or
    ``ChainUnavailable``); nothing is written then."""
    now = now or timezone.now()
    fields = _message_parse(typed_data, now=now)
    rules = rules_current(on=now)
    rule = (
        ProposalRule.objects.filter(rules=rules, proposal_type=fields["proposal_type"]).first()
        if rules
        else None
    )
    if rule is None:
        offered = (
            ", ".join(rules.proposal_rules.values_list("proposal_type", flat=True)) if rules else ""
        )
        raise ProposalRejected(
            f"{fields['proposal_type']} proposals are not part of the rules in force"
            + (f" ({rules.name}); use {offered}." if rules else ".")
        )
    rebuilt = eip712.proposal_typed_data(message=fields["message"])
    signable = eip712.signable(rebuilt)
    digest = eip712.digest(signable)
    if Proposal.objects.filter(digest=digest).exists():
        raise ProposalRejected("This signed proposal was already published.")
    proposer = fields["message"]["proposer"]
    try:
        signer_verify(address=proposer, signable=signable, signature=str(signature))
    except SignatureInvalid:
        raise ProposalRejected(
            f"The signature does not prove that {proposer} signed this proposal."
        ) from None
    except SignatureCheckUnavailable:
        raise ChainUnavailable("Could not check a contract wallet signature just now.") from None
    reader = reader or BalanceReader.from_settings()
    try:
        reader.check_chain()
        block = reader.latest_final_block()
        balance = balance_get(address=proposer, block=block, reader=reader)
    except ChainError as exc:
        raise ChainUnavailable(f"Could not read your HBOT balance just now: {exc}") from exc
    minimum = rule.min_balance_hbot * 10**settings.HBOT_DECIMALS
    if balance < minimum:
        held = Decimal(balance) / 10**settings.HBOT_DECIMALS
        raise ProposalBelowMinimum(
            f"{rule.proposal_type} proposals need at least {rule.min_balance_hbot:,} HBOT at the "
            f"latest final block ({block}); {proposer} holds {held:,.2f}."
        )
    proposal = _proposal_record(
        fields=fields,
        rule=rule,
        typed_data=rebuilt,
        signature=str(signature),
        digest=digest,
        balance=balance,
        block=block,
        now=now,
    )
    if rule.discussion_days == 0 and proposal.poll is not None:
        poll_open(poll=proposal.poll, reader=reader, now=now)
    return proposal


def _message_parse(typed_data: object, *, now: datetime) -> dict[str, Any]:
    if not isinstance(typed_data, dict) or not {"types", "primaryType", "domain", "message"} <= set(
        typed_data
    ):
        raise ProposalRejected(
            "Send an EIP-712 typed-data object with types, primaryType, domain and message."
        )
    if typed_data["primaryType"] != "Proposal" or typed_data["types"] != eip712.PROPOSAL_TYPES:
        raise ProposalRejected(
            "The proposal's types differ from this site's; sign the Proposal type published "
            "at /api/v1/governance/typed-data/."
        )
    problem = eip712.domain_problem(typed_data["domain"])
    if problem is not None:
        raise ProposalRejected(problem[1])
    message = typed_data["message"]
    if not isinstance(message, dict) or set(message) != FIELDS:
        raise ProposalRejected(
            f"The proposal's message must have exactly: {', '.join(sorted(FIELDS))}."
        )
    strings = FIELDS - {"hbotAllocation", "timestamp", "proposer"}
    if any(not isinstance(message[name], str) for name in strings):
        raise ProposalRejected("Text fields of the proposal must be strings.")
    kind = message["proposalType"]
    if kind not in ProposalType.values:
        raise ProposalRejected(f"Unknown proposal type {kind!r}; use one of {ProposalType.values}.")
    title = message["title"].strip()
    if not title or len(title) > MAX_TITLE:
        raise ProposalRejected(f"Give a title of 1 to {MAX_TITLE} characters.")
    if len(message["body"]) > MAX_BODY:
        raise ProposalRejected(f"The description is limited to {MAX_BODY:,} characters.")
    github_url = message["githubUrl"].strip()
    if github_url and not _is_github_url(github_url):
        raise ProposalRejected("The GitHub link must be an https://github.com/... address.")
    action = message["action"]
    if action not in ProposalAction.values:
        raise ProposalRejected(f"Unknown action {action!r}; use one of {ProposalAction.values}.")
    try:
        proposer = checksum(str(message["proposer"]))
    except ValueError:
        raise ProposalRejected("The proposer is not an Ethereum address.") from None
    allocation, timestamp = message["hbotAllocation"], message["timestamp"]
    if not all(_is_uint(v) for v in (allocation, timestamp)):
        raise ProposalRejected("hbotAllocation and timestamp must be whole numbers.")
    age = int(now.timestamp()) - int(timestamp)
    if age > settings.VOTE_MAX_AGE_SECONDS or -age > settings.VOTE_MAX_CLOCK_SKEW_SECONDS:
        raise ProposalRejected(
            "The proposal's timestamp is too old or in the future; check your clock and sign again."
        )
    connector = exchange = None
    if message["connector"]:
        connector = (
            Connector.objects.select_related("exchange").filter(slug=message["connector"]).first()
        )
        if connector is None:
            raise ProposalRejected(
                f"There is no connector {message['connector']!r} in the registry."
            )
    if message["exchange"]:
        exchange = Exchange.objects.filter(slug=message["exchange"]).first()
        if exchange is None:
            raise ProposalRejected(f"There is no exchange {message['exchange']!r} in the registry.")
    if action in (ProposalAction.ADD_CONNECTOR, ProposalAction.REMOVE_CONNECTOR) and not connector:
        raise ProposalRejected("A proposal to add or remove a connector must name the connector.")
    if action == ProposalAction.FUND_BOUNTY:
        exchange = exchange or (connector.exchange if connector else None)
        if not int(allocation) or exchange is None:
            raise ProposalRejected(
                "A bounty proposal needs an HBOT amount and the exchange whose pot it funds."
            )
    return {
        "proposal_type": kind,
        "title": title,
        "body": message["body"],
        "github_url": github_url,
        "action": action,
        "connector": connector,
        "exchange": exchange,
        "hbot_allocation": int(allocation) or None,
        "message": {
            **message,
            "proposer": proposer,
            "hbotAllocation": int(allocation),
            "timestamp": int(timestamp),
        },
    }


def _is_uint(value: object) -> bool:
    return eip712.is_wallet_int(value) and 0 <= int(str(value)) < 2**256


def _is_github_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.netloc == "github.com" and len(parts.path) > 1


def _proposal_record(
    *,
    fields: dict[str, Any],
    rule: ProposalRule,
    typed_data: dict[str, Any],
    signature: str,
    digest: str,
    balance: int,
    block: int,
    now: datetime,
) -> Proposal:
    discussion_ends = now + timedelta(days=rule.discussion_days)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                kind = fields["proposal_type"]
                latest = Proposal.objects.filter(proposal_type=kind).aggregate(n=Max("number"))
                published = settings.PROPOSAL_LAST_PUBLISHED_NUMBERS.get(kind, 0)
                number = max(latest["n"] or 0, published) + 1
                proposal = Proposal.objects.create(
                    proposal_type=fields["proposal_type"],
                    number=number,
                    title=fields["title"],
                    body=fields["body"],
                    github_url=fields["github_url"],
                    action=fields["action"],
                    connector=fields["connector"],
                    exchange=fields["exchange"],
                    hbot_allocation=fields["hbot_allocation"],
                    proposer=fields["message"]["proposer"],
                    proposer_balance=balance,
                    balance_block=block,
                    typed_data=typed_data,
                    signature=signature,
                    digest=digest,
                    rules=rule.rules,
                    rules_snapshot=rule.as_snapshot(),
                    discussion_ends_at=discussion_ends,
                )
                proposal.poll = proposal_poll_create(proposal=proposal, starts_at=discussion_ends)
                proposal.save(update_fields=["poll"])
                return proposal
        except IntegrityError:
            if Proposal.objects.filter(digest=digest).exists():
                raise ProposalRejected("This signed proposal was already published.") from None
            continue  # another proposal took the number; take the next one
    raise ProposalRejected("Too many proposals at once; try again in a moment.")


def proposal_poll_create(*, proposal: Proposal, starts_at: datetime | None) -> Poll:
    """The For / Against / Abstain vote of a proposal, opening when discussion ends."""
    day = (starts_at or timezone.now()).date()
    poll = Poll.objects.create(
        epoch=Epoch.objects.filter(starts_on__lte=day, ends_on__gte=day).first(),
        kind=PollKind.PROPOSAL,
        title=f"{proposal.reference}: {proposal.title}"[:200],
        reference=proposal.reference,
        rules=proposal.rules,
        voting_method=VotingMethod.BASIC,
        starts_at=starts_at,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, position=i, label=label) for i, label in enumerate(BASIC_CHOICES, 1)
    )
    return poll


def proposal_outcome_record(*, poll: Poll, result: PollResult) -> Proposal:
    """Record a finalized proposal vote's outcome and what a passed proposal decides."""
    proposal = Proposal.objects.select_for_update().get(poll=poll)
    scores = {item.choice.label: item.score for item in result.choices}
    decimals = 10**settings.HBOT_DECIMALS
    rules = proposal.rules_snapshot
    quorum = int(str(rules.get("quorum_hbot") or 0)) * decimals
    approval = Fraction(str(rules.get("approval_percent") or "50"))
    votes_for, against = scores.get("For", Fraction(0)), scores.get("Against", Fraction(0))
    turnout = sum(scores.values(), Fraction(0))
    if turnout < quorum or turnout == 0:
        outcome = ProposalOutcome.NO_QUORUM
    elif votes_for + against > 0 and votes_for * 100 > approval * (votes_for + against):
        outcome = ProposalOutcome.PASSED
    else:
        outcome = ProposalOutcome.REJECTED
    proposal.outcome = outcome
    proposal.save(update_fields=["outcome", "updated_at"])
    if outcome != ProposalOutcome.PASSED:
        return proposal
    reason = f"{proposal.reference} passed: {proposal.title}"
    if proposal.action in (ProposalAction.ADD_CONNECTOR, ProposalAction.REMOVE_CONNECTOR):
        assert proposal.connector is not None  # noqa: S101 - a DB constraint guarantees it
        InclusionDecision.objects.get_or_create(
            connector=proposal.connector,
            proposal=proposal,
            action=(
                InclusionAction.ADD
                if proposal.action == ProposalAction.ADD_CONNECTOR
                else InclusionAction.REMOVE
            ),
            defaults={"reason": reason},
        )
    elif proposal.action == ProposalAction.FUND_BOUNTY and proposal.hbot_allocation:
        PotCredit.objects.get_or_create(
            proposal=proposal,
            defaults={
                "exchange": proposal.exchange,
                "connector": proposal.connector,
                "label": proposal.exchange.name if proposal.exchange else proposal.title,
                "amount_hbot": proposal.hbot_allocation,
            },
        )
    return proposal
