"""The pot ledger: allocation entries from governance's pot credits, sponsor funding, and
totals that are always the sums of the entries and never go negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounties.errors import BountyError, InsufficientFunds, NotAllowed
from bounties.models import Pot, PotEntry, PotEntryKind
from bounties.selectors import pot_history, pot_totals
from bounties.services.pots import (
    pot_credit_sync,
    pot_credits_sync,
    pot_entry_append,
    pot_get_or_create,
    pot_sponsor_fund,
)
from governance.models import PotCredit
from tests.factories import (
    BountyFactory,
    ChainFactory,
    ConnectorFactory,
    ExchangeFactory,
    FinalizedPollFactory,
    FundBountyProposalFactory,
    PollPotCreditFactory,
)

pytestmark = pytest.mark.django_db


def test_each_poll_credit_becomes_one_allocation_entry():
    # given a finalized poll that credited two exchanges
    poll = FinalizedPollFactory(reference="HGP-58")
    okx = PollPotCreditFactory(poll=poll, exchange=ExchangeFactory(name="OKX"), amount_hbot=402_145)
    binance = PollPotCreditFactory(
        poll=poll, exchange=ExchangeFactory(name="Binance"), amount_hbot=219_839
    )

    # when the credits are synced twice
    first = pot_credits_sync()
    second = pot_credits_sync()

    # then each credit has exactly one allocation entry, in its exchange's pot
    assert len(first.created) == 2
    assert second.created == []
    for credit, amount in ((okx, 402_145), (binance, 219_839)):
        entry = PotEntry.objects.get(pot_credit=credit)
        assert entry.kind == PotEntryKind.ALLOCATION
        assert entry.pot.exchange == credit.exchange
        assert (entry.amount, entry.denomination) == (Decimal(amount), "HBOT")
        assert entry.note == f"HGP-58: {credit.label}"
    assert PotEntry.objects.count() == 2


def test_connector_and_chain_credits_go_to_their_own_pots():
    # given an Epoch 10 spot/perp poll credit (a connector) and an Epoch 7 Chain poll credit
    perp = ConnectorFactory(connector_id="bybit_perpetual")
    ethereum = ChainFactory(name="Ethereum")
    connector_credit = PollPotCreditFactory(exchange=perp.exchange, connector=perp)
    chain_credit = PollPotCreditFactory(exchange=None, chain=ethereum, label="Ethereum")

    pot_credits_sync()

    assert PotEntry.objects.get(pot_credit=connector_credit).pot.connector == perp
    assert PotEntry.objects.get(pot_credit=chain_credit).pot.chain == ethereum
    assert not Pot.objects.filter(exchange=perp.exchange).exists()


def test_proposal_credit_becomes_an_allocation_entry():
    proposal = FundBountyProposalFactory(number=90)
    credit = PotCredit.objects.create(
        exchange=proposal.exchange, label="x", amount_hbot=300_000, proposal=proposal
    )

    pot_credits_sync()

    entry = PotEntry.objects.get(pot_credit=credit)
    assert entry.note == "HGP-90: x"


def test_a_credit_without_a_subject_is_skipped_and_reported():
    credit = PollPotCreditFactory(exchange=None, label="Something else")

    report = pot_credits_sync()

    assert report.skipped == {credit.pk: "The credit names no exchange, connector or chain."}
    assert not PotEntry.objects.exists()


def test_a_credit_can_only_ever_have_one_entry_in_the_database():
    credit = PollPotCreditFactory()
    entry = pot_credit_sync(credit=credit)

    with pytest.raises(IntegrityError), transaction.atomic():
        PotEntry.objects.create(
            pot=entry.pot,
            kind=PotEntryKind.ALLOCATION,
            denomination="HBOT",
            amount=1,
            sequence=2,
            balance_after=entry.balance_after + 1,
            available_after=entry.available_after + 1,
            pot_credit=credit,
        )


def test_new_credits_are_synced_right_after_the_finalizing_commit(
    django_capture_on_commit_callbacks,
):
    # given governance finalizing a poll (it knows nothing of bounties)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        credit = PollPotCreditFactory(amount_hbot=100_000)
        # then nothing is written before the commit
        assert not PotEntry.objects.exists()

    # and right after it, the credit's allocation entry exists
    assert len(callbacks) >= 1
    assert PotEntry.objects.get(pot_credit=credit).amount == 100_000


def test_historical_polls_credit_nothing():
    # given an archived poll with published allocations but no pot credits
    poll = FinalizedPollFactory(is_archived=True)
    poll.choices.create(position=1, label="OKX", allocation_hbot=315_126)

    report = pot_credits_sync()

    assert report.created == []
    assert not Pot.objects.exists()


# --- sponsor funding --------------------------------------------------------------------


def test_sponsor_funding_credits_the_pot(staff, exchange):
    pot = pot_get_or_create(exchange=exchange)

    entry = pot_sponsor_fund(
        pot=pot,
        denomination="USDT",
        amount=Decimal("2000.50"),
        sponsor_name=" dYdX ",
        note="Top-up",
        actor=staff,
    )

    assert (entry.kind, entry.sponsor_name, entry.created_by) == (
        PotEntryKind.SPONSOR,
        "dYdX",
        staff,
    )
    totals = pot_totals(pot=pot)
    assert totals["USDT"].balance == totals["USDT"].available == Decimal("2000.5")
    assert "HBOT" not in totals


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sponsor_name": ""}, BountyError, "Name the sponsor"),
        ({"sponsor_name": "x" * 121}, BountyError, "at most 120 characters"),
        ({"amount": Decimal(0)}, BountyError, "more than zero"),
        ({"amount": "1e-7"}, BountyError, "more than 6 decimal places"),
        ({"denomination": "EUR"}, BountyError, "'EUR' is not a denomination"),
    ],
)
def test_bad_sponsor_funding_is_refused(kwargs, error, message, staff, exchange):
    pot = pot_get_or_create(exchange=exchange)
    arguments = {
        "pot": pot,
        "denomination": "USDC",
        "amount": Decimal(10),
        "sponsor_name": "S",
        "actor": staff,
    }

    with pytest.raises(error, match=message):
        pot_sponsor_fund(**{**arguments, **kwargs})

    assert not PotEntry.objects.exists()


def test_only_staff_record_sponsor_funding(maintainer, exchange):
    pot = pot_get_or_create(exchange=exchange)

    with pytest.raises(NotAllowed):
        pot_sponsor_fund(
            pot=pot,
            denomination="USDC",
            amount=Decimal(1),
            sponsor_name="S",
            actor=maintainer.user,
        )


# --- the ledger's arithmetic and guards -------------------------------------------------


def test_reserving_more_than_available_is_refused(pot):
    bounty = BountyFactory(exchange=pot.exchange)

    with pytest.raises(InsufficientFunds), transaction.atomic():
        pot_entry_append(
            pot=pot,
            kind=PotEntryKind.RESERVATION,
            denomination="USDC",
            amount=Decimal("5000.000001"),
            bounty=bounty,
        )

    assert pot_totals(pot=pot)["USDC"].available == 5000


def test_releasing_or_paying_more_than_reserved_is_refused(pot):
    bounty = BountyFactory(exchange=pot.exchange)

    for kind in (PotEntryKind.RELEASE, PotEntryKind.PAYOUT):
        with pytest.raises(BountyError, match="reserved"), transaction.atomic():
            pot_entry_append(
                pot=pot, kind=kind, denomination="HBOT", amount=Decimal(1), bounty=bounty
            )


def test_the_ledger_writer_needs_the_callers_transaction(pot, monkeypatch):
    # given no transaction around the call (pytest-django's own one is hidden)
    from django.db import connections

    monkeypatch.setattr(connections["default"], "in_atomic_block", False)

    # then it refuses to write: the pot's lock would be released at once
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        pot_entry_append(
            pot=pot,
            kind=PotEntryKind.SPONSOR,
            denomination="HBOT",
            amount=Decimal(1),
            sponsor_name="S",
        )


def test_the_database_refuses_a_negative_available_amount(pot):
    # given someone bypassing the services and writing an overdrawn entry
    last = PotEntry.objects.filter(pot=pot, denomination="HBOT").latest("sequence")

    # then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        PotEntry.objects.create(
            pot=pot,
            kind=PotEntryKind.RESERVATION,
            denomination="HBOT",
            amount=2_000_000,
            sequence=last.sequence + 1,
            balance_after=last.balance_after,
            available_after=last.available_after - 2_000_000,
            bounty=BountyFactory(),
        )


def test_the_database_refuses_two_entries_computed_from_the_same_state(pot):
    last = PotEntry.objects.filter(pot=pot, denomination="HBOT").latest("sequence")

    with pytest.raises(IntegrityError), transaction.atomic():
        PotEntry.objects.create(
            pot=pot,
            kind=PotEntryKind.SPONSOR,
            denomination="HBOT",
            amount=1,
            sequence=last.sequence,
            balance_after=last.balance_after + 1,
            available_after=last.available_after + 1,
            sponsor_name="Twice",
        )


def test_a_bounty_is_reserved_only_once_in_the_database(pot):
    bounty = BountyFactory(exchange=pot.exchange)
    with transaction.atomic():
        pot_entry_append(
            pot=pot, kind=PotEntryKind.RESERVATION, denomination="HBOT", amount=1, bounty=bounty
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        pot_entry_append(
            pot=pot, kind=PotEntryKind.RESERVATION, denomination="HBOT", amount=1, bounty=bounty
        )


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["sponsor", "reserve", "release", "pay"]),
        st.sampled_from(["HBOT", "USDC"]),
        st.integers(min_value=1, max_value=5_000_000).map(lambda m: Decimal(m) / 100),
    ),
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_totals_are_the_sums_and_never_negative(operations, exchange):
    """Any sequence of ledger operations: refused ones change nothing; after each, the
    running totals on the last entry equal the sums over all entries, and nothing is
    negative."""
    pot = pot_get_or_create(exchange=exchange)
    PotEntry.objects.filter(pot=pot).delete()
    open_reservations: list[tuple] = []
    for operation, denomination, amount in operations:
        try:
            with transaction.atomic():
                if operation == "sponsor":
                    pot_entry_append(
                        pot=pot,
                        kind=PotEntryKind.SPONSOR,
                        denomination=denomination,
                        amount=amount,
                        sponsor_name="S",
                    )
                elif operation == "reserve":
                    bounty = BountyFactory(exchange=exchange)
                    pot_entry_append(
                        pot=pot,
                        kind=PotEntryKind.RESERVATION,
                        denomination=denomination,
                        amount=amount,
                        bounty=bounty,
                    )
                    open_reservations.append((bounty, denomination, amount))
                elif open_reservations:
                    bounty, denomination, amount = open_reservations.pop(0)
                    kind = PotEntryKind.RELEASE if operation == "release" else PotEntryKind.PAYOUT
                    pot_entry_append(
                        pot=pot,
                        kind=kind,
                        denomination=denomination,
                        amount=amount,
                        bounty=bounty,
                    )
        except InsufficientFunds:
            pass
        for denomination, totals in pot_totals(pot=pot).items():
            assert totals.available >= 0
            assert totals.reserved >= 0
            assert totals.balance >= totals.available
            last = PotEntry.objects.filter(pot=pot, denomination=denomination).latest("sequence")
            assert (last.balance_after, last.available_after) == (totals.balance, totals.available)
            sequences = list(
                PotEntry.objects.filter(pot=pot, denomination=denomination)
                .order_by("sequence")
                .values_list("sequence", flat=True)
            )
            assert sequences == list(range(1, len(sequences) + 1))


def test_history_lists_the_totals_after_each_entry(pot, drive, make_bounty):
    drive.to(make_bounty(amount=Decimal(400_000)), "open")

    history = pot_history(pot=pot)

    assert [(p.balance, p.available) for p in history["HBOT"]] == [
        (Decimal(1_000_000), Decimal(1_000_000)),
        (Decimal(1_000_000), Decimal(600_000)),
    ]
    assert set(history) == {"HBOT", "USDC", "USDT"}


def test_one_pot_per_subject(exchange):
    first = pot_get_or_create(exchange=exchange)

    assert pot_get_or_create(exchange=exchange) == first
    with pytest.raises(ValueError, match="exactly one"):
        pot_get_or_create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Pot.objects.create(exchange=exchange, chain=ChainFactory(), name="x", slug="x")
