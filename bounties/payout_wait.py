"""Payouts wait for green: when a merged bounty becomes payable.

A bounty tied to a connector pays out only once the connector has stayed operational for
``BOUNTY_PAYOUT_GREEN_DAYS`` days counted from the later of the merge and the start of its
current operational streak: the fix has to hold. Staff may allow the payout earlier, with a
reason that is kept in the bounty's history. Bounties about no connector, and connectors no
check watches, are payable at once (there are no green days to count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from bounties.extension_points import connector_green
from bounties.models import Bounty, BountyEvent, BountyEventKind, BountyStatus


@dataclass(frozen=True)
class PayoutWait:
    payable: bool
    reason: str
    green_days: int
    operational_since: datetime | None = None
    payable_at: datetime | None = None  # when the countdown ends, if it is running

    def remaining(self, now: datetime | None = None) -> timedelta | None:
        if self.payable_at is None:
            return None
        return max(timedelta(0), self.payable_at - (now or timezone.now()))


def payout_wait(*, bounty: Bounty, now: datetime | None = None) -> PayoutWait:
    now = now or timezone.now()
    days = settings.BOUNTY_PAYOUT_GREEN_DAYS
    if bounty.status != BountyStatus.MERGED:
        return PayoutWait(False, "Only a merged bounty can be paid.", days)
    override = (
        BountyEvent.objects.filter(bounty=bounty, kind=BountyEventKind.GREEN_OVERRIDE)
        .order_by("-created_at", "-id")
        .first()
    )
    if override is not None:
        return PayoutWait(True, f"Staff allowed the payout early: {override.note}", days)
    if bounty.connector is None or days <= 0:
        return PayoutWait(True, "Payable: no connector's health to wait for.", days)
    reports = connector_green.collect(bounty.connector)
    if not reports or not all(report.monitored for report in reports):
        return PayoutWait(True, f"Payable: no check watches {bounty.connector.address}.", days)
    starts = [report.operational_since for report in reports]
    if any(since is None for since in starts):
        return PayoutWait(
            False,
            f"{bounty.connector.address} is not operational; the {days}-day countdown starts "
            "when it is.",
            days,
        )
    merged_at = (
        BountyEvent.objects.filter(bounty=bounty, kind=BountyEventKind.MERGED)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    since = max([s for s in starts if s is not None] + ([merged_at] if merged_at else []))
    payable_at = since + timedelta(days=days)
    if now >= payable_at:
        return PayoutWait(
            True,
            f"Payable: {bounty.connector.address} has been operational for {days} days.",
            days,
            since,
            payable_at,
        )
    return PayoutWait(
        False,
        f"Waiting for {days} green days: payable from {payable_at:%Y-%m-%d %H:%M} UTC if "
        f"{bounty.connector.address} stays operational.",
        days,
        since,
        payable_at,
    )
