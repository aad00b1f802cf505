"""A local Ethereum dev chain: an in-process EVM (eth-tester + py-evm), seeded the same way
at every start, for ``make run``, the tests and the benchmarks.

It holds a demo HBOT token (ERC-20, 18 decimals) deployed from the repository's Solidity
source, a Multicall3-compatible ``aggregate3`` contract at the canonical Multicall3 address,
a one-owner EIP-1271 contract wallet, and demo holders whose balances change across several
blocks, so balances at past blocks differ from the latest ones.
"""

from __future__ import annotations

import ast
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.main import get_default_account_keys
from eth_tester.exceptions import TransactionFailed, ValidationError
from eth_utils import keccak, to_checksum_address
from web3 import EthereumTesterProvider, Web3

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
DEV_CHAIN_ID = 131277322940537  # eth-tester's fixed chain id
CANONICAL_MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11"
HBOT = 10**18
TOTAL_SUPPLY = 1_000_000_000 * HBOT
DEMO_HOLDER_NAMES = (
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
)
# Whole HBOT each demo holder receives in the first distribution round.
FIRST_ROUND = (5_000_000, 2_500_000, 1_200_000, 800_000, 450_000, 300_000, 150_000, 60_000, 0, 0)
# Transfers of the second round: (from, to, whole HBOT). Balances differ before and after.
SECOND_ROUND = (("alice", "ivan", 1_000_000), ("bob", "judy", 250_000), ("carol", "dave", 200_000))


@cache
def load_artifact(name: str) -> dict[str, Any]:
    """ABI and bytecode of a contract compiled by ``scripts/build-contracts.js``."""
    return json.loads((ARTIFACTS_DIR / f"{name}.json").read_text())


def holder_key(index: int) -> str:
    """Deterministic private key of generated holder ``index`` (demo and benchmarks only)."""
    return "0x" + keccak(text=f"connector-hub dev holder {index}").hex()


@dataclass(frozen=True)
class DevHolder:
    name: str
    address: str
    private_key: str


@cache
def dev_accounts() -> tuple[DevHolder, ...]:
    """The deployer and the demo holders: eth-tester's default keys, the ones its genesis
    state funds with ether. Known without starting a chain (demo data signs with them)."""
    names = ("deployer", *DEMO_HOLDER_NAMES)
    keys = get_default_account_keys(quantity=len(names))
    return tuple(
        DevHolder(name, to_checksum_address(key.public_key.to_address()), key.to_hex())
        for name, key in zip(names, keys, strict=True)
    )


def demo_holders() -> dict[str, DevHolder]:
    """The demo holders by name."""
    return {h.name: h for h in dev_accounts()[1:]}


@dataclass
class DevChainInfo:
    chain_id: int
    token_address: str
    multicall_address: str
    smart_wallet_address: str
    smart_wallet_owner: DevHolder
    deployer: DevHolder
    holders: list[DevHolder]
    first_round_block: int
    second_round_block: int
    generated_holders: int = 0
    generated_round_block: int | None = None
    balances: dict[str, int] = field(default_factory=dict)


class DevChain:
    """The seeded chain, and a thread-safe JSON-RPC ``request`` over it."""

    def __init__(self, *, generated_holders: int = 0) -> None:
        self._lock = threading.Lock()
        multicall = load_artifact("BatchCalls")
        backend = PyEVMBackend(genesis_state=self._genesis_state(multicall["deployedBytecode"]))
        self.tester = EthereumTester(backend)
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self._request = self.w3.provider.request_func(self.w3, self.w3.middleware_onion)
        self.info = self._seed(generated_holders)

    @staticmethod
    def _genesis_state(multicall_runtime: str) -> dict[bytes, dict[str, Any]]:
        state = PyEVMBackend.generate_genesis_state(num_accounts=len(DEMO_HOLDER_NAMES) + 1)
        state[bytes.fromhex(CANONICAL_MULTICALL3[2:])] = {
            "balance": 0,
            "nonce": 1,
            "code": bytes.fromhex(multicall_runtime[2:]),
            "storage": {},
        }
        return state

    def _seed(self, generated: int) -> DevChainInfo:
        deployer, *holders = dev_accounts()
        by_name = {h.name: h for h in holders}
        token_artifact = load_artifact("DemoHBOT")
        token = self._deploy(token_artifact, deployer.address, TOTAL_SUPPLY)
        wallet = self._deploy(
            load_artifact("DemoSmartWallet"), deployer.address, by_name["erin"].address
        )

        recipients = [h.address for h in holders]
        amounts = [whole * HBOT for whole in FIRST_ROUND]
        self._transact(token.functions.transferMany(recipients, amounts), deployer.address)
        first_round_block = self.w3.eth.block_number
        for sender, receiver, whole in SECOND_ROUND:
            call = token.functions.transfer(by_name[receiver].address, whole * HBOT)
            self._transact(call, by_name[sender].address)
        second_round_block = self.w3.eth.block_number

        info = DevChainInfo(
            chain_id=self.w3.eth.chain_id,
            token_address=token.address,
            multicall_address=CANONICAL_MULTICALL3,
            smart_wallet_address=wallet.address,
            smart_wallet_owner=by_name["erin"],
            deployer=deployer,
            holders=holders,
            first_round_block=first_round_block,
            second_round_block=second_round_block,
        )
        if generated:
            self._seed_generated_holders(token, deployer.address, generated, info)
        info.balances = {h.address: token.functions.balanceOf(h.address).call() for h in holders}
        return info

    def _seed_generated_holders(
        self, token: Any, deployer: str, count: int, info: DevChainInfo, chunk: int = 400
    ) -> None:
        """Fund ``count`` more holders (1..count HBOT plus a fraction) in a few transactions."""
        for start in range(0, count, chunk):
            indexes = range(start, min(start + chunk, count))
            recipients = [generated_holder_address(i) for i in indexes]
            amounts = [(i + 1) * HBOT + i for i in indexes]
            self._transact(token.functions.transferMany(recipients, amounts), deployer)
        info.generated_holders = count
        info.generated_round_block = self.w3.eth.block_number

    def _deploy(self, artifact: dict[str, Any], sender: str, *args: Any) -> Any:
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        tx_hash = factory.constructor(*args).transact({"from": sender})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])

    def _transact(self, call: Any, sender: str) -> None:
        tx_hash = call.transact({"from": sender, "gas": 25_000_000})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise RuntimeError(f"dev chain seeding transaction failed: {tx_hash.hex()}")

    def request(self, method: str, params: list[Any]) -> dict[str, Any]:
        """Answer one JSON-RPC call; return ``{"result": ...}`` or ``{"error": {...}}``."""
        with self._lock:
            try:
                response = self._request(method, params)
            except TransactionFailed as exc:
                return {"error": _revert_error(exc)}
            except (ValidationError, TypeError, ValueError, IndexError, KeyError) as exc:
                return {"error": {"code": -32602, "message": f"invalid params: {exc}"}}
        if "error" in response:
            return {"error": response["error"]}
        return {"result": to_rpc(response.get("result"))}


def _revert_error(exc: TransactionFailed) -> dict[str, Any]:
    """Shape a revert like geth: code 3, with the raw revert data when eth-tester gives it.

    eth-tester reports custom errors as the repr of their bytes and ``Error(string)`` reverts
    as the decoded reason.
    """
    text = str(exc.args[0]) if exc.args else ""
    match = re.search(r"(b'.*'|b\".*\")$", text)
    if match:
        raw = ast.literal_eval(match.group(1))
        return {"code": 3, "message": "execution reverted", "data": "0x" + raw.hex()}
    reason = text.removeprefix("execution reverted: ")
    return {
        "code": 3,
        "message": f"execution reverted: {reason}" if reason else "execution reverted",
    }


def generated_holder_address(index: int) -> str:
    return Account.from_key(holder_key(index)).address


def to_rpc(value: Any) -> Any:
    """eth-tester answers with Python ints and bytes; JSON-RPC wants hex strings."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, Decimal):
        return hex(int(value))
    if isinstance(value, Mapping):
        return {
            k: _bloom(v) if k == "logsBloom" and isinstance(v, int) else to_rpc(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [to_rpc(v) for v in value]
    return value


def _bloom(value: int) -> str:
    return "0x" + value.to_bytes(256, "big").hex()
