"""Reads of the bounties app: pot totals and history, the board, profiles, the leaderboard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from bounties.fields import AmountField
from bounties.models import (
    ACTIVE,
    BOARD_COLUMNS,
    TERMINAL,
    Bounty,
    BountyApplication,
    BountyEvent,
    BountyStatus,
    Denomination,
    Payout,
    Pot,
    PotEntry,
    PotEntryKind,
)
from connectors_registry.models import Connector, Maintainer
from core.text import is_ascii_digits

ZERO = Decimal("0.000000")


@dataclass(frozen=True)
class PotTotals:
    """One denomination of one pot, summed from its ledger."""

    denomination: str
    credited: Decimal
    reserved: Decimal
    paid_out: Decimal
    balance: Decimal
    available: Decimal


def _sum(kind: str | tuple[str, ...]) -> Coalesce:
    kinds = (kind,) if isinstance(kind, str) else kind
    return Coalesce(
        Sum("amount", filter=Q(kind__in=kinds)),
        Value(0, output_field=AmountField()),
        output_field=AmountField(),
    )


def pot_totals(*, pot: Pot) -> dict[str, PotTotals]:
    """Balance and available amount per denomination, from the sums of the pot's entries.

    balance = credits - payouts; available = credits - reservations + releases; what is
    reserved for open bounties is the difference.
    """
    rows = (
        PotEntry.objects.filter(pot=pot)
        .values("denomination")
        .annotate(
            credits=_sum((PotEntryKind.ALLOCATION, PotEntryKind.SPONSOR)),
            reservations=_sum(PotEntryKind.RESERVATION),
            releases=_sum(PotEntryKind.RELEASE),
            payouts=_sum(PotEntryKind.PAYOUT),
        )
        .order_by("denomination")
    )
    totals: dict[str, PotTotals] = {}
    for row in rows:
        credits, payouts = row["credits"], row["payouts"]
        available = credits - row["reservations"] + row["releases"]
        balance = credits - payouts
        totals[row["denomination"]] = PotTotals(
            denomination=row["denomination"],
            credited=credits,
            reserved=balance - available,
            paid_out=payouts,
            balance=balance,
            available=available,
        )
    return totals


def pot_available(*, pot: Pot, denomination: str) -> Decimal:
    totals = pot_totals(pot=pot).get(denomination)
    return totals.available if totals else ZERO


def pot_list() -> list[tuple[Pot, dict[str, PotTotals]]]:
    """Every pot with its totals (one aggregate query for all pots)."""
    pots = list(Pot.objects.select_related("exchange", "connector", "chain"))
    rows = (
        PotEntry.objects.values("pot_id", "denomination")
        .annotate(
            credits=_sum((PotEntryKind.ALLOCATION, PotEntryKind.SPONSOR)),
            reservations=_sum(PotEntryKind.RESERVATION),
            releases=_sum(PotEntryKind.RELEASE),
            payouts=_sum(PotEntryKind.PAYOUT),
        )
        .order_by("pot_id", "denomination")
    )
    by_pot: dict[int, dict[str, PotTotals]] = defaultdict(dict)
    for row in rows:
        balance = row["credits"] - row["payouts"]
        available = row["credits"] - row["reservations"] + row["releases"]
        by_pot[row["pot_id"]][row["denomination"]] = PotTotals(
            denomination=row["denomination"],
            credited=row["credits"],
            reserved=balance - available,
            paid_out=row["payouts"],
            balance=balance,
            available=available,
        )
    return [(pot, by_pot.get(pot.pk, {})) for pot in pots]


@dataclass(frozen=True)
class PotSummary:
    """One line of the pots page: what the pot holds, what is committed to bounties, what
    it paid, and how many of its bounties are under way; each money figure lists only the
    denominations where it is not zero."""

    pot: Pot
    balance: list[tuple[str, Decimal]]
    committed: list[tuple[str, Decimal]]
    paid_out: list[tuple[str, Decimal]]
    open_bounties: int


def pot_summaries() -> list[PotSummary]:
    """Every pot for the pots page (three queries whatever the number of pots)."""
    under_way = dict(
        Bounty.objects.filter(pot__isnull=False, status__in=UNDER_WAY)
        .values("pot_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("pot_id", "n")
    )

    def nonzero(totals: dict[str, PotTotals], attribute: str) -> list[tuple[str, Decimal]]:
        amounts = ((d, getattr(t, attribute)) for d, t in totals.items())
        return [(d, amount) for d, amount in amounts if amount]

    return [
        PotSummary(
            pot=pot,
            balance=nonzero(totals, "balance"),
            committed=nonzero(totals, "reserved"),
            paid_out=nonzero(totals, "paid_out"),
            open_bounties=under_way.get(pot.pk, 0),
        )
        for pot, totals in pot_list()
    ]


def pot_open_bounties(*, pot: Pot) -> QuerySet[Bounty]:
    """The pot's bounties under way (funded, not yet paid or closed): what its committed
    amount is reserved for."""
    return bounty_list().filter(pot=pot, status__in=UNDER_WAY)


def pot_get(*, slug: str) -> Pot:
    try:
        return Pot.objects.select_related("exchange", "connector", "chain").get(slug=slug)
    except Pot.DoesNotExist:
        raise Http404(f"No pot {slug!r}.") from None


def pot_entries(*, pot: Pot) -> QuerySet[PotEntry]:
    return (
        PotEntry.objects.filter(pot=pot)
        .select_related("bounty", "pot_credit__poll", "pot_credit__proposal", "created_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class HistoryPoint:
    at: datetime
    balance: Decimal
    available: Decimal


def pot_history(*, pot: Pot) -> dict[str, list[HistoryPoint]]:
    """Balance and available amount after every entry, per denomination, oldest first."""
    history: dict[str, list[HistoryPoint]] = defaultdict(list)
    entries = (
        PotEntry.objects.filter(pot=pot)
        .order_by("denomination", "sequence")
        .values_list("denomination", "created_at", "balance_after", "available_after")
    )
    for denomination, at, balance, available in entries:
        history[denomination].append(
            HistoryPoint(at=at, balance=Decimal(balance), available=Decimal(available))
        )
    return dict(history)


def pots_for_bounty(*, bounty: Bounty) -> list[Pot]:
    """The pots a bounty may draw on: its connector's, its exchange's, or a chain's that
    the exchange settles on. A bounty about nothing in the registry may use any pot."""
    if not (bounty.connector_id or bounty.exchange_id or bounty.chain_id):
        return list(Pot.objects.all())
    query = Q()
    if bounty.connector_id:
        query |= Q(connector_id=bounty.connector_id)
    if bounty.exchange_id:
        query |= Q(exchange_id=bounty.exchange_id) | Q(chain__exchanges__id=bounty.exchange_id)
    if bounty.chain_id:
        query |= Q(chain_id=bounty.chain_id)
    pots = Pot.objects.filter(query).distinct().select_related("exchange", "connector", "chain")
    rank = {"connector": 0, "exchange": 1, "chain": 2}
    return sorted(pots, key=lambda p: (rank[p.subject_kind], p.name))


# --- bounties ---------------------------------------------------------------------------


def bounty_list() -> QuerySet[Bounty]:
    return Bounty.objects.select_related(
        "connector", "exchange", "chain", "assignee", "proposal", "pot"
    ).order_by("-updated_at", "-id")


def bounty_get(*, pk: int) -> Bounty:
    try:
        return bounty_list().get(pk=pk)
    except Bounty.DoesNotExist:
        raise Http404(f"No bounty #{pk}.") from None


def bounty_events(*, bounty: Bounty) -> QuerySet[BountyEvent]:
    return bounty.events.select_related("actor", "maintainer").order_by("created_at", "id")


def bounty_applications(*, bounty: Bounty) -> QuerySet[BountyApplication]:
    """Everyone who applied, oldest first, with their note and where their application
    stands. Public, like the history, which records each application (who, when, the
    note) for anyone to read, on the page and at ``/api/v1/bounties/<id>/events/``."""
    return bounty.applications.select_related("maintainer").order_by("created_at", "id")


@dataclass
class BoardColumn:
    status: str
    label: str
    bounties: list[Bounty] = field(default_factory=list)


def bounty_board(*, bounties: QuerySet[Bounty], include_closed: bool = False) -> list[BoardColumn]:
    """Bounties in columns by status, in lifecycle order."""
    statuses: list[str] = list(BOARD_COLUMNS)
    if include_closed:
        statuses += [BountyStatus.CLOSED, BountyStatus.WONT_FIX]
    columns = {s: BoardColumn(status=s, label=str(BountyStatus(s).label)) for s in statuses}
    for bounty in bounties.filter(status__in=statuses):
        columns[bounty.status].bounties.append(bounty)
    return list(columns.values())


def connector_bounty_panels(*, connector: Connector) -> dict[str, Any]:
    """What the connector page shows: its pots (its own, its exchange's) and its bounties."""
    pots = list(
        Pot.objects.filter(Q(connector=connector) | Q(exchange_id=connector.exchange_id))
        .select_related("exchange", "connector", "chain")
        .order_by("connector")
    )
    pot_rows = [(pot, pot_totals(pot=pot)) for pot in pots]
    bounties = (
        bounty_list()
        .filter(
            Q(connector=connector) | Q(connector__isnull=True, exchange_id=connector.exchange_id)
        )
        .exclude(status__in=TERMINAL)
    )
    return {"pots": pot_rows, "bounties": list(bounties[:20])}


# --- maintainers ------------------------------------------------------------------------


def maintainer_get(*, handle: str) -> Maintainer:
    """By GitHub handle (case-insensitive), or by id for maintainers without one."""
    query = Q(github_handle__iexact=handle) if not is_ascii_digits(handle) else Q(pk=int(handle))
    maintainer = Maintainer.objects.filter(query).select_related("user").first()
    if maintainer is None:
        raise Http404(f"No maintainer {handle!r}.")
    return maintainer


def maintainer_earnings(*, maintainer: Maintainer) -> dict[str, Decimal]:
    """What the maintainer was paid, per denomination."""
    rows = (
        Payout.objects.filter(maintainer=maintainer)
        .values("denomination")
        .annotate(total=Sum("amount_paid"))
        .order_by("denomination")
    )
    return {row["denomination"]: row["total"] for row in rows}


def maintainer_bounties(*, maintainer: Maintainer) -> QuerySet[Bounty]:
    return bounty_list().filter(assignee=maintainer)


def maintainer_active_bounties(*, maintainer: Maintainer) -> QuerySet[Bounty]:
    return bounty_list().filter(assignee=maintainer, status__in=ACTIVE)


@dataclass(frozen=True)
class LeaderboardRow:
    maintainer: Maintainer
    paid_bounties: int
    earnings: dict[str, Decimal]


LEADERBOARD_ORDER = {
    "bounties": "-paid_bounties",
    "hbot": "-earned_hbot",
    "usdc": "-earned_usdc",
    "usdt": "-earned_usdt",
}


def leaderboard(*, order: str = "bounties", limit: int = 100) -> list[LeaderboardRow]:
    """Maintainers with at least one payout, ranked by paid bounties or by earnings in one
    denomination (amounts in different currencies are never added together)."""

    def earned(denomination: str) -> Coalesce:
        return Coalesce(
            Sum("payouts__amount_paid", filter=Q(payouts__denomination=denomination)),
            Value(0, output_field=AmountField()),
            output_field=AmountField(),
        )

    sort = LEADERBOARD_ORDER.get(order, LEADERBOARD_ORDER["bounties"])
    rows = (
        Maintainer.objects.annotate(
            paid_bounties=Count("payouts", distinct=True),
            earned_hbot=earned(Denomination.HBOT),
            earned_usdc=earned(Denomination.USDC),
            earned_usdt=earned(Denomination.USDT),
        )
        .filter(paid_bounties__gt=0)
        .order_by(sort, "-paid_bounties", "display_name")[:limit]
    )
    return [
        LeaderboardRow(
            maintainer=m,
            paid_bounties=m.paid_bounties,
            earnings={
                d: v
                for d, v in (
                    (Denomination.HBOT, m.earned_hbot),
                    (Denomination.USDC, m.earned_usdc),
                    (Denomination.USDT, m.earned_usdt),
                )
                if v
            },
        )
        for m in rows
    ]


# --- bounties and pots of poll choices at a moment (beside a poll's choices) -------------

# Funded and not finished: the bounties a connector's holders can still expect work from.
UNDER_WAY = (
    BountyStatus.OPEN,
    BountyStatus.ASSIGNED,
    BountyStatus.SUBMITTED,
    BountyStatus.NEEDS_WORK,
    BountyStatus.MERGED,
)


@dataclass(frozen=True)
class BountySubject:
    """What a group's bounties and pot are about: its connectors (their bounties), an
    exchange (its bounties that name no connector) or a chain; the pot is the chain's,
    else the one connector's, else the exchange's (as poll credits reach pots)."""

    connector_ids: frozenset[int]
    connector_id: int | None = None
    exchange_id: int | None = None
    chain_id: int | None = None

    def matches(
        self, *, connector_id: int | None, exchange_id: int | None, chain_id: int | None
    ) -> bool:
        if connector_id is not None:
            return connector_id in self.connector_ids
        if self.exchange_id is not None and exchange_id == self.exchange_id:
            return True
        return self.chain_id is not None and chain_id == self.chain_id

    @property
    def pot_key(self) -> tuple[str, int] | None:
        if self.chain_id is not None:
            return ("chain", self.chain_id)
        if self.connector_id is not None:
            return ("connector", self.connector_id)
        if self.exchange_id is not None:
            return ("exchange", self.exchange_id)
        return None


@dataclass(frozen=True)
class SubjectBounties:
    under_way: int  # bounties Open to Merged
    paid: int
    pot_available_hbot: Decimal | None  # None: no pot


def subjects_bounties(
    *, subjects: Mapping[str, BountySubject], as_of: datetime
) -> dict[str, SubjectBounties]:
    """Each subject's bounties under way and paid, and its pot's available HBOT, as they
    were at ``as_of``. Two queries whatever the number of subjects.

    A bounty's status then is the one its last recorded move before ``as_of`` led to
    (``BountyEvent``); a bounty without any recorded move (made outside the services) is
    taken at its present status if it existed then. A pot's available amount is the one
    after its last HBOT ledger entry before ``as_of`` (0 before its first).
    """
    if not subjects:
        return {}
    connector_ids = set().union(*(s.connector_ids for s in subjects.values()))
    exchange_ids = {s.exchange_id for s in subjects.values() if s.exchange_id is not None}
    chain_ids = {s.chain_id for s in subjects.values() if s.chain_id is not None}
    moves = BountyEvent.objects.filter(bounty=OuterRef("pk")).exclude(to_status="")
    rows = list(
        Bounty.objects.filter(
            Q(connector_id__in=connector_ids)
            | Q(connector__isnull=True, exchange_id__in=exchange_ids)
            | Q(chain_id__in=chain_ids),
            created_at__lte=as_of,
        )
        .annotate(
            status_then=Subquery(
                moves.filter(created_at__lte=as_of)
                .order_by("-created_at", "-id")
                .values("to_status")[:1]
            ),
            has_moves=Exists(moves),
        )
        .order_by()
        .values_list(
            "connector_id", "exchange_id", "chain_id", "status", "status_then", "has_moves"
        )
    )
    pot_keys = {s.pot_key for s in subjects.values() if s.pot_key is not None}
    available: dict[tuple[str, int], Decimal] = {}
    if pot_keys:
        by_kind: dict[str, set[int]] = defaultdict(set)
        for kind, pk in pot_keys:
            by_kind[kind].add(pk)
        last_entry = (
            PotEntry.objects.filter(
                pot=OuterRef("pk"), denomination=Denomination.HBOT, created_at__lte=as_of
            )
            .order_by("-sequence")
            .values("available_after")[:1]
        )
        pots = (
            Pot.objects.filter(
                Q(chain_id__in=by_kind["chain"])
                | Q(connector_id__in=by_kind["connector"])
                | Q(exchange_id__in=by_kind["exchange"])
            )
            .annotate(available=Subquery(last_entry, output_field=AmountField()))
            .order_by()
            .values_list("chain_id", "connector_id", "exchange_id", "available")
        )
        for chain_id, pot_connector_id, pot_exchange_id, amount in pots:
            kind, pk = (
                ("chain", chain_id)
                if chain_id is not None
                else ("connector", pot_connector_id)
                if pot_connector_id is not None
                else ("exchange", pot_exchange_id)
            )
            available[(kind, pk)] = Decimal(amount) if amount is not None else ZERO
    result: dict[str, SubjectBounties] = {}
    for key, subject in subjects.items():
        statuses = [
            then or (None if has_moves else now)
            for connector_id, exchange_id, chain_id, now, then, has_moves in rows
            if subject.matches(
                connector_id=connector_id, exchange_id=exchange_id, chain_id=chain_id
            )
        ]
        pot_key = subject.pot_key
        result[key] = SubjectBounties(
            under_way=sum(1 for s in statuses if s in UNDER_WAY),
            paid=sum(1 for s in statuses if s == BountyStatus.PAID),
            pot_available_hbot=available.get(pot_key) if pot_key is not None else None,
        )
    return result


# --- a connector's timeline ---------------------------------------------------------------


@dataclass(frozen=True)
class ConnectorBountyHistory:
    pot_entries: list[PotEntry]  # each with .pot and .bounty loaded
    bounty_events: list[BountyEvent]  # each with .bounty and .maintainer loaded


def connector_bounty_history(
    *, connector: Connector, before: datetime | None, limit: int
) -> ConnectorBountyHistory:
    """The newest ledger entries of the connector's pots and moves of its bounties before
    ``before``, at most ``limit`` of each: the same pots and bounties as the connector
    page's panels (its own and its exchange's). Two queries whatever the history."""
    entries = PotEntry.objects.filter(
        Q(pot__connector=connector) | Q(pot__exchange_id=connector.exchange_id)
    ).select_related("pot", "bounty")
    events = BountyEvent.objects.filter(
        Q(bounty__connector=connector)
        | Q(bounty__connector__isnull=True, bounty__exchange_id=connector.exchange_id)
    ).select_related("bounty", "maintainer")
    if before is not None:
        entries, events = (
            entries.filter(created_at__lt=before),
            events.filter(created_at__lt=before),
        )
    return ConnectorBountyHistory(
        pot_entries=list(entries.order_by("-created_at", "-id")[:limit]),
        bounty_events=list(events.order_by("-created_at", "-id")[:limit]),
    )


def maintainers_by_wallet(*, addresses: Iterable[str]) -> dict[str, Maintainer]:
    """Maintainers whose wallet is one of ``addresses`` (lower case), keyed by it; one
    query."""
    wanted = {address.lower() for address in addresses}
    if not wanted:
        return {}
    return {m.wallet_address: m for m in Maintainer.objects.filter(wallet_address__in=wanted)}
