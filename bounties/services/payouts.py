"""Checking a recorded HBOT payout against the chain.

The transaction's receipt is read through the configured JSON-RPC node (the same
``BalanceReader`` connection that reads voting power): the payout is verified when the
transaction succeeded, its block is final, and its HBOT ``Transfer`` events to the
maintainer's wallet add up to exactly the amount recorded as paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from eth_utils import keccak
from web3.exceptions import TransactionNotFound, Web3Exception

from bounties.errors import PayoutCheckUnavailable
from bounties.fields import MICRO
from bounties.models import BountyEvent, BountyEventKind, Denomination, Payout, VerificationStatus
from governance.chain.balances import BalanceReader
from governance.chain.errors import ChainError
from governance.units import token_amount

TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


@dataclass(frozen=True)
class TransferCheck:
    status: str
    note: str
    block: int | None = None


def _hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return str(value).lower()


def _topic_address(topic: Any) -> str:
    return "0x" + _hex(topic)[-40:]


def _base_units(amount: Decimal) -> int:
    """Whole token base units of an amount with at most six decimals (HBOT has 18)."""
    decimals: int = settings.HBOT_DECIMALS
    scale: int = 10 ** (decimals - 6)  # int ** int is typed Any (a negative power is a float)
    return int(amount * MICRO) * scale


def _format_hbot(base_units: int) -> str:
    return token_amount(base_units, settings.HBOT_DECIMALS, grouping=True)


def transfer_check(*, payout: Payout, reader: BalanceReader | None = None) -> TransferCheck:
    """What the chain says about ``payout``'s transaction. Raises ``PayoutCheckUnavailable``
    when the node cannot be asked; nothing is decided then."""
    if payout.denomination != Denomination.HBOT:
        return TransferCheck(
            VerificationStatus.UNSUPPORTED,
            f"Only HBOT transfers are checked on-chain; this payout is in {payout.denomination}.",
        )
    reader = reader or BalanceReader.from_settings()
    try:
        reader.check_chain()
        receipt = reader.w3.eth.get_transaction_receipt(payout.tx_hash)  # type: ignore[arg-type]
        final_block = reader.latest_final_block()
    except TransactionNotFound:
        return TransferCheck(
            VerificationStatus.PENDING,
            f"Transaction {payout.tx_hash} is not on chain {reader.chain_id} (yet): it may not be "
            "mined, or it was sent on another chain.",
        )
    except ChainError as exc:
        raise PayoutCheckUnavailable(f"The payout cannot be checked right now: {exc}") from None
    except (requests.RequestException, Web3Exception, ValueError) as exc:
        raise PayoutCheckUnavailable(
            f"The payout cannot be checked right now: the Ethereum node at {reader.host} "
            f"failed ({type(exc).__name__})."
        ) from None
    block = int(receipt["blockNumber"])
    if int(receipt["status"]) != 1:
        return TransferCheck(
            VerificationStatus.MISMATCH,
            f"Transaction {payout.tx_hash} failed (reverted) in block {block}; it moved no HBOT.",
            block,
        )
    if block > final_block:
        return TransferCheck(
            VerificationStatus.PENDING,
            f"Transaction {payout.tx_hash} is in block {block}, which is not final yet (the "
            f"latest final block is {final_block}).",
            block,
        )
    token = reader.token_address.lower()
    recipient = payout.recipient_address.lower()
    received = 0
    for log in receipt["logs"]:
        topics = [_hex(t) for t in log["topics"]]
        if (
            _hex(log["address"]) == token
            and len(topics) == 3
            and topics[0] == TRANSFER_TOPIC
            and _topic_address(topics[2]) == recipient
        ):
            received += int(_hex(log["data"]), 16)
    expected = _base_units(Decimal(payout.amount_paid))
    if received == expected:
        return TransferCheck(
            VerificationStatus.VERIFIED,
            f"{_format_hbot(received)} HBOT reached {recipient} in block {block}.",
            block,
        )
    if received == 0:
        note = f"Transaction {payout.tx_hash} moved no HBOT to {recipient}."
    else:
        note = (
            f"Transaction {payout.tx_hash} moved {_format_hbot(received)} HBOT to {recipient}, "
            f"but the payout records {_format_hbot(expected)} HBOT."
        )
    return TransferCheck(VerificationStatus.MISMATCH, note, block)


def payout_verify(*, payout: Payout, reader: BalanceReader | None = None) -> Payout:
    """Check ``payout`` on-chain and record the outcome (and an event when it is decided)."""
    check = transfer_check(payout=payout, reader=reader)
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        changed = payout.verification_status != check.status
        payout.verification_status = check.status
        payout.verification_note = check.note
        payout.verified_block = check.block
        payout.verified_at = timezone.now()
        payout.save(
            update_fields=[
                "verification_status",
                "verification_note",
                "verified_block",
                "verified_at",
            ]
        )
        if changed and check.status in (VerificationStatus.VERIFIED, VerificationStatus.MISMATCH):
            BountyEvent.objects.create(
                bounty_id=payout.bounty_id,
                kind=BountyEventKind.PAYOUT_VERIFIED,
                maintainer_id=payout.maintainer_id,
                note=f"{VerificationStatus(check.status).label}: {check.note}",
            )
    return payout
