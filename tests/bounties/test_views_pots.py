"""The pots page reads at a glance: per pot its balance, what is committed to bounties, what
it paid and its open bounties, each amount only in the denominations it has; and the pot
page lists the bounties its committed amount is for."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bounties import selectors
from bounties.models import BountyStatus
from bounties.services.pots import pot_get_or_create, pot_sponsor_fund
from tests.factories import ExchangeFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def row_of(page: str, slug: str) -> str:
    match = re.search(rf'<tr data-testid="pot-{re.escape(slug)}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {slug}"
    return match.group(1)


def cell(row: str, label: str) -> list[str]:
    match = re.search(rf'<td[^>]*data-label="{label}">(.*?)</td>', row, re.S)
    assert match, f"no {label} cell"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).split()


@pytest.fixture
def busy_pot(drive, pot, make_bounty):
    """Kraken's pot (1,000,000 HBOT, 5,000 USDC, 5,000 USDT) with a bounty in most states."""
    for status, amount in [
        (BountyStatus.OPEN, 100_000),
        (BountyStatus.MERGED, 20_000),
        (BountyStatus.PAID, 10_000),
        (BountyStatus.CLOSED, 7_000),
        (BountyStatus.ASSIGNED, 50_000),  # last: one active bounty per developer
    ]:
        drive.to(make_bounty(title=f"{status} bounty", amount=Decimal(amount)), status, pot=pot)
    make_bounty(title="potential bounty", amount=Decimal(1_000))  # not funded: no pot
    return pot


def test_summaries_give_each_figure_only_where_it_is_not_zero(busy_pot, staff):
    quiet = pot_get_or_create(exchange=ExchangeFactory(name="Aevo", slug="aevo"))
    pot_sponsor_fund(
        pot=quiet, denomination="USDC", amount=Decimal(250), sponsor_name="A", actor=staff
    )
    empty = pot_get_or_create(exchange=ExchangeFactory(name="Bitrue", slug="bitrue"))

    rows = {row.pot.slug: row for row in selectors.pot_summaries()}

    kraken = rows[busy_pot.slug]
    assert kraken.balance == [
        ("HBOT", Decimal(990_000)),
        ("USDC", Decimal(5_000)),
        ("USDT", Decimal(5_000)),
    ]
    assert kraken.committed == [("HBOT", Decimal(170_000))]  # open + assigned + merged
    assert kraken.paid_out == [("HBOT", Decimal(10_000))]
    assert kraken.open_bounties == 3  # open, assigned, merged; not paid, closed or potential
    assert rows["aevo"].balance == [("USDC", Decimal(250))]
    assert rows["aevo"].committed == rows["aevo"].paid_out == []
    assert rows["aevo"].open_bounties == 0
    assert rows[empty.slug].balance == []


def test_summaries_take_three_queries_whatever_the_number_of_pots(
    busy_pot, staff, django_assert_num_queries
):
    for i in range(5):
        pot = pot_get_or_create(exchange=ExchangeFactory(name=f"Exchange {i}"))
        pot_sponsor_fund(
            pot=pot, denomination="HBOT", amount=Decimal(10), sponsor_name="S", actor=staff
        )

    with django_assert_num_queries(3):
        rows = selectors.pot_summaries()

    assert len(rows) == 6


def test_pots_page_has_five_columns_not_one_per_denomination(client, busy_pot):
    page = body(client.get("/pots/"))

    headers = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", page)
    assert headers == ["Pot", "Balance", "Committed to bounties", "Paid out", "Open bounties"]
    row = row_of(page, busy_pot.slug)
    assert cell(row, "Balance") == ["990,000", "HBOT", "5,000", "USDC", "5,000", "USDT"]
    assert cell(row, "Committed to bounties") == ["170,000", "HBOT"]
    assert cell(row, "Paid out") == ["10,000", "HBOT"]
    assert cell(row, "Open bounties") == ["3"]
    assert f'href="/pots/{busy_pot.slug}/#pot-bounties-heading"' in row


def test_a_pot_with_nothing_committed_or_paid_shows_a_dash_hidden_on_phones(client, pot):
    row = row_of(body(client.get("/pots/")), pot.slug)

    assert cell(row, "Committed to bounties") == ["—"]
    assert cell(row, "Paid out") == ["—"]
    assert cell(row, "Open bounties") == ["0"]
    assert row.count("stack-hidden") == 2  # phones show no line for them
    assert 'class="muted pot-kind">exchange<' in row


def test_a_pot_without_entries_shows_a_zero_balance(client, exchange):
    empty = pot_get_or_create(exchange=exchange)

    row = row_of(body(client.get("/pots/")), empty.slug)

    assert cell(row, "Balance") == ["0"]


def test_pots_page_without_pots_says_how_pots_come(client):
    page = body(client.get("/pots/"))

    assert "No pots yet." in page
    assert "<table" not in page


def test_pot_page_lists_only_the_bounties_under_way(client, busy_pot):
    page = body(client.get(f"/pots/{busy_pot.slug}/"))

    listed = re.search(r'id="pot-bounties-heading".*?</ul>', page, re.S)
    assert listed
    for title in ("open bounty", "assigned bounty", "merged bounty"):
        assert title in listed.group(0)
    for title in ("paid bounty", "closed bounty", "potential bounty"):
        assert title not in listed.group(0)
    assert {b.title for b in selectors.pot_open_bounties(pot=busy_pot)} == {
        "open bounty",
        "assigned bounty",
        "merged bounty",
    }
