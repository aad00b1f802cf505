"""HBOT balances at a block, read once from the chain and kept: a mined block never changes."""

from __future__ import annotations

from collections.abc import Iterable

from governance.chain.balances import BalanceReader, checksum
from governance.models import BalanceSnapshot


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
