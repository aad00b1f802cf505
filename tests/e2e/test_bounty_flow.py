"""A maintainer signs in with a wallet and applies; staff assign; the maintainer submits a
pull request; the board shows the bounty in Submitted. Headless chromium, live server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from bounties.models import Bounty, BountyStatus
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_get_or_create, pot_sponsor_fund
from tests.e2e.wallet import install_sign_in_wallet
from tests.factories import ConnectorFactory, ExchangeFactory, UserFactory

pytestmark = pytest.mark.browser

PR = "https://github.com/hummingbot/hummingbot/pull/8123"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def open_bounty(site) -> Bounty:
    staff = UserFactory(username="foundation", is_staff=True)
    exchange = ExchangeFactory(name="Kraken", slug="kraken")
    connector = ConnectorFactory(exchange=exchange, connector_id="kraken")
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(400_000), sponsor_name="Kraken", actor=staff
    )
    bounty = lifecycle.bounty_create(
        actor=staff,
        title="Order book resync after reconnect",
        bounty_type="bug",
        priority="P2",
        connector=connector,
        amount="50000",
        issue_url="https://github.com/hummingbot/hummingbot/issues/7482",
    )
    return lifecycle.bounty_fund(bounty=bounty, actor=staff)


@pytest.fixture
def staff_context(browser: Browser):
    """A second browser for staff, closed before the live server stops."""
    context = browser.new_context()
    yield context
    context.close()


def staff_page(context, site) -> Page:
    """Staff signed in to the admin in their own browser."""
    page = context.new_page()
    page.goto(site.url + "/admin/login/")
    page.get_by_label("Username").fill("foundation")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Site administration")).to_be_visible()
    return page


def test_apply_assign_submit_shows_in_submitted(
    page: Page, staff_context, site, open_bounty, devchain, settings
):
    holder = devchain.chain.info.holders[2]
    bounty_url = f"{site.url}/bounties/{open_bounty.pk}/"

    # given a developer who signs in with their wallet and creates a maintainer profile
    install_sign_in_wallet(page, holder, chain_id=settings.ETH_CHAIN_ID)
    page.goto(site.url + "/sign-in/?next=/me/")
    page.get_by_role("button", name="Connect wallet").click()
    expect(page.get_by_role("heading", name="Create your profile")).to_be_visible()
    expect(page.get_by_test_id("profile-wallet")).to_have_text(holder.address)
    page.get_by_label("Display name").fill("Carol Dev")
    page.get_by_label("GitHub handle").fill("carol-dev")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your maintainer profile is saved.")).to_be_visible()

    # when they apply for the open bounty with a note
    page.goto(bounty_url)
    page.get_by_label("Why you: experience, plan and a realistic timeline").fill(
        "I maintain the Kraken connector; a fix with tests in 5 days."
    )
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("You applied.")).to_be_visible()

    # and staff assign them from the applicants
    staff = staff_page(staff_context, site)
    staff.goto(bounty_url)
    expect(staff.get_by_role("complementary").get_by_text("I maintain the Kraken")).to_be_visible()
    staff.get_by_label("Assign to").select_option(label="Carol Dev (applied)")
    staff.get_by_role("button", name="Assign", exact=True).click()
    expect(staff.get_by_test_id("bounty-status")).to_contain_text("Assigned")

    # and the maintainer submits the pull request's link
    page.goto(bounty_url)
    page.get_by_label("Pull request link").fill(PR)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    expect(page.get_by_test_id("pr-link")).to_have_text(PR)

    # then the board shows it in Submitted, with its assignee
    page.get_by_role("link", name="Bounties").first.click()
    card = page.get_by_test_id("column-submitted").get_by_test_id(f"bounty-card-{open_bounty.pk}")
    expect(card).to_contain_text("Order book resync after reconnect")
    expect(card).to_contain_text("@carol-dev")
    expect(page.get_by_test_id("column-open")).not_to_contain_text("Order book resync")

    # and the bounty's history names who did each step
    open_bounty.refresh_from_db()
    assert open_bounty.status == BountyStatus.SUBMITTED
    kinds = list(open_bounty.events.values_list("kind", "actor__username"))
    assert kinds == [
        ("created", "foundation"),
        ("funded", "foundation"),
        ("applied", holder.address),
        ("assigned", "foundation"),
        ("submitted", holder.address),
    ]
