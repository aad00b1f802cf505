"""The bounty pages: what each role sees and can do, refusals shown as messages, and the
connector page's pot and bounty panels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bounties.models import BountyStatus, Payout, PotEntry
from bounties.services.pots import pot_get_or_create
from connectors_registry.models import Maintainer
from governance.models import Wallet
from tests.bounties.conftest import TX
from tests.factories import ConnectorFactory, UserFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def test_board_shows_columns_by_status_and_filters(client, drive, pot, make_bounty, exchange):
    connector = ConnectorFactory(exchange=exchange, connector_id="kraken_perpetual")
    open_bug = drive.to(make_bounty(title="Reconnect bug", connector=connector), "open")
    drive.to(
        make_bounty(
            title="USDC upgrade",
            bounty_type="connector_upgrade",
            denomination="USDC",
            amount=Decimal(500),
        ),
        "submitted",
    )
    make_bounty(title="Closed one").status = BountyStatus.CLOSED

    page = body(client.get("/bounties/"))
    assert 'data-testid="column-open"' in page
    assert "Reconnect bug" in page
    assert "USDC upgrade" in page

    filtered = body(client.get("/bounties/?denomination=USDC"))
    assert "USDC upgrade" in filtered
    assert "Reconnect bug" not in filtered
    by_type = body(client.get("/bounties/?type=bug"))
    assert "Reconnect bug" in by_type
    assert "USDC upgrade" not in by_type
    by_connector = body(client.get("/bounties/?connector=kraken_perpetual"))
    assert f'data-testid="bounty-card-{open_bug.pk}"' in by_connector
    assert "USDC upgrade" in by_connector  # the exchange's general bounties too


def test_board_refuses_unknown_filter_values(client):
    response = client.get("/bounties/?type=feature")

    assert response.status_code == 400
    assert "Select a valid choice" in body(response)


def test_bounty_page_shows_money_and_history(client, drive, pot, make_bounty):
    bounty = drive.to(make_bounty(amount=Decimal(100_000)), "assigned")

    page = body(client.get(f"/bounties/{bounty.pk}/"))

    assert "90,000 HBOT" in page  # developer portion after the 10% fee
    assert "Funded and opened" in page
    assert "Assigned" in page
    assert 'data-testid="bounty-history"' in page


def test_anonymous_visitor_is_invited_to_sign_in(client, drive, pot, make_bounty):
    bounty = drive.to(make_bounty(), "open")

    page = body(client.get(f"/bounties/{bounty.pk}/"))

    assert "Sign in with your wallet" in page
    response = client.post(f"/bounties/{bounty.pk}/apply/", {"note": "me"})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_maintainer_applies_through_the_page(client, drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), "open")
    client.force_login(maintainer.user)

    assert "Why you: experience" in body(client.get(f"/bounties/{bounty.pk}/"))
    response = client.post(f"/bounties/{bounty.pk}/apply/", {"note": "I fixed #6800."}, follow=True)

    assert "You applied" in body(response)
    assert bounty.applications.get().maintainer == maintainer


def test_refusals_are_shown_and_change_nothing(client, drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), "assigned")
    client.force_login(maintainer.user)

    response = client.post(
        f"/bounties/{bounty.pk}/submit/", {"pr_url": "https://example.com/pr/1"}, follow=True
    )

    assert "pull request&#x27;s GitHub link" in body(response)
    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.ASSIGNED


def test_maintainer_cannot_use_staff_moves(client, drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), "submitted")
    client.force_login(maintainer.user)

    response = client.post(f"/bounties/{bounty.pk}/merge/", {}, follow=True)

    assert "Only Foundation staff can mark bounties merged" in body(response)
    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.SUBMITTED


def test_staff_walk_a_bounty_to_paid_through_the_pages(client, pot, make_bounty, staff, maintainer):
    bounty = make_bounty(amount=Decimal(1000), denomination="USDT")
    client.force_login(staff)
    client.post(f"/bounties/{bounty.pk}/fund/", {"pot": pot.pk})
    client.post(f"/bounties/{bounty.pk}/assign/", {"maintainer": maintainer.pk, "note": ""})
    client.force_login(maintainer.user)
    client.post(
        f"/bounties/{bounty.pk}/submit/",
        {"pr_url": "https://github.com/hummingbot/hummingbot/pull/7777", "note": ""},
    )
    client.force_login(staff)
    client.post(f"/bounties/{bounty.pk}/request-changes/", {"note": "Add a test."})
    client.force_login(maintainer.user)
    client.post(f"/bounties/{bounty.pk}/progress/", {"note": "Adding it."})
    client.post(
        f"/bounties/{bounty.pk}/submit/",
        {"pr_url": "https://github.com/hummingbot/hummingbot/pull/7778", "note": ""},
    )
    client.force_login(staff)
    client.post(f"/bounties/{bounty.pk}/merge/", {"note": ""})
    response = client.post(f"/bounties/{bounty.pk}/pay/", {"tx_hash": TX}, follow=True)

    assert "Payout recorded" in body(response)
    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.PAID
    assert Payout.objects.get().amount_paid == Decimal(800)
    kinds = list(bounty.events.values_list("kind", flat=True))
    assert kinds == [
        "funded",
        "assigned",
        "submitted",
        "needs_work",
        "progress",
        "submitted",
        "merged",
        "paid",
    ]


def test_staff_close_with_a_reason(client, drive, pot, make_bounty, staff):
    bounty = drive.to(make_bounty(), "open")
    client.force_login(staff)

    client.post(f"/bounties/{bounty.pk}/close/", {"note": "Exchange API limit", "wont_fix": "on"})

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.WONT_FIX


def test_staff_create_a_bounty(client, staff, exchange):
    client.force_login(staff)
    response = client.post(
        "/bounties/new/",
        {
            "title": "Add candles feed",
            "bounty_type": "enhancement",
            "exchange": exchange.pk,
            "amount": "625",
            "denomination": "USDT",
            "funding_source": "sponsor",
            "sponsor_name": "Kraken",
        },
    )

    assert response.status_code == 302
    bounty = exchange.bounties.get()
    assert (bounty.title, bounty.sponsor_name, bounty.status) == (
        "Add candles feed",
        "Kraken",
        "potential",
    )


def test_create_form_shows_service_refusals(client, staff, exchange):
    client.force_login(staff)

    response = client.post(
        "/bounties/new/",
        {"title": "X", "bounty_type": "bug", "denomination": "HBOT", "funding_source": "sponsor"},
    )

    assert response.status_code == 200
    assert "Name the sponsor" in body(response)


@pytest.mark.parametrize("path", ["/bounties/new/", "/bounties/import/"])
def test_staff_pages_are_for_staff(client, maintainer, path):
    assert client.get(path).status_code == 302  # to sign in
    client.force_login(maintainer.user)
    assert client.get(path).status_code == 403


def test_import_page_names_bad_rows(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    text = (
        "Bounty ID,Type,Source,Connector,Bounty Amount,Denomination,Bounty Status,Issue Link\n"
        "1,Bug: P2,Foundation,,1,HBOT,Open,\n2,Bug: P2,Foundation,,1,HBOT,Doing,\n"
    )
    upload = SimpleUploadedFile("t.csv", text.encode(), content_type="text/csv")

    page = body(client.post("/bounties/import/", {"file": upload}))

    assert "Nothing was imported" in page
    assert "Row 3 (Bounty ID 2): Bounty Status &#x27;Doing&#x27;" in page


def test_import_page_imports(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    text = (
        "Bounty ID,Type,Source,Connector,Bounty Amount,Denomination,Bounty Status,Issue Link\n"
        "1,Bug: P2,Foundation,,1,HBOT,Open,\n"
    )
    upload = SimpleUploadedFile("t.csv", text.encode("utf-8-sig"), content_type="text/csv")

    response = client.post("/bounties/import/", {"file": upload}, follow=True)

    assert "Imported: 1 created" in body(response)


def test_export_downloads_csv(client, make_bounty):
    bounty = make_bounty(title="Exported", amount=Decimal(10_000), tracker_id="7001")

    response = client.get("/bounties/export.csv?columns=tracker")

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == [
        "Bounty ID,Type,Source,Connector,Bounty Amount,Denomination,Bounty Status,Issue Link",
        f'7001,Bug: P2,Foundation,Kraken,"10,000",HBOT,Potential,{bounty.issue_url}',
    ]


def test_pot_page_shows_totals_ledger_and_chart(client, drive, pot, make_bounty):
    drive.to(make_bounty(amount=Decimal(250_000)), "open")

    page = body(client.get(f"/pots/{pot.slug}/"))

    assert 'data-testid="balance-HBOT">1,000,000<' in page
    assert 'data-testid="available-HBOT">750,000<' in page
    assert '<svg class="balance-chart balance-chart-wide"' in page
    assert '<svg class="balance-chart balance-chart-narrow"' in page
    assert "Reservation for a bounty" in page


def test_pot_list(client, pot):
    page = body(client.get("/pots/"))

    assert "Kraken" in page
    assert "1,000,000" in page


def test_staff_record_sponsor_funding_on_the_pot_page(client, pot, staff, maintainer):
    client.force_login(maintainer.user)
    assert client.post(f"/pots/{pot.slug}/", {}).status_code == 403
    client.force_login(staff)

    bad = client.post(
        f"/pots/{pot.slug}/", {"sponsor_name": "dYdX", "denomination": "USDC", "amount": "-1"}
    )
    client.post(
        f"/pots/{pot.slug}/", {"sponsor_name": "dYdX", "denomination": "USDC", "amount": "250.5"}
    )

    assert bad.status_code == 200
    assert PotEntry.objects.filter(sponsor_name="dYdX").get().amount == Decimal("250.5")


def test_profile_and_leaderboard(client, drive, pot, make_bounty, maintainer):
    drive.to(make_bounty(amount=Decimal(100_000)), "paid")

    profile = body(client.get("/maintainers/alice-dev/"))
    board = body(client.get("/leaderboard/?by=hbot"))

    assert 'data-testid="earned-HBOT">90,000<' in profile
    assert "Alice Dev" in board
    assert "90,000" in board
    assert client.get("/maintainers/nobody-here/").status_code == 404


def test_me_creates_the_maintainer_profile_from_the_wallet(client):
    user = UserFactory(username="0xAbC0000000000000000000000000000000000001")
    Wallet.objects.create(address="0xAbC0000000000000000000000000000000000001", user=user)
    client.force_login(user)

    assert "Create your profile" in body(client.get("/me/"))
    client.post("/me/", {"display_name": "Carol", "github_handle": "@carol-dev"})

    maintainer = Maintainer.objects.get(user=user)
    assert (maintainer.github_handle, maintainer.wallet_address) == (
        "carol-dev",
        "0xabc0000000000000000000000000000000000001",
    )


@pytest.mark.parametrize(
    ("handle", "message"),
    [("bad handle!", "GitHub handle"), ("alice-dev", "already linked to another maintainer")],
)
def test_me_refuses_bad_or_taken_handles(client, maintainer, handle, message):
    user = UserFactory(username="0xAbC0000000000000000000000000000000000002")
    Wallet.objects.create(address="0xAbC0000000000000000000000000000000000002", user=user)
    client.force_login(user)

    page = body(client.post("/me/", {"display_name": "Dan", "github_handle": handle}))

    assert message in page
    assert not Maintainer.objects.filter(user=user).exists()


def test_me_without_a_wallet_says_to_sign_in_with_one(client, outsider):
    client.force_login(outsider)

    assert "This account has no wallet" in body(client.get("/me/"))
    assert client.post("/me/", {"display_name": "X"}).status_code == 200
    assert not Maintainer.objects.filter(user=outsider).exists()


def test_connector_page_has_pot_and_bounty_panels(client, drive, staff, exchange, make_bounty):
    from bounties.services.pots import pot_sponsor_fund

    connector = ConnectorFactory(exchange=exchange, connector_id="kraken")
    pot = pot_get_or_create(exchange=exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(5000), sponsor_name="S", actor=staff
    )
    drive.to(make_bounty(title="Fix kraken WS", connector=connector, amount=Decimal(2000)), "open")

    page = body(client.get(f"/connectors/{connector.slug}/"))

    assert 'data-testid="connector-pots"' in page
    assert "3,000 available" in page
    assert "Fix kraken WS" in page


def test_navigation_links_bounties_and_leaderboard(client):
    page = body(client.get("/"))

    assert 'href="/bounties/"' in page
    assert 'href="/leaderboard/"' in page


def test_pot_page_lists_poll_and_proposal_allocations(client, staff, exchange):
    from bounties.services import bounties as lifecycle
    from bounties.services.pots import pot_credits_sync
    from governance.models import PotCredit
    from tests.factories import (
        FinalizedPollFactory,
        FundBountyProposalFactory,
        PollPotCreditFactory,
    )

    PollPotCreditFactory(poll=FinalizedPollFactory(reference="HGP-60"), exchange=exchange)
    proposal = FundBountyProposalFactory(exchange=exchange, number=85)
    PotCredit.objects.create(
        exchange=exchange, label="Kraken", amount_hbot=300_000, proposal=proposal
    )
    pot_credits_sync()
    bounty = lifecycle.bounty_create(
        actor=staff,
        title="Upgrade",
        bounty_type="connector_upgrade",
        exchange=exchange,
        funding_source="proposal",
        proposal=proposal,
        amount="300000",
    )
    lifecycle.bounty_fund(bounty=bounty, actor=staff)

    pot_page = body(client.get(f"/pots/{exchange.pot.slug}/"))
    bounty_page = body(client.get(f"/bounties/{bounty.pk}/"))

    assert "HGP-60: Kraken" in pot_page
    assert "HGP-85: Kraken" in pot_page
    assert 'data-testid="available-HBOT">250,000<' in pot_page
    assert "HGP-85" in bounty_page
