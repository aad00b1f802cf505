"""The pot ledger: every change of a pot's money is one appended entry.

Entries are appended under the pot's row lock (``select_for_update``; SQLite takes its write
lock when the transaction starts), after checking the available amount summed from the
ledger. The database backs this up: an entry's running totals may not go negative and its
sequence number is unique per pot and denomination, so two writers that both read the same
ledger state cannot both append.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from bounties.errors import BountyError, InsufficientFunds
from bounties.fields import display_amount, to_amount
from bounties.models import Bounty, Denomination, Pot, PotEntry, PotEntryKind, entry_effect
from bounties.selectors import ZERO, pot_totals
from bounties.services.common import Actor, require_staff, user_or_none
from connectors_registry.models import Chain, Connector, Exchange
from governance.models import PotCredit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

MAX_SPONSOR_NAME = 120


def pot_get_or_create(
    *,
    exchange: Exchange | None = None,
    connector: Connector | None = None,
    chain: Chain | None = None,
) -> Pot:
    """The pot of exactly one subject, created the first time it is needed."""
    subjects = [s for s in (exchange, connector, chain) if s is not None]
    if len(subjects) != 1:
        raise ValueError("a pot belongs to exactly one exchange, connector or chain")
    lookup: dict[str, Exchange | Connector | Chain]
    if connector is not None:
        name, slug, lookup = (
            connector.address,
            f"connector-{connector.slug}",
            {"connector": connector},
        )
    elif chain is not None:
        name, slug, lookup = chain.name, f"chain-{chain.slug}", {"chain": chain}
    else:
        assert exchange is not None  # noqa: S101 - one subject, checked above
        name, slug, lookup = exchange.name, exchange.slug, {"exchange": exchange}
    pot = Pot.objects.filter(**lookup).first()
    if pot is not None:
        return pot
    try:
        with transaction.atomic():
            return Pot.objects.create(name=name, slug=slugify(slug)[:100], **lookup)
    except IntegrityError:
        # Created by a concurrent request in the meantime.
        return Pot.objects.get(**lookup)


def pot_entry_append(
    *,
    pot: Pot,
    kind: str,
    denomination: str,
    amount: Decimal,
    bounty: Bounty | None = None,
    pot_credit: PotCredit | None = None,
    sponsor_name: str = "",
    note: str = "",
    actor: User | None = None,
) -> PotEntry:
    """Append one entry to ``pot``'s ledger; refuse one that would make the available
    amount (or what is reserved) negative. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("pot_entry_append must run inside transaction.atomic()")
    if denomination not in Denomination.values:
        raise BountyError(f"{denomination!r} is not a denomination; use HBOT, USDC or USDT.")
    amount = to_amount(amount)
    if amount <= 0:
        raise BountyError("A pot entry moves a positive amount.")
    Pot.objects.select_for_update().get(pk=pot.pk)
    totals = pot_totals(pot=pot).get(denomination)
    balance, available = (totals.balance, totals.available) if totals else (ZERO, ZERO)
    d_balance, d_available = entry_effect(kind, amount)
    new_balance, new_available = balance + d_balance, available + d_available
    if new_available < 0:
        raise InsufficientFunds(
            f"The {pot.name} pot has {display_amount(available)} {denomination} available; "
            f"{display_amount(amount)} {denomination} cannot be reserved from it."
        )
    if new_balance < new_available:
        raise BountyError(
            f"The {pot.name} pot has only {display_amount(balance - available)} {denomination} "
            f"reserved; {display_amount(amount)} cannot be "
            f"{'paid out' if kind == PotEntryKind.PAYOUT else 'released'}."
        )
    last = PotEntry.objects.filter(pot=pot, denomination=denomination).aggregate(
        last=Max("sequence")
    )["last"]
    entry = PotEntry(
        pot=pot,
        kind=kind,
        denomination=denomination,
        amount=amount,
        sequence=(last or 0) + 1,
        balance_after=new_balance,
        available_after=new_available,
        bounty=bounty,
        pot_credit=pot_credit,
        sponsor_name=sponsor_name,
        note=note[:300],
        created_by=actor,
    )
    entry.save()
    return entry


@transaction.atomic
def pot_sponsor_fund(
    *,
    pot: Pot,
    denomination: str,
    amount: Decimal,
    sponsor_name: str,
    note: str = "",
    actor: Actor,
) -> PotEntry:
    """Record money a sponsor sent to top up a pot (docs/DOMAIN.md §1.6: sponsors fund a pot)."""
    require_staff(actor, doing="record sponsor funding")
    sponsor_name = sponsor_name.strip()
    if not sponsor_name:
        raise BountyError("Name the sponsor who sent the money.")
    if len(sponsor_name) > MAX_SPONSOR_NAME:
        raise BountyError(f"A sponsor's name has at most {MAX_SPONSOR_NAME} characters.")
    try:
        value = to_amount(amount)
    except ValueError as exc:
        raise BountyError(f"The amount is not valid: {exc}.") from None
    if value <= 0:
        raise BountyError("Sponsor funding must be more than zero.")
    return pot_entry_append(
        pot=pot,
        kind=PotEntryKind.SPONSOR,
        denomination=denomination,
        amount=value,
        sponsor_name=sponsor_name,
        note=note.strip(),
        actor=user_or_none(actor),
    )


@dataclass
class CreditSyncReport:
    created: list[int] = field(default_factory=list)  # entry ids
    skipped: dict[int, str] = field(default_factory=dict)  # credit id -> why


def _pot_for_credit(credit: PotCredit) -> Pot | None:
    """A chain's credit goes to the chain's pot; a connector's (Epochs 10-11 polled spot and
    perpetual separately) to the connector's; otherwise to the exchange's."""
    if credit.chain is not None:
        return pot_get_or_create(chain=credit.chain)
    if credit.connector is not None:
        return pot_get_or_create(connector=credit.connector)
    if credit.exchange is not None:
        return pot_get_or_create(exchange=credit.exchange)
    return None


def pot_credit_sync(*, credit: PotCredit) -> PotEntry | None:
    """Turn one governance pot credit into its allocation entry, exactly once."""
    with transaction.atomic():
        pot = _pot_for_credit(credit)
        if pot is None:
            return None
        Pot.objects.select_for_update().get(pk=pot.pk)
        existing = PotEntry.objects.filter(pot_credit=credit).first()
        if existing is not None:
            return existing
        source = (
            credit.proposal.reference
            if credit.proposal is not None
            else (credit.poll.reference or credit.poll.title)
            if credit.poll is not None
            else ""
        )
        return pot_entry_append(
            pot=pot,
            kind=PotEntryKind.ALLOCATION,
            denomination=Denomination.HBOT,
            amount=Decimal(credit.amount_hbot),
            pot_credit=credit,
            note=f"{source}: {credit.label}" if source else credit.label,
        )


def pot_credits_sync() -> CreditSyncReport:
    """Write an allocation entry for every pot credit that has none yet.

    Idempotent and safe to run concurrently: the entry's one-to-one link to its credit is
    unique, and each credit is written under its pot's lock.
    """
    report = CreditSyncReport()
    pending = (
        PotCredit.objects.filter(pot_entry__isnull=True)
        .select_related("exchange", "connector", "chain", "poll", "proposal")
        .order_by("created_at", "id")
    )
    for credit in pending:
        try:
            entry = pot_credit_sync(credit=credit)
        except IntegrityError:
            continue  # written by a concurrent run
        if entry is None:
            report.skipped[credit.pk] = "The credit names no exchange, connector or chain."
            logger.warning(
                "Pot credit %s (%s) names no subject; no pot credited.", credit.pk, credit
            )
        else:
            report.created.append(entry.pk)
    return report
