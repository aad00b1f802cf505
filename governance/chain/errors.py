"""Why a chain read failed, in words a user or a staff member can act on.

Messages name the RPC host only: an RPC URL's path or query often holds an API key.
"""

from __future__ import annotations

from urllib.parse import urlsplit


class ChainError(Exception):
    """Base of every chain-access failure."""


class ChainIdMismatch(ChainError):
    def __init__(self, *, host: str, expected: int, actual: int) -> None:
        super().__init__(
            f"The node at {host} serves chain id {actual}, but the site is configured for "
            f"{expected} (ETH_CHAIN_ID). Refusing to read balances from the wrong chain."
        )


class SnapshotNotFinal(ChainError):
    def __init__(self, *, block: int, final_block: int) -> None:
        super().__init__(
            f"Block {block} is not final yet (the latest final block is {final_block}); "
            "balances there could still change."
        )
        self.block = block
        self.final_block = final_block


class RpcUnavailable(ChainError):
    """No usable answer: network down, timeouts, rate limits or server errors."""


class RpcTooSlow(RpcUnavailable):
    """Even a single balance read got no answer within the longest wait allowed."""

    def __init__(self, *, host: str, timeout: float, block: int, batch_size: int) -> None:
        super().__init__(
            f"The Ethereum node at {host} took longer than {timeout:g} s for 1 balance read at "
            f"block {block}; raise ETH_RPC_TIMEOUT (now {timeout:g}) or use a faster node. "
            f"Batches of reads (BALANCE_BATCH_SIZE, now {batch_size}) were already split down "
            "to single reads after timing out, so a smaller batch size would not help."
        )
        self.timeout = timeout
        self.block = block


class RpcResponseError(ChainError):
    """The node answered, but with an error or something that is not a valid answer."""


def rpc_host(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "?"
