"""Hard rules of the registry are database constraints, not only Python checks."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from connectors_registry.models import (
    ConnectorType,
    InclusionStatus,
    Maintainer,
    Namespace,
    SubType,
)
from tests.factories import ConnectorFactory, ExchangeFactory, MaintainerFactory

pytestmark = pytest.mark.django_db


def assert_refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectorFactory(**kwargs)


def test_client_connector_id_is_unique():
    ConnectorFactory(connector_id="binance")

    assert_refused(connector_id="binance", slug="binance-2")


def test_same_id_allowed_in_both_namespaces():
    ConnectorFactory(connector_id="okx")
    gateway = ConnectorFactory(
        connector_id="okx",
        namespace=Namespace.GATEWAY,
        sub_type=SubType.ROUTER,
        connector_type=ConnectorType.AMM_DEX,
    )

    assert gateway.address == "okx/router"


def test_gateway_connector_cannot_be_spot():
    assert_refused(namespace=Namespace.GATEWAY, sub_type=SubType.SPOT)


def test_client_connector_cannot_be_clmm():
    assert_refused(sub_type=SubType.CLMM)


def test_unknown_status_and_type_are_refused():
    assert_refused(status="deprecated")
    assert_refused(connector_type="options")


def test_connector_id_format_is_enforced():
    assert_refused(connector_id="Binance-Spot", slug="binance-spot")


def test_wallet_must_be_lowercase_hex():
    with pytest.raises(IntegrityError), transaction.atomic():
        MaintainerFactory(wallet_address="0x" + "A" * 40)


def test_wallet_is_unique():
    MaintainerFactory(wallet_address="0x" + "a" * 40)

    with pytest.raises(IntegrityError), transaction.atomic():
        MaintainerFactory(wallet_address="0x" + "a" * 40)


def test_github_handle_unique_but_blank_allowed_twice():
    MaintainerFactory(github_handle="")
    MaintainerFactory(github_handle="")
    MaintainerFactory(github_handle="rapcmia")

    with pytest.raises(IntegrityError), transaction.atomic():
        MaintainerFactory(github_handle="rapcmia")


def test_maintainer_clean_normalises_input():
    maintainer = Maintainer(
        display_name="X", github_handle=" @dev ", wallet_address="0x" + "AB" * 20
    )

    maintainer.clean()

    assert maintainer.github_handle == "dev"
    assert maintainer.wallet_address == "0x" + "ab" * 20
    assert maintainer.github_url == "https://github.com/dev"


def test_code_url_and_docs_fallback():
    exchange = ExchangeFactory(docs_url="https://hummingbot.org/exchanges/x/")
    connector = ConnectorFactory(exchange=exchange, code_path="hummingbot/connector/exchange/x")

    assert connector.code_url == (
        "https://github.com/hummingbot/hummingbot/tree/HEAD/hummingbot/connector/exchange/x"
    )
    assert connector.effective_docs_url == "https://hummingbot.org/exchanges/x/"
    connector.docs_url = "https://example.org/own"
    assert connector.effective_docs_url == "https://example.org/own"


def test_in_codebase_queryset():
    ConnectorFactory(status=InclusionStatus.REMOVED)
    kept = ConnectorFactory()

    from connectors_registry.models import Connector

    assert list(Connector.objects.in_codebase()) == [kept]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9000/hook", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("https://10.0.0.5/hook", "10.0.0.5 is a private address"),
        ("http://localhost/hook", "localhost resolves to"),
        ("ftp://1.1.1.1/hook", "ftp:// is not allowed"),
    ],
)
def test_alert_webhook_must_be_a_public_web_address(settings, url, message):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    maintainer = MaintainerFactory(alert_webhook_url=url)  # as stored before the rule

    with pytest.raises(ValidationError) as refused:
        maintainer.full_clean()

    assert message in " ".join(refused.value.message_dict["alert_webhook_url"])


def test_alert_webhook_at_a_public_address_is_accepted(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False

    MaintainerFactory(alert_webhook_url="https://1.1.1.1/api/webhooks/1/x").full_clean()


def test_local_alert_webhook_is_accepted_where_private_networks_are_allowed(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True

    MaintainerFactory(alert_webhook_url="http://127.0.0.1:9000/hook").full_clean()
