"""Bounties' events on a connector's timeline: its pots' ledger entries and every move of
its bounties."""

from __future__ import annotations

from django.utils.text import Truncator

from bounties.fields import display_amount
from bounties.models import BountyEvent, BountyEventKind, PotEntry, PotEntryKind
from bounties.selectors import connector_bounty_history
from connectors_registry.extension_points import TimelineEvent, TimelineQuery, connector_timeline

NOTE_WORDS = 40
DEBITS = (PotEntryKind.RESERVATION, PotEntryKind.PAYOUT)
# The moves where the bounty's amount is news (it is the current amount, not a past one).
MONEY_KINDS = (
    BountyEventKind.CREATED,
    BountyEventKind.IMPORTED,
    BountyEventKind.FUNDED,
    BountyEventKind.PAID,
)


@connector_timeline.provide
def bounties_timeline(query: TimelineQuery) -> list[TimelineEvent]:
    history = connector_bounty_history(
        connector=query.connector, before=query.before, limit=query.limit
    )
    events = [
        *(_pot_entry(entry) for entry in history.pot_entries),
        *(_bounty_event(event) for event in history.bounty_events),
    ]
    events.sort(key=lambda event: event.when, reverse=True)
    return events[: query.limit]


def _pot_entry(entry: PotEntry) -> TimelineEvent:
    sign = "\N{MINUS SIGN}" if entry.kind in DEBITS else "+"
    money = f"{sign}{display_amount(entry.amount)} {entry.denomination}"
    what = entry.note or entry.sponsor_name or (entry.bounty.title if entry.bounty else "")
    after = (
        f"{display_amount(entry.available_after)} {entry.denomination} available "
        f"of {display_amount(entry.balance_after)}"
    )
    return TimelineEvent(
        when=entry.created_at,
        kind=f"pot.{entry.kind}",
        title=f"{entry.get_kind_display()}: {money} in the {entry.pot.name} pot",
        summary=f"{what}; {after}." if what else f"{after[0].upper()}{after[1:]}.",
        url=entry.pot.get_absolute_url(),
        app="bounties",
    )


def _bounty_event(event: BountyEvent) -> TimelineEvent:
    bounty = event.bounty
    parts = []
    if event.from_status and event.to_status:
        parts.append(f"{event.get_from_status_display()} → {event.get_to_status_display()}")
    if event.maintainer:
        parts.append(event.maintainer.display_name)
    if bounty.amount is not None and event.kind in MONEY_KINDS:
        parts.append(f"{display_amount(bounty.amount)} {bounty.denomination}")
    if event.note:
        parts.append(Truncator(event.note).words(NOTE_WORDS))
    return TimelineEvent(
        when=event.created_at,
        kind=f"bounty.{event.kind}",
        title=f"Bounty “{bounty.title}”: {event.get_kind_display()}",
        summary=" · ".join(parts),
        url=bounty.get_absolute_url(),
        app="bounties",
    )
