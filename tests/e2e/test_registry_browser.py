"""A visitor browses the registry in headless chromium and opens a connector page."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_visitor_filters_registry_and_opens_connector(page: Page, live_server, catalogue):
    # given the registry with the shipped catalogue
    page.goto(live_server.url + "/")
    rows = page.get_by_test_id("connector-table").locator("tbody tr")
    expect(page.get_by_role("heading", name="Connectors", level=1)).to_be_visible()
    expect(rows).to_have_count(58)

    # when the visitor picks the AMM DEX tab
    page.get_by_role("link", name=re.compile(r"^AMM DEX")).click()

    # then only Gateway connectors are listed
    expect(rows).to_have_count(15)
    expect(page.get_by_role("link", name="uniswap/clmm")).to_be_visible()
    expect(page.get_by_role("link", name="binance", exact=True)).to_have_count(0)

    # when they search within CLOB CEX for binance with the filter form
    page.get_by_label("Type", exact=True).select_option("clob_cex")
    page.get_by_role("searchbox", name="Search").fill("binance")
    page.get_by_role("button", name="Filter").click()

    # then spot and perpetual are listed, and the query string keeps the filters
    expect(rows).to_have_count(2)
    assert "type=clob_cex" in page.url
    assert "q=binance" in page.url

    # when they open the perpetual connector
    page.get_by_role("link", name="binance_perpetual").click()

    # then its page shows what the registry knows
    expect(page.get_by_role("heading", name="binance_perpetual", level=1)).to_be_visible()
    expect(page.get_by_text("Perpetual").first).to_be_visible()
    expect(
        page.get_by_role("link", name="hummingbot/connector/derivative/binance_perpetual")
    ).to_be_visible()
    expect(page.get_by_text("Listed in the connector catalogue.")).to_be_visible()

    # and the sibling spot connector is one click away
    page.get_by_role("link", name=re.compile(r"^binance\s+Spot")).click()
    expect(page.get_by_role("heading", name="binance", level=1, exact=True)).to_be_visible()


def test_visitor_sees_clear_message_for_bad_filter(page: Page, live_server, catalogue):
    # when a hand-edited URL carries an unknown type
    page.goto(live_server.url + "/?type=options")

    # then the page says which filter was not understood and lists nothing
    expect(page.get_by_role("alert")).to_contain_text("type")
    expect(page.get_by_text("No connector matches these filters.")).to_be_visible()


def test_exchange_page_lists_all_gateway_sub_types(page: Page, live_server, catalogue):
    # when a visitor opens Uniswap from the exchange list
    page.goto(live_server.url + "/exchanges/")
    page.get_by_role("link", name="Uniswap", exact=True).click()

    # then its three Gateway connectors are listed
    for address in ("uniswap/amm", "uniswap/clmm", "uniswap/router"):
        expect(page.get_by_role("link", name=address)).to_be_visible()
