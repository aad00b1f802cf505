"""Facts beside a poll's choices: uptime, incidents, bounties and the pot of the connectors
each choice stands for, now while the poll runs and as they were at its close once it ended;
in the API (``facts`` per choice) and on the poll page, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bounties.models import (
    Bounty,
    BountyEvent,
    BountyEventKind,
    BountyStatus,
    Denomination,
    Pot,
    PotEntry,
    PotEntryKind,
)
from connectors_registry.models import Connector
from governance.ballot import facts_moment, poll_ballot_facts
from governance.extension_points import ChoiceFacts, choice_facts
from governance.models import Epoch, Poll, PollKind, PollStatus
from governance.selectors import poll_get
from health.models import HealthCheck, Incident, UptimeDaily
from tests.factories import BountyFactory, ChainFactory, ConnectorFactory, ExchangeFactory
from tests.governance.factories import ChoiceFactory, EpochFactory, PollFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
TODAY = NOW.astimezone(UTC).date()
CLOSE = NOW - timedelta(days=10)  # when the ended polls of these tests closed


# --- small builders -------------------------------------------------------------------------


def backdate(obj: Any, when: datetime, field: str = "created_at") -> None:
    type(obj).objects.filter(pk=obj.pk).update(**{field: when})


def epoch_around(start: date, end: date) -> Epoch:
    return EpochFactory(starts_on=start, ends_on=end)


def poll_of(
    *subjects: dict[str, Any],
    status: str = PollStatus.ACTIVE,
    epoch: Epoch | None = None,
    **fields: Any,
) -> Poll:
    """A poll whose choices stand for ``subjects`` (connector / exchange / chain kwargs);
    an ended poll closed at CLOSE."""
    ended = status in (PollStatus.CLOSED, PollStatus.FINALIZED)
    poll = PollFactory(
        epoch=epoch or epoch_around(TODAY - timedelta(days=60), TODAY + timedelta(days=30)),
        status=status,
        snapshot_block=1,
        chain_id=1,
        ends_at=CLOSE if ended else NOW + timedelta(days=7),
        closed_at=CLOSE if ended else None,
        finalized_at=CLOSE + timedelta(days=1) if status == PollStatus.FINALIZED else None,
        **fields,
    )
    for position, subject in enumerate(subjects, start=1):
        ChoiceFactory(poll=poll, position=position, label=f"Choice {position}", **subject)
    return poll


def connector_choice(connector: Connector) -> dict[str, Any]:
    return {"connector": connector, "exchange": connector.exchange}


def check_of(connector: Connector, *, since: datetime | None = None) -> HealthCheck:
    check = HealthCheck.objects.create(connector=connector, probe_id="binance")
    backdate(check, since or NOW - timedelta(days=400))
    return check


def rollup(check: HealthCheck, day: date, *, up: int = 0, degraded: int = 0, down: int = 0) -> None:
    UptimeDaily.objects.create(
        health_check=check,
        day=day,
        slots=up + degraded + down,
        up=up,
        degraded=degraded,
        down=down,
    )


def incident(check: HealthCheck, opened: datetime, resolved: datetime | None = None) -> Incident:
    return Incident.objects.create(
        health_check=check, title="down", severity="down", opened_at=opened, resolved_at=resolved
    )


def bounty(
    *,
    status: str,
    created: datetime,
    moves: list[tuple[datetime, str]] | None = None,
    **subject: Any,
) -> Bounty:
    """A bounty at ``status`` now, made at ``created``, with its recorded moves."""
    subject.setdefault(
        "exchange", subject["connector"].exchange if "connector" in subject else None
    )
    made = BountyFactory(status=status, **subject)
    backdate(made, created)
    for when, to_status in moves or []:
        event = BountyEvent.objects.create(
            bounty=made, kind=BountyEventKind.EDITED, to_status=to_status
        )
        backdate(event, when)
    return made


def pot_of(**subject: Any) -> Pot:
    name = str(next(iter(subject.values())))
    return Pot.objects.create(slug=f"pot-{name}".lower().replace(" ", "-"), name=name, **subject)


def ledger(pot: Pot, *entries: tuple[datetime, str, str]) -> None:
    """Entries (when, kind, amount) of HBOT, with the running totals the ledger keeps."""
    balance = available = Decimal(0)
    for sequence, (when, kind, amount_text) in enumerate(entries, start=1):
        amount = Decimal(amount_text)
        if kind == PotEntryKind.SPONSOR:
            balance, available = balance + amount, available + amount
        elif kind == PotEntryKind.RESERVATION:
            available -= amount
        entry = PotEntry.objects.create(
            pot=pot,
            kind=kind,
            denomination=Denomination.HBOT,
            amount=amount,
            sequence=sequence,
            balance_after=balance,
            available_after=available,
            sponsor_name="Sponsor" if kind == PotEntryKind.SPONSOR else "",
            bounty=BountyFactory(exchange=pot.exchange)
            if kind == PotEntryKind.RESERVATION
            else None,
        )
        backdate(entry, when)


def facts_of(poll: Poll, position: int = 1) -> ChoiceFacts:
    ballot = poll_ballot_facts(poll=poll_get(pk=poll.pk), now=NOW)
    assert ballot is not None
    facts = ballot.get(position)
    assert facts is not None
    return facts


def api_facts(client: Any, poll: Poll) -> dict[int, Any]:
    body = client.get(f"/api/v1/polls/{poll.pk}/").json()
    return {c["position"]: c["facts"] for c in body["choices"]}


# --- wiring -------------------------------------------------------------------------------


def test_health_and_bounties_answer_the_extension_point():
    names = {provider.__module__ for provider in choice_facts.providers}

    assert names >= {"health.providers.choice_facts", "bounties.providers.choice_facts"}


# --- uptime -------------------------------------------------------------------------------


def test_connector_without_a_health_check_has_no_data_not_zero(client):
    # given a connector nobody checks
    poll = poll_of(connector_choice(ConnectorFactory()))

    # when
    facts = facts_of(poll)

    # then uptime and incidents are unknown, and say so everywhere
    assert (facts.checked_connectors, facts.connectors) == (0, 1)
    assert facts.uptime_30d is None
    assert facts.uptime_90d is None
    assert facts.open_incidents is None
    assert facts.epoch_incidents is None
    api = api_facts(client, poll)[1]
    assert api["uptime_30d_percent"] is None
    assert api["open_incidents"] is None
    assert api["checked_connectors"] == 0
    page = client.get(poll.get_absolute_url()).content.decode()
    line = page.split('data-testid="choice-facts"')[1].split("</p>")[0]
    assert 'Uptime\n    <span class="muted">no data</span>' in line
    assert 'Incidents <span class="muted">no data</span>' in line
    assert "%" not in line


def test_check_without_rollups_has_no_uptime_yet_but_counts_incidents():
    # given a check that has produced no daily rollup yet
    connector = ConnectorFactory()
    check_of(connector)

    facts = facts_of(poll_of(connector_choice(connector)))

    assert facts.checked_connectors == 1
    assert facts.uptime_30d is None
    assert facts.uptime_90d is None
    assert facts.open_incidents == 0
    assert facts.epoch_incidents == 0


def test_uptime_counts_degraded_slots_as_working_and_down_slots_as_not(client):
    connector = ConnectorFactory()
    rollup(check_of(connector), TODAY - timedelta(days=1), up=90, degraded=5, down=5)
    poll = poll_of(connector_choice(connector))

    facts = facts_of(poll)

    assert facts.uptime_30d == Decimal("95.00")
    assert facts.uptime_90d == Decimal("95.00")
    assert api_facts(client, poll)[1]["uptime_30d_percent"] == "95.00"
    assert "95.00%" in client.get(poll.get_absolute_url()).content.decode()


def test_uptime_is_rounded_down_so_a_down_slot_never_shows_100_percent():
    connector = ConnectorFactory()
    rollup(check_of(connector), TODAY, up=99_999, down=1)

    assert facts_of(poll_of(connector_choice(connector))).uptime_30d == Decimal("99.99")


def test_30_and_90_day_windows_end_today_and_include_their_first_day():
    # given one all-down day at each edge of the windows, and an all-up day today
    connector = ConnectorFactory()
    check = check_of(connector)
    rollup(check, TODAY, up=10)
    rollup(check, TODAY - timedelta(days=29), down=10)  # the 30th day back: in both
    rollup(check, TODAY - timedelta(days=30), down=10)  # the 31st: only in the 90 days
    rollup(check, TODAY - timedelta(days=89), down=10)  # the 90th: in the 90 days
    rollup(check, TODAY - timedelta(days=90), down=10)  # the 91st: in neither

    facts = facts_of(poll_of(connector_choice(connector)))

    assert facts.uptime_30d == Decimal("50.00")  # 10 up of 20
    assert facts.uptime_90d == Decimal("25.00")  # 10 up of 40


def test_recent_month_without_rollups_has_no_30_day_figure_but_has_a_90_day_one():
    connector = ConnectorFactory()
    rollup(check_of(connector), TODAY - timedelta(days=45), up=4, down=1)

    facts = facts_of(poll_of(connector_choice(connector)))

    assert facts.uptime_30d is None
    assert facts.uptime_90d == Decimal("80.00")


def test_exchange_choice_covers_every_connector_of_the_exchange():
    # given an exchange with three connectors: two checked (one half down), one not
    exchange = ExchangeFactory()
    spot, perp, _unchecked = (ConnectorFactory(exchange=exchange) for _ in range(3))
    rollup(check_of(spot), TODAY, up=100)
    rollup(check_of(perp), TODAY, up=50, down=50)
    other = ConnectorFactory()  # another exchange's, not counted
    rollup(check_of(other), TODAY, down=100)

    facts = facts_of(poll_of({"exchange": exchange}))

    assert (facts.connectors, facts.checked_connectors) == (3, 2)
    assert facts.uptime_30d == Decimal("75.00")


def test_chain_choice_covers_the_connectors_of_exchanges_on_the_chain():
    chain = ChainFactory()
    on_chain = ExchangeFactory()
    on_chain.chains.add(chain)
    connector = ConnectorFactory(exchange=on_chain)
    rollup(check_of(connector), TODAY, up=3, down=1)
    rollup(check_of(ConnectorFactory()), TODAY, down=5)  # off the chain

    facts = facts_of(poll_of({"chain": chain}))

    assert (facts.connectors, facts.checked_connectors) == (1, 1)
    assert facts.uptime_30d == Decimal("75.00")


def test_choice_that_names_nothing_in_the_registry_has_no_facts(client):
    poll = poll_of({}, connector_choice(ConnectorFactory()))

    ballot = poll_ballot_facts(poll=poll_get(pk=poll.pk), now=NOW)

    assert ballot is not None
    assert ballot.get(1) is None
    assert ballot.get(2) is not None
    assert api_facts(client, poll)[1] is None


def test_proposal_vote_has_no_facts(client):
    poll = poll_of({}, {}, kind=PollKind.PROPOSAL, voting_method="basic")

    assert poll_ballot_facts(poll=poll_get(pk=poll.pk)) is None
    body = client.get(f"/api/v1/polls/{poll.pk}/").json()
    assert body["facts_as_of"] is None
    assert all(c["facts"] is None for c in body["choices"])


# --- incidents ----------------------------------------------------------------------------


def test_open_incidents_and_incidents_during_the_epoch():
    # given an epoch that began 60 days ago and a connector's incidents around it
    connector = ConnectorFactory()
    check = check_of(connector)
    start = datetime.combine(TODAY - timedelta(days=60), datetime.min.time(), tzinfo=UTC)
    incident(check, start - timedelta(days=5), start - timedelta(seconds=1))  # before: no
    incident(check, start - timedelta(days=5), start)  # still open when the epoch began
    incident(check, start + timedelta(days=3), start + timedelta(days=4))  # during
    incident(check, NOW - timedelta(hours=2))  # open now

    facts = facts_of(poll_of(connector_choice(connector)))

    assert facts.open_incidents == 1
    assert facts.epoch_incidents == 3


def test_resolved_incident_is_not_open():
    connector = ConnectorFactory()
    incident(check_of(connector), NOW - timedelta(hours=3), NOW - timedelta(hours=1))

    facts = facts_of(poll_of(connector_choice(connector)))

    assert facts.open_incidents == 0
    assert facts.epoch_incidents == 1


def test_poll_without_an_epoch_counts_no_epoch_incidents():
    connector = ConnectorFactory()
    incident(check_of(connector), NOW - timedelta(hours=1))
    poll = poll_of(connector_choice(connector))
    Poll.objects.filter(pk=poll.pk).update(epoch=None)

    facts = facts_of(poll)

    assert facts.open_incidents == 1
    assert facts.epoch_incidents is None


# --- an ended poll shows the facts of its close -------------------------------------------


@pytest.mark.parametrize("status", [PollStatus.CLOSED, PollStatus.FINALIZED])
def test_ended_poll_reads_the_facts_at_its_close(status):
    poll = poll_of(connector_choice(ConnectorFactory()), status=status)

    moment, at_close = facts_moment(poll=poll_get(pk=poll.pk), now=NOW)

    assert (moment, at_close) == (CLOSE, True)


def test_open_poll_reads_the_facts_of_now():
    poll = poll_of(connector_choice(ConnectorFactory()))

    assert facts_moment(poll=poll_get(pk=poll.pk), now=NOW) == (NOW, False)


def test_archived_poll_reads_the_facts_at_its_published_end_or_its_epochs_end():
    epoch = epoch_around(date(2024, 1, 1), date(2024, 3, 31))
    with_end = PollFactory(epoch=epoch, archived=True, ends_at=datetime(2024, 2, 1, tzinfo=UTC))
    without_end = PollFactory(epoch=epoch, archived=True)

    assert facts_moment(poll=with_end, now=NOW) == (datetime(2024, 2, 1, tzinfo=UTC), True)
    assert facts_moment(poll=without_end, now=NOW) == (datetime(2024, 4, 1, tzinfo=UTC), True)


def test_incidents_at_the_close_before_and_after_it():
    # given incidents on both sides of the close of a finalized poll
    connector = ConnectorFactory()
    check = check_of(connector)
    incident(check, CLOSE - timedelta(days=2), CLOSE + timedelta(days=1))  # open at the close
    incident(check, CLOSE - timedelta(days=3), CLOSE - timedelta(days=2, hours=1))  # over by then
    opened_after = incident(check, CLOSE + timedelta(seconds=1))  # not yet at the close
    poll = poll_of(connector_choice(connector), status=PollStatus.FINALIZED)

    facts = facts_of(poll)

    assert facts.open_incidents == 1
    assert facts.epoch_incidents == 2
    # one second earlier it is counted
    Incident.objects.filter(pk=opened_after.pk).update(opened_at=CLOSE)
    assert facts_of(poll).open_incidents == 2


def test_uptime_at_the_close_ignores_later_days():
    connector = ConnectorFactory()
    check = check_of(connector)
    close_day = CLOSE.astimezone(UTC).date()
    rollup(check, close_day, up=10)
    rollup(check, close_day + timedelta(days=1), down=10)  # after the close
    poll = poll_of(connector_choice(connector), status=PollStatus.FINALIZED)

    assert facts_of(poll).uptime_30d == Decimal("100.00")


def test_check_added_after_the_close_means_no_data_at_the_close():
    connector = ConnectorFactory()
    check_of(connector, since=CLOSE + timedelta(hours=1))
    poll = poll_of(connector_choice(connector), status=PollStatus.FINALIZED)

    facts = facts_of(poll)

    assert facts.checked_connectors == 0
    assert facts.uptime_30d is None
    assert facts.open_incidents is None


def test_finalized_poll_page_and_api_say_the_facts_are_from_the_close(client):
    connector = ConnectorFactory()
    rollup(check_of(connector), CLOSE.astimezone(UTC).date(), up=1)
    poll = poll_of(connector_choice(connector), status=PollStatus.FINALIZED)

    body = client.get(f"/api/v1/polls/{poll.pk}/").json()
    page = client.get(poll.get_absolute_url()).content.decode()

    assert datetime.fromisoformat(body["facts_as_of"].replace("Z", "+00:00")) == CLOSE
    assert "were doing when the poll closed" in page
    assert 'data-testid="choice-facts"' in page


# --- bounties and the pot -----------------------------------------------------------------


def test_bounties_under_way_and_paid_now():
    connector = ConnectorFactory()
    long_ago = NOW - timedelta(days=100)
    for status in (BountyStatus.OPEN, BountyStatus.SUBMITTED, BountyStatus.MERGED):
        bounty(status=status, created=long_ago, connector=connector, moves=[(long_ago, status)])
    bounty(
        status=BountyStatus.PAID,
        created=long_ago,
        connector=connector,
        moves=[(long_ago, BountyStatus.PAID)],
    )
    for status in (BountyStatus.POTENTIAL, BountyStatus.CLOSED, BountyStatus.WONT_FIX):
        bounty(status=status, created=long_ago, connector=connector, moves=[(long_ago, status)])

    facts = facts_of(poll_of(connector_choice(connector)))

    assert (facts.open_bounties, facts.paid_bounties) == (3, 1)


def test_connector_choice_counts_its_own_and_its_exchanges_bounties_not_its_siblings():
    exchange = ExchangeFactory()
    spot, perp = ConnectorFactory(exchange=exchange), ConnectorFactory(exchange=exchange)
    long_ago = NOW - timedelta(days=100)
    bounty(status=BountyStatus.OPEN, created=long_ago, connector=spot)
    bounty(status=BountyStatus.OPEN, created=long_ago, connector=perp)
    bounty(status=BountyStatus.OPEN, created=long_ago, exchange=exchange)  # the exchange's
    bounty(status=BountyStatus.OPEN, created=long_ago, exchange=ExchangeFactory())  # another
    poll = poll_of(connector_choice(spot), connector_choice(perp), {"exchange": exchange})

    assert facts_of(poll, 1).open_bounties == 2  # spot's and the exchange's
    assert facts_of(poll, 2).open_bounties == 2  # perp's and the exchange's
    assert facts_of(poll, 3).open_bounties == 3  # every one of the exchange


def test_bounty_paid_before_the_close_counts_as_paid_and_after_it_as_under_way():
    connector = ConnectorFactory()
    funded = CLOSE - timedelta(days=20)
    bounty(
        status=BountyStatus.PAID,
        created=funded - timedelta(days=1),
        connector=connector,
        moves=[(funded, BountyStatus.OPEN), (CLOSE - timedelta(seconds=1), BountyStatus.PAID)],
    )
    bounty(
        status=BountyStatus.PAID,
        created=funded - timedelta(days=1),
        connector=connector,
        moves=[
            (funded, BountyStatus.OPEN),
            (CLOSE - timedelta(days=2), BountyStatus.MERGED),
            (CLOSE + timedelta(seconds=1), BountyStatus.PAID),
        ],
    )
    poll = poll_of(connector_choice(connector), status=PollStatus.FINALIZED)

    facts = facts_of(poll)

    assert (facts.open_bounties, facts.paid_bounties) == (1, 1)


def test_bounty_made_after_the_close_is_not_counted_and_one_still_potential_is_not_open():
    connector = ConnectorFactory()
    bounty(
        status=BountyStatus.OPEN,
        created=CLOSE + timedelta(seconds=1),
        connector=connector,
        moves=[(CLOSE + timedelta(seconds=1), BountyStatus.OPEN)],
    )
    bounty(
        status=BountyStatus.OPEN,
        created=CLOSE - timedelta(days=1),
        connector=connector,
        moves=[
            (CLOSE - timedelta(days=1), BountyStatus.POTENTIAL),
            (CLOSE + timedelta(hours=1), BountyStatus.OPEN),
        ],
    )
    poll = poll_of(connector_choice(connector), status=PollStatus.FINALIZED)

    facts = facts_of(poll)

    assert (facts.open_bounties, facts.paid_bounties) == (0, 0)


def test_bounty_without_recorded_moves_is_taken_at_its_status_if_it_existed_then():
    connector = ConnectorFactory()
    bounty(
        status=BountyStatus.ASSIGNED,
        created=CLOSE - timedelta(days=1),
        connector=connector,
        assignee=None,
        is_imported=True,
    )
    poll = poll_of(connector_choice(connector), status=PollStatus.FINALIZED)

    assert facts_of(poll).open_bounties == 1


def test_pot_available_now_and_at_the_close():
    # given an exchange pot funded before the close, with a reservation before and a
    # sponsor credit after it
    exchange = ExchangeFactory()
    pot = pot_of(exchange=exchange)
    ledger(
        pot,
        (CLOSE - timedelta(days=30), PotEntryKind.SPONSOR, "500000"),
        (CLOSE - timedelta(days=1), PotEntryKind.RESERVATION, "120000"),
        (CLOSE + timedelta(days=1), PotEntryKind.SPONSOR, "1000"),
    )
    live = poll_of({"exchange": exchange})
    ended = poll_of({"exchange": exchange}, status=PollStatus.FINALIZED)

    assert facts_of(live).pot_available_hbot == Decimal("381000")
    assert facts_of(ended).pot_available_hbot == Decimal("380000")


def test_pot_with_no_entries_before_the_close_had_nothing_available():
    exchange = ExchangeFactory()
    ledger(pot_of(exchange=exchange), (CLOSE + timedelta(hours=1), PotEntryKind.SPONSOR, "10"))
    poll = poll_of({"exchange": exchange}, status=PollStatus.FINALIZED)

    assert facts_of(poll).pot_available_hbot == Decimal(0)


def test_choice_without_a_pot_has_no_pot_figure(client):
    poll = poll_of(connector_choice(ConnectorFactory()))

    assert facts_of(poll).pot_available_hbot is None
    assert api_facts(client, poll)[1]["pot_available_hbot"] is None


def test_connector_choice_uses_the_connectors_pot_and_chain_choice_the_chains():
    connector = ConnectorFactory()
    ledger(pot_of(connector=connector), (NOW - timedelta(days=1), PotEntryKind.SPONSOR, "7"))
    ledger(
        pot_of(exchange=connector.exchange), (NOW - timedelta(days=1), PotEntryKind.SPONSOR, "99")
    )
    chain = ChainFactory()
    ledger(pot_of(chain=chain), (NOW - timedelta(days=1), PotEntryKind.SPONSOR, "3"))
    poll = poll_of(connector_choice(connector), {"chain": chain})

    assert facts_of(poll, 1).pot_available_hbot == Decimal(7)
    assert facts_of(poll, 2).pot_available_hbot == Decimal(3)


# --- the API and the page -------------------------------------------------------------------


def test_api_declares_and_fills_the_facts_of_each_choice(client):
    exchange = ExchangeFactory()
    connector = ConnectorFactory(exchange=exchange)
    rollup(check_of(connector), TODAY, up=3, down=1)
    ledger(pot_of(exchange=exchange), (NOW - timedelta(days=1), PotEntryKind.SPONSOR, "12.5"))
    bounty(status=BountyStatus.PAID, created=NOW - timedelta(days=3), exchange=exchange)
    poll = poll_of({"exchange": exchange})

    body = client.get(f"/api/v1/polls/{poll.pk}/").json()
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert body["facts_as_of"] is not None
    assert body["choices"][0]["facts"] == {
        "connectors": 1,
        "checked_connectors": 1,
        "uptime_30d_percent": "75.00",
        "uptime_90d_percent": "75.00",
        "open_incidents": 0,
        "epoch_incidents": 0,
        "open_bounties": 0,
        "paid_bounties": 1,
        "pot_available_hbot": "12.500000",
    }
    facts = schema["ChoiceFacts"]
    assert set(facts["properties"]) == set(body["choices"][0]["facts"])
    assert facts["properties"]["uptime_30d_percent"]["nullable"] is True
    assert facts["properties"]["pot_available_hbot"]["nullable"] is True
    assert schema["ChoiceResult"]["properties"]["facts"]["nullable"] is True


def test_page_shows_each_choices_facts_in_one_line(client):
    exchange = ExchangeFactory()
    connector = ConnectorFactory(exchange=exchange)
    check = check_of(connector)
    rollup(check, TODAY, up=999, down=1)
    incident(check, NOW - timedelta(minutes=5))
    ledger(pot_of(exchange=exchange), (NOW - timedelta(days=1), PotEntryKind.SPONSOR, "250000"))
    bounty(status=BountyStatus.OPEN, created=NOW - timedelta(days=3), exchange=exchange)
    poll = poll_of({"exchange": exchange}, connector_choice(ConnectorFactory()))

    page = client.get(poll.get_absolute_url()).content.decode()

    assert page.count('data-testid="choice-facts"') == 2
    assert "99.90%" in page
    assert "1 open incident" in page
    assert "Bounties 1 open · 0 paid" in page
    assert "Pot 250,000 HBOT" in page
    assert "are doing now" in page


def test_results_refresh_keeps_the_facts(client):
    connector = ConnectorFactory()
    rollup(check_of(connector), TODAY, up=1)
    poll = poll_of(connector_choice(connector))

    html = client.get(f"/polls/{poll.pk}/results.json").json()["html"]

    assert 'data-testid="choice-facts"' in html


# --- a fixed number of queries per poll -----------------------------------------------------


def busy_poll(choices: int) -> Poll:
    """A poll of ``choices`` exchange choices, each with two checked connectors, rollups,
    incidents, bounties and a funded pot."""
    subjects = []
    for _ in range(choices):
        exchange = ExchangeFactory()
        for _ in range(2):
            connector = ConnectorFactory(exchange=exchange)
            check = check_of(connector)
            rollup(check, TODAY, up=5, down=1)
            rollup(check, TODAY - timedelta(days=40), up=5)
            incident(check, NOW - timedelta(days=1))
            bounty(
                status=BountyStatus.OPEN,
                created=NOW - timedelta(days=2),
                connector=connector,
                moves=[(NOW - timedelta(days=2), BountyStatus.OPEN)],
            )
        ledger(pot_of(exchange=exchange), (NOW - timedelta(days=1), PotEntryKind.SPONSOR, "5"))
        subjects.append({"exchange": exchange})
    return poll_of(*subjects)


def test_facts_cost_the_same_queries_for_2_or_12_choices(django_assert_max_num_queries):
    small, large = busy_poll(2), busy_poll(12)
    small_poll = poll_get(pk=small.pk)
    with CaptureQueriesContext(connection) as baseline:
        poll_ballot_facts(poll=small_poll, now=NOW)
    large_poll = poll_get(pk=large.pk)

    with django_assert_max_num_queries(len(baseline)):
        ballot = poll_ballot_facts(poll=large_poll, now=NOW)

    assert ballot is not None
    assert len(ballot.by_position) == 12
    assert all(f.open_bounties == 2 and f.open_incidents == 2 for f in ballot.by_position.values())
    assert len(baseline) <= 6  # registry connectors, 3 health, 2 bounties


def test_poll_api_and_page_cost_the_same_queries_for_2_or_12_choices(
    client, django_assert_max_num_queries
):
    small, large = busy_poll(2), busy_poll(12)
    with CaptureQueriesContext(connection) as api_baseline:
        client.get(f"/api/v1/polls/{small.pk}/")
    with CaptureQueriesContext(connection) as page_baseline:
        client.get(small.get_absolute_url())

    with django_assert_max_num_queries(len(api_baseline)):
        assert client.get(f"/api/v1/polls/{large.pk}/").status_code == 200
    with django_assert_max_num_queries(len(page_baseline)):
        assert client.get(large.get_absolute_url()).status_code == 200


def test_connector_choices_need_no_registry_query():
    # given a poll whose choices are single connectors (nothing to expand)
    connectors = [ConnectorFactory() for _ in range(3)]
    poll = poll_get(pk=poll_of(*(connector_choice(c) for c in connectors)).pk)

    with CaptureQueriesContext(connection) as queries:
        poll_ballot_facts(poll=poll, now=NOW)

    # then the registry is not asked which connectors they stand for
    assert not any('FROM "connectors_registry_connector"' in q["sql"] for q in queries)
    assert len(queries) <= 5
