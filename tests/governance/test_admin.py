"""Staff admin for governance: polls are created through the rules, opened and finalized by
actions, pending inclusion decisions confirmed into the registry's status log."""

from pathlib import Path

import pytest
from django.conf import settings

from connectors_registry.models import ConnectorStatusChange, InclusionStatus, StatusChangeSource
from connectors_registry.services import catalogue_import_file
from governance.models import (
    DecisionStatus,
    InclusionAction,
    InclusionDecision,
    Poll,
    PollStatus,
)
from governance.services.history import governance_history_load
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def history():
    catalogue_import_file(path=Path(settings.CATALOGUE_PATH))
    governance_history_load()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/governance/governancerules/",
        "/admin/governance/governancerules/?voting_method__exact=weighted",
        "/admin/governance/epoch/",
        "/admin/governance/poll/?status__exact=finalized&is_archived__exact=1",
        "/admin/governance/poll/add/",
        "/admin/governance/vote/",
        "/admin/governance/proposal/",
        "/admin/governance/inclusiondecision/?status__exact=pending",
        "/admin/governance/potcredit/",
    ],
)
def test_changelists_and_forms_load(staff_client, history, path):
    assert staff_client.get(path).status_code == 200


def test_archived_poll_page_is_read_only(staff_client, history):
    poll = Poll.objects.filter(is_archived=True).first()

    response = staff_client.get(f"/admin/governance/poll/{poll.pk}/change/")

    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()


def test_adding_a_poll_fills_choices_from_the_registry(staff_client, history, staff_user):
    # given epoch 12, whose rules have a CLOB DEX poll
    epoch_id = Poll.objects.filter(epoch__number=12).first().epoch_id

    # when staff add one in the admin
    response = staff_client.post(
        "/admin/governance/poll/add/",
        {
            "epoch": epoch_id,
            "kind": "clob_dex",
            "title": "",
            "reference": "HGP-999",
            "description": "",
            "starts_at_0": "",
            "starts_at_1": "",
        },
    )

    # then a draft exists with the registry's CLOB DEX exchanges as choices
    assert response.status_code == 302, response.context["adminform"].form.errors
    poll = Poll.objects.get(reference="HGP-999")
    assert poll.status == PollStatus.DRAFT
    assert poll.created_by == staff_user
    assert poll.choices.count() >= 2
    assert "Hyperliquid" in set(poll.choices.values_list("label", flat=True))


def test_adding_a_poll_of_a_kind_the_rules_lack_is_refused(staff_client, history):
    epoch_id = Poll.objects.filter(epoch__number=12).first().epoch_id

    response = staff_client.post(
        "/admin/governance/poll/add/",
        {
            "epoch": epoch_id,
            "kind": "chain",
            "title": "",
            "reference": "X-1",
            "description": "",
            "starts_at_0": "",
            "starts_at_1": "",
        },
    )

    assert response.status_code == 200
    assert "have no Chain connectors poll" in response.content.decode()
    assert not Poll.objects.filter(reference="X-1").exists()


def test_open_action_reports_chain_failure_and_leaves_draft(staff_client, history, settings):
    # given a draft and a node that cannot be reached
    settings.ETH_RPC_URL = "http://127.0.0.1:9"
    settings.ETH_RPC_RETRIES = 0
    epoch_id = Poll.objects.filter(epoch__number=12).first().epoch_id
    staff_client.post(
        "/admin/governance/poll/add/",
        {
            "epoch": epoch_id,
            "kind": "clob_dex",
            "title": "",
            "reference": "HGP-998",
            "description": "",
            "starts_at_0": "",
            "starts_at_1": "",
        },
    )
    poll = Poll.objects.get(reference="HGP-998")

    # when staff open it
    response = staff_client.post(
        "/admin/governance/poll/",
        {"action": "open_polls", "_selected_action": [poll.pk]},
        follow=True,
    )

    # then the page says why and the poll is still a draft
    assert "Could not fix the snapshot block" in response.content.decode()
    poll.refresh_from_db()
    assert poll.status == PollStatus.DRAFT


def test_confirming_a_removal_logs_the_status_change(staff_client, staff_user, history):
    # given a pending removal decided by an archived poll
    connector = ConnectorFactory()
    poll = Poll.objects.filter(reference="HGP-71").get()
    decision = InclusionDecision.objects.create(
        connector=connector,
        poll=poll,
        action=InclusionAction.REMOVE,
        reason="HGP-71: below the inclusion threshold.",
        note="Release 2.14",
    )

    # when staff confirm it
    staff_client.post(
        "/admin/governance/inclusiondecision/",
        {"action": "confirm", "_selected_action": [decision.pk]},
    )

    # then the connector is removed, logged with the poll as authority, and the decision closed
    connector.refresh_from_db()
    decision.refresh_from_db()
    assert connector.status == InclusionStatus.REMOVED
    change = ConnectorStatusChange.objects.get(connector=connector)
    assert change.source == StatusChangeSource.POLL
    assert change.reference == "HGP-71"
    assert change.actor == staff_user
    assert decision.status == DecisionStatus.CONFIRMED


def test_dismissing_needs_a_note(staff_client, history):
    connector = ConnectorFactory()
    poll = Poll.objects.filter(reference="HGP-71").get()
    decision = InclusionDecision.objects.create(
        connector=connector, poll=poll, action=InclusionAction.REMOVE, reason="r"
    )

    response = staff_client.post(
        "/admin/governance/inclusiondecision/",
        {"action": "dismiss", "_selected_action": [decision.pk]},
        follow=True,
    )

    assert "Say why the decision is dismissed" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING
    connector.refresh_from_db()
    assert connector.status == InclusionStatus.IN_CODEBASE


def test_editing_a_rules_version_says_how_the_shipped_ones_change(staff_client, history):
    from governance.models import GovernanceRules

    rules = GovernanceRules.objects.get(slug="hgp-77-2026")

    response = staff_client.get(f"/admin/governance/governancerules/{rules.pk}/change/")

    assert response.status_code == 200
    assert "add a new version" in response.content.decode()
