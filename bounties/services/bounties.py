"""The bounty lifecycle: Potential → Open → Assigned → Submitted ⇄ Needs Work → Merged → Paid,
and Closed / Won't Fix from any state before Merged.

Each transition checks the actor's role, then moves the status with a conditional UPDATE
(``filter(pk=…, status=old).update(status=new)``) under the bounty's row lock, writes the
pot entries it implies in the same transaction and appends one event with the actor and
time. A count other than one means someone else moved the bounty first: the transaction is
rolled back and the caller is told the status it is in now.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from bounties.errors import (
    AlreadyApplied,
    BountyError,
    NoMaintainerProfile,
    NotAllowed,
    OneActiveBounty,
    PayoutNotDue,
    TransitionConflict,
)
from bounties.fees import fee_split
from bounties.fields import display_amount, to_amount
from bounties.models import (
    ACTIVE,
    CLOSABLE,
    ApplicationStatus,
    Bounty,
    BountyApplication,
    BountyEvent,
    BountyEventKind,
    BountyStatus,
    BountyType,
    Denomination,
    FundingSource,
    Payout,
    Pot,
    PotEntry,
    PotEntryKind,
    Priority,
)
from bounties.payout_wait import payout_wait
from bounties.selectors import pot_available, pots_for_bounty
from bounties.services.common import Actor, require_staff, user_or_none
from bounties.services.pots import pot_credit_sync, pot_entry_append
from bounties.tasks import payout_verify_task
from connectors_registry.models import Chain, Connector, Exchange, Maintainer
from governance.models import PotCredit, Proposal, ProposalAction, ProposalOutcome

GITHUB_PR_RE = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/pull/\d+/?$")
TX_HASH_INPUT_RE = re.compile(r"^0x[0-9a-fA-F]{64}$")
ADDRESS_INPUT_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
MAX_NOTE = 4000
MAX_TITLE = 200
_url = URLValidator(schemes=["http", "https"])


# --- validation helpers -----------------------------------------------------------------


def _clean_url(value: str, *, what: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 300:
        raise BountyError(f"The {what} is longer than 300 characters.")
    try:
        _url(value)
    except ValidationError:
        raise BountyError(f"The {what} {value!r} is not a web address (https://…).") from None
    return value


def _clean_note(value: str, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise BountyError(required)
    if len(value) > MAX_NOTE:
        raise BountyError(f"A note has at most {MAX_NOTE} characters; this one has {len(value)}.")
    return value


def _clean_amount(value: Decimal | str | int | None, *, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BountyError("Enter the bounty amount.")
        return None
    try:
        amount = to_amount(value)
    except ValueError as exc:
        raise BountyError(f"The amount is not valid: {exc}.") from None
    if amount < 0:
        raise BountyError("The amount cannot be negative.")
    return amount


def _event(
    bounty: Bounty,
    kind: str,
    *,
    actor: Actor,
    from_status: str = "",
    to_status: str = "",
    maintainer: Maintainer | None = None,
    note: str = "",
) -> BountyEvent:
    return BountyEvent.objects.create(
        bounty=bounty,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=user_or_none(actor),
        maintainer=maintainer,
        note=note,
    )


def _locked(bounty: Bounty) -> Bounty:
    return Bounty.objects.select_for_update().get(pk=bounty.pk)


def _conflict(
    bounty: Bounty, doing: str, allowed: tuple[str, ...] | list[str]
) -> TransitionConflict:
    current = Bounty.objects.filter(pk=bounty.pk).values_list("status", flat=True).first()
    label = BountyStatus(current).label if current else "gone"
    starts = " or ".join(str(BountyStatus(s).label) for s in allowed)
    return TransitionConflict(
        f"Bounty #{bounty.pk} is {label}; it can only be {doing} when it is {starts}."
    )


def _move(bounty: Bounty, *, allowed: tuple[str, ...], to: str, doing: str, **changes: Any) -> str:
    """Conditionally move ``bounty`` from one of ``allowed`` to ``to``; the old status."""
    current = bounty.status
    if current not in allowed:
        raise _conflict(bounty, doing, allowed)
    now = timezone.now()
    updated = Bounty.objects.filter(pk=bounty.pk, status=current).update(
        status=to, updated_at=now, **changes
    )
    if updated != 1:
        raise _conflict(bounty, doing, allowed)
    bounty.status = to
    for name, value in changes.items():
        setattr(bounty, name, value)
    return current


def maintainer_for(user: Actor) -> Maintainer:
    """The signed-in user's maintainer profile, or why they cannot act as a maintainer."""
    if user is None or not user.is_authenticated:
        raise NotAllowed("Sign in with your wallet first.")
    maintainer = Maintainer.objects.filter(user_id=user.pk).first()
    if maintainer is None:
        raise NoMaintainerProfile(
            "Create your maintainer profile (display name and GitHub handle) first."
        )
    return maintainer


# --- create -----------------------------------------------------------------------------


@transaction.atomic
def bounty_create(
    *,
    actor: Actor,
    title: str,
    bounty_type: str,
    priority: str = "",
    description: str = "",
    connector: Connector | None = None,
    exchange: Exchange | None = None,
    chain: Chain | None = None,
    subject_label: str = "",
    amount: Decimal | str | None = None,
    denomination: str = Denomination.HBOT,
    funding_source: str = FundingSource.POT,
    proposal: Proposal | None = None,
    sponsor_name: str = "",
    issue_url: str = "",
    acceptance_criteria: str = "",
    deadline: date | None = None,
    tracker_id: str = "",
) -> Bounty:
    """A new bounty in Potential: described, priced, not funded yet."""
    require_staff(actor, doing="create bounties")
    title = title.strip()
    if not title:
        raise BountyError("Give the bounty a title.")
    if len(title) > MAX_TITLE:
        raise BountyError(f"A title has at most {MAX_TITLE} characters.")
    if bounty_type not in BountyType.values:
        raise BountyError(f"{bounty_type!r} is not a bounty type.")
    if priority and priority not in Priority.values:
        raise BountyError(f"{priority!r} is not a priority; use P1, P2 or P3.")
    if denomination not in Denomination.values:
        raise BountyError(f"{denomination!r} is not a denomination; use HBOT, USDC or USDT.")
    if funding_source not in FundingSource.values:
        raise BountyError(f"{funding_source!r} is not a funding source.")
    if connector is not None:
        if exchange is not None and exchange.pk != connector.exchange_id:
            raise BountyError(f"{connector.address} is not a connector of {exchange.name}.")
        exchange = connector.exchange
    sponsor_name = sponsor_name.strip()
    if funding_source == FundingSource.SPONSOR and not sponsor_name:
        raise BountyError("Name the sponsor that funds this bounty.")
    if funding_source != FundingSource.SPONSOR:
        sponsor_name = ""
    if funding_source == FundingSource.PROPOSAL:
        _check_proposal(proposal, denomination=denomination)
    else:
        proposal = None
    if deadline is not None and deadline < timezone.localdate():
        raise BountyError("The deadline is in the past.")
    bounty = Bounty(
        title=title,
        bounty_type=bounty_type,
        priority=priority,
        description=description.strip(),
        connector=connector,
        exchange=exchange,
        chain=chain,
        subject_label=subject_label.strip()[:120],
        amount=_clean_amount(amount, required=False),
        denomination=denomination,
        funding_source=funding_source,
        proposal=proposal,
        sponsor_name=sponsor_name,
        issue_url=_clean_url(issue_url, what="issue link"),
        acceptance_criteria=acceptance_criteria.strip(),
        deadline=deadline,
        tracker_id=(tracker_id.strip() or _issue_number(issue_url))[:60],
        created_by=user_or_none(actor),
    )
    bounty.full_clean()
    bounty.save()
    _event(bounty, BountyEventKind.CREATED, actor=actor, to_status=BountyStatus.POTENTIAL)
    return bounty


EDITABLE = (
    "title",
    "description",
    "bounty_type",
    "priority",
    "subject_label",
    "tracker_id",
    "issue_url",
    "acceptance_criteria",
    "deadline",
)


@transaction.atomic
def bounty_details_update(*, bounty: Bounty, actor: Actor, changed: list[str]) -> Bounty:
    """Save staff's corrections to a bounty's description fields (never its status, money or
    assignee) and log which fields changed."""
    require_staff(actor, doing="edit bounties")
    fields = [f for f in changed if f in EDITABLE]
    refused = sorted(set(changed) - set(EDITABLE))
    if refused:
        raise BountyError(f"{', '.join(refused)} change only through the bounty's moves.")
    if not fields:
        return bounty
    bounty.full_clean(validate_constraints=False)
    bounty.save(update_fields=[*fields, "updated_at"])
    _event(bounty, BountyEventKind.EDITED, actor=actor, note=f"Changed: {', '.join(fields)}.")
    return bounty


def _issue_number(issue_url: str) -> str:
    """The tracker's Bounty ID is the GitHub issue number."""
    match = re.match(r"^https://github\.com/[^/]+/[^/]+/issues/(\d+)/?$", (issue_url or "").strip())
    return match[1] if match else ""


def _check_proposal(proposal: Proposal | None, *, denomination: str) -> Proposal:
    if proposal is None:
        raise BountyError("Name the proposal that funds this bounty.")
    if proposal.action != ProposalAction.FUND_BOUNTY:
        raise BountyError(f"{proposal.reference} does not fund a bounty.")
    if proposal.outcome != ProposalOutcome.PASSED:
        raise BountyError(f"{proposal.reference} has not passed.")
    if denomination != Denomination.HBOT:
        raise BountyError(f"{proposal.reference} funds HBOT; the bounty must be in HBOT.")
    return proposal


# --- Potential → Open -------------------------------------------------------------------


@transaction.atomic
def bounty_fund(*, bounty: Bounty, actor: Actor, pot: Pot | None = None) -> Bounty:
    """Fund a Potential bounty and open it: reserve its amount in a pot.

    A sponsor's money is first recorded as sponsor funding of the pot; a proposal's was
    credited to a pot when the proposal passed, and is reserved there.
    """
    require_staff(actor, doing="fund bounties")
    bounty = _locked(bounty)
    if bounty.status != BountyStatus.POTENTIAL:
        raise _conflict(bounty, "funded", (BountyStatus.POTENTIAL,))
    if not bounty.amount or bounty.amount <= 0:
        raise BountyError("Set the bounty's amount before funding it.")
    amount = bounty.amount
    if bounty.funding_source == FundingSource.PROPOSAL:
        proposal = _check_proposal(bounty.proposal, denomination=bounty.denomination)
        pot = _proposal_pot(proposal, chosen=pot)
        _check_proposal_budget(proposal, amount=amount, bounty=bounty)
    elif pot is None:
        candidates = pots_for_bounty(bounty=bounty)
        if not candidates:
            raise BountyError(
                f"There is no pot for {bounty.subject_display or 'this bounty'} yet; "
                "record sponsor funding or choose a pot."
            )
        # The most specific pot that can pay it: the connector's, the exchange's, a chain's.
        pot = next(
            (
                p
                for p in candidates
                if pot_available(pot=p, denomination=bounty.denomination) >= amount
            ),
            candidates[0],
        )
    elif pot.pk not in {p.pk for p in pots_for_bounty(bounty=bounty)}:
        raise BountyError(
            f"The {pot.name} pot does not fund {bounty.subject_display}: use its connector's, "
            "its exchange's or its chain's pot."
        )
    if bounty.funding_source == FundingSource.SPONSOR:
        pot_entry_append(
            pot=pot,
            kind=PotEntryKind.SPONSOR,
            denomination=bounty.denomination,
            amount=amount,
            bounty=bounty,
            sponsor_name=bounty.sponsor_name,
            note=f"For bounty #{bounty.pk}",
            actor=user_or_none(actor),
        )
    pot_entry_append(
        pot=pot,
        kind=PotEntryKind.RESERVATION,
        denomination=bounty.denomination,
        amount=amount,
        bounty=bounty,
        note=f"Bounty #{bounty.pk}: {bounty.title}"[:300],
        actor=user_or_none(actor),
    )
    old = _move(
        bounty, allowed=(BountyStatus.POTENTIAL,), to=BountyStatus.OPEN, doing="funded", pot=pot
    )
    _event(
        bounty,
        BountyEventKind.FUNDED,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        note=f"{display_amount(amount)} {bounty.denomination} reserved in the {pot.name} pot.",
    )
    return bounty


def _proposal_pot(proposal: Proposal, *, chosen: Pot | None) -> Pot:
    credit = PotCredit.objects.filter(proposal=proposal).first()
    if credit is None:
        raise BountyError(f"{proposal.reference} has credited no pot yet.")
    entry = PotEntry.objects.filter(pot_credit=credit).select_related("pot").first()
    entry = entry or pot_credit_sync(credit=credit)
    if entry is None:
        raise BountyError(f"{proposal.reference}'s credit names no pot.")
    if chosen is not None and chosen.pk != entry.pot_id:
        raise BountyError(f"{proposal.reference} credited the {entry.pot.name} pot; use that one.")
    return entry.pot


def _check_proposal_budget(proposal: Proposal, *, amount: Decimal, bounty: Bounty) -> None:
    """The bounties a proposal funds may not add up to more than it allocated."""
    allocated = Decimal(proposal.hbot_allocation or 0)
    used = (
        Bounty.objects.filter(proposal=proposal, pot__isnull=False)
        .exclude(pk=bounty.pk)
        .exclude(status__in=[BountyStatus.CLOSED, BountyStatus.WONT_FIX])
        .aggregate(total=Sum("amount"))["total"]
    ) or Decimal(0)
    if used + amount > allocated:
        raise BountyError(
            f"{proposal.reference} allocated {display_amount(allocated)} HBOT and "
            f"{display_amount(used)} already fund other bounties; {display_amount(amount)} more "
            "would exceed it."
        )


# --- applications and assignment --------------------------------------------------------


@transaction.atomic
def bounty_apply(*, bounty: Bounty, actor: Actor, note: str) -> BountyApplication:
    """A maintainer asks to work an Open bounty; staff assign (developers cannot self-assign)."""
    maintainer = maintainer_for(actor)
    note = _clean_note(note, required="Say why you are a good fit: experience, plan, timeline.")
    bounty = _locked(bounty)
    if bounty.status != BountyStatus.OPEN:
        raise _conflict(bounty, "applied for", (BountyStatus.OPEN,))
    try:
        with transaction.atomic():
            application = BountyApplication.objects.create(
                bounty=bounty, maintainer=maintainer, note=note
            )
    except IntegrityError:
        raise AlreadyApplied("You have already applied for this bounty.") from None
    _event(bounty, BountyEventKind.APPLIED, actor=actor, maintainer=maintainer, note=note)
    return application


def _check_one_active(maintainer: Maintainer, *, bounty: Bounty) -> None:
    """One active bounty per developer; a new one only while their PR is in review."""
    active = (
        Bounty.objects.filter(assignee=maintainer, status__in=ACTIVE)
        .exclude(pk=bounty.pk)
        .order_by("pk")
        .first()
    )
    if active is not None:
        raise OneActiveBounty(
            f"{maintainer.display_name} already works on bounty #{active.pk} "
            f"({active.get_status_display()}). A developer has one active bounty at a time; a "
            "new one can be assigned while their pull request is in review."
        )


@transaction.atomic
def bounty_assign(
    *, bounty: Bounty, maintainer: Maintainer, actor: Actor, note: str = ""
) -> Bounty:
    """Staff assign an Open bounty to a maintainer (an applicant, or anyone directly)."""
    require_staff(actor, doing="assign bounties")
    note = _clean_note(note)
    # The maintainer's row lock serializes assignments to one developer (the one-active rule).
    maintainer = Maintainer.objects.select_for_update().get(pk=maintainer.pk)
    bounty = _locked(bounty)
    if bounty.status != BountyStatus.OPEN:
        assignee = f" to {bounty.assignee.display_name}" if bounty.assignee else ""
        raise TransitionConflict(
            f"Bounty #{bounty.pk} is {bounty.get_status_display()}{assignee}; only an Open "
            "bounty can be assigned (use reassign for an assigned one)."
        )
    _check_one_active(maintainer, bounty=bounty)
    now = timezone.now()
    old = _move(
        bounty,
        allowed=(BountyStatus.OPEN,),
        to=BountyStatus.ASSIGNED,
        doing="assigned",
        assignee=maintainer,
        assigned_at=now,
        last_activity_at=now,
        idle_flagged_at=None,
    )
    _decide_applications(bounty, chosen=maintainer, now=now)
    _event(
        bounty,
        BountyEventKind.ASSIGNED,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        maintainer=maintainer,
        note=note,
    )
    return bounty


def _decide_applications(bounty: Bounty, *, chosen: Maintainer, now: datetime) -> None:
    pending = BountyApplication.objects.filter(bounty=bounty, status=ApplicationStatus.PENDING)
    pending.filter(maintainer=chosen).update(status=ApplicationStatus.ACCEPTED, decided_at=now)
    pending.exclude(maintainer=chosen).update(status=ApplicationStatus.DECLINED, decided_at=now)


@transaction.atomic
def bounty_reassign(
    *,
    bounty: Bounty,
    from_maintainer: Maintainer | None,
    to_maintainer: Maintainer,
    actor: Actor,
    note: str,
) -> Bounty:
    """Staff move an assigned bounty to another developer (e.g. after it was flagged idle).

    ``from_maintainer`` is the assignee the staff member saw: if it changed meanwhile, nothing
    happens.
    """
    require_staff(actor, doing="reassign bounties")
    note = _clean_note(note, required="Say why the bounty is reassigned.")
    to_maintainer = Maintainer.objects.select_for_update().get(pk=to_maintainer.pk)
    bounty = _locked(bounty)
    if bounty.status not in ACTIVE:
        raise _conflict(bounty, "reassigned", ACTIVE)
    if bounty.assignee_id != (from_maintainer.pk if from_maintainer else None):
        raise TransitionConflict(
            f"Bounty #{bounty.pk} is now assigned to "
            f"{bounty.assignee.display_name if bounty.assignee else 'nobody'}; reload and retry."
        )
    if bounty.assignee_id == to_maintainer.pk:
        raise BountyError(f"Bounty #{bounty.pk} is already assigned to {to_maintainer}.")
    _check_one_active(to_maintainer, bounty=bounty)
    now = timezone.now()
    updated = Bounty.objects.filter(
        pk=bounty.pk, status=bounty.status, assignee_id=bounty.assignee_id
    ).update(
        status=BountyStatus.ASSIGNED,
        assignee=to_maintainer,
        assigned_at=now,
        last_activity_at=now,
        idle_flagged_at=None,
        updated_at=now,
    )
    if updated != 1:
        raise _conflict(bounty, "reassigned", ACTIVE)
    old = bounty.status
    bounty.status, bounty.assignee = BountyStatus.ASSIGNED, to_maintainer
    _decide_applications(bounty, chosen=to_maintainer, now=now)
    _event(
        bounty,
        BountyEventKind.REASSIGNED,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        maintainer=to_maintainer,
        note=f"From {from_maintainer.display_name if from_maintainer else 'nobody'}. {note}",
    )
    return bounty


@transaction.atomic
def bounty_unassign(
    *, bounty: Bounty, from_maintainer: Maintainer | None, actor: Actor, note: str
) -> Bounty:
    """Staff take an assigned bounty back to Open, for others to apply."""
    require_staff(actor, doing="unassign bounties")
    note = _clean_note(note, required="Say why the bounty is unassigned.")
    bounty = _locked(bounty)
    if bounty.assignee_id != (from_maintainer.pk if from_maintainer else None):
        raise TransitionConflict(f"Bounty #{bounty.pk}'s assignee changed; reload and retry.")
    previous = bounty.assignee
    old = _move(
        bounty,
        allowed=ACTIVE,
        to=BountyStatus.OPEN,
        doing="unassigned",
        assignee=None,
        assigned_at=None,
        last_activity_at=None,
        idle_flagged_at=None,
    )
    _event(
        bounty,
        BountyEventKind.UNASSIGNED,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        maintainer=previous,
        note=note,
    )
    return bounty


# --- the assignee's moves ---------------------------------------------------------------


def _require_assignee(bounty: Bounty, actor: Actor, *, doing: str) -> Maintainer:
    maintainer = maintainer_for(actor)
    if bounty.assignee_id != maintainer.pk:
        raise NotAllowed(f"Only the bounty's assigned maintainer can {doing}.")
    return maintainer


@transaction.atomic
def bounty_submit(*, bounty: Bounty, actor: Actor, pr_url: str, note: str = "") -> Bounty:
    """The assignee submits the pull request: Assigned or Needs Work → Submitted."""
    bounty = _locked(bounty)
    if bounty.status not in ACTIVE:
        raise _conflict(bounty, "submitted", ACTIVE)
    maintainer = _require_assignee(bounty, actor, doing="submit its pull request")
    pr_url = (pr_url or "").strip()
    if not GITHUB_PR_RE.match(pr_url):
        raise BountyError(
            "Give the pull request's GitHub link, like https://github.com/hummingbot/hummingbot/pull/1234."
        )
    note = _clean_note(note)
    old = _move(
        bounty,
        allowed=ACTIVE,
        to=BountyStatus.SUBMITTED,
        doing="submitted",
        pr_url=pr_url,
        last_activity_at=timezone.now(),
        idle_flagged_at=None,
    )
    _event(
        bounty,
        BountyEventKind.SUBMITTED,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        maintainer=maintainer,
        note=f"{pr_url}\n{note}".strip(),
    )
    return bounty


@transaction.atomic
def bounty_progress_note(*, bounty: Bounty, actor: Actor, note: str) -> BountyEvent:
    """The assignee reports progress; this counts as activity for the idle flag."""
    bounty = _locked(bounty)
    maintainer = _require_assignee(bounty, actor, doing="post progress")
    note = _clean_note(note, required="Write what you have done and what is next.")
    if bounty.status not in ACTIVE:
        raise _conflict(bounty, "updated with progress", ACTIVE)
    Bounty.objects.filter(pk=bounty.pk).update(
        last_activity_at=timezone.now(), idle_flagged_at=None, updated_at=timezone.now()
    )
    return _event(bounty, BountyEventKind.PROGRESS, actor=actor, maintainer=maintainer, note=note)


# --- review, merge, close ---------------------------------------------------------------


@transaction.atomic
def bounty_request_changes(*, bounty: Bounty, actor: Actor, note: str) -> Bounty:
    """Staff send a submission back: Submitted → Needs Work (the developer's clock restarts)."""
    require_staff(actor, doing="review submissions")
    note = _clean_note(note, required="Say what needs to change.")
    bounty = _locked(bounty)
    old = _move(
        bounty,
        allowed=(BountyStatus.SUBMITTED,),
        to=BountyStatus.NEEDS_WORK,
        doing="sent back for changes",
        last_activity_at=timezone.now(),
        idle_flagged_at=None,
    )
    _event(
        bounty,
        BountyEventKind.NEEDS_WORK,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        maintainer=bounty.assignee,
        note=note,
    )
    return bounty


@transaction.atomic
def bounty_merge(*, bounty: Bounty, actor: Actor, note: str = "") -> Bounty:
    require_staff(actor, doing="mark bounties merged")
    bounty = _locked(bounty)
    old = _move(
        bounty,
        allowed=(BountyStatus.SUBMITTED,),
        to=BountyStatus.MERGED,
        doing="merged",
        idle_flagged_at=None,
    )
    _event(
        bounty,
        BountyEventKind.MERGED,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        maintainer=bounty.assignee,
        note=_clean_note(note),
    )
    return bounty


@transaction.atomic
def bounty_close(*, bounty: Bounty, actor: Actor, note: str, wont_fix: bool = False) -> Bounty:
    """Staff close a bounty (or mark it won't-fix) from any state before Merged; its
    reservation goes back to the pot."""
    require_staff(actor, doing="close bounties")
    note = _clean_note(note, required="Say why the bounty is closed.")
    bounty = _locked(bounty)
    to = BountyStatus.WONT_FIX if wont_fix else BountyStatus.CLOSED
    old = _move(
        bounty,
        allowed=CLOSABLE,
        to=to,
        doing="closed",
        closed_at=timezone.now(),
        idle_flagged_at=None,
    )
    _release(bounty, actor=actor, why="closed as won't fix" if wont_fix else "closed")
    BountyApplication.objects.filter(bounty=bounty, status=ApplicationStatus.PENDING).update(
        status=ApplicationStatus.DECLINED, decided_at=timezone.now()
    )
    _event(
        bounty,
        BountyEventKind.WONT_FIX if wont_fix else BountyEventKind.CLOSED,
        actor=actor,
        from_status=old,
        to_status=to,
        maintainer=bounty.assignee,
        note=note,
    )
    return bounty


def _release(bounty: Bounty, *, actor: Actor, why: str) -> None:
    if bounty.pot is None:
        return
    reservation = PotEntry.objects.filter(bounty=bounty, kind=PotEntryKind.RESERVATION).first()
    if reservation is None:
        return
    pot_entry_append(
        pot=bounty.pot,
        kind=PotEntryKind.RELEASE,
        denomination=reservation.denomination,
        amount=reservation.amount,
        bounty=bounty,
        note=f"Bounty #{bounty.pk} {why}",
        actor=user_or_none(actor),
    )


# --- Merged → Paid ----------------------------------------------------------------------


@transaction.atomic
def bounty_pay(
    *,
    bounty: Bounty,
    actor: Actor,
    tx_hash: str,
    amount_paid: Decimal | str | None = None,
    recipient_address: str = "",
    maintainer: Maintainer | None = None,
    paid_at: datetime | None = None,
) -> Payout:
    """Record the payout of a Merged bounty: Merged → Paid.

    The handling fee gives the developer portion, which is what is normally paid; staff
    record the transaction hash and the amount actually sent. The whole bounty amount leaves
    the pot (developer portion plus fee).
    """
    require_staff(actor, doing="record payouts")
    bounty = _locked(bounty)
    if bounty.status != BountyStatus.MERGED:
        raise _conflict(bounty, "paid", (BountyStatus.MERGED,))
    wait = payout_wait(bounty=bounty)
    if not wait.payable:
        raise PayoutNotDue(wait.reason)
    recipient = bounty.assignee or maintainer
    if recipient is None:
        raise BountyError("This bounty has no assignee; name the maintainer who is paid.")
    if (
        bounty.assignee is not None
        and maintainer is not None
        and maintainer.pk != bounty.assignee_id
    ):
        raise BountyError(f"Bounty #{bounty.pk} is assigned to {bounty.assignee}; pay them.")
    if not bounty.amount or bounty.amount <= 0:
        raise BountyError("The bounty has no amount to pay.")
    split = fee_split(amount=bounty.amount, denomination=bounty.denomination)
    paid = _clean_amount(amount_paid, required=False)
    paid = split.developer_portion if paid is None else paid
    if paid <= 0:
        raise BountyError("The amount paid must be more than zero.")
    if paid > bounty.amount:
        raise BountyError(
            f"{display_amount(paid)} {bounty.denomination} is more than the bounty's "
            f"{display_amount(bounty.amount)}."
        )
    tx_hash = (tx_hash or "").strip()
    if not TX_HASH_INPUT_RE.match(tx_hash):
        raise BountyError("The transaction hash is 0x followed by 64 hex digits.")
    tx_hash = tx_hash.lower()
    if Payout.objects.filter(tx_hash=tx_hash).exists():
        raise BountyError(f"Transaction {tx_hash} is already recorded for another payout.")
    address = (recipient_address or recipient.wallet_address or "").strip()
    if not ADDRESS_INPUT_RE.match(address):
        raise BountyError(
            f"{recipient.display_name} has no wallet address on their profile; give the address "
            "the payout was sent to."
        )
    payout = Payout(
        bounty=bounty,
        maintainer=recipient,
        denomination=bounty.denomination,
        bounty_amount=split.bounty_amount,
        fee_percent=split.fee_percent,
        fee_amount=split.fee,
        developer_amount=split.developer_portion,
        amount_paid=paid,
        tx_hash=tx_hash,
        recipient_address=address.lower(),
        paid_at=paid_at or timezone.now(),
        recorded_by=user_or_none(actor),
    )
    payout.full_clean(exclude=["bounty"])
    payout.save()
    if bounty.pot is not None:
        reservation = PotEntry.objects.filter(bounty=bounty, kind=PotEntryKind.RESERVATION).first()
        if reservation is not None:
            pot_entry_append(
                pot=bounty.pot,
                kind=PotEntryKind.PAYOUT,
                denomination=reservation.denomination,
                amount=reservation.amount,
                bounty=bounty,
                note=f"Bounty #{bounty.pk} paid to {recipient.display_name} ({tx_hash[:12]}…)",
                actor=user_or_none(actor),
            )
    old = _move(
        bounty,
        allowed=(BountyStatus.MERGED,),
        to=BountyStatus.PAID,
        doing="paid",
        assignee=recipient,
    )
    _event(
        bounty,
        BountyEventKind.PAID,
        actor=actor,
        from_status=old,
        to_status=bounty.status,
        maintainer=recipient,
        note=f"{display_amount(paid)} {bounty.denomination} (developer portion "
        f"{display_amount(split.developer_portion)} after a {split.fee_percent}% fee of "
        f"{display_amount(split.fee)}) in {tx_hash}",
    )
    if bounty.denomination == Denomination.HBOT:
        payout_verify_task.delay_on_commit(payout.pk)  # type: ignore[attr-defined]
    return payout


# --- inactivity -------------------------------------------------------------------------


@transaction.atomic
def bounty_payout_allow_early(*, bounty: Bounty, actor: Actor, reason: str) -> BountyEvent:
    """Staff allow a merged bounty's payout before its green days, saying why (kept in the
    bounty's history)."""
    require_staff(actor, doing="allow a payout before its green days")
    bounty = _locked(bounty)
    if bounty.status != BountyStatus.MERGED:
        raise _conflict(bounty, "allowed to pay early", (BountyStatus.MERGED,))
    note = _clean_note(reason, required="Say why the payout may not wait for the green days.")
    return _event(bounty, BountyEventKind.GREEN_OVERRIDE, actor=actor, note=note)


def bounty_draft_from_failure(
    *,
    origin_key: str,
    origin_url: str,
    connector: Connector,
    title: str,
    description: str,
    bounty_type: str = BountyType.BUG,
) -> Bounty | None:
    """A draft (Potential) bounty prepared for a failure, one per ``origin_key``.

    Its amount is the type's default (``BOUNTY_DRAFT_AMOUNTS_HBOT``), cut to what the
    connector's pots have available; nothing is reserved until staff fund it. Returns None
    when that origin already has its bounty.
    """
    if Bounty.objects.filter(origin_key=origin_key).exists():
        return None
    bounty = Bounty(
        title=title[:MAX_TITLE],
        bounty_type=bounty_type,
        priority=Priority.P1,
        description=description,
        connector=connector,
        exchange=connector.exchange,
        denomination=Denomination.HBOT,
        funding_source=FundingSource.POT,
        origin_key=origin_key,
        origin_url=origin_url,
    )
    bounty.amount = _draft_amount(bounty)
    try:
        with transaction.atomic():
            bounty.save()
            _event(
                bounty,
                BountyEventKind.DRAFTED,
                actor=None,
                to_status=BountyStatus.POTENTIAL,
                note=f"Prepared from {origin_url}; staff fund it to open it.",
            )
    except IntegrityError:
        return None  # another worker drafted it first
    return bounty


def _draft_amount(bounty: Bounty) -> Decimal | None:
    default = settings.BOUNTY_DRAFT_AMOUNTS_HBOT.get(bounty.bounty_type)
    if default is None:
        return None
    available = max(
        (
            pot_available(pot=pot, denomination=Denomination.HBOT)
            for pot in pots_for_bounty(bounty=bounty)
        ),
        default=Decimal(0),
    )
    # within what a pot can pay; with nothing available, the default (staff top up a pot)
    return min(Decimal(default), available) if available > 0 else Decimal(default)


def bounties_flag_idle(*, now: datetime | None = None) -> list[int]:
    """Flag assignees with no sign of work for ``BOUNTY_IDLE_DAYS``; staff may reassign.

    Each flag is a conditional update on the activity time it saw, so a progress note or a
    submission that lands meanwhile wins, and a bounty is flagged once per idle spell.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BOUNTY_IDLE_DAYS)
    flagged: list[int] = []
    due = Bounty.objects.filter(
        status__in=ACTIVE, idle_flagged_at__isnull=True, last_activity_at__lt=cutoff
    ).values_list("pk", "last_activity_at", "status", "assignee_id")
    for pk, last_activity, status, assignee_id in due:
        assert last_activity is not None  # noqa: S101 - filtered on it above
        with transaction.atomic():
            updated = Bounty.objects.filter(
                pk=pk, status=status, idle_flagged_at__isnull=True, last_activity_at=last_activity
            ).update(idle_flagged_at=now)
            if updated != 1:
                continue
            days = (now - last_activity).days
            BountyEvent.objects.create(
                bounty_id=pk,
                kind=BountyEventKind.IDLE_FLAGGED,
                maintainer_id=assignee_id,
                note=f"No activity from the assignee for {days} days (since "
                f"{last_activity:%Y-%m-%d %H:%M} UTC); staff may reassign it.",
            )
            flagged.append(pk)
    return flagged
