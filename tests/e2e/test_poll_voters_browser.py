"""The list of votes in headless chromium: a holder votes from the poll page (and on a
proposal) and, without a reload, sees their choice and power in the "You" card and first in
the list of votes; "Show more" appends the next page in place; the poll page, the poll list
and the proposal page fit a laptop's 1280 px and a phone's 390 px.

Set ``SCREENSHOT_DIR`` to keep full-page screenshots for a visual check.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from governance import eip712
from governance.choices import ChoiceSpec
from governance.models import Poll, Proposal, Vote, Wallet
from governance.selectors import VOTERS_PER_PAGE
from governance.services.history import governance_history_load
from governance.services.polls import poll_create, poll_open
from governance.services.votes import vote_cast
from tests.e2e.wallet import install_typed_data_wallet
from tests.factories import UserFactory
from tests.governance.conftest import now_seconds, open_bounty_proposal, sign_typed_data
from tests.governance.factories import EpochFactory, GovernanceRulesFactory

pytestmark = pytest.mark.browser

LABELS = ("Binance", "OKX", "Kraken", "Coinbase", "Gate.io", "Kucoin Perpetual Futures")
WIDTHS = [(1280, 800), (390, 844)]


@pytest.fixture
def open_poll(site) -> Poll:
    epoch = EpochFactory(rules=GovernanceRulesFactory(slug="voters-browser-rules"))
    poll = poll_create(
        epoch=epoch,
        kind="cex",
        reference="HGP-VOTERS",
        choices=[ChoiceSpec(label=label) for label in LABELS],
    )
    return poll_open(poll=poll)


@pytest.fixture
def holders(devchain) -> Any:
    return devchain.chain.info.holders


def cast(poll: Poll, holder: Any, choices: list[tuple[int, int]]) -> Vote:
    typed_data = eip712.vote_typed_data(
        poll_id=poll.pk, voter=holder.address, choices=choices, timestamp=now_seconds()
    )
    return vote_cast(
        typed_data=typed_data,
        signature=sign_typed_data(typed_data, holder.private_key),
        poll_id=poll.pk,
    )


def sign_in(page: Page, site: Any, holder: Any) -> None:
    """The holder's session, as wallet sign-in leaves it."""
    user = UserFactory(username=holder.address)
    Wallet.objects.create(user=user, address=holder.address)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site.url}])


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def mark_page(page: Page) -> None:
    """Leave a mark on the loaded document; a reload would wipe it."""
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def snap(page: Page, name: str, *, selector: str = "") -> None:
    """A full-page screenshot, or of the first element matching ``selector``."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = str(Path(folder) / f"{name}.png")
        if selector:
            page.locator(selector).first.screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)


def test_holder_votes_and_sees_it_in_the_you_card_and_first_in_the_list(
    page: Page, site, open_poll, holders, settings
):
    # given alice and carol voted already, and bob (less than alice) is signed in
    alice, bob, carol = holders[0], holders[1], holders[2]
    cast(open_poll, alice, [(1, 1)])
    cast(open_poll, carol, [(4, 1)])
    sign_in(page, site, bob)
    install_typed_data_wallet(page, bob, chain_id=settings.ETH_CHAIN_ID)
    page.goto(site.url + open_poll.get_absolute_url())
    rows = page.get_by_test_id("voter-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(short(alice.address))
    expect(rows.first).to_contain_text("4,000,000 HBOT")
    mark_page(page)

    # when he weighs Kraken 3 and OKX 1, and signs
    page.get_by_label("Kraken").fill("3")
    page.get_by_label("OKX").fill("1")
    page.get_by_role("button", name="Sign and submit vote").click()
    expect(page.get_by_text("Your vote is counted with 2,250,000 HBOT")).to_be_visible()

    # then the You card says what was counted
    you = page.get_by_test_id("your-vote")
    expect(you).to_contain_text("Kraken weight 3 · 75.0%")
    expect(you).to_contain_text("OKX weight 1 · 25.0%")
    # and the list shows his vote first, marked, with his choices, shares and power
    expect(rows).to_have_count(3)
    mine = rows.first
    expect(mine).to_contain_text("You")
    expect(mine).to_contain_text(short(bob.address))
    expect(mine.get_by_test_id("voter-choices")).to_have_text("Kraken 75.0% OKX 25.0%")
    expect(mine.get_by_test_id("voter-power")).to_have_text("2,250,000 HBOT")
    expect(mine.get_by_role("link")).to_have_attribute("href", "/voting-power/")
    expect(rows.nth(1)).to_contain_text(short(alice.address))
    expect(rows.nth(2)).to_contain_text(short(carol.address))
    # all without a reload
    assert_not_reloaded(page)

    # and after a reload the server lists the same
    page.reload()
    expect(page.get_by_test_id("voter-row").first.get_by_test_id("voter-choices")).to_have_text(
        "Kraken 75.0% OKX 25.0%"
    )


def test_a_holder_who_is_not_signed_in_sees_the_vote_first_after_voting(
    page: Page, site, open_poll, holders, settings
):
    # given more votes than a page holds, each larger than heidi's
    store_votes(open_poll, VOTERS_PER_PAGE + 3, power=10**6 * 10**18)
    heidi = holders[7]  # 60,000 HBOT
    install_typed_data_wallet(page, heidi, chain_id=settings.ETH_CHAIN_ID)
    page.goto(site.url + open_poll.get_absolute_url())
    rows = page.get_by_test_id("voter-row")
    expect(rows).to_have_count(VOTERS_PER_PAGE)
    mark_page(page)

    # when she votes from the page without signing in
    page.get_by_label("Coinbase").fill("1")
    page.get_by_role("button", name="Sign and submit vote").click()
    expect(page.get_by_text("Your vote is counted with 60,000 HBOT")).to_be_visible()

    # then her vote is first in the list, with the address her wallet signed with
    expect(rows.first).to_contain_text("You")
    expect(rows.first).to_contain_text(short(heidi.address))
    expect(rows.first.get_by_test_id("voter-choices")).to_have_text("Coinbase")
    expect(rows.first.get_by_test_id("voter-power")).to_have_text("60,000 HBOT")
    expect(rows).to_have_count(VOTERS_PER_PAGE + 1)
    assert_not_reloaded(page)


def store_votes(poll: Poll, count: int, *, power: int) -> None:
    """``count`` counted votes in bulk (as the vote service stores them), each ``power``
    plus its number, each for the first and last choices 1:1."""
    Vote.objects.bulk_create(
        Vote(
            poll=poll,
            voter=Web3.to_checksum_address(f"0x{n + 1:040x}"),
            weights=[[1, 1], [len(LABELS), 1]],
            signed_timestamp=1,
            typed_data={},
            signature="0x",
            digest=f"0x{poll.pk:030x}{n:034x}",
            voting_power=power + n,
        )
        for n in range(count)
    )


def test_show_more_appends_the_next_page_in_place(page: Page, site, open_poll):
    store_votes(open_poll, VOTERS_PER_PAGE + 7, power=10**18)
    page.goto(site.url + open_poll.get_absolute_url())
    rows = page.get_by_test_id("voter-row")
    expect(rows).to_have_count(VOTERS_PER_PAGE)
    mark_page(page)

    page.get_by_role("link", name="Show more votes").click()

    expect(rows).to_have_count(VOTERS_PER_PAGE + 7)
    expect(page.get_by_role("link", name="Show more votes")).to_be_hidden()
    assert page.url == site.url + open_poll.get_absolute_url()
    assert_not_reloaded(page)
    addresses = rows.evaluate_all("rows => rows.map(row => row.dataset.voter)")
    assert len(set(addresses)) == VOTERS_PER_PAGE + 7


@pytest.fixture
def proposal(site, catalogue, holders) -> Proposal:
    """An HGP under HGP-77 (in force once the history is loaded), its vote open."""
    governance_history_load()
    return open_bounty_proposal(holders[0])


def test_holder_votes_on_a_proposal_and_sees_it_in_the_list(
    page: Page, site, proposal, holders, settings
):
    # given bob voted Against, and alice is signed in
    alice, bob = holders[0], holders[1]
    assert proposal.poll is not None
    cast(proposal.poll, bob, [(2, 1)])
    sign_in(page, site, alice)
    install_typed_data_wallet(page, alice, chain_id=settings.ETH_CHAIN_ID)
    page.goto(site.url + proposal.get_absolute_url())
    rows = page.get_by_test_id("voter-row")
    expect(rows).to_have_count(1)
    mark_page(page)

    # when she votes For
    page.get_by_role("button", name="For", exact=True).click()
    expect(page.get_by_text("Your vote is counted with 4,000,000 HBOT")).to_be_visible()

    # then the You card and the list say so, her vote first
    expect(page.get_by_test_id("your-vote")).to_contain_text("For weight 1 · 100.0%")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("You")
    expect(rows.first.get_by_test_id("voter-choices")).to_have_text("For")
    expect(rows.first.get_by_test_id("voter-power")).to_have_text("4,000,000 HBOT")
    expect(rows.nth(1).get_by_test_id("voter-choices")).to_have_text("Against")
    assert_not_reloaded(page)
    snap(page, "proposal-voters")


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_poll_pages_fit_the_window(
    browser: Browser, site, open_poll, proposal, holders, width, height
):
    # given votes spread over many choices (some shown behind "+N more"), a signed-in
    # voter, the poll list with its cards and results, and a proposal with votes
    weights = [(position, 7 - position) for position in range(1, len(LABELS) + 1)]
    for holder in holders[:6]:
        cast(open_poll, holder, weights)
    assert proposal.poll is not None
    cast(proposal.poll, holders[1], [(1, 1)])
    cast(proposal.poll, holders[2], [(2, 1)])
    user = UserFactory(username=holders[1].address)
    Wallet.objects.create(user=user, address=holders[1].address)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site.url}])
        page = context.new_page()
        pages = {
            "poll": open_poll.get_absolute_url(),
            "poll-voters": f"/polls/{open_poll.pk}/voters/",
            "polls": "/polls/",
            "proposal": proposal.get_absolute_url(),
        }
        for name, path in pages.items():
            page.goto(site.url + path)
            # then nothing is wider than the window
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            snap(page, f"{name}-{width}")
            snap(page, f"{name}-{width}-part", selector="[data-voters], .poll-section")
        # and the "+N more" choices open without widening the page
        page.goto(site.url + open_poll.get_absolute_url())
        page.get_by_text("+3 more").first.click()
        expect(page.get_by_test_id("voter-row").first).to_contain_text("Kucoin Perpetual Futures")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        snap(page, f"poll-{width}-more-open", selector="[data-voters]")
    finally:
        context.close()
