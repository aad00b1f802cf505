"""The poll page on a phone (390 px wide) with script off: the facts beside each choice and
the allocation simulator's plain form and table fit, and the form works without script."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import ConnectorFactory, ExchangeFactory
from tests.governance.factories import ChoiceFactory
from tests.governance.test_ballot_facts import NOW, TODAY, check_of, incident, rollup
from tests.governance.test_poll_simulator import HBOT, active_poll, stored_vote

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_simulator_and_facts_fit_a_390_px_phone_without_script(live_server, browser):
    # given an open poll of exchanges with long names, their checked connectors and a vote
    poll = active_poll(labels=())
    for position in range(1, 5):
        exchange = ExchangeFactory(name=f"Exchange with a rather long name {position}")
        check = check_of(ConnectorFactory(exchange=exchange))
        rollup(check, TODAY, up=99_987, degraded=10, down=3)
        incident(check, NOW - timedelta(hours=position))
        ChoiceFactory(poll=poll, position=position, label=exchange.name, exchange=exchange)
    stored_vote(poll, 0, {1: 1}, 300_000 * HBOT)
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()

    # when a visitor tries 250,000 HBOT on the second choice with the plain form
    page.goto(live_server.url + poll.get_absolute_url())
    page.fill("#sim-balance", "250000")
    page.fill("#sim-weight-2", "1")
    page.get_by_role("button", name="Simulate").click()

    # then the simulation is shown, and nothing is wider than the phone
    table = page.get_by_test_id("simulation-table")
    table.wait_for()
    assert "passes" in table.inner_text()
    assert page.get_by_test_id("choice-facts").count() == 4
    assert "99.99%" in page.get_by_test_id("choice-facts").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.simulator-panel *, .choice-facts *')]
            .filter(e => e.getBoundingClientRect().right > 390 && !e.closest('.table-wrap'))
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert overflowing == []
    table_wrap_overflow = page.evaluate(
        "() => [...document.querySelectorAll('.simulator-panel .table-wrap')]"
        ".map(e => e.scrollWidth - e.clientWidth)"
    )
    assert all(extra <= 0 for extra in table_wrap_overflow), table_wrap_overflow
    context.close()
