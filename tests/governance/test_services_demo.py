"""Demo governance data for make run: signed by the dev chain's holders, dev chain only."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from connectors_registry.services import catalogue_import_file
from governance.models import Epoch, Poll, PollStatus, Proposal, Vote
from governance.services.demo import DEMO_EPOCH, demo_governance_seed
from governance.services.errors import GovernanceError
from governance.services.history import governance_history_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    catalogue_import_file(path=Path(django_settings.CATALOGUE_PATH))
    governance_history_load()


def test_seed_opens_demo_polls_with_counted_votes(chain_settings, history):
    chain_settings.ETH_CONFIRMATIONS = 0

    report = demo_governance_seed()

    assert report.created
    epoch = Epoch.objects.get(number=DEMO_EPOCH)
    polls = Poll.objects.filter(epoch=epoch, kind__in=["clob_dex", "gateway_dex"])
    assert polls.count() == 2
    for poll in polls:
        assert poll.status == PollStatus.ACTIVE
        assert poll.choices.count() <= 20
        assert Vote.objects.filter(poll=poll, is_current=True).count() == 5
    proposal = Proposal.objects.get()
    assert proposal.reference == "HGP-83"  # continues the published numbering
    assert proposal.poll.status == PollStatus.ACTIVE
    assert proposal.poll.votes.count() == 3


def test_seed_twice_adds_nothing(chain_settings, history):
    chain_settings.ETH_CONFIRMATIONS = 0
    demo_governance_seed()

    report = demo_governance_seed()

    assert not report.created
    assert Vote.objects.count() == 13


def test_seed_refuses_any_other_chain(settings, history):
    settings.ETH_CHAIN_ID = 1

    with pytest.raises(GovernanceError, match="not the dev chain"):
        demo_governance_seed()
    assert not Epoch.objects.filter(number=DEMO_EPOCH).exists()


def test_command_gives_up_when_the_chain_does_not_answer(settings, history):
    settings.ETH_RPC_URL = "http://127.0.0.1:9"

    with pytest.raises(CommandError, match="not answering"):
        call_command("seed_demo_governance", "--wait", "0.2")
