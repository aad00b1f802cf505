"""A visitor reads the status page in headless chromium: groups, statuses from real checks
against the exchange simulator, uptime bars with tooltips, the incident, a connector's panel."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from health.simulator import ExchangeSimulator
from tests.demo_site import demo_health_seed

pytestmark = pytest.mark.browser


@pytest.fixture
def simulator() -> Iterator[ExchangeSimulator]:
    with ExchangeSimulator(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def checked(catalogue, simulator, settings):
    """The shipped catalogue, with binance, kraken and okx checked twice against the
    simulator (okx serving a crossed book), so okx is down with an open incident."""
    settings.HEALTH_FAILURE_THRESHOLD = 2
    demo_health_seed(simulator)


def test_visitor_reads_status_page_and_follows_the_incident(page: Page, live_server, checked):
    # when a visitor opens the status page from the navigation
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Status").click()

    # then the page leads with the worst news
    expect(page.get_by_role("heading", name="Connector status", level=1)).to_be_visible()
    expect(page.get_by_test_id("status-banner")).to_contain_text("1 connector down")

    # and connectors are grouped by type, each with its status
    for group in ("clob_cex", "clob_dex", "amm_dex"):
        expect(page.get_by_test_id(f"group-{group}")).to_be_visible()
    okx = page.locator('tr[data-connector="okx"]')
    expect(okx.locator(".hpill")).to_have_text("Down")
    expect(page.locator('tr[data-connector="binance"] .hpill')).to_have_text("Operational")
    not_monitored = page.get_by_test_id("not-monitored-amm_dex")
    expect(not_monitored).to_contain_text("GATEWAY_URL")
    expect(not_monitored.locator('[data-connector="uniswap/clmm"]')).to_be_visible()

    # and today's uptime bar explains itself on hover
    today_bar = page.locator('tr[data-connector="binance"] svg.uptime-bars rect').last
    expect(today_bar).to_have_class(re.compile(r"run-up"))
    expect(today_bar.locator("title")).to_have_text(re.compile(r"100\.00% up"))
    expect(page.locator('tr[data-connector="binance"] svg.sparkline circle')).to_be_attached()

    # when they open the ongoing incident
    page.get_by_role("region", name="Ongoing incidents").get_by_role(
        "link", name="okx is down"
    ).click()

    # then it says what broke
    expect(page.get_by_role("heading", name="okx is down", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"order book is crossed: best bid")).first).to_be_visible()
    expect(page.get_by_text("Connector regression")).to_be_visible()

    # when they go to the connector's page
    page.get_by_role("link", name="okx", exact=True).first.click()

    # then its health panel shows the failing step, the region and the badge
    panel = page.get_by_test_id("health-panel")
    expect(panel.locator(".hpill").first).to_have_text("Down")
    expect(panel.get_by_text("Order book:").first).to_be_visible()
    expect(panel.locator(".step-fail").first).to_contain_text("order_book")
    expect(panel.get_by_text("/badge/okx.svg")).to_be_visible()


def test_badge_is_an_image_a_browser_renders(page: Page, live_server, checked):
    page.set_content(f'<img id="b" src="{live_server.url}/badge/binance.svg">')
    badge = page.locator("#b")

    expect(badge).to_have_js_property("complete", True)
    assert badge.evaluate("img => img.naturalWidth") > 80
