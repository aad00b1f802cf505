"""Balances are read on-chain once per (token, holder, block) and kept."""

import pytest

from governance.balance_snapshots import balance_get, balances_get
from governance.chain.balances import BalanceReader
from governance.chain.devchain import HBOT
from governance.chain.errors import SnapshotNotFinal
from governance.models import BalanceSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(chain_settings):
    return BalanceReader.from_settings()


@pytest.fixture
def holders(devchain):
    return [h.address for h in devchain.chain.info.holders]


def test_cache_miss_reads_chain_and_stores_rows(reader, holders, devchain):
    balances = balances_get(addresses=holders, block=6, reader=reader)

    assert balances == devchain.chain.info.balances
    assert BalanceSnapshot.objects.filter(block_number=6).count() == 10


def test_cached_balances_cost_no_rpc_call(reader, holders, devchain):
    balances_get(addresses=holders, block=6, reader=reader)
    devchain.stats.reset()

    again = balances_get(addresses=holders, block=6, reader=BalanceReader.from_settings())

    assert again == devchain.chain.info.balances
    assert devchain.stats.calls == 0


def test_partial_cache_reads_only_missing_holders(reader, holders, devchain):
    balances_get(addresses=holders[:4], block=6, reader=reader)
    devchain.stats.reset()

    balances_get(addresses=holders, block=6, reader=reader)

    assert BalanceSnapshot.objects.count() == 10
    assert devchain.stats.by_method.get("eth_call") == 1


def test_cache_is_per_block(reader, holders):
    at_three = balance_get(address=holders[0], block=3, reader=reader)
    at_six = balance_get(address=holders[0], block=6, reader=reader)

    assert (at_three, at_six) == (5_000_000 * HBOT, 4_000_000 * HBOT)
    assert BalanceSnapshot.objects.count() == 2


def test_cache_ignores_checksum_casing(reader, holders, devchain):
    balance_get(address=holders[1], block=6, reader=reader)
    devchain.stats.reset()

    assert balance_get(address=holders[1].lower(), block=6, reader=reader) == 2_250_000 * HBOT
    assert devchain.stats.calls == 0


def test_block_not_final_is_refused_and_nothing_stored(reader, holders):
    with pytest.raises(SnapshotNotFinal):
        balances_get(addresses=holders, block=10_000, reader=reader)

    assert not BalanceSnapshot.objects.exists()
