"""Inclusion-status changes: logged with who, why and on what authority; never silently."""

import pytest

from connectors_registry.models import ConnectorStatusChange, InclusionStatus, StatusChangeSource
from connectors_registry.services import connector_status_change
from core.exceptions import ApplicationError
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def test_change_is_logged_with_actor_and_reference(staff_user):
    connector = ConnectorFactory()

    change = connector_status_change(
        connector=connector,
        to_status=InclusionStatus.REMOVED,
        source=StatusChangeSource.POLL,
        reason="Below the 200,000 HBOT threshold.",
        actor=staff_user,
        reference="HGP-51",
    )

    connector.refresh_from_db()
    assert connector.status == InclusionStatus.REMOVED
    assert connector.removed_on is not None
    assert (change.from_status, change.to_status, change.actor, change.reference) == (
        InclusionStatus.IN_CODEBASE,
        InclusionStatus.REMOVED,
        staff_user,
        "HGP-51",
    )


def test_readding_clears_removed_date():
    connector = ConnectorFactory(status=InclusionStatus.REMOVED)

    connector_status_change(
        connector=connector,
        to_status=InclusionStatus.IN_CODEBASE,
        source=StatusChangeSource.PROPOSAL,
        reason="Re-added by HGP-80.",
    )

    connector.refresh_from_db()
    assert connector.removed_on is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(reason):
    connector = ConnectorFactory()

    with pytest.raises(ApplicationError, match="reason"):
        connector_status_change(
            connector=connector,
            to_status=InclusionStatus.LEGACY,
            source=StatusChangeSource.STAFF,
            reason=reason,
        )
    assert not ConnectorStatusChange.objects.exists()


def test_same_status_is_refused():
    connector = ConnectorFactory()

    with pytest.raises(ApplicationError, match="already in codebase"):
        connector_status_change(
            connector=connector,
            to_status=InclusionStatus.IN_CODEBASE,
            source=StatusChangeSource.STAFF,
            reason="no-op",
        )


def test_deleted_connector_is_refused():
    connector = ConnectorFactory()
    connector.delete()

    with pytest.raises(ApplicationError, match="no longer exists"):
        connector_status_change(
            connector=connector,
            to_status=InclusionStatus.LEGACY,
            source=StatusChangeSource.STAFF,
            reason="gone",
        )


def test_stale_read_is_refused_and_not_logged(monkeypatch):
    # given a connector whose status changes between our read and our write
    connector = ConnectorFactory()
    from connectors_registry.models import Connector

    real_update = Connector.objects.filter(pk=connector.pk).__class__.update

    def racing_update(queryset, **values):
        # someone else moves it to proposed first
        real_update(Connector.objects.filter(pk=connector.pk), status=InclusionStatus.PROPOSED)
        monkeypatch.setattr(queryset.__class__, "update", real_update)
        return real_update(queryset, **values)

    monkeypatch.setattr(
        Connector.objects.filter(pk=connector.pk).__class__, "update", racing_update
    )

    # when staff moves it to legacy
    with pytest.raises(ApplicationError, match="changed status meanwhile"):
        connector_status_change(
            connector=connector,
            to_status=InclusionStatus.LEGACY,
            source=StatusChangeSource.STAFF,
            reason="race",
        )

    # then nothing is logged
    assert not ConnectorStatusChange.objects.exists()
