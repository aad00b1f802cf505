"""Demo bounties for make run: on the board in several columns, dev chain only, once."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from bounties.models import Bounty, BountyStatus
from bounties.selectors import pot_available
from bounties.services.demo import demo_bounties_seed
from connectors_registry.services import catalogue_import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    catalogue_import_file(path=Path(django_settings.CATALOGUE_PATH))


def test_seed_fills_the_board(settings, catalogue):
    settings.ETH_CHAIN_ID = 131277322940537

    report = demo_bounties_seed()

    assert report.created == 3
    statuses = sorted(Bounty.objects.values_list("status", flat=True))
    assert statuses == sorted([BountyStatus.SUBMITTED, BountyStatus.OPEN, BountyStatus.POTENTIAL])
    submitted = Bounty.objects.get(status=BountyStatus.SUBMITTED)
    assert submitted.assignee.display_name == "Bob (demo)"
    # 6,000 USDC from the demo sponsor, 3,750 reserved for the upgrade
    assert pot_available(pot=submitted.pot, denomination="USDC") == 2250


def test_seed_twice_adds_nothing(settings, catalogue):
    settings.ETH_CHAIN_ID = 131277322940537
    demo_bounties_seed()

    assert demo_bounties_seed().created == 0
    assert Bounty.objects.count() == 3


def test_seed_refuses_other_chains_and_writes_nothing(settings, catalogue):
    settings.ETH_CHAIN_ID = 1

    with pytest.raises(CommandError, match="refusing on chain id 1"):
        call_command("seed_demo_bounties")
    assert not Bounty.objects.exists()


def test_seed_needs_the_catalogue(settings):
    settings.ETH_CHAIN_ID = 131277322940537

    with pytest.raises(CommandError, match="Import the connector catalogue"):
        call_command("seed_demo_bounties")
