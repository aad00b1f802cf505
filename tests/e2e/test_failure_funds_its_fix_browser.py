"""One connector's story in the browser: it fails in the exchange simulator for longer than
the limit; a draft bounty appears on the board; staff fund it; the maintainer submits a fix;
staff merge; the bounty page counts down the green days; after the simulated N days it is
payable. Real checks against the simulator over loopback; headless chromium; live server."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bounties.models import Bounty, BountyStatus
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_get_or_create, pot_sponsor_fund
from health.models import Attribution, HealthCheck, HealthStatus, Incident
from health.services.checks import check_run
from health.services.incidents import incidents_review
from health.simulator import Faults
from tests.factories import ConnectorFactory, ExchangeFactory, MaintainerUserFactory, UserFactory

pytestmark = pytest.mark.browser

PR = "https://github.com/hummingbot/hummingbot/pull/8200"


@pytest.fixture
def story(live_server, transactional_db, sim, settings):  # type: ignore[no-untyped-def]
    settings.HEALTH_FAILURE_THRESHOLD = 1
    settings.HEALTH_RECOVERY_THRESHOLD = 1
    settings.HEALTH_DRAFT_BOUNTY_AFTER_HOURS = 24
    settings.BOUNTY_PAYOUT_GREEN_DAYS = 7
    settings.BOUNTY_DRAFT_AMOUNTS_HBOT = {"bug": 20000}
    exchange = ExchangeFactory(name="Kraken", slug="kraken")
    connector = ConnectorFactory(exchange=exchange, connector_id="kraken")
    staff = UserFactory(username="foundation", is_staff=True)
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(100_000), sponsor_name="Kraken", actor=staff
    )
    check = HealthCheck.objects.create(
        connector=connector,
        probe_id="kraken",
        status=HealthStatus.OPERATIONAL,
        rest_url_override=sim.rest_url("kraken"),
        ws_url_override=sim.ws_url("kraken"),
    )
    maintainer = MaintainerUserFactory(display_name="Carol Dev", github_handle="carol-dev")
    return {"site": live_server, "check": check, "staff": staff, "maintainer": maintainer}


def _run(check: HealthCheck) -> None:
    check_run(check_id=check.pk, scheduled_for=timezone.now(), region="local")


@pytest.fixture
def contexts(browser: Browser):  # type: ignore[no-untyped-def]
    opened: list[BrowserContext] = []

    def signed_in(user) -> Page:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(user)
        context = browser.new_context()
        opened.append(context)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "domain": "localhost", "path": "/"}]
        )
        return context.new_page()

    yield signed_in
    for context in opened:
        context.close()


def test_a_lasting_regression_drafts_a_bounty_that_pays_after_green_days(story, contexts, sim):
    site, check = story["site"], story["check"]
    base = site.url.replace("127.0.0.1", "localhost")

    # given Kraken's order book turns empty: the exchange answers, the connector cannot use it
    sim.faults.set("kraken", Faults(fault="empty_book", scope="order_book"))
    _run(check)
    incident = Incident.objects.get(health_check=check, resolved_at__isnull=True)
    assert incident.attribution == Attribution.CONNECTOR

    # when it has lasted longer than the limit, the review drafts a bug bounty
    (draft_id,) = incidents_review(now=timezone.now() + timedelta(hours=25))

    # then staff see the draft on the board and fund it with one action
    staff = contexts(story["staff"])
    staff.goto(base + "/bounties/")
    card = staff.get_by_test_id(f"bounty-card-{draft_id}")
    expect(card.get_by_text("Draft")).to_be_visible()
    card.get_by_role("link").click()
    expect(staff.get_by_text("Drafted from", exact=True)).to_be_visible()
    expect(staff.get_by_text("Failing step: Order book")).to_be_visible()
    staff.get_by_role("button", name="Fund and open").click()
    expect(staff.get_by_text("Open", exact=True).first).to_be_visible()
    assert Bounty.objects.get(pk=draft_id).status == BountyStatus.OPEN

    # the maintainer is assigned and submits the fix from their own browser
    bounty = Bounty.objects.get(pk=draft_id)
    lifecycle.bounty_assign(
        bounty=bounty, maintainer=story["maintainer"], actor=story["staff"], note=""
    )
    maintainer = contexts(story["maintainer"].user)
    maintainer.goto(f"{base}/bounties/{draft_id}/")
    maintainer.get_by_label("Pull request link").fill(PR)
    maintainer.get_by_role("button", name="Submit for review").click()
    expect(maintainer.get_by_text("Submitted", exact=True).first).to_be_visible()

    # staff merge; the fix is live and the connector turns operational
    staff.goto(f"{base}/bounties/{draft_id}/")
    staff.get_by_role("button", name="Mark merged").click()
    sim.faults.clear()
    _run(check)
    check.refresh_from_db()
    assert check.status == HealthStatus.OPERATIONAL

    # the bounty page counts down the green days, and offers no payout yet
    staff.goto(f"{base}/bounties/{draft_id}/")
    expect(staff.get_by_test_id("payout-wait")).to_contain_text("Waiting for 7 green days")
    expect(staff.get_by_test_id("green-countdown")).to_contain_text("6\u00a0days")
    expect(staff.get_by_role("button", name="Record payout")).to_have_count(0)

    # after the simulated seven days it is payable
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1), tick=True):
        staff.goto(f"{base}/bounties/{draft_id}/")
        expect(staff.get_by_test_id("payout-wait")).to_contain_text("Payable")
        expect(staff.get_by_role("button", name="Record payout")).to_be_visible()
