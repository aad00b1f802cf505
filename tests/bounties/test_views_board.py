"""The board says how many columns it has and lets any be reached where they do not all fit:
a tab per column with its count, each leading to its column."""

from __future__ import annotations

import re

import pytest

from bounties.models import BOARD_COLUMNS
from bounties.templatetags.bounties_tags import soft_breaks
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def tabs(page: str) -> list[tuple[str, str, str]]:
    """(target, label, count) of each column tab."""
    return re.findall(
        r'<a href="#column-(\w+)" data-column="\w+">([^<]+) <span class="count">(\d+)</span></a>',
        page,
    )


def test_board_has_a_tab_per_column_with_its_count(client, drive, pot, make_bounty):
    drive.to(make_bounty(title="A"), "open")
    drive.to(make_bounty(title="B"), "open")
    make_bounty(title="C")

    page = body(client.get("/bounties/"))

    found = tabs(page)
    assert [status for status, _, _ in found] == list(BOARD_COLUMNS)
    assert found[0] == ("potential", "Potential", "1")
    assert found[1] == ("open", "Open", "2")
    assert all(count == "0" for _, _, count in found[2:])
    for status in BOARD_COLUMNS:
        assert f'<section class="board-column" id="column-{status}"' in page
    assert 'data-testid="board-hint">7 columns side by side' in page
    assert 'class="board-nav"' in page  # shown by width alone (bounties.css)


def test_board_with_closed_columns_always_shows_its_nine_tabs(client):
    page = body(client.get("/bounties/?closed=1"))

    assert [status for status, _, _ in tabs(page)][-2:] == ["closed", "wont_fix"]
    assert len(tabs(page)) == 9
    assert 'class="board-nav is-many"' in page
    assert "9 columns side by side" in page


def test_tabs_count_what_the_filter_leaves(client, drive, pot, make_bounty):
    drive.to(make_bounty(title="HBOT one"), "open")
    drive.to(make_bounty(title="USDC one", denomination="USDC", amount=100), "open")

    page = body(client.get("/bounties/?denomination=USDC"))

    assert ("open", "Open", "1") in tabs(page)


def test_board_loads_its_stylesheet_and_script(client):
    page = body(client.get("/bounties/"))

    assert 'href="/static/css/bounties.css"' in page
    assert '<script type="module" src="/static/js/bounty-board.js"></script>' in page


def test_cards_let_connector_ids_wrap_at_their_parts(client, drive, pot, make_bounty, exchange):
    connector = ConnectorFactory(exchange=exchange, connector_id="kraken_perpetual")
    bounty = drive.to(make_bounty(connector=connector), "open")

    page = body(client.get("/bounties/"))

    card = re.search(rf'data-testid="bounty-card-{bounty.pk}">.*?</li>', page, re.S)
    assert card
    assert "kraken_<wbr>perpetual" in card.group(0)


def test_soft_breaks_escape_the_text_first():
    assert soft_breaks("<b>uni_swap/clmm</b>") == "&lt;b&gt;uni_<wbr>swap/<wbr>clmm&lt;/<wbr>b&gt;"
