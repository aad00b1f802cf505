"""The bounty lifecycle: every transition by the role allowed to make it, every other role
refused, each recorded in the event log with who and when."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from bounties.errors import (
    AlreadyApplied,
    BountyError,
    InsufficientFunds,
    NoMaintainerProfile,
    NotAllowed,
    OneActiveBounty,
    TransitionConflict,
)
from bounties.models import (
    ApplicationStatus,
    BountyEvent,
    BountyEventKind,
    BountyStatus,
    FundingSource,
    Payout,
    PotEntry,
    PotEntryKind,
)
from bounties.selectors import pot_totals
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_credits_sync, pot_get_or_create
from tests.bounties.conftest import TX
from tests.factories import (
    BountyFactory,
    ChainFactory,
    ConnectorFactory,
    ExchangeFactory,
    FundBountyProposalFactory,
    MaintainerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PR = "https://github.com/hummingbot/hummingbot/pull/8123"


def _actor(role, *, staff, maintainer, other_maintainer, outsider):
    return {
        "anonymous": AnonymousUser(),
        "nobody": None,
        "outsider": outsider,
        "other maintainer": other_maintainer.user,
        "assignee": maintainer.user,
        "staff": staff,
    }[role]


ROLES = ["anonymous", "nobody", "outsider", "other maintainer", "assignee", "staff"]

# transition -> (starting status, the only role allowed, the status it leads to)
TRANSITIONS = {
    "fund": (BountyStatus.POTENTIAL, "staff", BountyStatus.OPEN),
    "assign": (BountyStatus.OPEN, "staff", BountyStatus.ASSIGNED),
    "submit": (BountyStatus.ASSIGNED, "assignee", BountyStatus.SUBMITTED),
    "resubmit": (BountyStatus.NEEDS_WORK, "assignee", BountyStatus.SUBMITTED),
    "needs_work": (BountyStatus.SUBMITTED, "staff", BountyStatus.NEEDS_WORK),
    "merge": (BountyStatus.SUBMITTED, "staff", BountyStatus.MERGED),
    "pay": (BountyStatus.MERGED, "staff", BountyStatus.PAID),
    "close": (BountyStatus.OPEN, "staff", BountyStatus.CLOSED),
    "wont_fix": (BountyStatus.ASSIGNED, "staff", BountyStatus.WONT_FIX),
    "unassign": (BountyStatus.ASSIGNED, "staff", BountyStatus.OPEN),
}


def _do(name, bounty, actor, *, maintainer, other_maintainer):
    if name == "fund":
        return lifecycle.bounty_fund(bounty=bounty, actor=actor)
    if name == "assign":
        return lifecycle.bounty_assign(bounty=bounty, maintainer=maintainer, actor=actor)
    if name in ("submit", "resubmit"):
        return lifecycle.bounty_submit(bounty=bounty, actor=actor, pr_url=PR)
    if name == "needs_work":
        return lifecycle.bounty_request_changes(bounty=bounty, actor=actor, note="Add tests.")
    if name == "merge":
        return lifecycle.bounty_merge(bounty=bounty, actor=actor)
    if name == "pay":
        return lifecycle.bounty_pay(bounty=bounty, actor=actor, tx_hash=TX)
    if name == "close":
        return lifecycle.bounty_close(bounty=bounty, actor=actor, note="Fixed upstream.")
    if name == "wont_fix":
        return lifecycle.bounty_close(bounty=bounty, actor=actor, note="API limit.", wont_fix=True)
    if name == "unassign":
        return lifecycle.bounty_unassign(
            bounty=bounty, from_maintainer=maintainer, actor=actor, note="Gone quiet."
        )
    raise AssertionError(name)


@pytest.mark.parametrize("transition", list(TRANSITIONS))
@pytest.mark.parametrize("role", ROLES)
def test_each_transition_only_by_its_role(
    transition, role, drive, pot, make_bounty, staff, maintainer, other_maintainer, outsider
):
    # given a bounty in the transition's starting status
    start, allowed, target = TRANSITIONS[transition]
    bounty = drive.to(make_bounty(), start)
    events_before = BountyEvent.objects.filter(bounty=bounty).count()
    actor = _actor(
        role,
        staff=staff,
        maintainer=maintainer,
        other_maintainer=other_maintainer,
        outsider=outsider,
    )

    if role == allowed:
        # when the allowed role makes it
        _do(transition, bounty, actor, maintainer=maintainer, other_maintainer=other_maintainer)
        # then the bounty moved, and one event records who made the move and when
        bounty.refresh_from_db()
        assert bounty.status == target
        event = BountyEvent.objects.filter(bounty=bounty).latest("id")
        assert (event.from_status, event.to_status) == (start, target)
        assert event.actor == actor
        assert event.created_at is not None
        assert BountyEvent.objects.filter(bounty=bounty).count() == events_before + 1
    else:
        # when any other role tries, it is refused and nothing changes
        with pytest.raises((NotAllowed, NoMaintainerProfile)):
            _do(transition, bounty, actor, maintainer=maintainer, other_maintainer=other_maintainer)
        bounty.refresh_from_db()
        assert bounty.status == start
        assert BountyEvent.objects.filter(bounty=bounty).count() == events_before


@pytest.mark.parametrize(
    ("transition", "wrong_start"),
    [
        ("fund", BountyStatus.OPEN),
        ("assign", BountyStatus.POTENTIAL),
        ("assign", BountyStatus.SUBMITTED),
        ("submit", BountyStatus.OPEN),
        ("submit", BountyStatus.SUBMITTED),
        ("needs_work", BountyStatus.ASSIGNED),
        ("merge", BountyStatus.ASSIGNED),
        ("merge", BountyStatus.NEEDS_WORK),
        ("pay", BountyStatus.SUBMITTED),
        ("pay", BountyStatus.PAID),
        ("close", BountyStatus.MERGED),
        ("close", BountyStatus.PAID),
        ("close", BountyStatus.CLOSED),
        ("wont_fix", BountyStatus.WONT_FIX),
        ("unassign", BountyStatus.SUBMITTED),
    ],
)
def test_transitions_from_the_wrong_status_are_refused(
    transition, wrong_start, drive, pot, make_bounty, staff, maintainer, other_maintainer
):
    # given a bounty in a status the transition does not start from
    bounty = drive.to(make_bounty(), wrong_start)
    entries_before = PotEntry.objects.count()
    _, allowed, _ = TRANSITIONS[transition]
    actor = staff if allowed == "staff" else maintainer.user

    # when the right role tries it, then it is refused with the current status named
    with pytest.raises(TransitionConflict) as refused:
        _do(transition, bounty, actor, maintainer=maintainer, other_maintainer=other_maintainer)
    assert BountyStatus(wrong_start).label in refused.value.message
    bounty.refresh_from_db()
    assert bounty.status == wrong_start
    assert PotEntry.objects.count() == entries_before


@pytest.mark.parametrize(
    "start",
    [
        BountyStatus.POTENTIAL,
        BountyStatus.OPEN,
        BountyStatus.ASSIGNED,
        BountyStatus.SUBMITTED,
        BountyStatus.NEEDS_WORK,
    ],
)
@pytest.mark.parametrize("wont_fix", [False, True])
def test_close_from_any_open_state_releases_the_reservation(
    start, wont_fix, drive, pot, make_bounty, staff
):
    # given a bounty in an open state
    bounty = drive.to(make_bounty(amount=Decimal(70_000)), start)

    # when staff close it (or mark it won't fix)
    lifecycle.bounty_close(bounty=bounty, actor=staff, note="Out of scope.", wont_fix=wont_fix)

    # then it is closed and its money is available in the pot again
    bounty.refresh_from_db()
    assert bounty.status == (BountyStatus.WONT_FIX if wont_fix else BountyStatus.CLOSED)
    assert bounty.closed_at is not None
    totals = pot_totals(pot=pot)["HBOT"]
    assert totals.available == totals.balance == Decimal(1_000_000)
    released = PotEntry.objects.filter(bounty=bounty, kind=PotEntryKind.RELEASE)
    assert released.count() == (0 if start == BountyStatus.POTENTIAL else 1)


def test_funding_reserves_the_amount_and_opens(pot, make_bounty, staff):
    bounty = make_bounty(amount=Decimal(250_000))

    lifecycle.bounty_fund(bounty=bounty, actor=staff)

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.OPEN
    assert bounty.pot == pot
    totals = pot_totals(pot=pot)["HBOT"]
    assert (totals.balance, totals.available, totals.reserved) == (
        Decimal(1_000_000),
        Decimal(750_000),
        Decimal(250_000),
    )


def test_funding_more_than_available_is_refused_and_writes_nothing(pot, make_bounty, staff):
    bounty = make_bounty(amount=Decimal("1000000.000001"))

    with pytest.raises(InsufficientFunds, match=r"has 1,000,000 HBOT available"):
        lifecycle.bounty_fund(bounty=bounty, actor=staff)

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.POTENTIAL
    assert not PotEntry.objects.filter(bounty=bounty).exists()


def test_funding_needs_an_amount(pot, make_bounty, staff):
    bounty = make_bounty(amount=None)

    with pytest.raises(BountyError, match="Set the bounty's amount"):
        lifecycle.bounty_fund(bounty=bounty, actor=staff)


def test_funding_without_any_pot_says_so(make_bounty, staff):
    bounty = make_bounty(exchange=ExchangeFactory(name="Nopot"))

    with pytest.raises(BountyError, match="There is no pot for Nopot"):
        lifecycle.bounty_fund(bounty=bounty, actor=staff)


def test_funding_from_an_unrelated_pot_is_refused(pot, make_bounty, staff):
    bounty = make_bounty(exchange=ExchangeFactory(name="Bybit"))

    with pytest.raises(BountyError, match="does not fund Bybit"):
        lifecycle.bounty_fund(bounty=bounty, actor=staff, pot=pot)


def test_connector_bounty_prefers_the_connector_pot_then_the_exchange_pot(pot, staff, exchange):
    # given a connector of the exchange with a pot of its own (a spot/perp poll credited it)
    connector = ConnectorFactory(exchange=exchange, connector_id="kraken_perpetual")
    own = pot_get_or_create(connector=connector)
    from bounties.services.pots import pot_sponsor_fund

    pot_sponsor_fund(
        pot=own, denomination="HBOT", amount=Decimal(10), sponsor_name="X", actor=staff
    )
    bounty = BountyFactory(connector=connector, exchange=exchange, amount=Decimal(10))

    lifecycle.bounty_fund(bounty=bounty, actor=staff)

    bounty.refresh_from_db()
    assert bounty.pot == own


def test_chain_pot_funds_a_bounty_of_an_exchange_on_that_chain(staff):
    # given an exchange settling on Ethereum, and the Ethereum chain pot
    ethereum = ChainFactory(name="Ethereum")
    uniswap = ExchangeFactory(name="Uniswap")
    uniswap.chains.add(ethereum)
    chain_pot = pot_get_or_create(chain=ethereum)
    from bounties.services.pots import pot_sponsor_fund

    pot_sponsor_fund(
        pot=chain_pot, denomination="HBOT", amount=Decimal(100), sponsor_name="S", actor=staff
    )
    bounty = BountyFactory(exchange=uniswap, amount=Decimal(100))

    lifecycle.bounty_fund(bounty=bounty, actor=staff, pot=chain_pot)

    bounty.refresh_from_db()
    assert bounty.pot == chain_pot


def test_sponsor_bounty_records_the_sponsor_money_then_reserves_it(make_bounty, staff, exchange):
    # given a bounty an exchange sponsors in USDC, and the exchange's (empty) pot
    pot = pot_get_or_create(exchange=exchange)
    bounty = make_bounty(
        funding_source=FundingSource.SPONSOR,
        sponsor_name="EthereumClassic.com",
        amount=Decimal(3750),
        denomination="USDC",
    )

    lifecycle.bounty_fund(bounty=bounty, actor=staff)

    entries = list(PotEntry.objects.filter(bounty=bounty).order_by("sequence"))
    assert [(e.kind, e.amount, e.sponsor_name) for e in entries] == [
        (PotEntryKind.SPONSOR, Decimal(3750), "EthereumClassic.com"),
        (PotEntryKind.RESERVATION, Decimal(3750), ""),
    ]
    totals = pot_totals(pot=pot)["USDC"]
    assert (totals.balance, totals.available) == (Decimal(3750), Decimal(0))


def test_proposal_bounty_draws_on_the_pot_its_proposal_credited(staff, exchange):
    # given a passed HGP that funds a 300,000 HBOT bounty for the exchange, credited to its pot
    from governance.models import PotCredit

    proposal = FundBountyProposalFactory(exchange=exchange, hbot_allocation=300_000)
    PotCredit.objects.create(
        exchange=exchange, label=exchange.name, amount_hbot=300_000, proposal=proposal
    )
    pot_credits_sync()
    first = BountyFactory(
        exchange=exchange,
        funding_source=FundingSource.PROPOSAL,
        proposal=proposal,
        amount=Decimal(200_000),
    )
    second = BountyFactory(
        exchange=exchange,
        funding_source=FundingSource.PROPOSAL,
        proposal=proposal,
        amount=Decimal(100_001),
    )

    # when the first is funded, then it is reserved in the exchange's pot
    lifecycle.bounty_fund(bounty=first, actor=staff)
    first.refresh_from_db()
    assert first.pot == pot_get_or_create(exchange=exchange)

    # and a second that would exceed what the proposal allocated is refused
    with pytest.raises(BountyError, match=r"allocated 300,000 HBOT and 200,000 already"):
        lifecycle.bounty_fund(bounty=second, actor=staff)


def test_proposal_that_did_not_pass_cannot_fund(staff, exchange):
    from governance.models import ProposalOutcome

    proposal = FundBountyProposalFactory(exchange=exchange, outcome=ProposalOutcome.REJECTED)

    with pytest.raises(BountyError, match="has not passed"):
        lifecycle.bounty_create(
            actor=staff,
            title="Upgrade",
            bounty_type="connector_upgrade",
            exchange=exchange,
            funding_source=FundingSource.PROPOSAL,
            proposal=proposal,
            amount="1000",
        )


# --- create -----------------------------------------------------------------------------


def test_staff_create_a_potential_bounty_with_an_event(staff, exchange):
    connector = ConnectorFactory(exchange=exchange, connector_id="kraken")

    bounty = lifecycle.bounty_create(
        actor=staff,
        title="  Fix reconnect  ",
        bounty_type="bug",
        priority="P1",
        connector=connector,
        amount="1,5".replace(",", "."),
        denomination="USDT",
        issue_url="https://github.com/hummingbot/hummingbot/issues/7482",
    )

    assert bounty.status == BountyStatus.POTENTIAL
    assert bounty.title == "Fix reconnect"
    assert bounty.exchange == exchange  # from the connector
    assert bounty.amount == Decimal("1.5")
    assert bounty.tracker_id == "7482"  # the tracker's Bounty ID is the issue number
    assert bounty.type_display == "Bug: P1"
    event = bounty.events.get()
    assert (event.kind, event.actor, event.to_status) == (
        BountyEventKind.CREATED,
        staff,
        "potential",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " "}, "Give the bounty a title"),
        ({"bounty_type": "feature"}, "'feature' is not a bounty type"),
        ({"priority": "P4"}, "not a priority"),
        ({"denomination": "DAI"}, "not a denomination"),
        ({"amount": "12.1234567"}, "more than 6 decimal places"),
        ({"amount": "-5"}, "cannot be negative"),
        ({"amount": "lots"}, "is not a number"),
        ({"issue_url": "github.com/x"}, "is not a web address"),
        ({"funding_source": "sponsor"}, "Name the sponsor"),
        ({"funding_source": "proposal"}, "Name the proposal"),
    ],
)
def test_bad_input_to_create_is_refused_clearly(kwargs, message, staff, exchange):
    arguments = {"actor": staff, "title": "Fix", "bounty_type": "bug", "exchange": exchange}

    with pytest.raises(BountyError, match=message):
        lifecycle.bounty_create(**{**arguments, **kwargs})

    assert not BountyEvent.objects.exists()


def test_connector_of_another_exchange_is_refused(staff, exchange):
    connector = ConnectorFactory(connector_id="bybit")

    with pytest.raises(BountyError, match="is not a connector of Kraken"):
        lifecycle.bounty_create(
            actor=staff, title="Fix", bounty_type="bug", exchange=exchange, connector=connector
        )


def test_only_staff_create(maintainer, exchange):
    with pytest.raises(NotAllowed, match="Only Foundation staff can create bounties"):
        lifecycle.bounty_create(actor=maintainer.user, title="Fix", bounty_type="bug")


# --- applications -----------------------------------------------------------------------


def test_maintainer_applies_with_a_note_once(drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), BountyStatus.OPEN)

    application = lifecycle.bounty_apply(bounty=bounty, actor=maintainer.user, note="I wrote it.")

    assert application.status == ApplicationStatus.PENDING
    event = bounty.events.latest("id")
    assert (event.kind, event.maintainer, event.actor) == (
        BountyEventKind.APPLIED,
        maintainer,
        maintainer.user,
    )
    with pytest.raises(AlreadyApplied):
        lifecycle.bounty_apply(bounty=bounty, actor=maintainer.user, note="Again.")


def test_applying_needs_a_note_a_profile_and_an_open_bounty(
    drive, pot, make_bounty, maintainer, outsider
):
    bounty = drive.to(make_bounty(), BountyStatus.OPEN)
    with pytest.raises(BountyError, match="Say why you are a good fit"):
        lifecycle.bounty_apply(bounty=bounty, actor=maintainer.user, note="  ")
    with pytest.raises(NoMaintainerProfile, match="Create your maintainer profile"):
        lifecycle.bounty_apply(bounty=bounty, actor=outsider, note="Me!")
    with pytest.raises(NotAllowed, match="Sign in"):
        lifecycle.bounty_apply(bounty=bounty, actor=AnonymousUser(), note="Me!")
    potential = make_bounty()
    with pytest.raises(TransitionConflict, match="is Potential"):
        lifecycle.bounty_apply(bounty=potential, actor=maintainer.user, note="Me!")


def test_assigning_an_applicant_accepts_them_and_declines_the_others(
    drive, pot, make_bounty, staff, maintainer, other_maintainer
):
    bounty = drive.to(make_bounty(), BountyStatus.OPEN)
    mine = lifecycle.bounty_apply(bounty=bounty, actor=maintainer.user, note="Plan A")
    theirs = lifecycle.bounty_apply(bounty=bounty, actor=other_maintainer.user, note="Plan B")

    lifecycle.bounty_assign(bounty=bounty, maintainer=other_maintainer, actor=staff)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (ApplicationStatus.DECLINED, ApplicationStatus.ACCEPTED)
    bounty.refresh_from_db()
    assert bounty.assignee == other_maintainer
    assert bounty.assigned_at == bounty.last_activity_at


def test_second_assignment_of_an_assigned_bounty_is_refused(
    drive, pot, make_bounty, staff, maintainer, other_maintainer
):
    bounty = drive.to(make_bounty(), BountyStatus.ASSIGNED)

    with pytest.raises(TransitionConflict, match="Assigned to Alice Dev"):
        lifecycle.bounty_assign(bounty=bounty, maintainer=other_maintainer, actor=staff)

    bounty.refresh_from_db()
    assert bounty.assignee == maintainer


# --- one active bounty per developer ----------------------------------------------------


@pytest.mark.parametrize("first_status", [BountyStatus.ASSIGNED, BountyStatus.NEEDS_WORK])
def test_one_active_bounty_per_developer(first_status, drive, pot, make_bounty, staff, maintainer):
    # given a developer working on one bounty
    first = drive.to(make_bounty(), first_status)
    second = drive.to(make_bounty(), BountyStatus.OPEN)

    # when staff assign them another, then it is refused naming the active one
    with pytest.raises(OneActiveBounty, match=f"already works on bounty #{first.pk}"):
        lifecycle.bounty_assign(bounty=second, maintainer=maintainer, actor=staff)
    second.refresh_from_db()
    assert (second.status, second.assignee) == (BountyStatus.OPEN, None)


def test_a_new_bounty_while_the_pr_is_in_review(drive, pot, make_bounty, staff, maintainer):
    # given a developer whose pull request is in review
    drive.to(make_bounty(), BountyStatus.SUBMITTED)
    second = drive.to(make_bounty(), BountyStatus.OPEN)

    # when staff assign them a new one, then it is allowed
    lifecycle.bounty_assign(bounty=second, maintainer=maintainer, actor=staff)

    second.refresh_from_db()
    assert second.assignee == maintainer
    # and a third is refused, since the second is now active
    third = drive.to(make_bounty(), BountyStatus.OPEN)
    with pytest.raises(OneActiveBounty):
        lifecycle.bounty_assign(bounty=third, maintainer=maintainer, actor=staff)


@pytest.mark.parametrize("done", [BountyStatus.MERGED, BountyStatus.PAID, BountyStatus.CLOSED])
def test_finished_bounties_do_not_count_as_active(done, drive, pot, make_bounty, staff, maintainer):
    drive.to(make_bounty(), done)
    second = drive.to(make_bounty(), BountyStatus.OPEN)

    lifecycle.bounty_assign(bounty=second, maintainer=maintainer, actor=staff)

    second.refresh_from_db()
    assert second.assignee == maintainer


def test_reassigning_respects_the_one_active_rule(
    drive, pot, make_bounty, staff, maintainer, other_maintainer
):
    bounty = drive.to(make_bounty(), BountyStatus.ASSIGNED)
    busy = drive_for(staff, other_maintainer).to(make_bounty(), BountyStatus.ASSIGNED)

    with pytest.raises(OneActiveBounty, match=f"#{busy.pk}"):
        lifecycle.bounty_reassign(
            bounty=bounty,
            from_maintainer=maintainer,
            to_maintainer=other_maintainer,
            actor=staff,
            note="Idle.",
        )


def drive_for(staff, maintainer):
    from tests.bounties.conftest import Drive

    return Drive(staff=staff, maintainer=maintainer)


def test_reassign_moves_the_bounty_and_logs_from_whom(
    drive, pot, make_bounty, staff, maintainer, other_maintainer
):
    bounty = drive.to(make_bounty(), BountyStatus.NEEDS_WORK)

    lifecycle.bounty_reassign(
        bounty=bounty,
        from_maintainer=maintainer,
        to_maintainer=other_maintainer,
        actor=staff,
        note="Unresponsive for 9 days.",
    )

    bounty.refresh_from_db()
    assert (bounty.status, bounty.assignee) == (BountyStatus.ASSIGNED, other_maintainer)
    event = bounty.events.latest("id")
    assert event.kind == BountyEventKind.REASSIGNED
    assert event.note.startswith("From Alice Dev.")


def test_reassign_with_a_stale_view_of_the_assignee_changes_nothing(
    drive, pot, make_bounty, staff, maintainer, other_maintainer
):
    bounty = drive.to(make_bounty(), BountyStatus.ASSIGNED)

    with pytest.raises(TransitionConflict, match="now assigned to Alice Dev"):
        lifecycle.bounty_reassign(
            bounty=bounty,
            from_maintainer=MaintainerFactory(),
            to_maintainer=other_maintainer,
            actor=staff,
            note="x",
        )


# --- submit and progress ----------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "",
        "https://github.com/hummingbot/hummingbot/issues/7000",
        "https://gitlab.com/x/y/pull/1",
        "http://github.com/hummingbot/hummingbot/pull/1",
        "javascript:alert(1)",
    ],
)
def test_submit_needs_a_github_pull_request_link(link, drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), BountyStatus.ASSIGNED)

    with pytest.raises(BountyError, match="pull request's GitHub link"):
        lifecycle.bounty_submit(bounty=bounty, actor=maintainer.user, pr_url=link)

    bounty.refresh_from_db()
    assert (bounty.status, bounty.pr_url) == (BountyStatus.ASSIGNED, "")


def test_submit_records_the_pr_link(drive, pot, make_bounty, maintainer):
    bounty = drive.to(make_bounty(), BountyStatus.ASSIGNED)

    lifecycle.bounty_submit(bounty=bounty, actor=maintainer.user, pr_url=PR, note="Tests added")

    bounty.refresh_from_db()
    assert (bounty.status, bounty.pr_url) == (BountyStatus.SUBMITTED, PR)
    assert bounty.events.latest("id").note == f"{PR}\nTests added"


def test_progress_note_only_by_the_assignee(drive, pot, make_bounty, maintainer, other_maintainer):
    bounty = drive.to(make_bounty(), BountyStatus.ASSIGNED)

    with pytest.raises(NotAllowed, match="Only the bounty's assigned maintainer"):
        lifecycle.bounty_progress_note(bounty=bounty, actor=other_maintainer.user, note="Hi")
    event = lifecycle.bounty_progress_note(bounty=bounty, actor=maintainer.user, note="WS done")

    assert (event.kind, event.note) == (BountyEventKind.PROGRESS, "WS done")


def test_notes_have_a_length_limit(drive, pot, make_bounty, staff):
    bounty = drive.to(make_bounty(), BountyStatus.SUBMITTED)

    with pytest.raises(BountyError, match="at most 4000 characters"):
        lifecycle.bounty_request_changes(bounty=bounty, actor=staff, note="x" * 4001)


# --- pay --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "denomination", "fee", "portion"),
    [
        (Decimal(100_000), "HBOT", Decimal(10_000), Decimal(90_000)),
        (Decimal(1_000), "USDT", Decimal(200), Decimal(800)),
        (Decimal(250), "USDC", Decimal(50), Decimal(200)),
    ],
)
def test_payout_records_fee_portion_and_transaction(
    amount, denomination, fee, portion, drive, pot, make_bounty, maintainer
):
    # given a merged bounty
    bounty = drive.to(make_bounty(amount=amount, denomination=denomination), BountyStatus.MERGED)

    # when staff record the payout without naming an amount
    drive.step(bounty, "pay")

    # then the developer portion was paid to the maintainer's wallet, and the pot spent the
    # whole bounty amount (portion plus the Foundation's fee)
    payout = Payout.objects.get(bounty=bounty)
    assert (payout.fee_amount, payout.developer_amount, payout.amount_paid) == (
        fee,
        portion,
        portion,
    )
    assert payout.recipient_address == maintainer.wallet_address
    assert payout.maintainer == maintainer
    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.PAID
    spent = PotEntry.objects.get(bounty=bounty, kind=PotEntryKind.PAYOUT)
    assert spent.amount == amount
    totals = pot_totals(pot=pot)[denomination]
    assert totals.reserved == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tx_hash": "0x1234"}, "0x followed by 64 hex digits"),
        ({"tx_hash": TX, "amount_paid": "50000.01"}, "more than the bounty's"),
        ({"tx_hash": TX, "amount_paid": "0"}, "more than zero"),
        ({"tx_hash": TX, "recipient_address": "0xnope"}, "give the address"),
    ],
)
def test_bad_payout_input_is_refused_and_the_bounty_stays_merged(
    kwargs, message, drive, pot, make_bounty, staff
):
    bounty = drive.to(make_bounty(), BountyStatus.MERGED)

    with pytest.raises(BountyError, match=message):
        lifecycle.bounty_pay(bounty=bounty, actor=staff, **kwargs)

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.MERGED
    assert not Payout.objects.exists()
    assert not PotEntry.objects.filter(kind=PotEntryKind.PAYOUT).exists()


def test_one_transaction_pays_one_bounty(drive, pot, make_bounty, staff):
    first = drive.to(make_bounty(), BountyStatus.MERGED)
    drive_other = drive_for(staff, MaintainerFactory(user=UserFactory()))
    second = drive_other.to(make_bounty(), BountyStatus.MERGED)
    lifecycle.bounty_pay(bounty=first, actor=staff, tx_hash=TX)

    with pytest.raises(BountyError, match="already recorded for another payout"):
        lifecycle.bounty_pay(bounty=second, actor=staff, tx_hash=TX.upper().replace("0X", "0x"))


def test_pay_an_assignee_without_a_wallet_needs_an_address(pot, make_bounty, staff):
    walletless = MaintainerFactory(wallet_address="", user=UserFactory())
    bounty = drive_for(staff, walletless).to(make_bounty(), BountyStatus.MERGED)

    with pytest.raises(BountyError, match="has no wallet address"):
        lifecycle.bounty_pay(bounty=bounty, actor=staff, tx_hash=TX)
    payout = lifecycle.bounty_pay(
        bounty=bounty, actor=staff, tx_hash=TX, recipient_address="0x" + "AB" * 20
    )

    assert payout.recipient_address == "0x" + "ab" * 20


def test_staff_edits_to_descriptions_are_logged(drive, pot, make_bounty, staff):
    bounty = drive.to(make_bounty(), "open")
    bounty.title = "Clearer title"

    lifecycle.bounty_details_update(bounty=bounty, actor=staff, changed=["title"])

    bounty.refresh_from_db()
    assert bounty.title == "Clearer title"
    event = bounty.events.latest("id")
    assert (event.kind, event.actor, event.note) == ("edited", staff, "Changed: title.")


def test_money_and_status_are_not_edited_directly(drive, pot, make_bounty, staff, maintainer):
    bounty = drive.to(make_bounty(), "open")

    with pytest.raises(BountyError, match="amount, status change only through the bounty's moves"):
        lifecycle.bounty_details_update(bounty=bounty, actor=staff, changed=["status", "amount"])
    with pytest.raises(NotAllowed):
        lifecycle.bounty_details_update(bounty=bounty, actor=maintainer.user, changed=["title"])


def test_admin_edit_goes_through_the_service(client, drive, pot, make_bounty):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    bounty = drive.to(make_bounty(), "open")
    client.force_login(admin)
    page = client.get(f"/admin/bounties/bounty/{bounty.pk}/change/")
    assert page.status_code == 200

    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"title": "Edited in admin", "deadline": ""})
    for prefix in ("applications", "events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(f"/admin/bounties/bounty/{bounty.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert bounty.events.latest("id").note == "Changed: title."
