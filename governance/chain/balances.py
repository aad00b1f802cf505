"""Reading HBOT balances at a block through web3.py, batched through Multicall3.

Many holders are read with Multicall3 ``aggregate3`` (one ``eth_call`` per batch); where the
chain has no code at the Multicall3 address at that block, JSON-RPC batch requests of
``balanceOf`` calls are used instead. Transient failures are retried with exponential backoff;
everything else raises a ``ChainError`` with a clear message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import requests
from django.conf import settings
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception
from web3.providers.rpc import HTTPProvider

from governance.chain.errors import (
    ChainError,
    ChainIdMismatch,
    RpcResponseError,
    RpcUnavailable,
    SnapshotNotFinal,
    rpc_host,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 502, 503, 504})

BALANCE_OF_ABI = [
    {
        "name": "balanceOf",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]
AGGREGATE3_ABI = [
    {
        "name": "aggregate3",
        "type": "function",
        "stateMutability": "payable",
        "inputs": [
            {
                "name": "calls",
                "type": "tuple[]",
                "components": [
                    {"name": "target", "type": "address"},
                    {"name": "allowFailure", "type": "bool"},
                    {"name": "callData", "type": "bytes"},
                ],
            }
        ],
        "outputs": [
            {
                "name": "returnData",
                "type": "tuple[]",
                "components": [
                    {"name": "success", "type": "bool"},
                    {"name": "returnData", "type": "bytes"},
                ],
            }
        ],
    }
]


def checksum(address: str) -> ChecksumAddress:
    """An EIP-55 address, or ``ValueError`` naming what was given."""
    if not isinstance(address, str) or not Web3.is_address(address.strip()):
        raise ValueError(f"{address!r} is not an Ethereum address (0x and 40 hex digits)")
    return Web3.to_checksum_address(address.strip())


class BalanceReader:
    """Token balances at a block from one JSON-RPC endpoint."""

    def __init__(
        self,
        *,
        rpc_url: str,
        chain_id: int,
        token_address: str,
        multicall_address: str,
        confirmations: int = 12,
        timeout: float = 10.0,
        retries: int = 4,
        backoff: float = 0.5,
        batch_size: int = 1000,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.host = rpc_host(rpc_url)
        self.chain_id = chain_id
        self.confirmations = max(0, confirmations)
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.batch_size = batch_size
        provider = HTTPProvider(
            rpc_url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None
        )
        self.w3 = Web3(provider)
        # web3's validation middleware asks eth_chainId before every eth_call; the chain id is
        # checked once per reader in check_chain() instead.
        self.w3.middleware_onion.remove("validation")
        self.token_address = checksum(token_address)
        self.multicall_address = checksum(multicall_address)
        self.token = self.w3.eth.contract(address=self.token_address, abi=BALANCE_OF_ABI)
        self.multicall = self.w3.eth.contract(address=self.multicall_address, abi=AGGREGATE3_ABI)
        self._chain_checked = False
        self._multicall_at: dict[int, bool] = {}
        self._warned_fallback = False

    @classmethod
    def from_settings(cls, **overrides: Any) -> BalanceReader:
        options: dict[str, Any] = {
            "rpc_url": settings.ETH_RPC_URL,
            "chain_id": settings.ETH_CHAIN_ID,
            "token_address": settings.HBOT_TOKEN_ADDRESS,
            "multicall_address": settings.MULTICALL3_ADDRESS,
            "confirmations": settings.ETH_CONFIRMATIONS,
            "timeout": settings.ETH_RPC_TIMEOUT,
            "retries": settings.ETH_RPC_RETRIES,
            "backoff": settings.ETH_RPC_BACKOFF,
            "batch_size": settings.BALANCE_BATCH_SIZE,
        }
        options.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**options)

    # --- chain facts ------------------------------------------------------------------

    def check_chain(self) -> None:
        """Refuse to read from a node of another chain; asked once per reader."""
        if self._chain_checked:
            return
        actual = self._rpc(lambda: self.w3.eth.chain_id)
        if actual != self.chain_id:
            raise ChainIdMismatch(host=self.host, expected=self.chain_id, actual=actual)
        self._chain_checked = True

    def latest_final_block(self) -> int:
        """The node's finalized block, or latest minus the confirmations where it has none."""
        try:
            return int(self._rpc(lambda: self.w3.eth.get_block("finalized")["number"]))
        except RpcResponseError:
            latest = int(self._rpc(lambda: self.w3.eth.block_number))
            return max(0, latest - self.confirmations)

    def require_final(self, block: int) -> None:
        if block < 0:
            raise ValueError(f"block {block} is negative")
        final_block = self.latest_final_block()
        if block > final_block:
            raise SnapshotNotFinal(block=block, final_block=final_block)

    # --- balances ---------------------------------------------------------------------

    def balance_at(self, address: str, *, block: int) -> int:
        return self.balances_at([address], block=block)[checksum(address)]

    def balances_at(self, addresses: Iterable[str], *, block: int) -> dict[str, int]:
        """Balances in base units, keyed by checksummed address (duplicates collapsed)."""
        holders = list(dict.fromkeys(checksum(a) for a in addresses))
        balances: dict[str, int] = {}
        batched = self._has_multicall(block)
        for start in range(0, len(holders), self.batch_size):
            chunk = holders[start : start + self.batch_size]
            read = self._read_multicall if batched else self._read_json_rpc_batch
            balances.update(zip(chunk, read(chunk, block), strict=True))
        return balances

    def _has_multicall(self, block: int) -> bool:
        if block not in self._multicall_at:
            code = self._rpc(
                lambda: self.w3.eth.get_code(self.multicall_address, block_identifier=block)
            )
            self._multicall_at[block] = len(code) > 0
            if not code and not self._warned_fallback:
                logger.warning(
                    "No Multicall3 code at %s on %s at block %s; reading balances with "
                    "JSON-RPC batch requests instead (one eth_call per holder per batch).",
                    self.multicall_address,
                    self.host,
                    block,
                )
                self._warned_fallback = True
        return self._multicall_at[block]

    def _read_multicall(self, chunk: Sequence[str], block: int) -> list[int]:
        calls = [(self.token_address, True, self.token.encode_abi("balanceOf", [a])) for a in chunk]
        data = self.multicall.encode_abi("aggregate3", [calls])
        raw = self._rpc(
            lambda: self.w3.eth.call({"to": self.multicall_address, "data": data}, block)
        )
        try:
            (results,) = self.w3.codec.decode(["(bool,bytes)[]"], raw)
        except Exception as exc:  # eth-abi raises several decoding errors
            raise RpcResponseError(f"{self.host} answered aggregate3 with {exc}") from None
        if len(results) != len(chunk):
            raise RpcResponseError(
                f"{self.host} answered {len(results)} results for {len(chunk)} balance calls"
            )
        return [
            self._decode_balance(address, success, data)
            for address, (success, data) in zip(chunk, results, strict=True)
        ]

    def _read_json_rpc_batch(self, chunk: Sequence[str], block: int) -> list[int]:
        def execute() -> list[Any]:
            with self.w3.batch_requests() as batch:
                for address in chunk:
                    data = self.token.encode_abi("balanceOf", [address])
                    batch.add(self.w3.eth.call({"to": self.token_address, "data": data}, block))
                return list(batch.execute())

        results = self._rpc(execute)
        return [
            self._decode_balance(address, not isinstance(raw, Exception), raw)
            for address, raw in zip(chunk, results, strict=True)
        ]

    def _decode_balance(self, address: str, success: bool, data: Any) -> int:
        if not success or not isinstance(data, bytes | bytearray) or len(data) != 32:
            raise RpcResponseError(
                f"balanceOf({address}) on token {self.token_address} failed or returned "
                "no uint256; is HBOT_TOKEN_ADDRESS an ERC-20 on this chain?"
            )
        return int.from_bytes(data, "big")

    # --- transport --------------------------------------------------------------------

    def _rpc(self, operation: Callable[[], T]) -> T:
        """Run one RPC operation with retries on transient failures."""
        for attempt in range(self.retries + 1):
            try:
                return operation()
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status not in RETRY_STATUSES:
                    raise RpcUnavailable(f"{self.host} answered HTTP {status}.") from None
                problem = f"HTTP {status}"
            except requests.Timeout:
                problem = "timed out"
            except requests.ConnectionError:
                problem = "could not be reached"
            except ContractLogicError as exc:
                raise RpcResponseError(f"The call reverted on {self.host}: {exc}") from None
            except (Web3Exception, ValueError, KeyError, TypeError) as exc:
                if isinstance(exc, ChainError):
                    raise
                raise RpcResponseError(f"{self.host} gave an invalid answer: {exc}") from None
            if attempt < self.retries:
                delay = self.backoff * 2**attempt
                logger.info("RPC %s %s; retry %s in %.2fs", self.host, problem, attempt + 1, delay)
                time.sleep(delay)
        raise RpcUnavailable(
            f"The Ethereum node at {self.host} {problem} ({self.retries + 1} attempts)."
        )
