"""An EIP-1193 wallet for browser tests that signs EIP-712 typed data in Python.

Installed as ``window.ethereum`` before any page script runs; ``eth_signTypedData_v4`` is
answered with the holder's key through ``Account.sign_typed_data``, exactly what a wallet
extension returns.
"""

from __future__ import annotations

import json
from typing import Any

from eth_account import Account
from playwright.sync_api import Page

PROVIDER = """
(({ address, chainId, rejectSignature }) => {
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
        case "eth_signTypedData_v4":
          if (rejectSignature) {
            throw Object.assign(new Error("User rejected the request."), { code: 4001 });
          }
          return await window.demoWalletSignTypedData(params[0], params[1]);
        default:
          throw Object.assign(new Error(`${method} is not supported`), { code: 4200 });
      }
    },
  };
})
"""


def install_typed_data_wallet(
    page: Page, holder: Any, *, chain_id: int, reject_signature: bool = False
) -> list[dict[str, Any]]:
    """Inject the wallet; returns the list each typed-data payload it signs is appended to."""
    signed: list[dict[str, Any]] = []

    def sign(address: str, payload: str) -> str:
        assert address.lower() == holder.address.lower()
        typed_data = json.loads(payload)
        signed.append(typed_data)
        return Account.sign_typed_data(
            holder.private_key, full_message=typed_data
        ).signature.to_0x_hex()

    page.expose_function("demoWalletSignTypedData", sign)
    options = {
        # Wallets often answer in lower case; the signature covers the address either way.
        "address": holder.address.lower(),
        "chainId": hex(chain_id),
        "rejectSignature": reject_signature,
    }
    page.add_init_script(script=f"({PROVIDER})({json.dumps(options)});")
    return signed
