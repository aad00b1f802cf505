"""Staff admin: every model listed; a status change needs a reason and is logged."""

import pytest

from connectors_registry.models import ConnectorStatusChange, InclusionStatus, StatusChangeSource
from tests.connectors_registry.test_views import make_exchanges
from tests.factories import ConnectorFactory, MaintainerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/connectors_registry/exchange/?q=bin&kind__exact=cex",
        "/admin/connectors_registry/connector/?q=bin&status__exact=in_codebase",
        "/admin/connectors_registry/maintainer/?q=dev",
        "/admin/connectors_registry/chain/",
        "/admin/connectors_registry/connectorstatuschange/?source__exact=staff",
        "/admin/health/workerheartbeat/",
    ],
)
def test_changelists_load(staff_client, path):
    ConnectorFactory(maintainer=MaintainerFactory())

    assert staff_client.get(path).status_code == 200


def form_data(connector, **changes):
    data = {
        "exchange": connector.exchange_id,
        "namespace": connector.namespace,
        "connector_id": connector.connector_id,
        "slug": connector.slug,
        "connector_type": connector.connector_type,
        "sub_type": connector.sub_type,
        "code_path": connector.code_path,
        "docs_url": "",
        "status": connector.status,
        "added_on": "",
        "maintainer": "",
        "notes": "",
        "status_reason": "",
        "status_reference": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "0",
    }
    return {**data, **changes}


def test_status_change_without_reason_is_refused(staff_client):
    connector = ConnectorFactory()

    response = staff_client.post(
        f"/admin/connectors_registry/connector/{connector.pk}/change/",
        form_data(connector, status=InclusionStatus.LEGACY),
    )

    assert response.status_code == 200
    assert "Say why the status changes." in response.content.decode()
    connector.refresh_from_db()
    assert connector.status == InclusionStatus.IN_CODEBASE


def test_status_change_with_reason_is_logged(staff_client, staff_user):
    connector = ConnectorFactory()

    response = staff_client.post(
        f"/admin/connectors_registry/connector/{connector.pk}/change/",
        form_data(
            connector,
            status=InclusionStatus.REMOVED,
            status_reason="Exchange shut down.",
            status_reference="PR #8376",
        ),
    )

    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.status == InclusionStatus.REMOVED
    change = ConnectorStatusChange.objects.get()
    assert (change.source, change.actor, change.reference) == (
        StatusChangeSource.STAFF,
        staff_user,
        "PR #8376",
    )


def test_status_log_is_read_only(staff_client):
    ConnectorFactory()
    change_log = "/admin/connectors_registry/connectorstatuschange/"

    assert staff_client.get(change_log + "add/").status_code == 403


def test_admin_refuses_an_internal_alert_webhook(staff_client, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    maintainer = MaintainerFactory(github_handle="dev-a", wallet_address="")
    data = {
        "display_name": maintainer.display_name,
        "github_handle": "dev-a",
        "wallet_address": "",
        "alert_webhook_url": "http://169.254.169.254/latest/meta-data/",
        "user": "",
    }
    url = f"/admin/connectors_registry/maintainer/{maintainer.pk}/change/"

    refused = staff_client.post(url, data)
    accepted = staff_client.post(url, {**data, "alert_webhook_url": "https://1.1.1.1/hook"})

    assert refused.status_code == 200
    assert "169.254.169.254 is a link-local address" in refused.content.decode()
    assert accepted.status_code == 302
    maintainer.refresh_from_db()
    assert maintainer.alert_webhook_url == "https://1.1.1.1/hook"


def test_exchange_changelist_counts_connectors_in_the_list_query(
    staff_client, django_assert_max_num_queries
):
    # given exchanges with two connectors each
    make_exchanges(10)
    with django_assert_max_num_queries(30) as at_10:
        staff_client.get("/admin/connectors_registry/exchange/")
    make_exchanges(50)

    # when staff list them, the count costs no query per row
    with django_assert_max_num_queries(len(at_10.captured_queries)):
        response = staff_client.get("/admin/connectors_registry/exchange/?o=5")

    assert response.status_code == 200
    assert response.content.decode().count('<td class="field-connector_count">2</td>') == 60
