"""A connector regression that lasts drafts its own bug bounty; a merged fix pays out only
after the connector has stayed green for N days.

Both sides of each threshold: time down (just under / just over the limit), attribution
(exchange vs connector), one draft per incident, and the green days (one second short of
N days, exactly N days, broken streak, staff override with a reason).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bounties.errors import BountyError, PayoutNotDue
from bounties.models import Bounty, BountyEvent, BountyEventKind, BountyStatus, PotEntryKind
from bounties.payout_wait import payout_wait
from bounties.services.bounties import bounty_pay, bounty_payout_allow_early
from bounties.services.pots import pot_entry_append
from health.connectors import Fault
from health.models import Attribution, HealthStatus, Outcome
from health.services.incidents import incidents_review
from tests.factories import (
    BountyFactory,
    ConnectorFactory,
    ExchangeFactory,
    MaintainerFactory,
    PotFactory,
    UserFactory,
)
from tests.health.factories import CheckResultFactory, HealthCheckFactory, IncidentFactory

pytestmark = pytest.mark.django_db

TX = "0x" + "ab" * 32


@pytest.fixture
def regression(settings):  # type: ignore[no-untyped-def]
    settings.HEALTH_DRAFT_BOUNTY_AFTER_HOURS = 24
    settings.BOUNTY_DRAFT_AMOUNTS_HBOT = {"bug": 10000}
    exchange = ExchangeFactory(slug="kraken", name="Kraken")
    connector = ConnectorFactory(connector_id="kraken", exchange=exchange)
    check = HealthCheckFactory(connector=connector, status=HealthStatus.DOWN)
    incident = IncidentFactory(
        health_check=check,
        attribution=Attribution.CONNECTOR,
        attribution_reason="Kraken answers; the connector fails at order book: empty",
        opened_at=timezone.now() - timedelta(hours=30),
    )
    CheckResultFactory(health_check=check, outcome=Outcome.DOWN, fault=Fault.CONNECTOR)
    return incident


def test_a_regression_down_longer_than_the_limit_drafts_a_bug_bounty(regression):
    drafted = incidents_review()

    bounty = Bounty.objects.get(pk__in=drafted)
    assert bounty.status == BountyStatus.POTENTIAL  # a draft: nothing reserved
    assert bounty.bounty_type == "bug"
    assert bounty.connector == regression.health_check.connector
    assert bounty.origin_key == f"health.incident:{regression.pk}"
    assert bounty.origin_url == regression.get_absolute_url()
    assert "Failing step: Order book" in bounty.description
    assert "Reason: order book is empty" in bounty.description
    assert regression.opened_at.strftime("%Y-%m-%d %H:%M") in bounty.description
    assert bounty.amount == Decimal(10000)
    assert BountyEvent.objects.get(bounty=bounty).kind == BountyEventKind.DRAFTED


def test_one_draft_per_incident(regression):
    first = incidents_review()
    second = incidents_review()

    assert len(first) == 1
    assert second == []
    assert Bounty.objects.filter(origin_key=f"health.incident:{regression.pk}").count() == 1


def test_a_regression_just_under_the_limit_drafts_nothing(regression):
    regression.opened_at = timezone.now() - timedelta(hours=24) + timedelta(seconds=5)
    regression.save()

    assert incidents_review() == []


def test_at_the_limit_it_drafts(regression):
    now = timezone.now()
    regression.opened_at = now - timedelta(hours=24)
    regression.save()

    assert len(incidents_review(now=now)) == 1


def test_an_exchange_outage_drafts_nothing(regression):
    check = regression.health_check
    CheckResultFactory(
        health_check=check,
        outcome=Outcome.DOWN,
        fault=Fault.EXCHANGE,
        scheduled_for=timezone.now() + timedelta(seconds=1),
        finished_at=timezone.now() + timedelta(seconds=1),
    )

    assert incidents_review(now=timezone.now() + timedelta(seconds=2)) == []
    regression.refresh_from_db()
    assert regression.attribution == Attribution.EXCHANGE  # re-attributed on review


def test_a_resolved_incident_drafts_nothing(regression):
    regression.resolved_at = timezone.now()
    regression.save()

    assert incidents_review() == []


def test_the_draft_amount_stays_within_the_pot(regression):
    connector = regression.health_check.connector
    pot = PotFactory(exchange=None, connector=connector, name="Kraken pot", slug="kraken-pot")
    pot_entry_append(
        pot=pot,
        kind=PotEntryKind.SPONSOR,
        denomination="HBOT",
        amount=Decimal(2500),
        sponsor_name="A sponsor",
    )

    (pk,) = incidents_review()

    assert Bounty.objects.get(pk=pk).amount == Decimal(2500)


# -- payouts wait for green --------------------------------------------------------------


@pytest.fixture
def merged(settings):  # type: ignore[no-untyped-def]
    """A merged bounty on a connector that turned operational at the merge."""
    settings.BOUNTY_PAYOUT_GREEN_DAYS = 7
    connector = ConnectorFactory(connector_id="okx")
    merged_at = timezone.now() - timedelta(days=2)
    check = HealthCheckFactory(
        connector=connector, status=HealthStatus.OPERATIONAL, status_changed_at=merged_at
    )
    maintainer = MaintainerFactory()
    bounty = BountyFactory(
        connector=connector,
        exchange=connector.exchange,
        status=BountyStatus.MERGED,
        assignee=maintainer,
        amount=Decimal(1000),
    )
    event = BountyEvent.objects.create(bounty=bounty, kind=BountyEventKind.MERGED)
    BountyEvent.objects.filter(pk=event.pk).update(created_at=merged_at)
    return bounty, check, merged_at


def test_a_merged_fix_waits_for_n_green_days(merged):
    bounty, _, merged_at = merged

    wait = payout_wait(bounty=bounty)

    assert not wait.payable
    assert wait.payable_at == merged_at + timedelta(days=7)
    assert timedelta(days=4, hours=23) < wait.remaining() <= timedelta(days=5)
    with pytest.raises(PayoutNotDue, match="Waiting for 7 green days"):
        bounty_pay(bounty=bounty, actor=UserFactory(is_staff=True), tx_hash=TX)


def test_one_second_short_of_n_days_is_not_payable_and_n_days_is(merged):
    bounty, _, merged_at = merged

    assert not payout_wait(bounty=bounty, now=merged_at + timedelta(days=7, seconds=-1)).payable
    assert payout_wait(bounty=bounty, now=merged_at + timedelta(days=7)).payable


def test_a_broken_streak_restarts_the_countdown(merged):
    bounty, check, merged_at = merged
    check.status, check.status_changed_at = HealthStatus.DOWN, merged_at + timedelta(days=3)
    check.save()

    wait = payout_wait(bounty=bounty, now=merged_at + timedelta(days=8))
    assert not wait.payable
    assert "not operational" in wait.reason

    # green again on day 4: the seven days count from there
    check.status, check.status_changed_at = HealthStatus.OPERATIONAL, merged_at + timedelta(days=4)
    check.save()
    assert not payout_wait(bounty=bounty, now=merged_at + timedelta(days=10)).payable
    assert payout_wait(bounty=bounty, now=merged_at + timedelta(days=11)).payable


def test_after_the_green_days_it_can_be_paid(merged):
    bounty, _, merged_at = merged

    with time_machine.travel(merged_at + timedelta(days=7, minutes=1)):
        payout = bounty_pay(bounty=bounty, actor=UserFactory(is_staff=True), tx_hash=TX)

    assert payout.bounty.status == BountyStatus.PAID


def test_staff_may_allow_an_early_payout_with_a_reason_that_is_kept(merged):
    bounty, _, _ = merged
    staff = UserFactory(is_staff=True)

    with pytest.raises(BountyError, match="Say why"):
        bounty_payout_allow_early(bounty=bounty, actor=staff, reason="  ")
    event = bounty_payout_allow_early(
        bounty=bounty, actor=staff, reason="exchange confirmed the fix"
    )

    assert event.kind == BountyEventKind.GREEN_OVERRIDE
    assert event.actor == staff
    wait = payout_wait(bounty=bounty)
    assert wait.payable
    assert wait.reason == "Staff allowed the payout early: exchange confirmed the fix"
    bounty_pay(bounty=bounty, actor=staff, tx_hash=TX)


def test_only_staff_may_allow_an_early_payout(merged):
    bounty, _, _ = merged

    with pytest.raises(BountyError, match="Only Foundation staff"):
        bounty_payout_allow_early(bounty=bounty, actor=UserFactory(), reason="please")


def test_a_bounty_without_a_connector_or_check_pays_at_once(merged):
    bounty, check, _ = merged
    check.enabled = False
    check.save()

    assert payout_wait(bounty=bounty).payable

    bounty.connector = None
    bounty.save()
    assert payout_wait(bounty=bounty).payable


# -- the API says the same ---------------------------------------------------------------


def test_the_api_shows_the_wait_and_refuses_an_early_payout(merged, client):
    bounty, _, merged_at = merged
    client.force_login(UserFactory(is_staff=True))

    body = client.get(f"/api/v1/bounties/{bounty.pk}/").json()
    refused = client.post(
        f"/api/v1/bounties/{bounty.pk}/pay/", {"tx_hash": TX}, content_type="application/json"
    )

    assert body["payout_wait"]["payable"] is False
    assert body["payout_wait"]["green_days"] == 7
    assert body["payout_wait"]["payable_at"].startswith(
        (merged_at + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "payout_not_due"


def test_staff_allow_an_early_payout_by_api(merged, client):
    bounty, _, _ = merged
    client.force_login(UserFactory(is_staff=True))

    empty = client.post(
        f"/api/v1/bounties/{bounty.pk}/allow-early-payout/",
        {"reason": ""},
        content_type="application/json",
    )
    allowed = client.post(
        f"/api/v1/bounties/{bounty.pk}/allow-early-payout/",
        {"reason": "the exchange confirmed the fix"},
        content_type="application/json",
    )

    assert empty.status_code == 400
    assert allowed.status_code == 200
    assert allowed.json()["payout_wait"]["payable"] is True


def test_a_draft_shows_where_it_came_from_in_the_api(regression, client):
    (pk,) = incidents_review()

    body = client.get(f"/api/v1/bounties/{pk}/").json()

    assert body["origin_url"] == regression.get_absolute_url()
    assert body["status"] == "potential"
    assert body["payout_wait"] is None
