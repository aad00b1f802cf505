"""A token holder votes on an open poll from headless chromium with a browser wallet, and
sees the result bars change; the published result of an archived poll is readable too."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from eth_account import Account
from playwright.sync_api import Page, expect

from governance.choices import ChoiceSpec
from governance.models import Poll, Vote
from governance.services.history import governance_history_load
from governance.services.polls import poll_create, poll_open
from tests.e2e.wallet import install_typed_data_wallet
from tests.governance.factories import EpochFactory, GovernanceRulesFactory

pytestmark = pytest.mark.browser

LABELS = ("Binance", "OKX", "Kraken", "Coinbase")


@pytest.fixture
def open_poll(site) -> Poll:
    epoch = EpochFactory(rules=GovernanceRulesFactory(slug="browser-rules"))
    poll = poll_create(
        epoch=epoch,
        kind="cex",
        reference="HGP-E2E",
        choices=[ChoiceSpec(label=label) for label in LABELS],
    )
    return poll_open(poll=poll)


@pytest.fixture
def bob(devchain):
    return devchain.chain.info.holders[1]  # 2,250,000 HBOT


def posts_of(page: Page) -> list[str]:
    """The paths the page POSTs to, recorded from now on."""
    posts: list[str] = []
    page.on(
        "request",
        lambda request: (
            posts.append(urlsplit(request.url).path) if request.method == "POST" else None
        ),
    )
    return posts


def bar_width(page: Page, label: str) -> str:
    row = page.get_by_test_id("result-row").filter(has_text=label)
    return row.locator(".result-bar").evaluate("bar => bar.style.width")


def test_holder_votes_with_the_wallet_and_sees_the_bars_change(
    page: Page, site, open_poll, bob, settings
):
    # given bob's wallet on the site's chain, on the open poll's page with no votes yet
    signed = install_typed_data_wallet(page, bob, chain_id=settings.ETH_CHAIN_ID)
    posts = posts_of(page)
    page.goto(site.url + open_poll.get_absolute_url())
    expect(page.get_by_test_id("voter-count")).to_have_text("0")
    assert bar_width(page, "Kraken") == "0%"

    # when he weighs Kraken 3 and OKX 1, the form shows each choice's share of his power
    page.get_by_label("Kraken").fill("3")
    page.get_by_label("OKX").fill("1")
    expect(page.locator('[data-share-for="3"]')).to_have_text("75.0%")
    expect(page.locator('[data-share-for="2"]')).to_have_text("25.0%")

    # and signs and submits
    page.get_by_role("button", name="Sign and submit vote").click()

    # then the vote is counted with his balance at the snapshot block
    expect(page.get_by_text("Your vote is counted with 2,250,000 HBOT")).to_be_visible()
    # and the results are refreshed in place: one voter, Kraken first with 75%
    expect(page.get_by_test_id("voter-count")).to_have_text("1")
    first = page.get_by_test_id("result-row").first
    expect(first).to_contain_text("Kraken")
    expect(first.get_by_test_id("share")).to_have_text("75.00%")
    expect(first.get_by_test_id("votes")).to_have_text("1,687,500 HBOT")
    assert bar_width(page, "Kraken") == "100%"
    assert bar_width(page, "OKX") == "33.333%"
    # and the wallet was asked to sign exactly the site's Vote, choices in ascending order
    assert len(signed) == 1
    message = signed[0]["message"]
    assert signed[0]["primaryType"] == "Vote"
    assert message["poll"] == open_poll.pk
    assert message["choices"] == [{"choice": 2, "weight": 1}, {"choice": 3, "weight": 3}]
    vote = Vote.objects.get(poll=open_poll, is_current=True)
    assert vote.voter == bob.address
    # and the one vote went through the API's vote endpoint, the one scripts use
    assert posts == [f"/api/v1/polls/{open_poll.pk}/votes/"]


def test_vote_without_weights_is_explained_before_signing(
    page: Page, site, open_poll, bob, settings
):
    signed = install_typed_data_wallet(page, bob, chain_id=settings.ETH_CHAIN_ID)
    page.goto(site.url + open_poll.get_absolute_url())

    page.get_by_role("button", name="Sign and submit vote").click()

    expect(page.get_by_role("alert")).to_have_text("Give at least one choice a weight above 0.")
    assert signed == []


def test_declined_signature_is_explained_inline(page: Page, site, open_poll, bob, settings):
    install_typed_data_wallet(page, bob, chain_id=settings.ETH_CHAIN_ID, reject_signature=True)
    page.goto(site.url + open_poll.get_absolute_url())
    page.get_by_label("Binance").fill("1")

    page.get_by_role("button", name="Sign and submit vote").click()

    expect(page.get_by_role("alert")).to_contain_text("You declined the request in your wallet")
    expect(page.get_by_role("button", name="Sign and submit vote")).to_be_enabled()
    assert not Vote.objects.exists()


def test_wallet_on_another_chain_switches_then_votes(page: Page, site, open_poll, bob):
    # given a wallet on Ethereum mainnet
    install_typed_data_wallet(page, bob, chain_id=1)
    page.goto(site.url + open_poll.get_absolute_url())
    page.get_by_label("Coinbase").fill("5")

    # when he submits, he is told to switch, and switching sends the vote
    page.get_by_role("button", name="Sign and submit vote").click()
    expect(page.get_by_text(re.compile(r"Your wallet is on Ethereum mainnet"))).to_be_visible()
    page.get_by_role("button", name="Switch network").click()

    expect(page.get_by_text("Your vote is counted")).to_be_visible()
    expect(page.get_by_test_id("result-row").first).to_contain_text("Coinbase")


def test_refusal_from_the_site_is_shown_next_to_the_form(page: Page, site, open_poll, settings):
    # given a wallet whose address held no HBOT at the snapshot block
    empty = SimpleNamespace(private_key="0x" + "11" * 32)
    empty.address = Account.from_key(empty.private_key).address
    install_typed_data_wallet(page, empty, chain_id=settings.ETH_CHAIN_ID)
    posts = posts_of(page)
    page.goto(site.url + open_poll.get_absolute_url())
    page.get_by_label("Binance").fill("1")

    # when it votes
    page.get_by_role("button", name="Sign and submit vote").click()

    # then the site's refusal is shown beside the form, and nothing is counted
    expect(page.get_by_role("alert")).to_contain_text("held no HBOT at the snapshot block")
    assert not Vote.objects.exists()
    assert posts == [f"/api/v1/polls/{open_poll.pk}/votes/"]


def test_archived_poll_shows_the_published_result(page: Page, site, catalogue):
    # given the published history
    governance_history_load()

    # when a visitor opens the Epoch 7 CEX result from the results history
    page.goto(site.url + "/results/?epoch=7")
    page.get_by_role("link", name="CEX connectors").click()

    # then the published figures, allocations and the threshold line are shown, no form
    expect(page.get_by_role("heading", name="Epoch 7 CEX Connectors Poll")).to_be_visible()
    first = page.get_by_test_id("result-row").first
    expect(first).to_contain_text("OKX")
    expect(first).to_contain_text("315,126 HBOT to pot")
    expect(page.get_by_text("Figures as published before this site existed")).to_be_visible()
    expect(page.locator(".threshold-line").first).to_be_attached()
    expect(page.get_by_role("button", name="Sign and submit vote")).to_have_count(0)


def test_signed_in_holder_sees_the_vote_in_the_you_card_without_reloading(
    page: Page, site, open_poll, bob, settings
):
    from django.conf import settings as django_settings
    from django.test import Client

    from governance.models import Wallet
    from tests.factories import UserFactory

    # given bob signed in with his wallet (his session, as wallet sign-in leaves it)
    user = UserFactory(username=bob.address)
    Wallet.objects.create(user=user, address=bob.address)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site.url}])
    install_typed_data_wallet(page, bob, chain_id=settings.ETH_CHAIN_ID)
    page.goto(site.url + open_poll.get_absolute_url())
    you = page.get_by_test_id("your-vote")
    expect(you).to_have_text("not voted")

    # when he votes Kraken 3, OKX 1
    page.get_by_label("Kraken").fill("3")
    page.get_by_label("OKX").fill("1")
    page.get_by_role("button", name="Sign and submit vote").click()
    expect(page.get_by_text("Your vote is counted with 2,250,000 HBOT")).to_be_visible()

    # then the You card says what was counted, without a reload
    expect(you).to_contain_text("Kraken weight 3 · 75.0%")
    expect(you).to_contain_text("OKX weight 1 · 25.0%")
    expect(you).to_contain_text("counted just now with 2,250,000 HBOT")
    expect(you).not_to_contain_text("not voted")

    # and after a reload the server says the same
    page.reload()
    expect(page.get_by_test_id("your-vote")).to_contain_text("Kraken weight 3 · 75.0%")
