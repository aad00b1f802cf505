"""Casting signed votes: every refusal with its code (and nothing written), and what counts."""

from __future__ import annotations

import copy
import socket
from datetime import timedelta
from typing import Any

import pytest
from eth_account import Account

from governance import eip712
from governance.chain.devchain import HBOT
from governance.models import Poll, PollStatus, Vote
from governance.services.errors import (
    ChainUnavailable,
    GovernanceError,
    VoteBadSignature,
    VoteFuture,
    VoteMalformed,
    VotePollNotActive,
    VotePollNotFound,
    VoteReplayed,
    VoteStale,
    VoteUnknownChoice,
    VoteWrongChain,
    VoteWrongDomain,
    VoteZeroBalance,
)
from governance.services.polls import poll_close, poll_open
from governance.services.votes import MAX_CHOICES_PER_VOTE, vote_cast
from tests.governance.conftest import hbot_transfer, now_seconds, sign_typed_data
from tests.governance.factories import ChoiceFactory, PollFactory

pytestmark = pytest.mark.django_db

# Session dev chain balances after the second distribution round (the snapshot block).
ALICE_AT_SNAPSHOT = 4_000_000 * HBOT


@pytest.fixture
def alice(chain_info):
    return chain_info.holders[0]


@pytest.fixture
def bob(chain_info):
    return chain_info.holders[1]


def refused(exc_type: type[GovernanceError], code: str, **kwargs: Any) -> GovernanceError:
    """Cast, expect the refusal with its code, and check that no vote was written."""
    with pytest.raises(exc_type) as raised:
        vote_cast(**kwargs)
    assert raised.value.code == code
    assert raised.value.message
    assert not Vote.objects.exists()
    return raised.value


# --- what counts ---------------------------------------------------------------------


def test_signed_vote_is_recorded_with_the_balance_at_the_snapshot_block(
    open_poll, alice, signed_vote
):
    # given alice's vote splitting 3:1 between choices 1 and 2
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 3), (2, 1)]
    )

    # when it is cast
    vote = vote_cast(typed_data=typed_data, signature=signature, poll_id=open_poll.pk)

    # then it is stored as signed, weighed by her balance at the snapshot block
    vote.refresh_from_db()
    assert vote.voter == alice.address
    assert vote.weights == [[1, 3], [2, 1]]
    assert vote.voting_power == ALICE_AT_SNAPSHOT
    assert vote.typed_data == typed_data
    assert vote.signature == signature
    assert vote.digest == eip712.digest(eip712.signable(typed_data))
    assert vote.signed_timestamp == typed_data["message"]["timestamp"]
    assert vote.is_current is True
    assert vote.is_contract_signature is False


def test_weight_is_the_balance_at_the_snapshot_even_after_later_transfers(
    fresh_chain_settings, fresh_devchain, draft_poll, signed_vote
):
    # given a poll opened on a chain of the test's own (snapshot = the second round)
    chain = fresh_devchain.chain
    alice, ivan = chain.info.holders[0], chain.info.holders[8]
    poll = poll_open(poll=draft_poll)
    assert poll.snapshot_block == chain.info.second_round_block
    # and alice sending 1,500,000 HBOT to ivan after the poll opened
    later = hbot_transfer(chain, sender=alice.address, to=ivan.address, whole=1_500_000)
    assert later > poll.snapshot_block

    # when both vote
    for holder in (alice, ivan):
        typed_data, signature = signed_vote(poll=poll, key=holder.private_key, choices=[(1, 1)])
        vote_cast(typed_data=typed_data, signature=signature)

    # then each weighs what they held at the snapshot, not what they hold now
    power = dict(Vote.objects.values_list("voter", "voting_power"))
    assert power == {alice.address: 4_000_000 * HBOT, ivan.address: 1_000_000 * HBOT}
    token = chain.w3.eth.contract(address=chain.info.token_address, abi=_BALANCE_OF)
    assert token.functions.balanceOf(alice.address).call() == 2_500_000 * HBOT


_BALANCE_OF = [
    {
        "name": "balanceOf",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


def test_newer_vote_replaces_the_current_one_and_history_is_kept(open_poll, alice, signed_vote):
    # given alice voted for choice 1
    now = now_seconds()
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now - 5
    )
    first = vote_cast(typed_data=typed_data, signature=signature)

    # when she signs a newer vote for choice 2
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(2, 1)], timestamp=now
    )
    second = vote_cast(typed_data=typed_data, signature=signature)

    # then both are kept and only the newer one counts
    first.refresh_from_db()
    assert first.is_current is False
    assert first.superseded_at is not None
    assert second.is_current is True
    assert Vote.objects.filter(poll=open_poll, voter=alice.address).count() == 2
    assert Vote.objects.get(poll=open_poll, voter=alice.address, is_current=True) == second


def test_contract_wallet_votes_through_eip1271(
    fresh_chain_settings, fresh_devchain, draft_poll, signed_vote
):
    # given the dev chain's one-owner contract wallet holding 300,000 HBOT at the snapshot
    chain = fresh_devchain.chain
    wallet, owner = chain.info.smart_wallet_address, chain.info.smart_wallet_owner
    hbot_transfer(chain, sender=chain.info.holders[0].address, to=wallet, whole=300_000)
    poll = poll_open(poll=draft_poll)

    # when its owner signs a vote in the wallet's name
    typed_data, signature = signed_vote(
        poll=poll, key=owner.private_key, voter=wallet, choices=[(4, 1)]
    )
    vote = vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)

    # then the contract accepted the signature and the wallet's balance is the weight
    assert vote.voter == wallet
    assert vote.is_contract_signature is True
    assert vote.voting_power == 300_000 * HBOT


def test_contract_wallet_refuses_a_signature_by_someone_else(
    open_poll, chain_info, alice, signed_vote
):
    typed_data, signature = signed_vote(
        poll=open_poll,
        key=alice.private_key,
        voter=chain_info.smart_wallet_address,
        choices=[(1, 1)],
    )

    refused(VoteBadSignature, "bad_signature", typed_data=typed_data, signature=signature)


def test_voter_address_in_lower_case_is_stored_checksummed(open_poll, alice, signed_vote):
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, voter=alice.address.lower(), choices=[(1, 1)]
    )

    vote = vote_cast(typed_data=typed_data, signature=signature)

    assert vote.voter == alice.address
    assert vote.voting_power == ALICE_AT_SNAPSHOT


def test_numbers_sent_as_decimal_strings_are_accepted(open_poll, alice, signed_vote):
    # given a wallet that sends uint values as strings (as eth_signTypedData_v4 allows)
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(2, 7)])
    message = typed_data["message"]
    message["poll"] = str(message["poll"])
    message["timestamp"] = str(message["timestamp"])
    message["choices"] = [{"choice": "2", "weight": "7"}]
    typed_data["domain"]["chainId"] = str(typed_data["domain"]["chainId"])

    vote = vote_cast(typed_data=typed_data, signature=signature)

    assert vote.weights == [[2, 7]]


def test_choices_signed_out_of_order_are_accepted(open_poll, alice, signed_vote):
    # given a wallet that listed the choices highest first
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(3, 5), (1, 2)]
    )

    # when cast, the signature over that exact order verifies
    vote = vote_cast(typed_data=typed_data, signature=signature)

    # then the weights and the stored typed data are exactly what was signed
    assert vote.weights == [[3, 5], [1, 2]]
    assert vote.typed_data == typed_data
    assert Account.recover_message(eip712.signable(vote.typed_data), signature=signature) == (
        alice.address
    )


@pytest.mark.parametrize("age", [0, 600])
def test_timestamp_up_to_the_maximum_age_is_accepted(open_poll, alice, signed_vote, age):
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now_seconds() - age
    )

    assert vote_cast(typed_data=typed_data, signature=signature).is_current


def test_timestamp_up_to_the_clock_skew_ahead_is_accepted(open_poll, alice, signed_vote):
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now_seconds() + 55
    )

    assert vote_cast(typed_data=typed_data, signature=signature).is_current


# --- signatures ----------------------------------------------------------------------


def test_signature_by_another_key_is_refused(open_poll, alice, bob, signed_vote):
    # given bob's signature over a vote in alice's name
    typed_data, signature = signed_vote(
        poll=open_poll, key=bob.private_key, voter=alice.address, choices=[(1, 1)]
    )

    error = refused(VoteBadSignature, "bad_signature", typed_data=typed_data, signature=signature)
    assert alice.address in error.message


@pytest.mark.parametrize(
    "signature",
    [
        "not a signature",
        "0x" + "zz" * 65,
        "",
        None,
        12345,
        "0x" + "00" * 65,
        "0x" + "ab" * 64,  # one byte short of an EOA signature
        "0x" + "ab" * 66,
        "0x" + "ab" * 3000,  # longer than any wallet sends
    ],
)
def test_garbage_or_wrong_length_signature_is_refused(open_poll, alice, signed_vote, signature):
    typed_data, _ = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])

    refused(VoteBadSignature, "bad_signature", typed_data=typed_data, signature=signature)


def test_signature_over_different_choices_is_refused(open_poll, alice, signed_vote):
    # given a signed vote whose choices were changed after signing
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    typed_data["message"]["choices"] = [{"choice": 2, "weight": 1}]

    refused(VoteBadSignature, "bad_signature", typed_data=typed_data, signature=signature)


# --- domain --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain",
    [
        {"name": "Snapshot"},
        {"version": "2"},
        {"verifyingContract": "0x" + "11" * 20},
    ],
)
def test_vote_signed_for_another_domain_is_refused(open_poll, alice, domain):
    typed_data = eip712.vote_typed_data(
        poll_id=open_poll.pk, voter=alice.address, choices=[(1, 1)], timestamp=now_seconds()
    )
    typed_data["domain"] = {**typed_data["domain"], **domain}
    signature = _sign_any_domain(typed_data, alice.private_key)

    refused(VoteWrongDomain, "wrong_domain", typed_data=typed_data, signature=signature)


def _sign_any_domain(typed_data: dict[str, Any], key: str) -> str:
    """Sign even a domain with fields our types do not declare (as another site would)."""
    if "verifyingContract" in typed_data["domain"]:
        extended = copy.deepcopy(typed_data)
        extended["types"]["EIP712Domain"] = [
            *extended["types"]["EIP712Domain"],
            {"name": "verifyingContract", "type": "address"},
        ]
        return sign_typed_data(extended, key)
    return sign_typed_data(typed_data, key)


@pytest.mark.parametrize(
    "domain",
    ["Connector Hub", None, {"name": "Connector Hub", "version": "1"}],
    ids=["text", "null", "without-chain-id"],
)
def test_vote_with_a_domain_not_shaped_like_ours_is_refused(open_poll, alice, domain):
    typed_data = {**_valid(open_poll, alice.address), "domain": domain}

    error = refused(
        VoteWrongDomain, "wrong_domain", typed_data=typed_data, signature="0x" + "00" * 65
    )
    assert "name, version and chainId" in error.message


@pytest.mark.parametrize("chain_id", [1, 11155111, "1", True, "0x1"])
def test_vote_signed_for_another_chain_is_refused(open_poll, alice, chain_id):
    typed_data = eip712.vote_typed_data(
        poll_id=open_poll.pk, voter=alice.address, choices=[(1, 1)], timestamp=now_seconds()
    )
    typed_data["domain"]["chainId"] = chain_id
    signature = sign_typed_data(
        {**typed_data, "domain": {**typed_data["domain"], "chainId": 1}}, alice.private_key
    )

    error = refused(VoteWrongChain, "wrong_chain", typed_data=typed_data, signature=signature)
    assert "chain id" in error.message


# --- the poll ------------------------------------------------------------------------


def test_vote_on_a_missing_poll_is_refused(open_poll, alice, signed_vote):
    typed_data, signature = signed_vote(poll=999_999, key=alice.private_key, choices=[(1, 1)])

    error = refused(VotePollNotFound, "poll_not_found", typed_data=typed_data, signature=signature)
    assert VotePollNotFound.http_status == 404
    assert "999999" in error.message


def test_vote_on_a_draft_poll_is_refused(chain_settings, draft_poll, alice, signed_vote):
    typed_data, signature = signed_vote(poll=draft_poll, key=alice.private_key, choices=[(1, 1)])

    error = refused(
        VotePollNotActive, "poll_not_active", typed_data=typed_data, signature=signature
    )
    assert "not opened" in error.message
    assert VotePollNotActive.http_status == 409


def test_vote_on_a_closed_poll_is_refused(open_poll, alice, signed_vote):
    # given the poll closed when its time was up
    assert poll_close(poll=open_poll, now=open_poll.ends_at)

    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    error = refused(
        VotePollNotActive, "poll_not_active", typed_data=typed_data, signature=signature
    )
    assert "closed" in error.message


def test_vote_after_the_end_of_a_poll_not_yet_closed_is_refused(open_poll, alice, signed_vote):
    # given a poll past its end that beat has not closed yet
    end = open_poll.ends_at
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=int(end.timestamp())
    )

    refused(
        VotePollNotActive, "poll_not_active", typed_data=typed_data, signature=signature, now=end
    )
    assert Poll.objects.get(pk=open_poll.pk).status == PollStatus.ACTIVE


def test_vote_one_second_before_the_end_counts(open_poll, alice, signed_vote):
    moment = open_poll.ends_at - timedelta(seconds=1)
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=int(moment.timestamp())
    )

    assert vote_cast(typed_data=typed_data, signature=signature, now=moment).is_current


def test_vote_on_an_archived_poll_is_refused(chain_settings, alice, signed_vote):
    poll = PollFactory(archived=True)
    ChoiceFactory(poll=poll, position=1)
    typed_data, signature = signed_vote(poll=poll, key=alice.private_key, choices=[(1, 1)])

    error = refused(
        VotePollNotActive, "poll_not_active", typed_data=typed_data, signature=signature
    )
    assert "archived" in error.message


@pytest.mark.parametrize("choice", [5, 0, 65_535, 70_000])
def test_vote_for_a_choice_the_poll_lacks_is_refused(open_poll, alice, signed_vote, choice):
    typed_data = eip712.vote_typed_data(
        poll_id=open_poll.pk, voter=alice.address, choices=[(1, 1)], timestamp=now_seconds()
    )
    typed_data["message"]["choices"].append({"choice": choice, "weight": 1})

    refused(VoteUnknownChoice, "unknown_choice", typed_data=typed_data, signature="0x" + "00" * 65)


def test_vote_for_another_poll_than_it_was_sent_to_is_refused(open_poll, alice, signed_vote):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])

    error = refused(
        VoteMalformed,
        "malformed",
        typed_data=typed_data,
        signature=signature,
        poll_id=open_poll.pk + 1,
    )
    assert f"signed for poll {open_poll.pk}" in error.message


def test_basic_poll_takes_exactly_one_choice(open_poll, alice, signed_vote):
    # given a For / Against / Abstain vote
    Poll.objects.filter(pk=open_poll.pk).update(voting_method="basic")
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1), (2, 1)]
    )

    refused(VoteMalformed, "malformed", typed_data=typed_data, signature=signature)


# --- the voter and the time ------------------------------------------------------------


def test_address_without_hbot_at_the_snapshot_is_refused(open_poll, signed_vote):
    # given a brand-new key that never held HBOT
    stranger = Account.create()
    typed_data, signature = signed_vote(
        poll=open_poll, key=stranger.key.to_0x_hex(), choices=[(1, 1)]
    )

    error = refused(VoteZeroBalance, "zero_balance", typed_data=typed_data, signature=signature)
    assert VoteZeroBalance.http_status == 403
    assert str(open_poll.snapshot_block) in error.message


def test_stale_timestamp_is_refused(open_poll, alice, signed_vote):
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now_seconds() - 601
    )

    refused(VoteStale, "stale_timestamp", typed_data=typed_data, signature=signature)


def test_future_timestamp_is_refused(open_poll, alice, signed_vote):
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now_seconds() + 120
    )

    refused(VoteFuture, "future_timestamp", typed_data=typed_data, signature=signature)


def test_the_same_signed_vote_counts_once(open_poll, alice, signed_vote):
    # given a vote already cast
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    first = vote_cast(typed_data=typed_data, signature=signature)

    # when the same signed message arrives again
    with pytest.raises(VoteReplayed) as raised:
        vote_cast(typed_data=copy.deepcopy(typed_data), signature=signature)

    # then it is refused, and the first vote is still the one counted
    assert raised.value.code == "replayed"
    assert list(Vote.objects.all()) == [first]
    first.refresh_from_db()
    assert first.is_current


def test_replayed_older_vote_cannot_replace_a_newer_one(open_poll, alice, signed_vote):
    # given alice's vote at t, then her newer vote at t + 5
    now = now_seconds()
    old = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now - 5)
    new = signed_vote(poll=open_poll, key=alice.private_key, choices=[(2, 1)], timestamp=now)
    vote_cast(typed_data=new[0], signature=new[1])

    # when the older signed vote arrives afterwards
    with pytest.raises(VoteStale) as raised:
        vote_cast(typed_data=old[0], signature=old[1])

    # then it is refused and the newer vote still counts
    assert raised.value.code == "stale_timestamp"
    assert "newer vote" in raised.value.message
    assert Vote.objects.get().weights == [[2, 1]]


def test_another_vote_with_the_same_timestamp_does_not_replace_the_current(
    open_poll, alice, signed_vote
):
    now = now_seconds()
    first = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now)
    other = signed_vote(poll=open_poll, key=alice.private_key, choices=[(2, 1)], timestamp=now)
    vote_cast(typed_data=first[0], signature=first[1])

    with pytest.raises(VoteStale):
        vote_cast(typed_data=other[0], signature=other[1])
    assert Vote.objects.get().weights == [[1, 1]]


def test_chain_down_while_weighing_the_vote_says_try_again(open_poll, alice, signed_vote, settings):
    # given the node stopped answering after the poll opened
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ETH_RPC_URL = f"http://127.0.0.1:{port}"
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])

    refused(ChainUnavailable, "chain_unavailable", typed_data=typed_data, signature=signature)
    assert ChainUnavailable.http_status == 503


# --- malformed bodies ----------------------------------------------------------------


def _valid(poll: Poll, address: str) -> dict[str, Any]:
    return eip712.vote_typed_data(
        poll_id=poll.pk, voter=address, choices=[(1, 1)], timestamp=now_seconds()
    )


def _without(key: str):
    return lambda td: {k: v for k, v in td.items() if k != key}


def _message(**changes: Any):
    def change(td: dict[str, Any]) -> dict[str, Any]:
        message = {**td["message"], **changes}
        return {**td, "message": {k: v for k, v in message.items() if v is not _DROP}}

    return change


_DROP = object()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda td: "a string", id="not-an-object"),
        pytest.param(lambda td: [td], id="a-list"),
        pytest.param(_without("types"), id="missing-types"),
        pytest.param(_without("primaryType"), id="missing-primaryType"),
        pytest.param(_without("domain"), id="missing-domain"),
        pytest.param(_without("message"), id="missing-message"),
        pytest.param(lambda td: {**td, "primaryType": "Proposal"}, id="wrong-primary-type"),
        pytest.param(
            lambda td: {**td, "types": {**td["types"], "Vote": td["types"]["Vote"][:-1]}},
            id="other-types",
        ),
        pytest.param(lambda td: {**td, "message": "vote"}, id="message-not-object"),
        pytest.param(_message(poll=_DROP), id="missing-poll"),
        pytest.param(_message(voter=_DROP), id="missing-voter"),
        pytest.param(_message(choices=_DROP), id="missing-choices"),
        pytest.param(_message(timestamp=_DROP), id="missing-timestamp"),
        pytest.param(_message(extra=1), id="extra-key"),
        pytest.param(_message(poll="one"), id="poll-not-number"),
        pytest.param(_message(poll=0), id="poll-zero"),
        pytest.param(_message(poll=-3), id="poll-negative"),
        pytest.param(_message(poll=True), id="poll-boolean"),
        pytest.param(_message(poll=1.5), id="poll-float"),
        pytest.param(_message(timestamp="soon"), id="timestamp-not-number"),
        pytest.param(_message(timestamp=1.7e9), id="timestamp-float"),
        pytest.param(_message(timestamp=2**64), id="timestamp-beyond-uint64"),
        pytest.param(_message(voter="alice.eth"), id="voter-not-address"),
        pytest.param(_message(voter=12), id="voter-number"),
        pytest.param(_message(choices=[]), id="no-choices"),
        pytest.param(_message(choices={"choice": 1, "weight": 1}), id="choices-not-list"),
        pytest.param(_message(choices=[[1, 1]]), id="choice-as-pair"),
        pytest.param(_message(choices=[{"choice": 1}]), id="choice-without-weight"),
        pytest.param(_message(choices=[{"choice": 1, "weight": 1, "x": 0}]), id="choice-extra"),
        pytest.param(_message(choices=[{"choice": 1, "weight": "lots"}]), id="weight-text"),
        pytest.param(_message(choices=[{"choice": 1.0, "weight": 1}]), id="choice-float"),
        pytest.param(_message(choices=[{"choice": 1, "weight": 2**32}]), id="weight-over-uint32"),
        pytest.param(
            _message(choices=[{"choice": 1, "weight": 1}, {"choice": 1, "weight": 2}]),
            id="duplicate-choice",
        ),
        pytest.param(
            _message(
                choices=[
                    {"choice": 1 + i % 4, "weight": 1} for i in range(MAX_CHOICES_PER_VOTE + 1)
                ]
            ),
            id="too-many-choices",
        ),
    ],
)
def test_malformed_vote_is_refused(open_poll, alice, tamper):
    typed_data = tamper(_valid(open_poll, alice.address))

    refused(VoteMalformed, "malformed", typed_data=typed_data, signature="0x" + "00" * 65)
