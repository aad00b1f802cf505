"""Epoch and rules pages, read from the published history."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_epoch_list_shows_dates_rules_and_poll_links(client, history):
    body = client.get("/epochs/").content.decode()

    assert "Epoch 13" in body
    assert "1 Jul 2025" in body
    assert 'href="/rules/hgp-70-2025/"' in body
    assert "CLOB CEX connectors" in body
    assert body.index("Epoch 13") < body.index("Epoch 1<")


def test_epoch_page_shows_each_poll_with_its_result(client, history):
    body = client.get("/epochs/7/").content.decode()

    assert "Epoch 7 CEX Connectors Poll" in body
    assert "Epoch 7 DEX Connectors Poll" in body
    assert "315,126" in body  # OKX's allocation
    assert 'href="/epochs/6/"' in body  # previous
    assert 'href="/epochs/8/"' in body  # next


def test_epoch_without_polls_says_so(client, history):
    body = client.get("/epochs/1/").content.decode()

    assert "No polls were held in Epoch 1" in body


def test_unknown_epoch_is_404(client, history):
    assert client.get("/epochs/99/").status_code == 404


def test_rules_page_shows_every_parameter_proposal_types_notes_and_source(client, history):
    body = client.get("/rules/hgp-70-2025/").content.decode()

    assert "at least 400,000 HBOT" in body
    assert "Pro-rata among all included choices" in body
    assert "2 lowest removed at 20 choices" in body
    assert "<strong>NCP</strong>" in body
    assert "Notes and choices made where the sources are uncertain" in body
    assert 'rel="noopener">source</a>' in body


def test_current_rules_are_marked_in_force(client, history):
    assert "In force now" in client.get("/rules/hgp-77-2026/").content.decode()
    assert "In force now" not in client.get("/rules/hgp-70-2025/").content.decode()


def test_rules_history_lists_every_version_newest_first(client, history):
    body = client.get("/rules/").content.decode()

    assert body.index("HGP-77") < body.index("HGP-70") < body.index("HGP-50")
    assert "in force" in body


def test_unknown_rules_are_404(client, history):
    assert client.get("/rules/nope/").status_code == 404
