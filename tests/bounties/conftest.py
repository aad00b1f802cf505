"""Personas and helpers for the bounties tests: staff, maintainers, an outsider, funded pots,
and bounties driven to any status through the real services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bounties.models import Bounty, BountyStatus, Denomination, Pot
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_get_or_create, pot_sponsor_fund
from tests.factories import BountyFactory, ExchangeFactory, MaintainerUserFactory, UserFactory

TX = "0x" + "ab" * 32


@pytest.fixture
def staff(db):
    return UserFactory(username="foundation", is_staff=True)


@pytest.fixture
def maintainer(db):
    return MaintainerUserFactory(display_name="Alice Dev", github_handle="alice-dev")


@pytest.fixture
def other_maintainer(db):
    return MaintainerUserFactory(display_name="Bob Dev", github_handle="bob-dev")


@pytest.fixture
def exchange(db):
    return ExchangeFactory(name="Kraken", slug="kraken")


@pytest.fixture
def pot(exchange, staff) -> Pot:
    """The exchange's pot holding 1,000,000 HBOT, 5,000 USDC and 5,000 USDT."""
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot,
        denomination="HBOT",
        amount=Decimal(1_000_000),
        sponsor_name="Kraken",
        actor=staff,
    )
    for stablecoin in ("USDC", "USDT"):
        pot_sponsor_fund(
            pot=pot,
            denomination=stablecoin,
            amount=Decimal(5_000),
            sponsor_name="Kraken",
            actor=staff,
        )
    return pot


class Drive:
    """Moves a bounty along the lifecycle with the real services, as the right roles."""

    def __init__(self, *, staff, maintainer) -> None:
        self.staff = staff
        self.maintainer = maintainer

    def to(self, bounty: Bounty, status: str, *, pot: Pot | None = None) -> Bounty:
        path = {
            BountyStatus.POTENTIAL: [],
            BountyStatus.OPEN: ["fund"],
            BountyStatus.ASSIGNED: ["fund", "assign"],
            BountyStatus.SUBMITTED: ["fund", "assign", "submit"],
            BountyStatus.NEEDS_WORK: ["fund", "assign", "submit", "needs_work"],
            BountyStatus.MERGED: ["fund", "assign", "submit", "merge"],
            BountyStatus.PAID: ["fund", "assign", "submit", "merge", "pay"],
            BountyStatus.CLOSED: ["fund", "close"],
            BountyStatus.WONT_FIX: ["fund", "wont_fix"],
        }[status]
        for step in path:
            self.step(bounty, step, pot=pot)
            bounty.refresh_from_db()
        return bounty

    def step(self, bounty: Bounty, step: str, *, pot: Pot | None = None) -> None:
        staff, user = self.staff, self.maintainer.user
        if step == "fund":
            lifecycle.bounty_fund(bounty=bounty, actor=staff, pot=pot)
        elif step == "assign":
            lifecycle.bounty_assign(bounty=bounty, maintainer=self.maintainer, actor=staff)
        elif step == "submit":
            lifecycle.bounty_submit(
                bounty=bounty,
                actor=user,
                pr_url=f"https://github.com/hummingbot/hummingbot/pull/{8000 + bounty.pk}",
            )
        elif step == "needs_work":
            lifecycle.bounty_request_changes(bounty=bounty, actor=staff, note="Add tests.")
        elif step == "merge":
            lifecycle.bounty_merge(bounty=bounty, actor=staff)
        elif step == "pay":
            tx = "0x" + f"{bounty.pk:064x}"
            lifecycle.bounty_pay(bounty=bounty, actor=staff, tx_hash=tx)
        elif step == "close":
            lifecycle.bounty_close(bounty=bounty, actor=staff, note="Fixed upstream.")
        elif step == "wont_fix":
            lifecycle.bounty_close(bounty=bounty, actor=staff, note="API limit.", wont_fix=True)


@pytest.fixture
def drive(staff, maintainer) -> Drive:
    return Drive(staff=staff, maintainer=maintainer)


@pytest.fixture
def make_bounty(exchange):
    def make(**kwargs) -> Bounty:
        kwargs.setdefault("exchange", exchange)
        kwargs.setdefault("denomination", Denomination.HBOT)
        return BountyFactory(**kwargs)

    return make
