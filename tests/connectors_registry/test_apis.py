"""The public registry API: filters, pagination, errors, schema."""

import pytest
from django.core.management import call_command

from connectors_registry.models import Connector, ConnectorType
from tests.connectors_registry.test_views import make_exchanges
from tests.factories import ConnectorFactory, ExchangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    call_command("import_catalogue", verbosity=0)


def test_list_is_paginated(client, catalogue):
    body = client.get("/api/v1/connectors/", {"page_size": 20}).json()

    assert body["count"] == 58
    assert len(body["results"]) == 20
    assert "page=2" in body["next"]


def test_page_size_above_the_ceiling_is_a_400_naming_it(client, catalogue):
    response = client.get("/api/v1/connectors/", {"page_size": 10_000})

    assert response.status_code == 400
    assert response.json()["fields"]["page_size"] == [
        "page_size must be a whole number from 1 to 500."
    ]


def test_page_size_at_the_ceiling_lists_everything(client, catalogue):
    body = client.get("/api/v1/connectors/", {"page_size": 500}).json()

    assert len(body["results"]) == 58


@pytest.mark.parametrize("connector_type", ConnectorType.values)
def test_type_filter_returns_only_that_type(client, catalogue, connector_type):
    body = client.get("/api/v1/connectors/", {"type": connector_type, "page_size": 500}).json()

    assert {row["type"] for row in body["results"]} == {connector_type}
    assert body["count"] == Connector.objects.filter(connector_type=connector_type).count()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sub_type": "clmm"}, {"meteora-clmm", "orca-clmm", "raydium-clmm", "uniswap-clmm"}),
        ({"exchange": "binance"}, {"binance", "binance_perpetual"}),
        ({"q": "kraken"}, {"kraken"}),
        ({"namespace": "gateway", "chain": "bnb-chain"}, {"pancakeswap-amm"}),
        ({"sponsor": "true", "sub_type": "clmm"}, {"meteora-clmm", "orca-clmm"}),
    ],
)
def test_filters(client, catalogue, params, expected):
    body = client.get("/api/v1/connectors/", {**params, "page_size": 500}).json()

    assert {row["slug"] for row in body["results"]} == expected


def test_unknown_filter_value_is_400_naming_the_field(client, catalogue):
    response = client.get("/api/v1/connectors/", {"type": "options"})

    assert response.status_code == 400
    assert "type" in response.json()["fields"]


def test_detail_and_404(client, catalogue):
    body = client.get("/api/v1/connectors/uniswap-clmm/").json()

    assert body["address"] == "uniswap/clmm"
    assert body["code_url"].endswith("/src/connectors/uniswap")
    assert client.get("/api/v1/connectors/nope/").status_code == 404


def test_exchanges_list_nests_connectors(client, catalogue):
    body = client.get("/api/v1/exchanges/", {"chain": "solana", "page_size": 100}).json()

    uniswap_free = {row["slug"] for row in body["results"]}
    assert "raydium" in uniswap_free
    raydium = client.get("/api/v1/exchanges/raydium/").json()
    assert [c["address"] for c in raydium["connectors"]] == ["raydium/amm", "raydium/clmm"]


def test_writes_are_refused(client, catalogue):
    assert client.post("/api/v1/connectors/", {}).status_code in (403, 405)
    assert client.delete("/api/v1/connectors/kraken/").status_code in (403, 405)


def test_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    ConnectorFactory.create_batch(5)
    with django_assert_max_num_queries(5) as few:
        client.get("/api/v1/connectors/")
    ConnectorFactory.create_batch(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/connectors/")


def test_schema_and_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert schema["openapi"].startswith("3.")
    assert "/api/v1/connectors/" in schema["paths"]
    assert client.get("/api/docs/").status_code == 200


def test_exchange_list_query_count_does_not_grow_from_10_to_60(
    client, django_assert_max_num_queries
):
    make_exchanges(10)
    with django_assert_max_num_queries(10) as at_10:
        client.get("/api/v1/exchanges/", {"page_size": 100})
    make_exchanges(50)

    with django_assert_max_num_queries(len(at_10.captured_queries)):
        body = client.get("/api/v1/exchanges/", {"page_size": 100}).json()

    assert body["count"] == 60
    assert {len(row["connectors"]) for row in body["results"]} == {2}


def test_exchange_list_is_paged_strictly(client):
    ExchangeFactory.create_batch(3)

    page_two = client.get("/api/v1/exchanges/", {"page_size": 2, "page": 2}).json()
    not_a_page = client.get("/api/v1/exchanges/", {"page": "two"})
    past_the_end = client.get("/api/v1/exchanges/", {"page_size": 2, "page": 3})

    assert page_two["count"] == 3
    assert len(page_two["results"]) == 1
    assert not_a_page.status_code == 400
    assert not_a_page.json()["fields"] == {"page": ["page must be a whole number from 1 up."]}
    assert past_the_end.status_code == 404
    assert past_the_end.json()["code"] == "not_found"


def test_exchange_type_filter_lists_an_exchange_once_with_all_its_connectors(client):
    exchange = ExchangeFactory(name="Acme")
    ConnectorFactory(exchange=exchange, connector_id="acme")
    ConnectorFactory(exchange=exchange, connector_id="acme_perpetual", sub_type="perpetual")

    body = client.get("/api/v1/exchanges/", {"type": "clob_cex"}).json()

    assert [row["slug"] for row in body["results"]] == ["acme"]
    assert [c["address"] for c in body["results"][0]["connectors"]] == ["acme", "acme_perpetual"]
