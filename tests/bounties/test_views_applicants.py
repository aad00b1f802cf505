"""A bounty's applicants: the count comes with the list (who, when, their note, a link to
their maintainer page, where their application stands), for everyone, as the history
already publishes each application."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateformat import format as date_format

from bounties import selectors
from bounties.services import bounties as lifecycle
from tests.factories import MaintainerUserFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def applicants_panel(page: str) -> str:
    match = re.search(r'<section[^>]*data-testid="applicants">(.*?)</section>', page, re.S)
    assert match, "no applicants panel"
    return match.group(1)


@pytest.fixture
def applied(drive, pot, make_bounty, maintainer, other_maintainer):
    """An Open bounty that Alice, then Bob, applied for."""
    bounty = drive.to(make_bounty(title="Resync the order book"), "open")
    lifecycle.bounty_apply(bounty=bounty, actor=maintainer.user, note="I wrote the WS client.")
    lifecycle.bounty_apply(
        bounty=bounty, actor=other_maintainer.user, note="Fix and tests in 5 days."
    )
    return bounty


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "staff", "third_maintainer"])
def test_everyone_sees_who_applied_when_and_why(client, applied, persona, outsider, staff):
    # given a visitor in each role
    if persona == "outsider":
        client.force_login(outsider)
    elif persona == "staff":
        client.force_login(staff)
    elif persona == "third_maintainer":
        client.force_login(MaintainerUserFactory(display_name="Carol Dev").user)

    # when they open the bounty
    panel = applicants_panel(body(client.get(f"/bounties/{applied.pk}/")))

    # then the count is the number of applicants listed, each with a link, date and note
    assert 'Applicants <span class="count">2</span>' in panel
    assert panel.count('data-testid="applicant-') == 2
    alice, bob = selectors.bounty_applications(bounty=applied)
    assert panel.index("Alice Dev") < panel.index("Bob Dev")  # oldest first
    for application in (alice, bob):
        assert f'href="/maintainers/{application.maintainer.github_handle}/"' in panel
        assert date_format(application.created_at, "j M Y H:i") in panel
        assert f"@{application.maintainer.github_handle}" in panel
    assert "I wrote the WS client." in panel
    assert "Fix and tests in 5 days." in panel
    assert panel.count(">Pending</span>") == 2


def test_a_maintainer_sees_their_own_application_marked(client, applied, maintainer):
    client.force_login(maintainer.user)

    panel = applicants_panel(body(client.get(f"/bounties/{applied.pk}/")))

    assert panel.count("(you)") == 1
    assert panel.index("Alice Dev") < panel.index("(you)") < panel.index("Bob Dev")


def test_after_assignment_the_list_keeps_everyone_with_the_outcome(
    client, applied, staff, other_maintainer
):
    lifecycle.bounty_assign(bounty=applied, maintainer=other_maintainer, actor=staff)

    panel = applicants_panel(body(client.get(f"/bounties/{applied.pk}/")))

    assert 'Applicants <span class="count">2</span>' in panel
    assert re.search(r"Alice Dev</a>\s*<span[^>]*>Not chosen</span>", panel)
    assert re.search(r"Bob Dev</a>\s*<span[^>]*>Accepted</span>", panel)


def test_an_applicant_without_a_github_handle_is_linked_by_id(client, drive, pot, make_bounty):
    bounty = drive.to(make_bounty(), "open")
    anonymous_dev = MaintainerUserFactory(display_name="No Handle", github_handle="")
    lifecycle.bounty_apply(bounty=bounty, actor=anonymous_dev.user, note="Happy to help.")

    panel = applicants_panel(body(client.get(f"/bounties/{bounty.pk}/")))

    assert f'href="/maintainers/{anonymous_dev.pk}/"' in panel
    assert "No Handle" in panel
    assert client.get(f"/maintainers/{anonymous_dev.pk}/").status_code == 200


def test_an_applicants_note_is_shown_as_text(client, drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), "open")
    lifecycle.bounty_apply(
        bounty=bounty, actor=maintainer.user, note='<script>alert("x")</script>\nline two'
    )

    panel = applicants_panel(body(client.get(f"/bounties/{bounty.pk}/")))

    assert "<script>" not in panel
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>line two" in panel


def test_without_applications_the_count_is_zero_and_says_so(client, drive, pot, make_bounty):
    bounty = drive.to(make_bounty(), "open")

    panel = applicants_panel(body(client.get(f"/bounties/{bounty.pk}/")))

    assert 'Applicants <span class="count">0</span>' in panel
    assert "No applications yet." in panel
    assert 'data-testid="applicant-' not in panel


def test_applications_are_read_oldest_first_in_one_query(
    applied, django_assert_num_queries, maintainer, other_maintainer
):
    with django_assert_num_queries(1):
        rows = [
            (a.maintainer.display_name, a.note)
            for a in selectors.bounty_applications(bounty=applied)
        ]

    assert rows == [
        ("Alice Dev", "I wrote the WS client."),
        ("Bob Dev", "Fix and tests in 5 days."),
    ]


def test_the_bounty_page_reads_applicants_in_a_fixed_number_of_queries(
    client, drive, pot, make_bounty
):
    def queries_with(applicants: int) -> int:
        bounty = drive.to(make_bounty(), "open")
        for _ in range(applicants):
            lifecycle.bounty_apply(bounty=bounty, actor=MaintainerUserFactory().user, note="Me.")
        with CaptureQueriesContext(connection) as queries:
            page = body(client.get(f"/bounties/{bounty.pk}/"))
        assert applicants_panel(page).count('data-testid="applicant-') == applicants
        return len(queries)

    assert queries_with(1) == queries_with(6)
