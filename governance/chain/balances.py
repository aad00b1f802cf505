"""Reading HBOT balances at a block through web3.py, batched through Multicall3.

Many holders are read with Multicall3 ``aggregate3`` (one ``eth_call`` per batch); where the
chain has no code at the Multicall3 address at that block, JSON-RPC batch requests of
``balanceOf`` calls are used instead. Transient failures are retried with exponential backoff;
everything else raises a ``ChainError`` with a clear message.

Batches adapt to the node. A batch that times out is never sent again: its halves are (down to
single reads), and the working batch size drops to the half for the rest of the reader's life,
doubling back towards ``BALANCE_BATCH_SIZE`` after a few batches that were fast enough. Each
batch waits ``HEADROOM`` times what its reads took so far, at most ``ETH_RPC_TIMEOUT``. A read
that timed out is abandoned with its connection (urllib3 closes a connection whose read timed
out, and a node such as geth stops a call whose client hung up), so the halves do not queue
behind it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from django.conf import settings
from eth_typing import ChecksumAddress
from eth_utils import is_address, to_checksum_address

from governance.chain.errors import (
    ChainError,
    ChainIdMismatch,
    RpcResponseError,
    RpcTooSlow,
    RpcUnavailable,
    SnapshotNotFinal,
    rpc_host,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A batch waits this many times what its reads took so far (the same node has been seen to take
# 7.6 s and 16 s for the same 1,000 reads) ...
HEADROOM = 4.0
# ... but never less than this (nor more than ETH_RPC_TIMEOUT).
MIN_BATCH_TIMEOUT = 2.0
# After this many batches in a row fast enough that one twice as large would take at most half
# of ETH_RPC_TIMEOUT, the working batch size doubles (up to BALANCE_BATCH_SIZE).
GROW_AFTER = 3

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
    if not isinstance(address, str) or not is_address(address.strip()):
        raise ValueError(f"{address!r} is not an Ethereum address (0x and 40 hex digits)")
    return to_checksum_address(address.strip())


class _BatchTimedOut(Exception):
    """A batch of reads got no answer in time; it is split, never sent again whole."""


class RpcSession(requests.Session):
    """A requests session whose timeout can be set for the calls of one thread.

    web3's provider passes one fixed timeout; batches of balance reads get one of their own.
    """

    def __init__(self) -> None:
        super().__init__()
        self._call = threading.local()

    @contextmanager
    def timeout(self, seconds: float) -> Iterator[None]:
        previous = getattr(self._call, "timeout", None)
        self._call.timeout = seconds
        try:
            yield
        finally:
            self._call.timeout = previous

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        seconds = getattr(self._call, "timeout", None)
        if seconds is not None:
            kwargs["timeout"] = seconds
        return super().send(request, **kwargs)


class BalanceReader:
    """Token balances at a block from one JSON-RPC endpoint.

    ``timeout`` is the longest wait for one call (ETH_RPC_TIMEOUT) and ``batch_size`` the most
    reads in one call (BALANCE_BATCH_SIZE); ``working_batch_size`` and ``batch_timeout()`` are
    what the reader currently uses, learned from the node.
    """

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
        self.timeout = timeout
        self.working_batch_size = batch_size
        self._seconds_per_read: float | None = None
        self._fast_in_a_row = 0
        self._adapt_lock = threading.Lock()
        # web3 (and aiohttp under it) takes a second to import: only a reader pays for it,
        # not every manage.py command that imports this module.
        from web3 import Web3
        from web3.providers.rpc import HTTPProvider

        self.session = RpcSession()
        provider = HTTPProvider(
            rpc_url,
            request_kwargs={"timeout": timeout},
            session=self.session,
            exception_retry_configuration=None,
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
        """Balances in base units, keyed by checksummed address (duplicates collapsed).

        Read in batches of ``working_batch_size``; a batch that times out is read again as two
        halves (down to single reads), never whole. ``RpcTooSlow`` when a single read times
        out at ``timeout``.
        """
        holders: list[str] = list(dict.fromkeys(checksum(a) for a in addresses))
        balances: dict[str, int] = {}
        read = self._read_multicall if self._has_multicall(block) else self._read_json_rpc_batch
        # Pieces still to read, in order; "patient" pieces wait the whole timeout.
        pending: deque[tuple[list[str], bool]] = deque([(holders, False)])
        while pending:
            chunk, patient = pending.popleft()
            size = self.working_batch_size
            if len(chunk) > size:  # the rest waits for the size in use when it is reached
                pending.extendleft([(chunk[size:], False), (chunk[:size], False)])
                continue
            timeout = self.timeout if patient else self.batch_timeout(len(chunk))
            try:
                values, seconds = read(chunk, block, timeout)
            except _BatchTimedOut:
                self._timed_out(len(chunk), timeout, block)
                if len(chunk) > 1:
                    half = (len(chunk) + 1) // 2
                    pending.extendleft([(chunk[half:], False), (chunk[:half], False)])
                elif timeout < self.timeout:
                    pending.appendleft((chunk, True))
                else:
                    raise RpcTooSlow(
                        host=self.host,
                        timeout=self.timeout,
                        block=block,
                        batch_size=self.batch_size,
                    ) from None
                continue
            self._answered(len(chunk), seconds)
            balances.update(zip(chunk, values, strict=True))
        return balances

    # --- adapting to the node -----------------------------------------------------------

    def batch_timeout(self, reads: int) -> float:
        """Seconds to wait for one call of ``reads`` reads: ``HEADROOM`` times what that many
        took so far, at least ``MIN_BATCH_TIMEOUT``, at most ``timeout`` (all of it until the
        node's speed has been measured)."""
        per_read = self._seconds_per_read
        if per_read is None:
            return self.timeout
        return min(self.timeout, max(MIN_BATCH_TIMEOUT, HEADROOM * per_read * reads))

    def _answered(self, reads: int, seconds: float) -> None:
        sample = seconds / reads
        with self._adapt_lock:
            known = self._seconds_per_read
            # Slower news is believed at once, faster news gradually.
            self._seconds_per_read = (
                sample if known is None or sample >= known else 0.7 * known + 0.3 * sample
            )
            size = self.working_batch_size
            fast = sample * size * 2 <= self.timeout / 2
            if size >= self.batch_size or not fast:
                self._fast_in_a_row = 0
                return
            self._fast_in_a_row += 1
            if self._fast_in_a_row < GROW_AFTER:
                return
            self._fast_in_a_row = 0
            self.working_batch_size = min(self.batch_size, size * 2)
        logger.info(
            "The node at %s answers fast again; reading up to %s balances per call.",
            self.host,
            self.working_batch_size,
        )

    def _timed_out(self, reads: int, timeout: float, block: int) -> None:
        with self._adapt_lock:
            self._fast_in_a_row = 0
            self._seconds_per_read = max(self._seconds_per_read or 0.0, timeout / reads)
            before = self.working_batch_size
            self.working_batch_size = min(before, max(1, (reads + 1) // 2))
            after = self.working_batch_size
        if after < before:
            logger.warning(
                "The node at %s took longer than %g s for %s balance reads at block %s; reading "
                "up to %s per call from now on. Set BALANCE_BATCH_SIZE=%s (now %s) to skip "
                "this timeout next time, or raise ETH_RPC_TIMEOUT (now %g).",
                self.host,
                timeout,
                reads,
                block,
                after,
                after,
                self.batch_size,
                self.timeout,
            )
        else:
            logger.info(
                "The node at %s took longer than %g s for %s balance reads at block %s; "
                "reading them in halves.",
                self.host,
                timeout,
                reads,
                block,
            )

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

    def _read_multicall(
        self, chunk: Sequence[str], block: int, timeout: float
    ) -> tuple[list[int], float]:
        calls = [(self.token_address, True, self.token.encode_abi("balanceOf", [a])) for a in chunk]
        data = self.multicall.encode_abi("aggregate3", [calls])
        raw, seconds = self._rpc_batch(
            lambda: self.w3.eth.call({"to": self.multicall_address, "data": data}, block),
            timeout,
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
        ], seconds

    def _read_json_rpc_batch(
        self, chunk: Sequence[str], block: int, timeout: float
    ) -> tuple[list[int], float]:
        def execute() -> list[Any]:
            with self.w3.batch_requests() as batch:
                for address in chunk:
                    data = self.token.encode_abi("balanceOf", [address])
                    batch.add(self.w3.eth.call({"to": self.token_address, "data": data}, block))
                return list(batch.execute())

        results, seconds = self._rpc_batch(execute, timeout)
        return [
            self._decode_balance(address, not isinstance(raw, Exception), raw)
            for address, raw in zip(chunk, results, strict=True)
        ], seconds

    def _decode_balance(self, address: str, success: bool, data: Any) -> int:
        if not success or not isinstance(data, bytes | bytearray) or len(data) != 32:
            raise RpcResponseError(
                f"balanceOf({address}) on token {self.token_address} failed or returned "
                "no uint256; is HBOT_TOKEN_ADDRESS an ERC-20 on this chain?"
            )
        return int.from_bytes(data, "big")

    # --- transport --------------------------------------------------------------------

    def _rpc(self, operation: Callable[[], T]) -> T:
        """Run one RPC operation with retries on transient failures, timeouts included."""
        return self._attempts(operation, batch_timeout=None)[0]

    def _rpc_batch(self, operation: Callable[[], T], timeout: float) -> tuple[T, float]:
        """Run a batch of reads with ``timeout``: the answer and the seconds it took.

        Retried on transient failures, but a read timeout raises ``_BatchTimedOut`` at once:
        the batch is split instead of being sent again behind the abandoned one.
        """
        return self._attempts(operation, batch_timeout=timeout)

    def _attempts(
        self, operation: Callable[[], T], *, batch_timeout: float | None
    ) -> tuple[T, float]:
        from web3.exceptions import ContractLogicError, Web3Exception

        for attempt in range(self.retries + 1):
            started = time.monotonic()
            try:
                if batch_timeout is None:
                    result = operation()
                else:
                    with self.session.timeout(batch_timeout):
                        result = operation()
                return result, time.monotonic() - started
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status not in RETRY_STATUSES:
                    raise RpcUnavailable(f"{self.host} answered HTTP {status}.") from None
                problem = f"HTTP {status}"
            except requests.Timeout as exc:
                # urllib3 has closed the connection of a read that timed out: never reused.
                if batch_timeout is not None and not isinstance(exc, requests.ConnectTimeout):
                    raise _BatchTimedOut from None
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
