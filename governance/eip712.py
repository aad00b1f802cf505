"""The EIP-712 typed data that votes and proposals are signed as.

Published at ``/api/v1/governance/typed-data/`` so any client can vote: sign
``{"types", "primaryType", "domain", "message"}`` with ``eth_signTypedData_v4`` and post it
with the signature. The server never trusts the types or the domain it receives: it checks
them against its own and hashes its own rebuilt copy of the message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from eth_account.messages import SignableMessage, encode_typed_data
from eth_utils import keccak

from core.text import is_ascii_digits

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
]
VOTE_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": DOMAIN_TYPE,
    "Vote": [
        {"name": "poll", "type": "uint256"},
        {"name": "voter", "type": "address"},
        {"name": "choices", "type": "ChoiceWeight[]"},
        {"name": "timestamp", "type": "uint64"},
    ],
    "ChoiceWeight": [
        {"name": "choice", "type": "uint16"},
        {"name": "weight", "type": "uint32"},
    ],
}
PROPOSAL_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": DOMAIN_TYPE,
    "Proposal": [
        {"name": "proposalType", "type": "string"},
        {"name": "title", "type": "string"},
        {"name": "body", "type": "string"},
        {"name": "githubUrl", "type": "string"},
        {"name": "action", "type": "string"},
        {"name": "connector", "type": "string"},
        {"name": "exchange", "type": "string"},
        {"name": "hbotAllocation", "type": "uint256"},
        {"name": "proposer", "type": "address"},
        {"name": "timestamp", "type": "uint64"},
    ],
}
MAX_WEIGHT = 2**32 - 1


def domain() -> dict[str, Any]:
    return {
        "name": settings.EIP712_DOMAIN_NAME,
        "version": settings.EIP712_DOMAIN_VERSION,
        "chainId": settings.ETH_CHAIN_ID,
    }


def is_wallet_int(value: object) -> bool:
    """An integer, or a decimal string of one: wallets send uint256 values either way."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and is_ascii_digits(value) and len(value) <= 78


def domain_problem(given: object) -> tuple[str, str] | None:
    """Why a signed domain is not this site's: ("domain" | "chain", message), or None."""
    ours = domain()
    if not isinstance(given, dict) or set(given) != set(ours):
        return "domain", "The EIP-712 domain must have exactly name, version and chainId."
    if given["name"] != ours["name"] or given["version"] != ours["version"]:
        return "domain", (
            f"It is signed for {given['name']!r} version {given['version']!r}, not for this "
            f"site ({ours['name']!r} version {ours['version']!r})."
        )
    chain_id = given["chainId"]
    if not is_wallet_int(chain_id) or int(chain_id) != ours["chainId"]:
        return "chain", (
            f"It is signed for chain id {chain_id}, but this site uses chain id "
            f"{ours['chainId']}. Switch your wallet's network and sign again."
        )
    return None


def vote_typed_data(
    *, poll_id: int, voter: str, choices: list[tuple[int, int]], timestamp: int
) -> dict[str, Any]:
    return {
        "types": VOTE_TYPES,
        "primaryType": "Vote",
        "domain": domain(),
        "message": {
            "poll": poll_id,
            "voter": voter,
            "choices": [{"choice": c, "weight": w} for c, w in choices],
            "timestamp": timestamp,
        },
    }


def proposal_typed_data(*, message: dict[str, Any]) -> dict[str, Any]:
    return {
        "types": PROPOSAL_TYPES,
        "primaryType": "Proposal",
        "domain": domain(),
        "message": message,
    }


def signable(typed_data: dict[str, Any]) -> SignableMessage:
    return encode_typed_data(full_message=typed_data)


def digest(message: SignableMessage) -> str:
    """The 32-byte EIP-712 hash a wallet signs, as 0x-hex."""
    return "0x" + keccak(b"\x19" + message.version + message.header + message.body).hex()


def definition() -> dict[str, Any]:
    """What clients need to sign votes and proposals on this site."""
    return {
        "domain": domain(),
        "vote": {"primaryType": "Vote", "types": VOTE_TYPES},
        "proposal": {"primaryType": "Proposal", "types": PROPOSAL_TYPES},
        "limits": {
            "max_weight": MAX_WEIGHT,
            "max_vote_age_seconds": settings.VOTE_MAX_AGE_SECONDS,
            "max_clock_skew_seconds": settings.VOTE_MAX_CLOCK_SKEW_SECONDS,
        },
    }
