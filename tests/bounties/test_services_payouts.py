"""Payout verification against a real dev chain: the HBOT Transfer to the maintainer's wallet
in the transaction's receipt, read through the configured JSON-RPC node."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from bounties.errors import PayoutCheckUnavailable
from bounties.models import BountyEventKind, BountyStatus, Payout, VerificationStatus
from bounties.services import bounties as lifecycle
from bounties.services.payouts import payout_verify
from bounties.tasks import PayoutNotFinal, payout_verify_task
from governance.chain.balances import BalanceReader
from governance.chain.devchain import HBOT, load_artifact

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(settings, fresh_devchain):
    settings.ETH_RPC_URL = fresh_devchain.url
    settings.ETH_CHAIN_ID = fresh_devchain.chain.info.chain_id
    settings.HBOT_TOKEN_ADDRESS = fresh_devchain.chain.info.token_address
    return fresh_devchain.chain


def send_hbot(chain, *, to: str, base_units: int, sender: int = 0) -> str:
    """A real HBOT transfer on the dev chain from demo holder ``sender``; its hash."""
    token = chain.w3.eth.contract(
        address=chain.info.token_address, abi=load_artifact("DemoHBOT")["abi"]
    )
    holder = chain.info.holders[sender].address
    with chain._lock:
        tx = token.functions.transfer(chain.w3.to_checksum_address(to), base_units).transact(
            {"from": holder}
        )
        chain.w3.eth.wait_for_transaction_receipt(tx)
    return tx.to_0x_hex()


@pytest.fixture
def merged(drive, pot, make_bounty):
    # a 100,000 HBOT bounty: the developer portion is 90,000 HBOT
    return drive.to(make_bounty(amount=Decimal(100_000)), BountyStatus.MERGED)


def pay(bounty, staff, tx_hash, **kwargs) -> Payout:
    return lifecycle.bounty_pay(bounty=bounty, actor=staff, tx_hash=tx_hash, **kwargs)


def test_a_real_transfer_of_the_amount_paid_verifies(chain, merged, staff, maintainer):
    # given the Foundation sent the developer portion to the maintainer's wallet
    tx = send_hbot(chain, to=maintainer.wallet_address, base_units=90_000 * HBOT)
    payout = pay(merged, staff, tx)

    # when the payout is checked
    payout = payout_verify(payout=payout)

    # then it is verified, with the block, and the bounty's history says so
    assert payout.verification_status == VerificationStatus.VERIFIED
    assert payout.verification_note.startswith(f"90,000 HBOT reached {maintainer.wallet_address}")
    assert payout.verified_block == chain.w3.eth.block_number
    assert merged.events.latest("id").kind == BountyEventKind.PAYOUT_VERIFIED


def test_a_transfer_of_another_amount_does_not_match(chain, merged, staff, maintainer):
    tx = send_hbot(chain, to=maintainer.wallet_address, base_units=89_999 * HBOT)
    payout = pay(merged, staff, tx)

    payout = payout_verify(payout=payout)

    assert payout.verification_status == VerificationStatus.MISMATCH
    assert "moved 89,999 HBOT" in payout.verification_note
    assert "records 90,000 HBOT" in payout.verification_note


def test_a_fractional_amount_paid_is_compared_exactly(chain, merged, staff, maintainer):
    tx = send_hbot(chain, to=maintainer.wallet_address, base_units=90_000 * HBOT + 5 * 10**12)
    payout = pay(merged, staff, tx, amount_paid="90000.000005")

    assert payout_verify(payout=payout).verification_status == VerificationStatus.VERIFIED


def test_a_transfer_to_someone_else_does_not_match(chain, merged, staff):
    tx = send_hbot(chain, to="0x" + "77" * 20, base_units=90_000 * HBOT)
    payout = pay(merged, staff, tx)

    payout = payout_verify(payout=payout)

    assert payout.verification_status == VerificationStatus.MISMATCH
    assert "moved no HBOT to" in payout.verification_note


def test_an_unknown_transaction_is_pending_and_the_task_retries(chain, merged, staff):
    payout = pay(merged, staff, "0x" + "12" * 32)

    with pytest.raises(PayoutNotFinal, match="is not on chain"):
        payout_verify_task.run(payout.pk)

    payout.refresh_from_db()
    assert payout.verification_status == VerificationStatus.PENDING


def test_a_block_that_is_not_final_yet_is_pending(chain, merged, staff, maintainer):
    # given a node whose latest final block is older than the payout's block
    tx = send_hbot(chain, to=maintainer.wallet_address, base_units=90_000 * HBOT)
    reader = BalanceReader.from_settings()
    final = chain.w3.eth.block_number - 1
    reader.latest_final_block = lambda: final  # type: ignore[method-assign]
    payout = pay(merged, staff, tx)

    payout = payout_verify(payout=payout, reader=reader)

    assert payout.verification_status == VerificationStatus.PENDING
    assert "not final yet" in payout.verification_note


def test_stablecoin_payouts_are_not_checked_on_chain(pot, drive, make_bounty, staff):
    bounty = drive.to(make_bounty(amount=Decimal(1000), denomination="USDC"), BountyStatus.MERGED)
    payout = pay(bounty, staff, "0x" + "34" * 32)

    payout = payout_verify(payout=payout)

    assert payout.verification_status == VerificationStatus.UNSUPPORTED
    assert "Only HBOT transfers are checked" in payout.verification_note


def test_an_unreachable_node_decides_nothing(merged, staff, settings):
    settings.ETH_RPC_URL = "http://127.0.0.1:9"
    payout = pay(merged, staff, "0x" + "56" * 32)

    with pytest.raises(PayoutCheckUnavailable, match="could not be reached"):
        payout_verify(payout=payout)

    payout.refresh_from_db()
    assert payout.verification_status == VerificationStatus.UNVERIFIED
    assert payout.verified_at is None


def test_a_node_of_another_chain_decides_nothing(chain, merged, staff, settings):
    settings.ETH_CHAIN_ID = 1
    payout = pay(merged, staff, "0x" + "56" * 32)

    with pytest.raises(PayoutCheckUnavailable, match="serves chain id"):
        payout_verify(payout=payout)


def test_paying_queues_the_check_after_commit(
    chain, merged, staff, maintainer, django_capture_on_commit_callbacks
):
    tx = send_hbot(chain, to=maintainer.wallet_address, base_units=90_000 * HBOT)

    with django_capture_on_commit_callbacks(execute=True):
        payout = pay(merged, staff, tx, paid_at=timezone.now())

    payout.refresh_from_db()
    assert payout.verification_status == VerificationStatus.VERIFIED
