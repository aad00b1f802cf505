"""The allocation simulator: a tried vote gives exactly the result the poll shows once that
vote is really cast, writes nothing, and is refused for what a vote would be refused for."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from web3 import Web3

from governance.choices import ChoiceSpec
from governance.models import Poll, PollStatus, PollTally, PollTallyDelta, Vote
from governance.selectors import poll_get, poll_results, poll_totals, snapshot_balance
from governance.services.errors import (
    VoteMalformed,
    VotePollNotActive,
    VoteUnknownChoice,
    VoteZeroWeights,
)
from governance.services.polls import poll_close, poll_create, poll_open
from governance.services.votes import MAX_CHOICES_PER_VOTE, vote_cast
from governance.simulator import (
    SimulationBadAddress,
    SimulationBadBalance,
    balance_base_units,
    poll_simulate,
)
from governance.tally import Ballot, ballot_parts
from governance.units import token_amount
from tests.governance.factories import (
    ChoiceFactory,
    EpochFactory,
    GovernanceRulesFactory,
    PollFactory,
)

pytestmark = pytest.mark.django_db

HBOT = 10**18


def simulate_url(poll_id: int) -> str:
    return f"/api/v1/polls/{poll_id}/simulate/"


def post_simulation(client: Client, poll_id: int, body: object):  # type: ignore[no-untyped-def]
    return client.post(simulate_url(poll_id), json.dumps(body), content_type="application/json")


def active_poll(
    *, method: str = "weighted", labels: tuple[str, ...] = ("A", "B", "C", "D"), **rules_fields: Any
) -> Poll:
    """An open poll made directly (no chain needed): rules copied, snapshot fixed."""
    rules = GovernanceRulesFactory(voting_method=method, **rules_fields)
    now = timezone.now()
    poll = PollFactory(
        epoch=EpochFactory(rules=rules),
        rules=rules,
        rules_snapshot=rules.as_snapshot(),
        voting_method=method,
        status=PollStatus.ACTIVE,
        snapshot_block=1,
        chain_id=1,
        opened_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=7),
    )
    for position, label in enumerate(labels, start=1):
        ChoiceFactory(poll=poll, position=position, label=label)
    return poll


def stored_vote(poll: Poll, n: int, weights: dict[int, int], power: int, version: int = 0) -> Vote:
    """A counted vote written directly (its signature is not what these tests check)."""
    return Vote.objects.create(
        poll=poll,
        voter=Web3.to_checksum_address(f"0x{n + 1:040x}"),
        weights=[[p, w] for p, w in sorted(weights.items())],
        signed_timestamp=1,
        typed_data={},
        signature="0x",
        digest=f"0x{poll.pk:030x}{version:02x}{n:032x}",
        voting_power=power,
    )


def figures(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            r.choice.position,
            r.rank,
            r.score_hbot,
            r.share,
            r.passed,
            r.failure_reason,
            r.allocation_hbot,
            r.tier,
        )
        for r in rows
    ]


def cast(
    poll: Poll,
    signed_vote: Any,
    holder: Any,
    choices: list[tuple[int, int]],
    timestamp: int | None = None,
) -> Vote:
    typed_data, signature = signed_vote(
        poll=poll, key=holder.private_key, choices=choices, timestamp=timestamp
    )
    return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)


def hbot_at_snapshot(poll: Poll, address: str) -> Decimal:
    balance, error = snapshot_balance(poll=poll, address=address)
    assert balance is not None, error
    return Decimal(token_amount(balance, settings.HBOT_DECIMALS))


# --- the key property: the simulation is what the poll shows after the real vote ---------


@pytest.mark.parametrize("method", ["weighted", "quadratic"])
@pytest.mark.parametrize("replacing", [False, True], ids=["new-voter", "replacing-own-vote"])
def test_simulation_equals_the_result_after_the_real_signed_vote(
    chain_settings, chain_info, signed_vote, method, replacing
):
    # given an open poll on the dev chain where bob and carol have voted (and alice too,
    # when she is replacing her vote)
    rules = GovernanceRulesFactory(voting_method=method, inclusion_threshold_hbot=2_000_000)
    poll = poll_open(
        poll=poll_create(
            epoch=EpochFactory(rules=rules),
            kind="cex",
            choices=[ChoiceSpec(label=label) for label in ("A", "B", "C", "D", "E")],
        )
    )
    alice, bob, carol = chain_info.holders[:3]
    start = int(timezone.now().timestamp()) - 20
    cast(poll, signed_vote, bob, [(1, 3), (2, 1)], start)
    cast(poll, signed_vote, carol, [(2, 1), (3, 1), (4, 5)], start + 1)
    if replacing:
        cast(poll, signed_vote, alice, [(1, 1)], start + 2)
    tried = {2: 1, 3: 2, 5: 4}

    # when alice simulates her vote with her HBOT at the snapshot block, then really votes
    simulation = poll_simulate(
        poll=poll_get(pk=poll.pk),
        weights=tried,
        balance_hbot=hbot_at_snapshot(poll, alice.address),
        address=alice.address,
    )
    cast(poll, signed_vote, alice, sorted(tried.items()), start + 3)
    after = poll_results(poll=poll_get(pk=poll.pk))

    # then the poll now shows exactly what the simulation said it would
    assert (simulation.replaced is not None) is replacing
    assert figures(simulation.simulated.rows) == figures(after.rows)
    assert simulation.simulated.voter_count == after.voter_count
    assert simulation.simulated.total_power == after.total_power
    assert simulation.simulated_totals == poll_totals(poll=poll)
    # and some allocation moved, so the comparison is not between two empty results
    assert figures(simulation.live.rows) != figures(simulation.simulated.rows)


def test_simulation_through_the_api_matches_the_service(chain_settings, open_poll, chain_info):
    # given an open poll and a holder who has not voted
    alice = chain_info.holders[0]
    body = {"weights": {"1": 2, "3": 1}, "balance": "250000", "address": alice.address}

    # when
    response = post_simulation(Client(enforce_csrf_checks=True), open_poll.pk, body)

    # then (anonymous, no CSRF token) the answer is the service's, as JSON
    assert response.status_code == 200, response.content
    data = response.json()
    service = poll_simulate(
        poll=poll_get(pk=open_poll.pk), weights={1: 2, 3: 1}, balance_hbot=Decimal(250000)
    )
    assert data["poll"] == open_poll.pk
    assert data["voting_power"] == str(250_000 * HBOT)
    assert data["weights"] == {"1": 2, "3": 1}
    assert data["replaces_vote"] is False
    assert data["live"]["voter_count"] == 0
    assert data["simulated"]["voter_count"] == 1
    by_position = {c["position"]: c for c in data["choices"]}
    for row in service.rows:
        simulated = by_position[row.choice.position]["simulated"]
        assert simulated["rank"] == row.simulated.rank
        assert Decimal(simulated["share_percent"]) == row.simulated.share
        assert simulated["allocation_hbot"] == row.simulated.allocation_hbot
        assert simulated["passed"] is row.simulated.passed
    assert [c["simulated"]["rank"] for c in data["choices"]] == [1, 2, 3, 4]
    # 250,000 on 2:1 gives choice 1 166,666.67, below the 200,000 threshold: both fail
    assert by_position[1]["simulated"]["passed"] is False
    assert by_position[1]["simulated"]["allocation_hbot"] == 0


def test_simulation_writes_nothing(chain_settings, open_poll, chain_info, signed_vote):
    # given a counted vote
    alice = chain_info.holders[0]
    cast(open_poll, signed_vote, alice, [(1, 1)])
    before = (
        list(Vote.objects.values_list("pk", "is_current")),
        list(PollTally.objects.values_list("totals", "version")),
        PollTallyDelta.objects.count(),
    )

    # when alice simulates replacing it, through the API and the page
    api = post_simulation(
        Client(),
        open_poll.pk,
        {"weights": {"2": 1}, "balance": "4000000", "address": alice.address},
    )
    page = Client().post(
        f"/polls/{open_poll.pk}/simulate/",
        {"balance": "4000000", "address": alice.address, "weight_2": "1"},
    )

    # then both answer and nothing changed
    assert api.status_code == 200
    assert api.json()["replaces_vote"] is True
    assert page.status_code == 200
    after = (
        list(Vote.objects.values_list("pk", "is_current")),
        list(PollTally.objects.values_list("totals", "version")),
        PollTallyDelta.objects.count(),
    )
    assert after == before


# --- arithmetic: simulated totals are the live ones plus the ballot's parts --------------

weights_strategy = st.dictionaries(
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=1000),
    min_size=1,
    max_size=5,
).filter(lambda w: any(w.values()))
balances = st.decimals(
    min_value=Decimal("0.000000000000000001"), max_value=Decimal(10**12), places=18
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["weighted", "quadratic"]),
    weights=weights_strategy,
    balance=balances,
    replace=st.sampled_from([None, 0, 1]),
)
def test_simulated_totals_are_live_totals_plus_the_ballots_parts(
    db, method, weights, balance, replace
):
    # given an open poll with two counted votes
    poll = active_poll(method=method, labels=("A", "B", "C", "D", "E"))
    votes = [
        stored_vote(poll, 0, {1: 2, 2: 1}, 3_000_000 * HBOT),
        stored_vote(poll, 1, {4: 1}, 1_234_567 * HBOT + 89),
    ]
    replaced = votes[replace] if replace is not None else None

    # when a ballot is tried (replacing one of them, or from a new address)
    simulation = poll_simulate(
        poll=poll_get(pk=poll.pk),
        weights=weights,
        balance_hbot=balance,
        address=replaced.voter if replaced else None,
    )

    # then each simulated sum is the live one, less the replaced ballot's part, plus the
    # tried ballot's part, exactly (governance.tally)
    power = int(Fraction(balance) * HBOT)
    parts = ballot_parts(method=method, ballot=Ballot(power=power, weights=weights))
    removed = (
        ballot_parts(
            method=method,
            ballot=Ballot.stored(power=replaced.voting_power, weights=replaced.weights),
        )
        if replaced
        else {}
    )
    live = simulation.live_totals
    for position in range(1, 6):
        expected = (
            live.sums.get(position, Fraction(0))
            - removed.get(position, Fraction(0))
            + parts.get(position, Fraction(0))
        )
        assert simulation.simulated_totals.sums.get(position, Fraction(0)) == expected
    assert simulation.simulated_totals.voter_count == live.voter_count + (0 if replaced else 1)
    assert simulation.simulated_totals.total_power == (
        live.total_power + power - (int(replaced.voting_power) if replaced else 0)
    )
    # and the live totals are untouched
    assert live == poll_totals(poll=poll)


def test_address_without_a_counted_vote_adds_a_voter(db):
    poll = active_poll()
    stored_vote(poll, 0, {1: 1}, 10 * HBOT)

    simulation = poll_simulate(
        poll=poll_get(pk=poll.pk),
        weights={2: 1},
        balance_hbot=Decimal(5),
        address=Web3.to_checksum_address(f"0x{99:040x}").lower(),
    )

    assert simulation.replaced is None
    assert simulation.simulated.voter_count == 2


def test_address_of_a_superseded_vote_replaces_only_the_counted_one(db):
    poll = active_poll()
    old = stored_vote(poll, 0, {1: 1}, 10 * HBOT)
    Vote.objects.filter(pk=old.pk).update(is_current=False, superseded_at=timezone.now())
    current = stored_vote(poll, 0, {2: 1}, 10 * HBOT, version=1)

    simulation = poll_simulate(
        poll=poll_get(pk=poll.pk), weights={3: 1}, balance_hbot=Decimal(10), address=old.voter
    )

    assert simulation.replaced is not None
    assert simulation.replaced.pk == current.pk
    assert simulation.simulated.voter_count == 1


# --- refusals: both sides of every rule ---------------------------------------------------


@pytest.mark.parametrize(
    "status", [PollStatus.DRAFT, PollStatus.CLOSED, PollStatus.FINALIZED, "archived", "ended"]
)
def test_only_an_active_poll_can_be_simulated(client, db, status):
    # given a poll that takes no votes
    poll = active_poll()
    if status == "archived":
        Poll.objects.filter(pk=poll.pk).update(status=PollStatus.FINALIZED, is_archived=True)
    elif status == "ended":  # still active, but past its end
        Poll.objects.filter(pk=poll.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    else:
        Poll.objects.filter(pk=poll.pk).update(status=status)

    # when
    response = post_simulation(client, poll.pk, {"weights": {"1": 1}, "balance": "100"})

    # then
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "poll_not_active"
    with pytest.raises(VotePollNotActive):
        poll_simulate(poll=poll_get(pk=poll.pk), weights={1: 1}, balance_hbot=Decimal(1))


def test_active_poll_one_second_before_its_end_can_be_simulated(client, db):
    poll = active_poll()
    Poll.objects.filter(pk=poll.pk).update(ends_at=timezone.now() + timedelta(seconds=5))

    response = post_simulation(client, poll.pk, {"weights": {"1": 1}, "balance": "100"})

    assert response.status_code == 200, response.content


def test_missing_poll_is_404(client, db):
    response = post_simulation(client, 987654, {"weights": {"1": 1}, "balance": "100"})

    assert response.status_code == 404
    assert set(response.json()) >= {"error", "code"}


@pytest.mark.parametrize(
    ("weights", "status", "code"),
    [
        ({"5": 1}, 400, "unknown_choice"),  # the poll has choices 1-4
        ({"0": 1}, 400, "unknown_choice"),
        ({"4": 1}, 200, None),  # the last choice exists
        ({"1": 0, "2": 0}, 400, "zero_weights"),
        ({"1": 0, "2": 1}, 200, None),  # a zero beside a positive weight is fine
        ({"1": -1}, 400, "invalid"),
        ({"1": 2**32}, 400, "invalid"),  # above a vote's largest weight
        ({"1": 2**32 - 1}, 200, None),
        ({"1": "2"}, 400, "invalid"),  # a weight is a JSON number
        ({"1": 1.5}, 400, "invalid"),
        ({"1": True}, 400, "invalid"),
        ({"one": 1}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_weights_are_checked_as_a_vote_checks_them(client, db, weights, status, code):
    poll = active_poll()

    response = post_simulation(client, poll.pk, {"weights": weights, "balance": "100"})

    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code


def test_more_choices_than_a_vote_may_weigh_are_refused(db):
    poll = active_poll()
    weights = dict.fromkeys(range(1, MAX_CHOICES_PER_VOTE + 2), 1)

    with pytest.raises(VoteMalformed, match=f"at most {MAX_CHOICES_PER_VOTE} choices"):
        poll_simulate(poll=poll_get(pk=poll.pk), weights=weights, balance_hbot=Decimal(1))


def test_more_choices_than_the_rules_allow_are_refused(client, db):
    # given a poll whose copied rules count at most two choices (it has four)
    poll = active_poll(max_choices=2)

    # when three / two are weighed
    three = post_simulation(
        client, poll.pk, {"weights": {"1": 1, "2": 1, "3": 1}, "balance": "100"}
    )
    two = post_simulation(client, poll.pk, {"weights": {"1": 1, "2": 1, "3": 0}, "balance": "100"})

    # then
    assert three.status_code == 400
    assert three.json()["code"] == "malformed"
    assert "at most 2 choices" in three.json()["error"]
    assert two.status_code == 200, two.content


def test_for_against_abstain_vote_takes_exactly_one_choice(db):
    poll = active_poll(method="basic", labels=("For", "Against", "Abstain"))

    with pytest.raises(VoteMalformed):
        poll_simulate(poll=poll_get(pk=poll.pk), weights={1: 1, 2: 1}, balance_hbot=Decimal(1))
    one = poll_simulate(poll=poll_get(pk=poll.pk), weights={2: 1}, balance_hbot=Decimal(1))
    assert one.simulated.rows[0].choice.label == "Against"


def test_service_refuses_unknown_and_zero_like_a_vote(db):
    poll = active_poll()

    with pytest.raises(VoteUnknownChoice):
        poll_simulate(poll=poll_get(pk=poll.pk), weights={9: 1}, balance_hbot=Decimal(1))
    with pytest.raises(VoteZeroWeights):
        poll_simulate(poll=poll_get(pk=poll.pk), weights={1: 0}, balance_hbot=Decimal(1))


@pytest.mark.parametrize(
    ("balance", "status"),
    [
        ("0", 400),
        ("-1", 400),
        ("0.000000000000000001", 200),  # one base unit
        ("0.0000000000000000001", 400),  # 19 decimal places
        ("1000000000000", 200),  # 10^12 HBOT
        ("1000000000000.000000000000000001", 400),
        ("1000000000001", 400),
        ("250000.5", 200),
        ("abc", 400),
        ("NaN", 400),
        (250000, 400),  # a decimal is written as a string
    ],
)
def test_balance_is_a_positive_decimal_of_at_most_10_to_the_12(client, db, balance, status):
    poll = active_poll()

    response = post_simulation(client, poll.pk, {"weights": {"1": 1}, "balance": balance})

    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("1", HBOT),
        ("0.000000000000000001", 1),
        ("1000000000000", 10**12 * HBOT),
        ("1.500000000000000000000", HBOT * 3 // 2),
    ],
)
def test_balance_converts_to_base_units_exactly(text, units):
    assert balance_base_units(Decimal(text)) == units


@pytest.mark.parametrize("text", ["0", "-5", "1e13", "0.0000000000000000001", "Infinity", "x"])
def test_service_refuses_a_balance_out_of_range(text):
    with pytest.raises(SimulationBadBalance):
        balance_base_units(text)


@pytest.mark.parametrize("address", ["0x123", "not an address", "0x" + "g" * 40])
def test_address_must_be_an_ethereum_address(client, db, address):
    poll = active_poll()

    response = post_simulation(
        client, poll.pk, {"weights": {"1": 1}, "balance": "1", "address": address}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_service_refuses_a_bad_address(db):
    poll = active_poll()

    with pytest.raises(SimulationBadAddress):
        poll_simulate(
            poll=poll_get(pk=poll.pk), weights={1: 1}, balance_hbot=Decimal(1), address="0x12"
        )


def test_simulation_is_throttled_like_other_anonymous_endpoints(client, db, monkeypatch):
    from django.core.cache import cache
    from rest_framework.views import APIView

    from core.throttling import AnonRateThrottle

    poll = active_poll()
    monkeypatch.setattr(APIView, "throttle_classes", [AnonRateThrottle])
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    cache.clear()
    try:
        answers = [
            post_simulation(client, poll.pk, {"weights": {"1": 1}, "balance": "1"}).status_code
            for _ in range(3)
        ]
    finally:
        cache.clear()

    assert answers == [200, 200, 429]


def test_schema_declares_the_simulation_exactly(client, db):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/polls/{id}/simulate/"]["post"]
    components = schema["components"]["schemas"]

    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PollSimulationInputRequest"
    )
    # (429 too where throttling is on; the test settings turn it off)
    assert set(operation["responses"]) >= {"200", "400", "404", "409"}
    request = components["PollSimulationInputRequest"]
    assert set(request["required"]) == {"weights", "balance"}
    assert request["properties"]["weights"]["additionalProperties"]["type"] == "integer"
    assert request["properties"]["address"]["pattern"] == "^0x[0-9a-fA-F]{40}$"
    output = components["PollSimulation"]
    assert set(output["properties"]) == {
        "poll",
        "balance",
        "voting_power",
        "weights",
        "replaces_vote",
        "threshold_hbot",
        "live",
        "simulated",
        "choices",
    }


# --- the page: a plain form, no script ----------------------------------------------------


def test_poll_page_offers_the_simulator_form_on_an_open_poll_only(client, db):
    poll = active_poll()

    page = client.get(poll.get_absolute_url()).content.decode()
    Poll.objects.filter(pk=poll.pk).update(status=PollStatus.CLOSED)
    closed = client.get(poll.get_absolute_url()).content.decode()

    assert f'action="/polls/{poll.pk}/simulate/#simulate"' in page
    assert 'name="weight_1"' in page
    assert 'data-testid="simulator"' not in closed


def test_simulator_form_shows_live_and_simulated_rows(client, db):
    # given a poll where one voter put 300,000 HBOT on A
    poll = active_poll()
    stored_vote(poll, 0, {1: 1}, 300_000 * HBOT)

    # when 250,000 HBOT is tried on B
    response = client.post(
        f"/polls/{poll.pk}/simulate/",
        {"balance": "250,000", "weight_1": "0", "weight_2": "1", "weight_3": "", "weight_4": ""},
    )

    # then the page shows B passing (it is not now) and the allocations it would get
    assert response.status_code == 200
    simulation = response.context["simulator"]["simulation"]
    rows = {row.choice.label: row for row in simulation.rows}
    assert rows["B"].live.passed is False
    assert rows["B"].simulated.passed is True
    assert rows["B"].simulated.allocation_hbot > 0
    html = response.content.decode()
    assert 'data-testid="simulation-table"' in html
    assert 'value="250,000"' in html  # the form keeps what was typed
    assert "<script>" not in html  # nothing inline (CSP)


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"balance": "100", "weight_1": "x"}, 400, "whole number"),
        ({"balance": "100", "weight_1": "0"}, 400, "zero"),
        ({"balance": "lots", "weight_1": "1"}, 400, "as a number"),
        ({"balance": "0", "weight_1": "1"}, 400, "positive"),
    ],
)
def test_simulator_form_explains_a_refusal(client, db, form, status, message):
    poll = active_poll()

    response = client.post(f"/polls/{poll.pk}/simulate/", form)

    assert response.status_code == status
    assert response.context["simulator"]["simulation"] is None
    assert message in response.context["simulator"]["error"]
    assert 'data-testid="simulation-error"' in response.content.decode()


def test_simulator_form_on_a_closed_poll_is_refused(client, db):
    poll = active_poll()
    Poll.objects.filter(pk=poll.pk).update(status=PollStatus.CLOSED)

    response = client.post(f"/polls/{poll.pk}/simulate/", {"balance": "1", "weight_1": "1"})

    assert response.status_code == 409


def test_simulator_page_takes_no_get(client, db):
    poll = active_poll()

    assert client.get(f"/polls/{poll.pk}/simulate/").status_code == 405


def test_simulation_of_a_closed_poll_closed_through_the_service_is_refused(
    chain_settings, open_poll
):
    now = timezone.now()
    Poll.objects.filter(pk=open_poll.pk).update(
        starts_at=now - timedelta(days=1), ends_at=now - timedelta(seconds=1)
    )
    assert poll_close(poll=open_poll)

    with pytest.raises(VotePollNotActive):
        poll_simulate(poll=poll_get(pk=open_poll.pk), weights={1: 1}, balance_hbot=Decimal(1))
