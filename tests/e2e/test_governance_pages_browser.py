"""The governance pages in headless chromium: navigation through epochs, polls, results and
a connector's poll history; writing and signing a proposal; voting For on it.

Set ``SCREENSHOT_DIR`` to keep full-page screenshots of each page for a visual check.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from governance.models import Proposal
from governance.services.history import governance_history_load
from governance.services.polls import poll_open
from tests.e2e.wallet import install_typed_data_wallet

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, chain_settings, catalogue):
    """The live server on the session dev chain, with the catalogue and the published
    history committed (HGP-77's rules are in force: HGP proposals from 200,000 HBOT)."""
    governance_history_load()
    return live_server


def snap(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_visitor_follows_epochs_to_a_poll_and_its_rules(page: Page, site):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.url + "/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Epochs").click()
    expect(page.get_by_role("heading", name="Epochs", exact=True)).to_be_visible()
    snap(page, "epochs")
    page.get_by_role("link", name="Epoch 12", exact=True).click()

    expect(page.get_by_role("heading", name="Epoch 12", exact=True)).to_be_visible()
    snap(page, "epoch-12")
    page.get_by_role("link", name="Epoch 12 CLOB CEX Connectors Poll").click()

    expect(page.get_by_test_id("poll-status")).to_have_text("Archived")
    expect(page.get_by_test_id("result-row")).to_have_count(20)
    snap(page, "poll-archived")
    page.get_by_role("link", name=re.compile(r"^HGP-70: CLOB CEX")).click()
    expect(
        page.get_by_text("Notes and choices made where the sources are uncertain")
    ).to_be_visible()
    snap(page, "rules")


def test_results_filter_and_connector_poll_history(page: Page, site):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.url + "/results/")
    snap(page, "results")

    page.get_by_label("Kind").select_option("clob_spot")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_test_id("result-card")).to_have_count(2)  # Epochs 10 and 11
    expect(page.get_by_test_id("result-card").first).to_contain_text("XRPL")

    # and the spot connector's page lists the polls it was in
    page.goto(site.url + "/connectors/binance/")

    history = page.get_by_test_id("poll-history")
    expect(history).to_contain_text("HGP-61")
    expect(history).to_contain_text("✓ passed")
    # and every column fits at desktop width: no sideways scroll, nothing clipped
    table = history.locator(".table-wrap")
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth"), "the poll history is clipped"
    snap(page, "connector-binance")


def test_holder_writes_signs_and_votes_on_a_proposal(page: Page, site, devchain, settings):
    alice = devchain.chain.info.holders[0]  # 4,000,000 HBOT
    signed = install_typed_data_wallet(page, alice, chain_id=settings.ETH_CHAIN_ID)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(urlsplit(r.url).path) if r.method == "POST" else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.url + "/proposals/")
    page.get_by_role("link", name="New proposal").click()
    expect(page.get_by_test_id("proposal-minimums")).to_contain_text("200,000 HBOT")

    # when alice writes a bounty proposal for the Binance connector and signs it
    page.get_by_label("Title").fill("Fund the Binance connector upgrade")
    page.get_by_label("Description").fill("Binance changed its API.\nThis funds the fix.")
    page.get_by_label("Action").select_option("fund_bounty")
    page.get_by_label("Connector").select_option("binance")
    page.get_by_label("HBOT amount").fill("150000")
    snap(page, "proposal-new")
    page.get_by_role("button", name="Sign and publish").click()

    # then it is published and she lands on it, in discussion
    expect(page.get_by_test_id("proposal-stage")).to_have_text("Discussion")
    proposal = Proposal.objects.get()
    assert page.url.endswith(proposal.get_absolute_url())
    expect(page.get_by_test_id("proposal-body")).to_contain_text("Binance changed its API.")
    assert signed[0]["primaryType"] == "Proposal"
    assert signed[0]["message"]["hbotAllocation"] == 150000
    assert posts == ["/api/v1/proposals/"]  # published through the API

    # when the discussion is over and the vote opens, she votes For
    poll_open(poll=proposal.poll)
    page.reload()
    expect(page.get_by_test_id("countdown")).to_have_text(re.compile(r"^2d 23h \d+m \d+s left$"))
    page.get_by_role("button", name="For", exact=True).click()

    # then the tally shows her 4M against the 5M quorum, 100% For
    expect(page.get_by_text("Your vote is counted with 4,000,000 HBOT")).to_be_visible()
    # and her choice is marked, without a reload and after one
    expect(page.get_by_role("button", name="For", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("button", name="Against", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(page.get_by_test_id("quorum")).to_contain_text("4,000,000 / 5,000,000 HBOT")
    expect(page.get_by_test_id("approval")).to_contain_text("For 100.0% of For + Against")
    snap(page, "proposal-voting")
    assert signed[1]["message"]["choices"] == [{"choice": 1, "weight": 1}]
    assert posts[1:] == [f"/api/v1/polls/{proposal.poll.pk}/votes/"]
