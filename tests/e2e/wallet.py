"""An EIP-1193 wallet for browser tests that signs in Python with a holder's key.

Installed as ``window.ethereum`` before any page script runs. It shares the holder's address,
answers ``eth_chainId`` and ``wallet_switchEthereumChain``, and answers one signing method
through Python, exactly what a wallet extension returns: ``personal_sign`` (Sign-In with
Ethereum) with ``Account.sign_message``, or ``eth_signTypedData_v4`` (votes, proposals) with
``Account.sign_typed_data``. Any other method is refused with EIP-1193 code 4200.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from playwright.sync_api import BrowserContext, Page

PROVIDER = """
(({ address, chainId, rejectSignature, signMethod }) => {
  let currentChainId = chainId;
  window.ethereum = {
    async request({ method, params }) {
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return [address];
        case "eth_chainId":
          return currentChainId;
        case "wallet_switchEthereumChain":
          currentChainId = params[0].chainId;
          return null;
        case signMethod:
          if (rejectSignature) {
            throw Object.assign(new Error("User rejected the request."), { code: 4001 });
          }
          return await window.demoWalletSign(params[0], params[1]);
        default:
          throw Object.assign(new Error(`${method} is not supported`), { code: 4200 });
      }
    },
  };
})
"""


def _install_provider(
    page: Page | BrowserContext,
    holder: Any,
    *,
    chain_id: int,
    reject_signature: bool,
    sign_method: str,
    sign: Callable[[str, str], str],
) -> None:
    """Expose ``sign`` to the page (or every page of a context) and install the provider that
    calls it for ``sign_method``."""
    page.expose_function("demoWalletSign", sign)
    options = {
        # Wallets often answer in lower case; the page must still sign the right address.
        "address": holder.address.lower(),
        "chainId": hex(chain_id),
        "rejectSignature": reject_signature,
        "signMethod": sign_method,
    }
    page.add_init_script(script=f"({PROVIDER})({json.dumps(options)});")


def install_typed_data_wallet(
    page: Page | BrowserContext, holder: Any, *, chain_id: int, reject_signature: bool = False
) -> list[dict[str, Any]]:
    """Inject a wallet that signs EIP-712 typed data; returns the list each typed-data payload
    it signs is appended to."""
    signed: list[dict[str, Any]] = []

    def sign(address: str, payload: str) -> str:
        assert address.lower() == holder.address.lower()
        typed_data = json.loads(payload)
        signed.append(typed_data)
        return Account.sign_typed_data(
            holder.private_key, full_message=typed_data
        ).signature.to_0x_hex()

    _install_provider(
        page,
        holder,
        chain_id=chain_id,
        reject_signature=reject_signature,
        sign_method="eth_signTypedData_v4",
        sign=sign,
    )
    return signed


def install_sign_in_wallet(
    page: Page, holder: Any, *, chain_id: int, reject_signature: bool = False
) -> list[str]:
    """Inject a wallet that answers ``personal_sign``; returns the list the texts it is asked
    to sign are appended to."""
    signed: list[str] = []

    def sign(data_hex: str, address: str) -> str:
        assert address.lower() == holder.address.lower()
        text = bytes.fromhex(data_hex.removeprefix("0x")).decode()
        signed.append(text)
        signable = encode_defunct(text=text)
        return Account.sign_message(signable, holder.private_key).signature.to_0x_hex()

    _install_provider(
        page,
        holder,
        chain_id=chain_id,
        reject_signature=reject_signature,
        sign_method="personal_sign",
        sign=sign,
    )
    return signed
