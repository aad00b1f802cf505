"""The bounties pages on a 390 px phone: nothing wider than the window (long titles, long
names, pots' amounts), the board says it has more columns than fit and reaches each one,
and a bounty's applicants are listed. Headless chromium, live server."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bounties.models import Bounty
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_get_or_create, pot_sponsor_fund
from tests.factories import ConnectorFactory, ExchangeFactory, MaintainerUserFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
LONG_WORD = "supercalifragilistic_websocket_reconnection_" * 2


@pytest.fixture
def board(live_server, transactional_db) -> Bounty:
    """A connector's pot and bounties in three columns; the open one, whose title is one
    long word, has two applicants with long names."""
    staff = UserFactory(username="foundation", is_staff=True)
    exchange = ExchangeFactory(name="Binance", slug="binance")
    connector = ConnectorFactory(exchange=exchange, connector_id="binance_perpetual")
    pot = pot_get_or_create(connector=connector)
    for denomination, amount in (("HBOT", 123_456_789), ("USDT", 25_000)):
        pot_sponsor_fund(
            pot=pot,
            denomination=denomination,
            amount=Decimal(amount),
            sponsor_name="A sponsor with a long name",
            actor=staff,
        )

    def bounty(title: str) -> Bounty:
        created = lifecycle.bounty_create(
            actor=staff,
            title=title,
            bounty_type="bug",
            priority="P1",
            connector=connector,
            amount="1234567.5",
            issue_url="https://github.com/hummingbot/hummingbot/issues/99",
        )
        return lifecycle.bounty_fund(bounty=created, actor=staff, pot=pot)

    applicants = [
        MaintainerUserFactory(
            display_name=f"Developer {n} with a rather long display name",
            github_handle=f"developer-{n}-with-a-long-handle",
        )
        for n in (1, 2)
    ]
    open_bounty = bounty(f"Resync {LONG_WORD}")
    for applicant in applicants:
        lifecycle.bounty_apply(
            bounty=open_bounty, actor=applicant.user, note="Experience, plan, timeline. " * 6
        )
    assigned = bounty("Funding-rate stream stops after a reconnect")
    lifecycle.bounty_assign(bounty=assigned, maintainer=applicants[0], actor=staff)
    lifecycle.bounty_create(
        actor=staff,
        title=f"Candles {LONG_WORD}",
        bounty_type="enhancement",
        connector=connector,
        amount="625",
        denomination="USDC",
    )
    return open_bounty


def browse(browser: Browser, live_server, viewport: dict[str, int], *, user=None) -> BrowserContext:
    """A browser window of that size, signed in as ``user`` if given."""
    context = browser.new_context(viewport=viewport)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def assert_fits(page: Page, width: int) -> None:
    """No horizontal scroll: the page is no wider than the window."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide in a {width} px window"


ACROSS = """(testId) => {
  const box = document.querySelector(`[data-testid="${testId}"]`).getBoundingClientRect();
  return box.left >= 0 && box.right <= window.innerWidth;
}"""


def across_the_window(page: Page, test_id: str) -> bool:
    """Whether the element's whole width is on screen (its height may run below)."""
    return bool(page.evaluate(ACROSS, test_id))


@pytest.mark.parametrize("persona", ["signed-out", "staff", "applicant"])
def test_bounties_pages_fit_a_phone(browser: Browser, live_server, board, persona):
    user = {
        "signed-out": None,
        "staff": UserFactory(username="walker", is_staff=True),
        "applicant": board.applications.first().maintainer.user,
    }[persona]
    context = browse(browser, live_server, PHONE, user=user)
    try:
        page = context.new_page()
        pot = board.pot
        assert pot is not None
        for path in ["/bounties/", f"/bounties/{board.pk}/", "/pots/", f"/pots/{pot.slug}/"]:
            page.goto(live_server.url + path)
            assert_fits(page, PHONE["width"])

        # the bounty's applicants are listed, not only counted
        page.goto(f"{live_server.url}/bounties/{board.pk}/")
        applicants = page.get_by_test_id("applicants")
        expect(applicants.get_by_role("heading")).to_have_text("Applicants 2")
        expect(applicants.get_by_role("listitem")).to_have_count(2)
        expect(
            applicants.get_by_role("link", name="Developer 2 with a rather long display name")
        ).to_be_visible()

        # the pots page is cards: the pot's name, then its figures
        page.goto(live_server.url + "/pots/")
        row = page.get_by_test_id(f"pot-{pot.slug}")
        expect(row.get_by_role("link", name="binance_perpetual")).to_be_in_viewport()
        expect(row).to_contain_text("123,456,789")
        # the pot page draws the chart for phones
        page.goto(f"{live_server.url}/pots/{pot.slug}/")
        expect(page.locator(".balance-chart-narrow").first).to_be_visible()
        expect(page.locator(".balance-chart-wide").first).to_be_hidden()
    finally:
        context.close()


def test_the_phone_board_shows_it_has_more_columns_and_reaches_them(
    browser: Browser, live_server, board
):
    context = browse(browser, live_server, PHONE)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/bounties/")

        # the hint and a tab per column, with counts, are on screen
        nav = page.get_by_test_id("board-nav")
        expect(nav).to_be_visible()
        expect(page.get_by_test_id("board-hint")).to_be_visible()
        expect(page.get_by_test_id("board-hint")).to_contain_text("7 columns")
        expect(nav.get_by_role("link")).to_have_count(7)
        expect(nav.get_by_role("link", name="Assigned 1")).to_be_visible()
        # one column fills the phone; the next one only peeks in
        assert across_the_window(page, "column-potential")
        assert not across_the_window(page, "column-open")
        expect(page.get_by_test_id("column-open")).to_be_in_viewport()  # its edge shows

        # when the Assigned tab is tapped, the board slides to that column
        nav.get_by_role("link", name="Assigned 1").click()

        column = page.get_by_test_id("column-assigned")
        expect(column).to_contain_text("Funding-rate stream stops after a reconnect")
        page.wait_for_function(ACROSS, arg="column-assigned")  # once the board has slid
        assert not across_the_window(page, "column-potential")
        expect(nav.get_by_role("link", name="Assigned 1")).to_have_class(
            re.compile(r"\bis-in-view\b")
        )
        assert_fits(page, PHONE["width"])
    finally:
        context.close()


def test_a_laptop_shows_seven_columns_without_tabs_and_nine_with_them(
    browser: Browser, live_server, board
):
    context = browse(browser, live_server, LAPTOP)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/bounties/")
        expect(page.get_by_test_id("board-nav")).to_be_hidden()
        expect(page.get_by_test_id("column-paid")).to_be_in_viewport()
        assert_fits(page, LAPTOP["width"])

        page.goto(live_server.url + "/bounties/?closed=1")
        expect(page.get_by_test_id("board-nav")).to_be_visible()
        expect(page.get_by_test_id("board-hint")).to_contain_text("9 columns")
        assert_fits(page, LAPTOP["width"])
    finally:
        context.close()
