"""A token holder signs in with a browser wallet in headless chromium.

The wallet is the EIP-1193 provider of ``tests.e2e.wallet``, injected before the page loads;
``personal_sign`` is answered by Python with a demo holder's key, exactly as a wallet extension
would sign.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from governance.models import Wallet
from tests.e2e.wallet import install_sign_in_wallet

pytestmark = pytest.mark.browser


@pytest.fixture
def holder(devchain):
    return devchain.chain.info.holders[1]


@pytest.fixture
def site(live_server, chain_settings, transactional_db):
    """The live server, pointed at the session dev chain, with a committed database."""
    return live_server


def test_holder_signs_in_with_the_browser_wallet(page: Page, site, holder, settings):
    # given a browser with a wallet holding bob's key, on the site's chain
    signed = install_sign_in_wallet(page, holder, chain_id=settings.ETH_CHAIN_ID)
    page.goto(site.url + "/sign-in/?next=/sign-in/")

    # when bob connects his wallet
    page.get_by_role("button", name="Connect wallet").click()

    # then he lands back on the page he came from, signed in as his checksummed address
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(holder.address)
    # and the header shows the wallet on every page
    expect(page.get_by_test_id("user-address")).to_have_text(holder.address)
    # and the wallet was shown a message naming this site, the address and the chain
    host = site.url.removeprefix("http://")
    assert len(signed) == 1
    assert signed[0].startswith(
        f"{host} wants you to sign in with your Ethereum account:\n{holder.address}\n"
    )
    assert f"Chain ID: {settings.ETH_CHAIN_ID}" in signed[0]
    assert Wallet.objects.get(address=holder.address).is_contract is False

    # when he opens his voting power from the navigation
    page.get_by_role("link", name="Voting power").click()

    # then he sees his HBOT balance read from the chain
    expect(page.get_by_test_id("voting-power")).to_contain_text("2,250,000")


def test_wallet_on_another_chain_is_asked_to_switch(page: Page, site, holder, settings):
    # given a wallet on Ethereum mainnet, while the site uses the dev chain
    signed = install_sign_in_wallet(page, holder, chain_id=1)
    page.goto(site.url + "/sign-in/?next=/sign-in/")

    # when the holder connects
    page.get_by_role("button", name="Connect wallet").click()

    # then the page says which chains differ, without asking for a signature
    expect(page.get_by_text(re.compile(r"Your wallet is on Ethereum mainnet"))).to_be_visible()
    expect(page.get_by_text(f"chain id {settings.ETH_CHAIN_ID}").first).to_be_visible()
    assert signed == []
    expect(page.get_by_role("button", name="Connect wallet")).to_be_enabled()

    # and after switching the network, signing in goes through
    page.get_by_role("button", name="Switch network").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(holder.address)


def test_declined_signature_is_explained_inline(page: Page, site, holder, settings):
    # given a wallet whose owner will decline to sign
    install_sign_in_wallet(page, holder, chain_id=settings.ETH_CHAIN_ID, reject_signature=True)
    page.goto(site.url + "/sign-in/")

    # when they connect and decline
    page.get_by_role("button", name="Connect wallet").click()

    # then the page says so, and they can try again
    expect(page.get_by_role("alert")).to_contain_text("You declined the request in your wallet")
    expect(page.get_by_role("button", name="Connect wallet")).to_be_enabled()
    assert not Wallet.objects.exists()


def test_without_a_wallet_the_page_says_one_is_needed(page: Page, site):
    # given a browser with no wallet extension
    page.goto(site.url + "/sign-in/")

    # then the page explains what is missing, and connecting is not offered
    expect(page.get_by_role("alert")).to_contain_text("needs a browser wallet extension")
    expect(page.get_by_role("button", name="Connect wallet")).to_be_disabled()
