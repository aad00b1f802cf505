"""Who signed a message: an EOA signature recovered offline, or a contract wallet (EIP-1271)
asked on-chain whether the signature is valid for it.

Shared by wallet sign-in (EIP-4361 messages) and signed votes and proposals (EIP-712).
"""

from __future__ import annotations

import logging
import re

import requests
from django.conf import settings
from eth_account import Account
from eth_account.messages import SignableMessage
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError as EthValidationError
from siwe.siwe import check_contract_wallet_signature
from web3 import HTTPProvider, Web3
from web3.exceptions import Web3Exception

from governance.chain.errors import rpc_host

logger = logging.getLogger(__name__)

# 65 bytes for an EOA; contract wallets (a Safe with several owners) send longer signatures.
EOA_SIGNATURE_BYTES = 65
MAX_SIGNATURE_BYTES = 2048
SIGNATURE_RE = re.compile(r"^0x(?:[0-9a-fA-F]{2})*$")


class SignatureInvalid(Exception):
    """The signature does not prove that the address signed the message."""


class SignatureCheckUnavailable(Exception):
    """A contract wallet's signature could not be checked on-chain just now."""


def signature_well_formed(signature: object) -> bool:
    return (
        isinstance(signature, str)
        and bool(SIGNATURE_RE.match(signature))
        and 2 < len(signature) <= 2 + 2 * MAX_SIGNATURE_BYTES
    )


def signer_verify(*, address: str, signable: SignableMessage, signature: str) -> bool:
    """Check that checksummed ``address`` signed ``signable``; True if through EIP-1271.

    EOA recovery first (no network); otherwise, where a node is configured, the address's
    own ``isValidSignature``. Raises ``SignatureInvalid`` or ``SignatureCheckUnavailable``.
    """
    if not signature_well_formed(signature):
        raise SignatureInvalid("malformed signature")
    if len(signature) == 2 + 2 * EOA_SIGNATURE_BYTES:
        try:
            signer = Account.recover_message(signable, signature=signature)
        except (BadSignature, EthValidationError, ValueError, TypeError):
            signer = None
        if signer == address:
            return False
    if not settings.ETH_RPC_URL:
        raise SignatureInvalid("not an EOA signature, and no node to ask a contract wallet")
    host = rpc_host(settings.ETH_RPC_URL)
    w3 = Web3(
        HTTPProvider(
            settings.ETH_RPC_URL,
            request_kwargs={"timeout": settings.ETH_RPC_TIMEOUT},
            exception_retry_configuration=None,
        )
    )
    try:
        node_chain_id = w3.eth.chain_id
        if node_chain_id != settings.ETH_CHAIN_ID:
            logger.error(
                "The node at %s serves chain id %s, but ETH_CHAIN_ID is %s: EIP-1271 check "
                "refused.",
                host,
                node_chain_id,
                settings.ETH_CHAIN_ID,
            )
            raise SignatureCheckUnavailable("the node serves another chain")
        valid = check_contract_wallet_signature(
            address=address, message=signable, signature=signature, w3=w3
        )
    except (requests.RequestException, Web3Exception) as exc:
        logger.warning("EIP-1271 check for %s through %s failed: %s", address, host, exc)
        raise SignatureCheckUnavailable(str(exc)) from exc
    if not valid:
        raise SignatureInvalid("the contract wallet did not accept the signature")
    return True
