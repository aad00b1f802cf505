"""Reading HBOT balances over real HTTP from the dev chain: history, batching, fallback."""

import logging
import math

import pytest

from governance.chain.balances import BalanceReader
from governance.chain.devchain import DEV_CHAIN_ID, FIRST_ROUND, HBOT
from governance.chain.errors import ChainIdMismatch, SnapshotNotFinal
from tests.governance.misbehaving_rpc import MisbehavingRpc

NO_CODE_ADDRESS = "0x000000000000000000000000000000000000dEaD"


def reader_for(server, **overrides) -> BalanceReader:
    options = {
        "rpc_url": server.url,
        "chain_id": DEV_CHAIN_ID,
        "token_address": "0xF2E246BB76DF876Cef8b38ae84130F4F55De395b",
        "multicall_address": "0xcA11bde05977b3631167028862bE2a173976CA11",
        "confirmations": 0,
        "timeout": 5,
        "retries": 1,
        "backoff": 0.01,
    }
    return BalanceReader(**{**options, **overrides})


def test_balances_at_past_block_differ_after_transfers(devchain):
    # given alice, who sent 1,000,000 HBOT to ivan in the second round
    info = devchain.chain.info
    alice, ivan = info.holders[0].address, info.holders[8].address
    reader = reader_for(devchain)

    # when reading at the first and at the second round
    before = reader.balances_at([alice, ivan], block=info.first_round_block)
    after = reader.balances_at([alice, ivan], block=info.second_round_block)

    # then each block gives its own balances
    assert before == {alice: FIRST_ROUND[0] * HBOT, ivan: 0}
    assert after == {alice: 4_000_000 * HBOT, ivan: 1_000_000 * HBOT}


def test_many_holders_are_read_in_one_call_per_batch(fresh_devchain):
    # given ten holders and batches of three
    info = fresh_devchain.chain.info
    addresses = [h.address for h in info.holders]
    reader = reader_for(fresh_devchain, batch_size=3)
    reader.check_chain()
    fresh_devchain.stats.reset()

    # when reading all of them
    balances = reader.balances_at(addresses, block=info.second_round_block)

    # then one eth_call per batch went over the wire
    assert balances == info.balances
    assert fresh_devchain.stats.by_method["eth_call"] == math.ceil(10 / 3)


def test_without_multicall_falls_back_to_json_rpc_batches(fresh_devchain, caplog):
    # given a multicall address with no code on this chain
    info = fresh_devchain.chain.info
    reader = reader_for(fresh_devchain, multicall_address=NO_CODE_ADDRESS, batch_size=4)
    fresh_devchain.stats.reset()

    # when reading ten holders
    with caplog.at_level(logging.WARNING, logger="governance.chain.balances"):
        balances = reader.balances_at([h.address for h in info.holders], block=6)

    # then the results are the same, read with batched HTTP requests, and the log says so
    assert balances == info.balances
    assert fresh_devchain.stats.by_method["eth_call"] == 10
    assert fresh_devchain.stats.http_requests == 1 + math.ceil(10 / 4)  # getCode + 3 batches
    assert "No Multicall3 code" in caplog.text


def test_duplicate_and_lowercase_addresses_collapse(devchain):
    alice = devchain.chain.info.holders[0].address

    balances = reader_for(devchain).balances_at([alice, alice.lower()], block=6)

    assert list(balances) == [alice]


def test_invalid_address_is_named(devchain):
    with pytest.raises(ValueError, match="'0x123' is not an Ethereum address"):
        reader_for(devchain).balances_at(["0x123"], block=6)


def test_chain_id_mismatch_is_refused(devchain):
    reader = reader_for(devchain, chain_id=1)

    with pytest.raises(ChainIdMismatch, match="serves chain id 131277322940537"):
        reader.check_chain()


def test_snapshot_after_the_final_block_is_refused(devchain):
    reader = reader_for(devchain)
    final = reader.latest_final_block()

    reader.require_final(final)
    with pytest.raises(SnapshotNotFinal, match=f"Block {final + 1} is not final"):
        reader.require_final(final + 1)


def test_confirmations_apply_when_node_has_no_finalized_tag(devchain):
    # given a node that rejects the "finalized" tag, then answers normally
    with MisbehavingRpc(["rpc-error", "proxy"], upstream=devchain.url) as node:
        reader = reader_for(node, confirmations=2)

        # then latest minus the confirmations is final
        assert reader.latest_final_block() == 6 - 2
