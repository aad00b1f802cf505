"""The registry's pages at any registry size: the connector list, the exchange list (counts,
not connectors) and an exchange's page are paged, keep their filters in the page links, show
the first or last page for a page number that is not one or is past the end (as the site's
other paged pages do), and cost the same queries at 10 rows as at 60."""

from __future__ import annotations

import re

import pytest

from connectors_registry import views
from connectors_registry.models import ConnectorType, ExchangeKind, InclusionStatus, Namespace
from connectors_registry.models import SubType as Sub
from tests.factories import ChainFactory, ConnectorFactory, ExchangeFactory

pytestmark = pytest.mark.django_db

TO = "\N{EN DASH}"  # between the first and last row shown: "showing 3 to 4"


def html(client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def links_to(page: str, text: str) -> list[str]:
    """The hrefs of the links whose text is ``text``."""
    return re.findall(rf'<a href="([^"]*)"[^>]*>{re.escape(text)}</a>', page)


def connector_ids(page: str) -> list[str]:
    return re.findall(r'<a class="connector-id" href="[^"]*">([^<]*)</a>', page)


def exchange_names(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/exchanges/[^"]*/">([^<]*)</a></h2>', page)


def amm(exchange=None, **fields):
    """A Gateway AMM DEX connector (the factory's default is a client CLOB CEX one)."""
    extra = {"exchange": exchange} if exchange else {}
    return ConnectorFactory(
        connector_type=ConnectorType.AMM_DEX,
        namespace=Namespace.GATEWAY,
        sub_type=Sub.AMM,
        **extra,
        **fields,
    )


# --- the connector list (/) ---------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "EXCHANGE_PAGE_SIZE", 2)
    monkeypatch.setattr(views, "EXCHANGE_CONNECTOR_PAGE_SIZE", 2)


def test_registry_pages_link_to_each_other_and_say_where_you_are(client, small_pages):
    # given five connectors, two per page
    ConnectorFactory.create_batch(5)

    # when a visitor opens the second page
    page = html(client, "/", page="2")

    # then it says which page of how many, and links back and on
    assert "Page 2 of 3" in page
    assert f"5 connectors · showing 3{TO}4" in page
    assert links_to(page, "← Previous") == ["?page=1"]
    assert links_to(page, "Next →") == ["?page=3"]
    assert len(connector_ids(page)) == 2


def test_registry_first_and_last_pages_have_one_way_to_go(client, small_pages):
    ConnectorFactory.create_batch(3)

    first = html(client, "/")
    last = html(client, "/", page="2")

    assert links_to(first, "← Previous") == []
    assert links_to(first, "Next →") == ["?page=2"]
    assert links_to(last, "← Previous") == ["?page=1"]
    assert links_to(last, "Next →") == []


def test_registry_fitting_one_page_has_no_page_links(client, small_pages):
    ConnectorFactory.create_batch(2)

    page = html(client, "/")

    assert 'aria-label="Pages"' not in page
    assert "showing" not in page


def test_registry_page_links_keep_the_filters(client, small_pages):
    # given five AMM DEX connectors among CLOB ones
    for _ in range(5):
        amm()
    ConnectorFactory.create_batch(3)

    # when a visitor filters by type and searches, then follows Next
    first = html(client, "/", type="amm_dex", q="exchange")
    (next_link,) = links_to(first, "Next →")
    second = html(client, "/" + next_link.replace("&amp;", "&"))

    # then the link kept both filters and the second page is still filtered
    assert next_link == "?type=amm_dex&amp;q=exchange&amp;page=2"
    assert f"5 connectors match · showing 3{TO}4" in second
    assert all(address.endswith("/amm") for address in connector_ids(second))
    assert links_to(second, "← Previous") == ["?type=amm_dex&amp;q=exchange&amp;page=1"]


@pytest.mark.parametrize(
    ("page_param", "shown"),
    [("abc", "Page 1 of 3"), ("999", "Page 3 of 3"), ("", "Page 1 of 3"), ("1.5", "Page 1 of 3")],
)
def test_registry_page_that_is_not_one_shows_the_first_or_last(
    client, small_pages, page_param, shown
):
    ConnectorFactory.create_batch(5)

    page = html(client, "/", page=page_param)

    assert shown in page


def test_registry_queries_do_not_grow_from_10_to_60_connectors(
    client, django_assert_max_num_queries
):
    ConnectorFactory.create_batch(10)
    with django_assert_max_num_queries(10) as at_10:
        client.get("/", {"type": "clob_cex"})
    ConnectorFactory.create_batch(50)

    with django_assert_max_num_queries(len(at_10.captured_queries)):
        page = html(client, "/", type="clob_cex")

    assert len(connector_ids(page)) == 60


# --- the exchange list (/exchanges/) -----------------------------------------------------


def test_exchange_card_counts_connectors_by_type_and_status_and_links_to_the_exchange(client):
    # given an exchange with two CLOB CEX connectors (one removed) and an AMM DEX one
    exchange = ExchangeFactory(name="Acme")
    ConnectorFactory(exchange=exchange, connector_id="acme")
    ConnectorFactory(exchange=exchange, connector_id="acme_old", status=InclusionStatus.REMOVED)
    amm(exchange, connector_id="acme")

    # when a visitor opens the exchange list
    page = html(client, "/exchanges/")

    # then the card counts them and links to the exchange and to the filtered registry
    assert links_to(page, "3 connectors") == ["/exchanges/acme/"]
    assert links_to(page, "2 CLOB CEX") == ["/?exchange=acme&amp;type=clob_cex"]
    assert links_to(page, "1 AMM DEX") == ["/?exchange=acme&amp;type=amm_dex"]
    assert "2 in codebase · 1 removed" in page
    assert "CLOB DEX" not in page.split('data-testid="exchange-cards"')[1]
    # and it does not list the connectors themselves
    assert "acme_old" not in page


def test_an_exchange_without_connectors_says_so(client):
    ExchangeFactory(name="Empty")

    page = html(client, "/exchanges/")

    assert links_to(page, "0 connectors") == ["/exchanges/empty/"]


def test_exchange_counts_are_not_multiplied_by_filters_that_join_connectors_or_chains(client):
    # given an exchange on two chains with two CLOB CEX connectors and one AMM DEX
    exchange = ExchangeFactory(name="Acme", kind=ExchangeKind.DEX)
    exchange.chains.add(ChainFactory(name="Solana"), ChainFactory(name="Ethereum"))
    ConnectorFactory(exchange=exchange, connector_id="acme")
    ConnectorFactory(exchange=exchange, connector_id="acme_perpetual", sub_type=Sub.PERPETUAL)
    amm(exchange, connector_id="acme")
    ExchangeFactory(name="Other")

    # when the list is filtered on a connector type it has two of, and on a chain
    page = html(client, "/exchanges/", type="clob_cex", chain="solana", kind="dex")

    # then the exchange is listed once with its real counts
    assert exchange_names(page) == ["Acme"]
    assert "1 exchange matches" in page
    assert links_to(page, "3 connectors") == ["/exchanges/acme/"]
    assert links_to(page, "2 CLOB CEX") == ["/?exchange=acme&amp;type=clob_cex"]
    assert "3 in codebase" in page


def test_exchange_list_pages_link_to_each_other(client, small_pages):
    for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
        ExchangeFactory(name=name)

    page = html(client, "/exchanges/", page="2")

    assert exchange_names(page) == ["Charlie", "Delta"]
    assert "Page 2 of 3" in page
    assert f"5 exchanges · showing 3{TO}4" in page
    assert links_to(page, "← Previous") == ["?page=1"]
    assert links_to(page, "Next →") == ["?page=3"]


def test_exchange_list_page_links_keep_the_filters(client, small_pages):
    # given three DEXes with an AMM connector and two CEXes
    for name in ("Alpha", "Bravo", "Charlie"):
        amm(ExchangeFactory(name=name, kind=ExchangeKind.DEX))
    ExchangeFactory(name="Cex one")
    ExchangeFactory(name="Cex two")

    # when the visitor filters DEXes with AMM connectors and follows Next
    first = html(client, "/exchanges/", kind="dex", type="amm_dex")
    (next_link,) = links_to(first, "Next →")
    second = html(client, "/exchanges/" + next_link.replace("&amp;", "&"))

    # then the second page is still filtered
    assert next_link == "?kind=dex&amp;type=amm_dex&amp;page=2"
    assert exchange_names(first) == ["Alpha", "Bravo"]
    assert exchange_names(second) == ["Charlie"]
    assert f"3 exchanges match · showing 3{TO}3" in second
    assert links_to(second, "← Previous") == ["?kind=dex&amp;type=amm_dex&amp;page=1"]


@pytest.mark.parametrize(
    ("page_param", "names"),
    [("abc", ["Alpha", "Bravo"]), ("999", ["Echo"]), ("-1", ["Echo"])],
)
def test_exchange_list_page_that_is_not_one_shows_the_first_or_last(
    client, small_pages, page_param, names
):
    for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
        ExchangeFactory(name=name)

    page = html(client, "/exchanges/", page=page_param)

    assert exchange_names(page) == names


def test_exchange_list_with_a_bad_filter_says_so_and_lists_nothing(client):
    ExchangeFactory(name="Alpha")

    page = html(client, "/exchanges/", kind="options")

    assert 'role="alert"' in page
    assert "No exchange matches these filters." in page
    assert exchange_names(page) == []


def make_exchanges(count: int) -> None:
    """Exchanges on a chain, each with a CLOB CEX and an AMM DEX connector."""
    chain = ChainFactory(name="Ethereum")
    for _ in range(count):
        exchange = ExchangeFactory()
        exchange.chains.add(chain)
        ConnectorFactory(exchange=exchange)
        amm(exchange)


def test_exchange_list_queries_do_not_grow_from_10_to_60_exchanges(
    client, django_assert_max_num_queries
):
    make_exchanges(10)
    with django_assert_max_num_queries(10) as at_10:
        client.get("/exchanges/", {"type": "amm_dex"})
    make_exchanges(50)

    with django_assert_max_num_queries(len(at_10.captured_queries)):
        page = html(client, "/exchanges/", type="amm_dex")

    assert "60 exchanges match" in page


# --- an exchange's page -----------------------------------------------------------------


def test_exchange_page_counts_its_connectors_and_pages_them(client, small_pages):
    # given an exchange with three connectors
    exchange = ExchangeFactory(name="Acme")
    for connector_id in ("acme", "acme_perpetual"):
        ConnectorFactory(exchange=exchange, connector_id=connector_id)
    amm(exchange, connector_id="acme")

    # when a visitor opens its page, then the second page
    first = html(client, "/exchanges/acme/")
    second = html(client, "/exchanges/acme/", page="2")

    # then the counts cover all of them and the table is paged
    assert f"3 connectors: 2 CLOB CEX · 1 AMM DEX; 3 in codebase · showing 1{TO}2" in first
    assert connector_ids(first) == ["acme/amm", "acme"]
    assert connector_ids(second) == ["acme_perpetual"]
    assert "Page 2 of 2" in second
    assert links_to(first, "Next →") == ["?page=2"]
    assert links_to(second, "← Previous") == ["?page=1"]


@pytest.mark.parametrize(("page_param", "expected"), [("abc", ["a1", "a2"]), ("7", ["a3"])])
def test_exchange_page_number_that_is_not_one_shows_the_first_or_last(
    client, small_pages, page_param, expected
):
    exchange = ExchangeFactory(name="Acme")
    for connector_id in ("a1", "a2", "a3"):
        ConnectorFactory(exchange=exchange, connector_id=connector_id)

    page = html(client, "/exchanges/acme/", page=page_param)

    assert connector_ids(page) == expected


def test_unknown_exchange_is_404(client):
    assert client.get("/exchanges/nope/").status_code == 404


def test_exchange_page_queries_do_not_grow_from_10_to_60_connectors(
    client, django_assert_max_num_queries
):
    exchange = ExchangeFactory(name="Acme")
    exchange.chains.add(ChainFactory(name="Ethereum"))
    ConnectorFactory.create_batch(10, exchange=exchange)
    with django_assert_max_num_queries(10) as at_10:
        client.get("/exchanges/acme/")
    ConnectorFactory.create_batch(50, exchange=exchange)

    with django_assert_max_num_queries(len(at_10.captured_queries)):
        page = html(client, "/exchanges/acme/")

    assert len(connector_ids(page)) == 60


# --- a connector's page: its exchange's other connectors --------------------------------


def test_connector_page_shows_a_few_siblings_and_links_to_the_exchange_for_the_rest(
    client, monkeypatch
):
    monkeypatch.setattr(views, "SIBLINGS_SHOWN", 2)
    exchange = ExchangeFactory(name="Acme")
    connector = ConnectorFactory(exchange=exchange, connector_id="acme")
    for connector_id in ("acme_b", "acme_c", "acme_d"):
        ConnectorFactory(exchange=exchange, connector_id=connector_id)

    page = html(client, connector.get_absolute_url())

    assert "<code>acme_b</code>" in page
    assert "<code>acme_c</code>" in page
    assert "<code>acme_d</code>" not in page
    assert links_to(page, "Every Acme connector") == ["/exchanges/acme/"]


def test_connector_page_with_few_siblings_lists_them_all(client):
    exchange = ExchangeFactory(name="Acme")
    connector = ConnectorFactory(exchange=exchange, connector_id="acme")
    ConnectorFactory(exchange=exchange, connector_id="acme_perpetual", sub_type=Sub.PERPETUAL)

    page = html(client, connector.get_absolute_url())

    assert "<code>acme_perpetual</code>" in page
    assert 'data-testid="more-siblings"' not in page
