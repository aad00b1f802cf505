"""A connector's timeline: every app's events, merged newest first, paged by a time cursor,
on the connector page, as an Atom feed and in the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck as HypothesisHealthCheck
from hypothesis import given, settings
from hypothesis import strategies as st

from bounties.models import BountyEvent, BountyEventKind, BountyStatus, Pot, PotEntry
from connectors_registry.extension_points import (
    TimelineEvent,
    TimelineQuery,
    connector_timeline,
)
from connectors_registry.models import (
    Connector,
    ConnectorStatusChange,
    InclusionStatus,
    StatusChangeSource,
)
from connectors_registry.timeline import (
    connector_timeline_page,
    cursor_format,
    cursor_parse,
    timeline_sort,
)
from core.extension_points import ExtensionPoint
from governance.models import (
    Choice,
    Poll,
    PollKind,
    Proposal,
    ProposalAction,
    ProposalOutcome,
)
from health.models import HealthCheck, HealthStatus, Incident, MaintenanceWindow
from tests.factories import (
    BountyFactory,
    ConnectorFactory,
    ExchangeFactory,
    FinalizedPollFactory,
    FundBountyProposalFactory,
    MaintainerFactory,
)
from tests.governance.factories import EpochFactory, PollFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
# What one page may cost: registry 1, health 4, governance 7, bounties 2.
PAGE_QUERIES = 14


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@pytest.fixture
def connector() -> Connector:
    return ConnectorFactory(
        connector_id="kraken", exchange=ExchangeFactory(name="Kraken", slug="kraken")
    )


# --- the rows each app records (directly, where no factory exists) ---------------------


def status_change(connector: Connector, when: datetime) -> ConnectorStatusChange:
    change = ConnectorStatusChange.objects.create(
        connector=connector,
        from_status=InclusionStatus.IN_CODEBASE,
        to_status=InclusionStatus.LEGACY,
        source=StatusChangeSource.STAFF,
        reason="No maintainer for a year.",
        reference="HGP-80",
    )
    ConnectorStatusChange.objects.filter(pk=change.pk).update(created_at=when)
    return change


def poll_with_choice(connector: Connector, *, opened: datetime, finalized: datetime) -> Poll:
    poll = FinalizedPollFactory(
        title="Epoch 14 CEX Poll",
        reference=f"HGP-{Poll.objects.count() + 500}",
        opened_at=opened,
        ends_at=opened + timedelta(minutes=30),
        finalized_at=finalized,
    )
    Choice.objects.create(
        poll=poll,
        position=1,
        label="Kraken",
        exchange=connector.exchange,
        connector=connector,
        final_rank=2,
        final_share=Decimal("12.5"),
        passed=True,
        allocation_hbot=250_000,
        tier="gold",
    )
    return poll


def proposal_about(connector: Connector, *, submitted: datetime, decided: datetime) -> Proposal:
    vote = FinalizedPollFactory(
        kind=PollKind.PROPOSAL, ends_at=decided - timedelta(minutes=1), finalized_at=decided
    )
    proposal = FundBountyProposalFactory(
        title="Remove kraken",
        action=ProposalAction.REMOVE_CONNECTOR,
        connector=connector,
        exchange=None,
        hbot_allocation=None,
        poll=vote,
        outcome=ProposalOutcome.PASSED,
    )
    Proposal.objects.filter(pk=proposal.pk).update(created_at=submitted)
    return proposal


def pot_entry(connector: Connector, when: datetime) -> PotEntry:
    pot, _ = Pot.objects.get_or_create(
        connector=connector, defaults={"name": connector.address, "slug": connector.slug}
    )
    sequence = PotEntry.objects.filter(pot=pot).count() + 1
    entry = PotEntry.objects.create(
        pot=pot,
        kind="sponsor",
        denomination="HBOT",
        amount=Decimal(5000),
        sequence=sequence,
        balance_after=Decimal(5000 * sequence),
        available_after=Decimal(5000 * sequence),
        sponsor_name="Acme",
    )
    PotEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


def bounty_event(connector: Connector, when: datetime, bounty=None) -> BountyEvent:  # type: ignore[no-untyped-def]
    bounty = bounty or BountyFactory(
        connector=connector, exchange=connector.exchange, title="Fix Kraken WS"
    )
    event = BountyEvent.objects.create(
        bounty=bounty,
        kind=BountyEventKind.ASSIGNED,
        from_status=BountyStatus.OPEN,
        to_status=BountyStatus.ASSIGNED,
        maintainer=MaintainerFactory(display_name="Alice"),
    )
    BountyEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event


def health_check(connector: Connector) -> HealthCheck:
    return HealthCheck.objects.get_or_create(connector=connector)[0]


def incident(connector: Connector, opened: datetime, resolved: datetime | None) -> Incident:
    return Incident.objects.create(
        health_check=health_check(connector),
        title=f"{connector.address} is down",
        severity=HealthStatus.DOWN,
        cause="Order book: empty",
        opened_at=opened,
        resolved_at=resolved,
    )


def maintenance(connector: Connector, starts: datetime, ends: datetime) -> MaintenanceWindow:
    return MaintenanceWindow.objects.create(
        health_check=health_check(connector),
        starts_at=starts,
        ends_at=ends,
        reason="Wallet upgrade",
    )


def one_of_each(connector: Connector) -> dict[str, object]:
    """One event of every kind, an hour apart, oldest first."""
    poll = poll_with_choice(connector, opened=hours(1), finalized=hours(2))
    proposal = proposal_about(connector, submitted=hours(3), decided=hours(4))
    entry = pot_entry(connector, hours(5))
    event = bounty_event(connector, hours(6))
    down = incident(connector, hours(7), hours(8))
    maintenance(connector, hours(9), hours(10))
    status_change(connector, hours(11))
    return {
        "poll": poll,
        "proposal": proposal,
        "pot": entry.pot,
        "bounty": event.bounty,
        "incident": down,
    }


# --- what the timeline holds ----------------------------------------------------------------


def test_each_kind_of_event_appears_with_its_time_title_and_url(connector):
    # given
    rows = one_of_each(connector)

    # when
    events = {event.kind: event for event in connector_timeline_page(connector=connector).events}

    # then
    poll, proposal = rows["poll"], rows["proposal"]
    expected = {
        "poll.opened": (hours(1), f"Poll opened: {poll}", poll.get_absolute_url()),
        "poll.finalized": (hours(2), f"Poll result: {poll}", poll.get_absolute_url()),
        "proposal.submitted": (
            hours(3),
            f"Proposal submitted: {proposal}",
            proposal.get_absolute_url(),
        ),
        "proposal.decided": (hours(4), f"Proposal passed: {proposal}", proposal.get_absolute_url()),
        "pot.sponsor": (
            hours(5),
            "Sponsor funding: +5,000 HBOT in the kraken pot",
            rows["pot"].get_absolute_url(),
        ),
        "bounty.assigned": (
            hours(6),
            "Bounty “Fix Kraken WS”: Assigned",
            rows["bounty"].get_absolute_url(),
        ),
        "incident.opened": (
            hours(7),
            "Incident opened: kraken is down",
            rows["incident"].get_absolute_url(),
        ),
        "incident.resolved": (
            hours(8),
            "Incident resolved: kraken is down",
            rows["incident"].get_absolute_url(),
        ),
        "maintenance.started": (
            hours(9),
            "Maintenance started: Wallet upgrade",
            connector.get_absolute_url(),
        ),
        "maintenance.ended": (
            hours(10),
            "Maintenance ended: Wallet upgrade",
            connector.get_absolute_url(),
        ),
        "inclusion.changed": (
            hours(11),
            "Inclusion status: In codebase → Legacy",
            connector.get_absolute_url(),
        ),
    }
    assert {kind: (e.when, e.title, e.url) for kind, e in events.items()} == expected
    assert events["poll.finalized"].summary == (
        "Kraken · rank 2 · 12.5% of the vote · passed · 250,000 HBOT allocated, gold tier."
    )
    assert events["bounty.assigned"].summary == "Open → Assigned · Alice"
    assert events["inclusion.changed"].summary == (
        "Staff action (HGP-80): No maintainer for a year."
    )
    assert {e.app for e in events.values()} == {
        "connectors_registry",
        "governance",
        "bounties",
        "health",
    }


def test_events_of_every_app_merge_newest_first(connector):
    # given events of four apps, interleaved in time
    status_change(connector, hours(4))
    bounty_event(connector, hours(3))
    incident(connector, hours(2), None)
    pot_entry(connector, hours(1))

    # when
    page = connector_timeline_page(connector=connector)

    # then
    assert [(e.kind, e.app) for e in page.events] == [
        ("inclusion.changed", "connectors_registry"),
        ("bounty.assigned", "bounties"),
        ("incident.opened", "health"),
        ("pot.sponsor", "bounties"),
    ]
    assert page.next_before is None


def test_events_at_one_instant_sort_by_kind(connector):
    incident(connector, hours(1), None)
    status_change(connector, hours(1))
    bounty_event(connector, hours(1))

    kinds = [e.kind for e in connector_timeline_page(connector=connector).events]

    assert kinds == ["bounty.assigned", "incident.opened", "inclusion.changed"]


def test_exchange_level_polls_pots_and_bounties_count_for_the_connector(connector):
    # given an exchange choice of a CEX poll, the exchange's pot and an exchange bounty
    poll = FinalizedPollFactory(kind=PollKind.CEX, opened_at=hours(1), finalized_at=hours(2))
    Choice.objects.create(poll=poll, position=1, label="Kraken", exchange=connector.exchange)
    Pot.objects.create(exchange=connector.exchange, name="Kraken", slug="kraken")
    bounty = BountyFactory(exchange=connector.exchange, connector=None)
    bounty_event(connector, hours(3), bounty=bounty)
    other = ConnectorFactory(connector_id="other_exchange")
    status_change(other, hours(4))

    kinds = [e.kind for e in connector_timeline_page(connector=connector).events]

    assert kinds == ["bounty.assigned", "poll.finalized", "poll.opened"]


def test_maintenance_only_scheduled_is_not_on_the_timeline(connector):
    now = datetime.now(tz=UTC)
    maintenance(connector, now + timedelta(days=1), now + timedelta(days=1, hours=2))

    assert connector_timeline_page(connector=connector).events == []


def test_an_archived_result_without_dates_stands_at_its_epoch_start(connector):
    # given a published result with no voting window
    epoch = EpochFactory(number=7, starts_on=datetime(2024, 1, 1, tzinfo=UTC).date())
    poll = PollFactory(epoch=epoch, kind=PollKind.CEX, archived=True, finalized_at=None)
    Choice.objects.create(
        poll=poll, position=1, label="Kraken", exchange=connector.exchange, final_rank=3
    )

    # when
    (event,) = connector_timeline_page(connector=connector).events

    # then
    assert (event.kind, event.when) == ("poll.finalized", datetime(2024, 1, 1, tzinfo=UTC))
    assert "shown at the start of Epoch 7" in event.summary


# --- cost --------------------------------------------------------------------------------


def many_of_each(connector: Connector, n: int) -> None:
    """``n`` events of every kind, at distinct times."""
    for i in range(n):
        base = -10 * (i + 1)
        poll_with_choice(connector, opened=hours(base), finalized=hours(base + 1))
        proposal_about(connector, submitted=hours(base + 2), decided=hours(base + 3))
        pot_entry(connector, hours(base + 4))
        bounty_event(connector, hours(base + 5))
        incident(connector, hours(base + 6), hours(base + 7))
        maintenance(connector, hours(base + 8), hours(base + 8.5))
        status_change(connector, hours(base + 9))


@pytest.mark.parametrize("per_kind", [1, 50])
def test_a_page_costs_the_same_queries_whatever_the_history(
    connector, per_kind, django_assert_max_num_queries
):
    many_of_each(connector, per_kind)

    with django_assert_max_num_queries(PAGE_QUERIES):
        page = connector_timeline_page(connector=connector, limit=25)
    with django_assert_max_num_queries(PAGE_QUERIES):
        connector_timeline_page(connector=connector, before=page.next_before or T0, limit=25)

    assert len(page.events) == min(25, 11 * per_kind)


def test_the_connector_page_costs_the_same_queries_with_1_and_with_50_events_per_kind(
    client, connector, django_assert_max_num_queries
):
    # given one event of each kind (and the health check row a first view makes)
    many_of_each(connector, 1)
    client.get(connector.get_absolute_url())
    with django_assert_max_num_queries(50) as few:
        client.get(connector.get_absolute_url())

    # when the history grows to fifty of each
    for i in range(49):
        base = -1000 - 10 * i
        poll_with_choice(connector, opened=hours(base), finalized=hours(base + 1))
        proposal_about(connector, submitted=hours(base + 2), decided=hours(base + 3))
        pot_entry(connector, hours(base + 4))
        bounty_event(connector, hours(base + 5))
        incident(connector, hours(base + 6), hours(base + 7))
        maintenance(connector, hours(base + 8), hours(base + 8.5))
        status_change(connector, hours(base + 9))

    # then the page costs no more
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(connector.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("<li data-kind=") == 25


# --- paging by cursor ------------------------------------------------------------------------


def walk(
    connector: Connector, *, limit: int, point=connector_timeline
) -> list[list[TimelineEvent]]:  # type: ignore[no-untyped-def]
    pages, before = [], None
    while True:
        page = connector_timeline_page(connector=connector, before=before, limit=limit, point=point)
        pages.append(page.events)
        if page.next_before is None:
            return pages
        assert page.next_before != before, "the cursor must move"
        before = page.next_before


def test_walking_the_pages_shows_every_event_once(connector):
    # given 11 kinds x 3, with some at the same instant
    many_of_each(connector, 3)
    status_change(connector, hours(-5))
    bounty_event(connector, hours(-5))
    incident(connector, hours(-5), None)

    # when
    pages = walk(connector, limit=4)

    # then
    everything = connector_timeline_page(connector=connector, limit=1000).events
    assert [e for page in pages for e in page] == everything
    assert len(everything) == 36
    assert all(len(page) <= 4 for page in pages)


class FakeEvents:
    """A provider over a fixed list, keeping the contract: its ``limit`` newest events
    strictly before the cursor; among events of one instant at the cut, any of them."""

    def __init__(self, events: list[TimelineEvent]) -> None:
        self.events = sorted(events, key=lambda event: event.when, reverse=True)

    def __call__(self, query: TimelineQuery) -> list[TimelineEvent]:
        older = [e for e in self.events if query.before is None or e.when < query.before]
        return older[: query.limit]


instants = st.integers(min_value=0, max_value=12).map(lambda n: T0 + timedelta(seconds=n))


@settings(max_examples=200, deadline=None, suppress_health_check=[HypothesisHealthCheck.too_slow])
@given(
    providers=st.lists(
        st.lists(st.tuples(instants, st.sampled_from(["a.x", "b.y", "c.z"])), max_size=25),
        min_size=1,
        max_size=4,
    ),
    limit=st.integers(min_value=1, max_value=8),
)
def test_pages_have_no_gaps_and_no_repeats(providers, limit):
    # given providers whose events share few instants (so pages cut through ties)
    point: ExtensionPoint[TimelineQuery, list[TimelineEvent]] = ExtensionPoint("test", "test")
    everything = []
    for p, rows in enumerate(providers):
        events = [
            TimelineEvent(when=when, kind=kind, title=f"{p}-{i}", summary="", url="/", app=str(p))
            for i, (when, kind) in enumerate(rows)
        ]
        everything += events
        point.provide(FakeEvents(events))

    # when
    pages = walk(Connector(slug="fake"), limit=limit, point=point)

    # then every event shows exactly once, newest first, and a page holds at most `limit`
    # unless one instant alone has more
    seen = [e for page in pages for e in page]
    assert sorted(e.title for e in seen) == sorted(e.title for e in everything)
    assert [e.when for e in seen] == sorted((e.when for e in seen), reverse=True)
    for page in pages:
        assert len(page) <= limit or len({e.when for e in page}) == 1
    assert seen == timeline_sort(seen)


# --- the cursor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-31T12:00:00Z", datetime(2025, 1, 31, 12, tzinfo=UTC)),
        ("2025-01-31t12:00:00z", datetime(2025, 1, 31, 12, tzinfo=UTC)),
        ("2025-01-31T13:00:00+01:00", datetime(2025, 1, 31, 12, tzinfo=UTC)),
        ("2025-01-31T13:00:00 01:00", datetime(2025, 1, 31, 12, tzinfo=UTC)),  # "+" unencoded
        ("2025-01-31T12:00:00.000001Z", datetime(2025, 1, 31, 12, 0, 0, 1, tzinfo=UTC)),
    ],
)
def test_a_cursor_is_an_iso_time_with_a_zone(text, expected):
    assert cursor_parse(text) == expected


@pytest.mark.parametrize(
    "text", ["yesterday", "2025-01-31T12:00:00", "2025-13-01T00:00:00Z", "0001-01-01T00:00+05:00"]
)
def test_a_bad_cursor_says_what_is_wanted(text):
    with pytest.raises(ValueError, match="before"):
        cursor_parse(text)


def test_a_formatted_cursor_parses_back_to_the_same_instant():
    when = datetime(2025, 1, 31, 12, 0, 0, 123456, tzinfo=UTC)

    assert cursor_format(when) == "2025-01-31T12:00:00.123456Z"
    assert cursor_parse(cursor_format(when)) == when


# --- the connector page ----------------------------------------------------------------------


def test_the_connector_page_shows_the_timeline_with_an_older_link(client, connector):
    # given more events than a page shows
    for i in range(30):
        status_change(connector, hours(-i))

    # when
    page = client.get(connector.get_absolute_url()).content.decode()

    # then
    assert page.count('data-kind="inclusion.changed"') == 25
    older = re.search(r'href="\?before=([^"#]+)#timeline" rel="next"', page)
    assert older is not None
    rest = client.get(f"{connector.get_absolute_url()}?before={older.group(1)}").content.decode()
    assert rest.count('data-kind="inclusion.changed"') == 5
    assert 'rel="next"' not in rest
    assert ">Newest</a>" in rest


def test_a_bad_cursor_on_the_page_is_a_400_that_says_why(client, connector):
    response = client.get(connector.get_absolute_url(), {"before": "last tuesday"})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="timeline-error"' in page
    assert "before must be an ISO 8601 time with a time zone" in page
    assert 'data-testid="poll-history"' in page  # the rest of the page is there


def test_the_page_head_links_the_atom_feed(client, connector):
    page = client.get(connector.get_absolute_url()).content.decode()

    head = page[: page.index("</head>")]
    assert (
        '<link rel="alternate" type="application/atom+xml" title="kraken: timeline" '
        'href="/connectors/kraken/timeline.atom">'
    ) in head


def test_an_unknown_connector_page_is_a_404(client):
    assert client.get("/connectors/nope/").status_code == 404


# --- the Atom feed ---------------------------------------------------------------------------


def test_the_atom_feed_has_the_newest_events_with_stable_ids(client, connector):
    # given
    one_of_each(connector)

    # when
    response = client.get("/connectors/kraken/timeline.atom")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "kraken: timeline"
    assert feed.findtext(f"{ATOM}updated") == "2025-06-01T23:00:00+00:00"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 11
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == 11
    assert all(re.fullmatch(r"tag:testserver,2026-01-01:/[!-~]+", i or "") for i in ids)
    newest = entries[0]
    assert newest.findtext(f"{ATOM}title") == "Inclusion status: In codebase → Legacy"
    assert newest.findtext(f"{ATOM}updated") == "2025-06-01T23:00:00+00:00"
    assert newest.findtext(f"{ATOM}summary") == "Staff action (HGP-80): No maintainer for a year."
    assert newest.find(f"{ATOM}link").get("href") == "http://testserver/connectors/kraken/"
    assert newest.find(f"{ATOM}category").get("term") == "inclusion.changed"
    # the ids do not change from one read to the next
    again = ElementTree.fromstring(client.get("/connectors/kraken/timeline.atom").content)  # noqa: S314
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")] == ids


def test_the_atom_feed_holds_the_newest_fifty(client, connector):
    for i in range(60):
        status_change(connector, hours(-i))

    feed = ElementTree.fromstring(client.get("/connectors/kraken/timeline.atom").content)  # noqa: S314

    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50
    assert entries[-1].findtext(f"{ATOM}updated") == hours(-49).isoformat()


def test_the_atom_feed_of_an_unknown_connector_is_a_404(client):
    assert client.get("/connectors/nope/timeline.atom").status_code == 404


# --- the API --------------------------------------------------------------------------------


def test_the_api_lists_events_and_pages_by_cursor(client, connector):
    # given
    one_of_each(connector)

    # when
    first = client.get("/api/v1/connectors/kraken/timeline/", {"limit": 6}).json()
    second = client.get(first["next"]).json()

    # then
    assert first["connector"] == "kraken"
    assert [e["kind"] for e in first["events"]] == [
        "inclusion.changed",
        "maintenance.ended",
        "maintenance.started",
        "incident.resolved",
        "incident.opened",
        "bounty.assigned",
    ]
    assert first["events"][0] == {
        "when": "2025-06-01T23:00:00Z",
        "kind": "inclusion.changed",
        "title": "Inclusion status: In codebase → Legacy",
        "summary": "Staff action (HGP-80): No maintainer for a year.",
        "url": "http://testserver/connectors/kraken/",
        "app": "connectors_registry",
    }
    assert first["next_before"] == "2025-06-01T18:00:00Z"
    assert first["next"] == (
        "http://testserver/api/v1/connectors/kraken/timeline/"
        "?before=2025-06-01T18%3A00%3A00.000000Z&limit=6"
    )
    assert [e["kind"] for e in second["events"]] == [
        "pot.sponsor",
        "proposal.decided",
        "proposal.submitted",
        "poll.finalized",
        "poll.opened",
    ]
    assert second["next"] is None
    assert second["next_before"] is None


def test_the_api_refuses_a_bad_cursor_in_the_error_shape(client, connector):
    response = client.get("/api/v1/connectors/kraken/timeline/", {"before": "2025-01-31"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "time zone" in body["fields"]["before"][0]


def test_the_api_refuses_an_empty_cursor_as_its_schema_says(client, connector):
    response = client.get("/api/v1/connectors/kraken/timeline/?before=")

    assert response.status_code == 400
    assert response.json()["fields"] == {"before": ["This field may not be blank."]}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "ten"}])
def test_the_api_refuses_a_limit_out_of_range(client, connector, params):
    response = client.get("/api/v1/connectors/kraken/timeline/", params)

    assert response.status_code == 400
    assert "limit" in response.json()["fields"]


def test_the_api_refuses_a_repeated_cursor(client, connector):
    response = client.get("/api/v1/connectors/kraken/timeline/?before=2025-01-01T00:00Z&before=x")

    assert response.status_code == 400
    assert response.json()["fields"] == {"before": ["Give before once."]}


def test_the_api_for_an_unknown_connector_is_a_404_in_the_error_shape(client):
    response = client.get("/api/v1/connectors/nope/timeline/")

    assert response.status_code == 404
    assert response.json() == {"error": "No connector 'nope'.", "code": "not_found"}


def test_the_api_is_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/connectors/{slug}/timeline/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"slug", "before", "limit"}
    assert {"200", "400", "404"} <= set(operation["responses"])
    assert "TimelineEvent" in schema["components"]["schemas"]
