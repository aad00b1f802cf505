"""Races on PostgreSQL: concurrent fundings never overdraw a pot, concurrent assignments of
one bounty leave one assignee, and concurrent credit syncs write each credit once.

Each thread has its own database connection and transaction; a barrier starts them together.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from bounties.errors import BountyError, InsufficientFunds, OneActiveBounty, TransitionConflict
from bounties.models import Bounty, BountyStatus, PotEntry, PotEntryKind
from bounties.selectors import pot_totals
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_credits_sync, pot_get_or_create, pot_sponsor_fund
from tests.concurrency import race
from tests.factories import (
    BountyFactory,
    ExchangeFactory,
    MaintainerUserFactory,
    PollPotCreditFactory,
    UserFactory,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")


def test_twenty_concurrent_fundings_never_overdraw_the_pot():
    # given a pot of 700,000 HBOT and twenty 100,000 HBOT bounties waiting for funds
    staff = UserFactory(is_staff=True)
    exchange = ExchangeFactory(name="Binance")
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(700_000), sponsor_name="S", actor=staff
    )
    bounties = [BountyFactory(exchange=exchange, amount=Decimal(100_000)) for _ in range(20)]

    # when staff fund all twenty at the same moment
    results = race(
        [lambda b=b: lifecycle.bounty_fund(bounty=b, actor=staff, pot=pot) for b in bounties]
    )

    # then exactly seven are funded, the others are told the pot is short, and nothing else
    funded = [r for r in results if isinstance(r, Bounty)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(funded) == 7, results
    assert len(refused) == 13, results
    totals = pot_totals(pot=pot)["HBOT"]
    assert (totals.balance, totals.available, totals.reserved) == (700_000, 0, 700_000)
    assert Bounty.objects.filter(status=BountyStatus.OPEN).count() == 7
    assert PotEntry.objects.filter(kind=PotEntryKind.RESERVATION).count() == 7
    sequences = list(
        PotEntry.objects.filter(pot=pot).order_by("sequence").values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 9))
    assert min(PotEntry.objects.values_list("available_after", flat=True)) == 0


def test_two_concurrent_assignments_leave_one_assignee():
    # given an open bounty and two staff members picking different applicants at once
    staff = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    exchange = ExchangeFactory()
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(10), sponsor_name="S", actor=staff[0]
    )
    bounty = BountyFactory(exchange=exchange, amount=Decimal(10))
    lifecycle.bounty_fund(bounty=bounty, actor=staff[0])
    alice, bob = MaintainerUserFactory(), MaintainerUserFactory()

    results = race(
        [
            lambda: lifecycle.bounty_assign(bounty=bounty, maintainer=alice, actor=staff[0]),
            lambda: lifecycle.bounty_assign(bounty=bounty, maintainer=bob, actor=staff[1]),
        ]
    )

    # then one assignment wins and the other is told who has it
    assert sum(isinstance(r, Bounty) for r in results) == 1, results
    conflict = next(r for r in results if isinstance(r, TransitionConflict))
    bounty.refresh_from_db()
    assert bounty.assignee in (alice, bob)
    assert bounty.assignee.display_name in conflict.message
    assert bounty.events.filter(kind="assigned").count() == 1


def test_two_concurrent_assignments_to_one_developer_keep_the_one_active_rule():
    staff = UserFactory(is_staff=True)
    exchange = ExchangeFactory()
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(20), sponsor_name="S", actor=staff
    )
    first, second = (BountyFactory(exchange=exchange, amount=Decimal(10)) for _ in range(2))
    for bounty in (first, second):
        lifecycle.bounty_fund(bounty=bounty, actor=staff)
    alice = MaintainerUserFactory()

    results = race(
        [
            lambda b=b: lifecycle.bounty_assign(bounty=b, maintainer=alice, actor=staff)
            for b in (first, second)
        ]
    )

    assert sum(isinstance(r, Bounty) for r in results) == 1, results
    assert sum(isinstance(r, OneActiveBounty) for r in results) == 1, results
    assert Bounty.objects.filter(assignee=alice).count() == 1


def test_concurrent_close_and_pay_cannot_both_happen():
    staff = UserFactory(is_staff=True)
    exchange = ExchangeFactory()
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(10), sponsor_name="S", actor=staff
    )
    bounty = BountyFactory(exchange=exchange, amount=Decimal(10))
    maintainer = MaintainerUserFactory()
    lifecycle.bounty_fund(bounty=bounty, actor=staff)
    lifecycle.bounty_assign(bounty=bounty, maintainer=maintainer, actor=staff)
    lifecycle.bounty_submit(
        bounty=bounty, actor=maintainer.user, pr_url="https://github.com/h/h/pull/1"
    )

    results = race(
        [
            lambda: lifecycle.bounty_merge(bounty=bounty, actor=staff),
            lambda: lifecycle.bounty_close(bounty=bounty, actor=staff, note="Dropped."),
        ]
    )

    assert sum(isinstance(r, Bounty) for r in results) == 1, results
    assert sum(isinstance(r, BountyError) for r in results) == 1, results
    bounty.refresh_from_db()
    released = PotEntry.objects.filter(bounty=bounty, kind=PotEntryKind.RELEASE).count()
    assert released == (1 if bounty.status == BountyStatus.CLOSED else 0)


def test_concurrent_credit_syncs_write_each_credit_once():
    credits = [PollPotCreditFactory(amount_hbot=1000 + i) for i in range(5)]

    race([pot_credits_sync for _ in range(4)])

    assert PotEntry.objects.filter(kind=PotEntryKind.ALLOCATION).count() == 5
    for credit in credits:
        assert PotEntry.objects.get(pot_credit=credit).amount == credit.amount_hbot
