"""Proposals: signed creation with the minimum balance, discussion, the For / Against /
Abstain vote, and what the outcome decides (quorum, approval, registry and pot effects)."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from eth_account import Account

from governance import eip712
from governance.models import (
    DecisionStatus,
    InclusionAction,
    InclusionDecision,
    Poll,
    PollKind,
    PollStatus,
    PotCredit,
    Proposal,
    ProposalAction,
    ProposalOutcome,
    VotingMethod,
)
from governance.services.errors import (
    ChainUnavailable,
    GovernanceError,
    ProposalBelowMinimum,
    ProposalRejected,
)
from governance.services.polls import poll_close, poll_finalize, polls_advance
from governance.services.proposals import proposal_create
from governance.services.votes import vote_cast
from tests.factories import ConnectorFactory, ExchangeFactory
from tests.governance.conftest import now_seconds, sign_typed_data
from tests.governance.factories import GovernanceRulesFactory, ProposalRuleFactory

pytestmark = pytest.mark.django_db

FOR, AGAINST, ABSTAIN = 1, 2, 3


@pytest.fixture
def rules(chain_settings):
    """HGP-77-like rules in force: HGP only, 200,000 HBOT to propose, 5,000,000 quorum,
    For above 50% of For + Against, 2 days of discussion then 3 days of voting."""
    rules = GovernanceRulesFactory(slug="test-hgp-77", poll_kinds=[], allocation_rule="none")
    ProposalRuleFactory(rules=rules)
    return rules


@pytest.fixture
def holders(chain_info):
    """Balances at the session dev chain's latest block, in HBOT: alice 4,000,000;
    bob 2,250,000; carol, dave and ivan 1,000,000 each; heidi 60,000."""
    return {h.name: h for h in chain_info.holders}


@pytest.fixture
def alpha():
    connector = ConnectorFactory(connector_id="alpha", exchange=ExchangeFactory(name="Alpha"))
    return connector


def message_of(proposer: str, **overrides: Any) -> dict[str, Any]:
    message = {
        "proposalType": "HGP",
        "title": "HGP-100: Add the Alpha connector",
        "body": "Alpha has 80% unit-test coverage; see the pull request.",
        "githubUrl": "https://github.com/hummingbot/hummingbot/pull/7000",
        "action": "none",
        "connector": "",
        "exchange": "",
        "hbotAllocation": 0,
        "proposer": proposer,
        "timestamp": now_seconds(),
    }
    message.update(overrides)
    return message


def signed(holder: Any, **overrides: Any) -> tuple[dict[str, Any], str]:
    typed_data = eip712.proposal_typed_data(message=message_of(holder.address, **overrides))
    return typed_data, sign_typed_data(typed_data, holder.private_key)


def create(holder: Any, **overrides: Any) -> Proposal:
    typed_data, signature = signed(holder, **overrides)
    return proposal_create(typed_data=typed_data, signature=signature)


def refused(exc_type: type[GovernanceError], typed_data: Any, signature: Any) -> GovernanceError:
    with pytest.raises(exc_type) as raised:
        proposal_create(typed_data=typed_data, signature=signature)
    assert raised.value.message
    assert not Proposal.objects.exists()
    assert not Poll.objects.exists()
    return raised.value


def decide(proposal: Proposal, ballots: list[tuple[Any, int]]) -> Proposal:
    """Open the proposal's vote after discussion, cast ``ballots``, close and finalize."""
    poll = proposal.poll
    assert polls_advance(now=proposal.discussion_ends_at).opened == [poll.pk]
    poll.refresh_from_db()
    for holder, position in ballots:
        typed_data = eip712.vote_typed_data(
            poll_id=poll.pk, voter=holder.address, choices=[(position, 1)], timestamp=now_seconds()
        )
        vote_cast(typed_data=typed_data, signature=sign_typed_data(typed_data, holder.private_key))
    assert poll_close(poll=poll, now=poll.ends_at)
    poll_finalize(poll=poll)
    return Proposal.objects.get(pk=proposal.pk)


# --- create --------------------------------------------------------------------------


def test_holder_above_the_minimum_publishes_a_proposal_for_discussion(
    rules, holders, chain_info, settings
):
    # when alice (4,000,000 HBOT) signs a proposal
    before = timezone.now()
    proposal = create(holders["alice"])

    # then it is published as HGP-1 with her balance and the rules of its type
    published = settings.PROPOSAL_LAST_PUBLISHED_NUMBERS["HGP"]  # 82 unless configured
    assert proposal.reference == f"HGP-{published + 1}"
    assert proposal.proposer == holders["alice"].address
    assert proposal.proposer_balance == 4_000_000 * 10**18
    assert proposal.balance_block == chain_info.second_round_block
    assert proposal.rules == rules
    assert proposal.rules_snapshot["quorum_hbot"] == 5_000_000
    assert proposal.typed_data["message"]["proposer"] == holders["alice"].address
    assert proposal.outcome == ""
    # and its vote is a draft that opens when two days of discussion end
    assert before + timedelta(days=2) <= proposal.discussion_ends_at
    poll = proposal.poll
    assert poll.kind == PollKind.PROPOSAL
    assert poll.status == PollStatus.DRAFT
    assert poll.voting_method == VotingMethod.BASIC
    assert poll.starts_at == proposal.discussion_ends_at
    assert list(poll.choices.values_list("label", flat=True)) == ["For", "Against", "Abstain"]


def test_proposals_of_a_type_are_numbered_in_order_after_the_published_ones(
    rules, holders, settings
):
    settings.PROPOSAL_LAST_PUBLISHED_NUMBERS = {"HGP": 82, "PRP": 400}

    first = create(holders["alice"], title="First")
    second = create(holders["bob"], title="Second")

    assert (first.reference, second.reference) == ("HGP-83", "HGP-84")


def test_a_type_without_published_proposals_starts_at_one(rules, holders, settings):
    settings.PROPOSAL_LAST_PUBLISHED_NUMBERS = {}

    assert create(holders["alice"]).reference == "HGP-1"


def test_without_discussion_the_vote_opens_at_once(chain_settings, holders):
    rules = GovernanceRulesFactory(poll_kinds=[], allocation_rule="none")
    ProposalRuleFactory(
        rules=rules, proposal_type="PRP", min_balance_hbot=1, discussion_days=0, vote_days=7
    )

    proposal = create(holders["heidi"], proposalType="PRP")

    poll = Poll.objects.get(pk=proposal.poll.pk)
    assert poll.status == PollStatus.ACTIVE
    assert poll.snapshot_block is not None
    assert poll.ends_at - poll.opened_at == timedelta(days=7)


def test_discussion_ends_then_polls_advance_opens_the_vote_for_its_days(rules, holders):
    proposal = create(holders["alice"])

    # before the discussion ends nothing opens
    assert polls_advance(now=proposal.discussion_ends_at - timedelta(seconds=1)).opened == []
    # when it ends the vote opens, for the type's three days, under the copied rules
    assert polls_advance(now=proposal.discussion_ends_at).opened == [proposal.poll.pk]
    poll = Poll.objects.get(pk=proposal.poll.pk)
    assert poll.status == PollStatus.ACTIVE
    assert poll.ends_at - poll.opened_at == timedelta(days=3)
    assert poll.voting_method == VotingMethod.BASIC
    assert poll.rules_snapshot["quorum_hbot"] == 5_000_000
    assert poll.rules_snapshot["proposal_type"] == "HGP"


def test_balance_below_the_minimum_is_refused(rules, holders):
    # heidi holds 60,000 HBOT; HGP proposals need 200,000
    typed_data, signature = signed(holders["heidi"])

    error = refused(ProposalBelowMinimum, typed_data, signature)
    assert error.code == "below_minimum_balance"
    assert ProposalBelowMinimum.http_status == 403
    assert "200,000" in error.message
    assert "60,000.00" in error.message


def test_proposal_type_missing_from_the_rules_is_refused(rules, holders):
    typed_data, signature = signed(holders["alice"], proposalType="PRP")

    error = refused(ProposalRejected, typed_data, signature)
    assert error.code == "proposal_rejected"
    assert "PRP proposals are not part of the rules in force" in error.message
    assert "use HGP" in error.message


def test_without_rules_in_force_nothing_can_be_proposed(chain_settings, holders):
    typed_data, signature = signed(holders["alice"])

    error = refused(ProposalRejected, typed_data, signature)
    assert "not part of the rules in force" in error.message


def test_signature_of_another_key_is_refused(rules, holders):
    typed_data, _ = signed(holders["alice"])
    signature = sign_typed_data(typed_data, holders["bob"].private_key)

    error = refused(ProposalRejected, typed_data, signature)
    assert holders["alice"].address in error.message


def test_the_same_signed_proposal_is_published_once(rules, holders):
    typed_data, signature = signed(holders["alice"])
    proposal_create(typed_data=typed_data, signature=signature)

    with pytest.raises(ProposalRejected, match="already published"):
        proposal_create(typed_data=typed_data, signature=signature)
    assert Proposal.objects.count() == 1


def test_chain_down_says_try_again_and_publishes_nothing(rules, holders, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.ETH_RPC_URL = f"http://127.0.0.1:{sock.getsockname()[1]}"
    typed_data, signature = signed(holders["alice"])

    error = refused(ChainUnavailable, typed_data, signature)
    assert error.code == "chain_unavailable"


def _drop(key: str):
    return lambda td: {k: v for k, v in td.items() if k != key}


def _field(**changes: Any):
    def change(td: dict[str, Any]) -> dict[str, Any]:
        message = {**td["message"], **changes}
        return {**td, "message": {k: v for k, v in message.items() if v is not _GONE}}

    return change


_GONE = object()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda td: "proposal", id="not-an-object"),
        pytest.param(_drop("types"), id="missing-types"),
        pytest.param(_drop("message"), id="missing-message"),
        pytest.param(
            lambda td: {**_drop("types")(td), "typesV4": td["types"]}, id="types-under-another-key"
        ),
        pytest.param(lambda td: {**td, "primaryType": "Vote"}, id="wrong-primary-type"),
        pytest.param(lambda td: {**td, "types": eip712.VOTE_TYPES}, id="other-types"),
        pytest.param(
            lambda td: {**td, "domain": {**td["domain"], "name": "Snapshot"}}, id="other-domain"
        ),
        pytest.param(lambda td: {**td, "domain": {**td["domain"], "chainId": 1}}, id="other-chain"),
        pytest.param(lambda td: {**td, "message": []}, id="message-not-object"),
        pytest.param(_field(title=_GONE), id="missing-title"),
        pytest.param(_field(extra="x"), id="extra-field"),
        pytest.param(_field(title=5), id="title-not-text"),
        pytest.param(_field(body=None), id="body-not-text"),
        pytest.param(_field(proposalType="XYZ"), id="unknown-type"),
        pytest.param(_field(title="   "), id="blank-title"),
        pytest.param(_field(title="x" * 201), id="title-too-long"),
        pytest.param(_field(body="x" * 20_001), id="body-too-long"),
        pytest.param(_field(githubUrl="http://github.com/hummingbot/x"), id="github-not-https"),
        pytest.param(_field(githubUrl="https://gitlab.com/hummingbot/x"), id="not-github"),
        pytest.param(_field(githubUrl="https://github.com/"), id="github-without-path"),
        pytest.param(_field(action="delist"), id="unknown-action"),
        pytest.param(_field(proposer="alice.eth"), id="proposer-not-address"),
        pytest.param(_field(hbotAllocation=-5), id="allocation-negative"),
        pytest.param(_field(hbotAllocation=1.5), id="allocation-float"),
        pytest.param(_field(hbotAllocation=True), id="allocation-boolean"),
        pytest.param(_field(timestamp="now"), id="timestamp-text"),
        pytest.param(_field(timestamp=now_seconds() - 3600), id="timestamp-stale"),
        pytest.param(_field(timestamp=now_seconds() + 3600), id="timestamp-future"),
        pytest.param(_field(connector="no-such-connector"), id="unknown-connector"),
        pytest.param(_field(exchange="no-such-exchange"), id="unknown-exchange"),
        pytest.param(_field(action="add_connector"), id="add-without-connector"),
        pytest.param(_field(action="remove_connector"), id="remove-without-connector"),
        pytest.param(_field(action="fund_bounty", exchange="alpha"), id="bounty-without-amount"),
        pytest.param(_field(action="fund_bounty", hbotAllocation=5000), id="bounty-without-pot"),
    ],
)
def test_malformed_proposal_is_refused(rules, holders, alpha, tamper):
    typed_data, signature = signed(holders["alice"])

    error = refused(ProposalRejected, tamper(typed_data), signature)
    assert error.code == "proposal_rejected"


# --- outcome -------------------------------------------------------------------------


def test_for_above_half_with_quorum_passes(rules, holders):
    # For 4,000,000 against 2,250,000: turnout 6.25M >= 5M, For 64% > 50%
    proposal = decide(
        create(holders["alice"]), [(holders["alice"], FOR), (holders["bob"], AGAINST)]
    )

    assert proposal.outcome == ProposalOutcome.PASSED
    assert proposal.poll.status == PollStatus.FINALIZED


def test_against_majority_rejects(rules, holders):
    proposal = decide(
        create(holders["alice"]), [(holders["bob"], FOR), (holders["alice"], AGAINST)]
    )

    assert proposal.outcome == ProposalOutcome.REJECTED


def test_turnout_below_quorum_is_no_quorum_even_when_all_for(rules, holders):
    proposal = decide(create(holders["alice"]), [(holders["alice"], FOR)])  # 4M < 5M

    assert proposal.outcome == ProposalOutcome.NO_QUORUM


def test_nobody_voting_is_no_quorum(rules, holders):
    assert decide(create(holders["alice"]), []).outcome == ProposalOutcome.NO_QUORUM


def test_abstain_counts_toward_quorum_but_not_approval(rules, holders):
    # For 1,000,000 + Abstain 4,000,000 = exactly the 5,000,000 quorum; no one against
    proposal = decide(
        create(holders["alice"]), [(holders["carol"], FOR), (holders["alice"], ABSTAIN)]
    )

    assert proposal.outcome == ProposalOutcome.PASSED


def test_exactly_half_for_is_rejected(chain_settings, holders):
    # given a 1,000,000 HBOT quorum; For 1M (carol), Against 1M (dave), Abstain 1M (ivan)
    rules = GovernanceRulesFactory(poll_kinds=[], allocation_rule="none")
    ProposalRuleFactory(rules=rules, quorum_hbot=1_000_000)

    ballots = [(holders["carol"], FOR), (holders["dave"], AGAINST), (holders["ivan"], ABSTAIN)]
    proposal = decide(create(holders["alice"]), ballots)

    # then For must be strictly above 50% of For + Against
    assert proposal.outcome == ProposalOutcome.REJECTED


def test_only_abstentions_reject(chain_settings, holders):
    rules = GovernanceRulesFactory(poll_kinds=[], allocation_rule="none")
    ProposalRuleFactory(rules=rules, quorum_hbot=1_000_000)

    proposal = decide(create(holders["alice"]), [(holders["alice"], ABSTAIN)])

    assert proposal.outcome == ProposalOutcome.REJECTED


def test_approval_share_above_fifty_percent_is_respected(chain_settings, holders):
    # given a 66.67% approval; For 4,000,000 against 2,250,000 is 64%
    rules = GovernanceRulesFactory(poll_kinds=[], allocation_rule="none")
    ProposalRuleFactory(rules=rules, approval_percent="66.67")

    ballots = [(holders["alice"], FOR), (holders["bob"], AGAINST)]
    proposal = decide(create(holders["alice"]), ballots)

    assert proposal.outcome == ProposalOutcome.REJECTED


@pytest.mark.parametrize(
    ("action", "inclusion"),
    [(ProposalAction.ADD_CONNECTOR, InclusionAction.ADD), ("remove_connector", "remove")],
)
def test_passed_connector_proposal_creates_a_pending_inclusion_decision(
    rules, holders, alpha, action, inclusion
):
    proposal = create(holders["alice"], action=action, connector=alpha.slug)
    assert proposal.connector == alpha

    proposal = decide(proposal, [(holders["alice"], FOR), (holders["bob"], FOR)])

    decision = InclusionDecision.objects.get(proposal=proposal)
    assert decision.connector == alpha
    assert decision.action == inclusion
    assert decision.status == DecisionStatus.PENDING
    assert decision.reason == f"{proposal.reference} passed: {proposal.title}"


def test_rejected_connector_proposal_decides_nothing(rules, holders, alpha):
    proposal = create(holders["alice"], action="remove_connector", connector=alpha.slug)

    decide(proposal, [(holders["alice"], AGAINST), (holders["bob"], FOR)])

    assert not InclusionDecision.objects.exists()


def test_passed_bounty_proposal_credits_the_exchanges_pot(rules, holders, alpha):
    # given a bounty named by connector: the pot is its exchange's
    proposal = create(
        holders["alice"], action="fund_bounty", connector=alpha.slug, hbotAllocation=25_000
    )
    assert proposal.exchange == alpha.exchange

    proposal = decide(proposal, [(holders["alice"], FOR), (holders["bob"], FOR)])

    credit = PotCredit.objects.get(proposal=proposal)
    assert credit.exchange == alpha.exchange
    assert credit.connector == alpha
    assert credit.amount_hbot == 25_000
    assert credit.label == "Alpha"
    assert PotCredit.objects.count() == 1


def test_bounty_proposal_without_quorum_credits_nothing(rules, holders, alpha):
    proposal = create(holders["alice"], action="fund_bounty", exchange="alpha", hbotAllocation=9)

    decide(proposal, [(holders["alice"], FOR)])

    assert not PotCredit.objects.exists()


def test_a_fresh_key_cannot_propose_even_a_one_hbot_proposal(chain_settings):
    rules = GovernanceRulesFactory(poll_kinds=[], allocation_rule="none")
    ProposalRuleFactory(rules=rules, proposal_type="PRP", min_balance_hbot=1)
    stranger = Account.create()
    typed_data = eip712.proposal_typed_data(
        message=message_of(stranger.address, proposalType="PRP")
    )

    refused(ProposalBelowMinimum, typed_data, sign_typed_data(typed_data, stranger.key.to_0x_hex()))
