"""HBOT balances at a block, read once from the chain and kept: a mined block never changes."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from governance.chain.balances import BalanceReader, checksum
from governance.models import BalanceSnapshot

_readers: dict[tuple[Any, ...], BalanceReader] = {}
_readers_lock = threading.Lock()


def reader_shared(
    *, chain_id: int | None = None, token_address: str | None = None
) -> BalanceReader:
    """One reader per process and configuration: it keeps its HTTP connection and what it
    learned (chain id checked, Multicall3 present at a block) from one request to the next."""
    key = (
        settings.ETH_RPC_URL,
        chain_id or settings.ETH_CHAIN_ID,
        (token_address or settings.HBOT_TOKEN_ADDRESS).lower(),
        settings.MULTICALL3_ADDRESS,
        settings.ETH_CONFIRMATIONS,
        settings.ETH_RPC_TIMEOUT,
        settings.ETH_RPC_RETRIES,
        settings.ETH_RPC_BACKOFF,
        settings.BALANCE_BATCH_SIZE,
    )
    with _readers_lock:
        reader = _readers.get(key)
        if reader is None:
            reader = BalanceReader.from_settings(chain_id=chain_id, token_address=token_address)
            _readers[key] = reader
        return reader


def balance_cached(*, chain_id: int, token_address: str, address: str, block: int) -> int | None:
    """A balance already read at ``block``, without touching the chain; None if not read yet."""
    return (
        BalanceSnapshot.objects.filter(
            chain_id=chain_id,
            token_address=token_address.lower(),
            holder_address=address.lower(),
            block_number=block,
        )
        .order_by()
        .values_list("balance", flat=True)
        .first()
    )


def balances_get(
    *, addresses: Iterable[str], block: int, reader: BalanceReader | None = None
) -> dict[str, int]:
    """Balances in base units keyed by checksummed address; cached rows are final.

    Only holders missing from the cache are read on-chain, after checking the chain id and
    that the block is final.
    """
    reader = reader or BalanceReader.from_settings()
    holders = list(dict.fromkeys(checksum(a) for a in addresses))
    token = reader.token_address.lower()
    cached = dict(
        BalanceSnapshot.objects.filter(
            chain_id=reader.chain_id,
            token_address=token,
            block_number=block,
            holder_address__in=[h.lower() for h in holders],
        ).values_list("holder_address", "balance")
    )
    missing = [h for h in holders if h.lower() not in cached]
    if missing:
        reader.check_chain()
        reader.require_final(block)
        fresh = reader.balances_at(missing, block=block)
        BalanceSnapshot.objects.bulk_create(
            [
                BalanceSnapshot(
                    chain_id=reader.chain_id,
                    token_address=token,
                    holder_address=holder.lower(),
                    block_number=block,
                    balance=balance,
                )
                for holder, balance in fresh.items()
            ],
            ignore_conflicts=True,
        )
        cached.update({holder.lower(): balance for holder, balance in fresh.items()})
    return {holder: cached[holder.lower()] for holder in holders}


def balance_get(*, address: str, block: int, reader: BalanceReader | None = None) -> int:
    return balances_get(addresses=[address], block=block, reader=reader)[checksum(address)]
