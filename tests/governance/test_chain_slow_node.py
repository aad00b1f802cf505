"""Balances from a node too slow for the configured batch: timed-out batches are split, never
resent whole, and the batch size and timeout adapt.

The node of the issue took 15 s per 1,000 reads against a 10 s timeout; here the same shape is
scaled down to 15 ms per read against a timeout of about a second, so a run takes seconds.
"""

import logging
import time
from io import StringIO

import pytest
from django.core.management import call_command

from governance.chain import balances as balances_module
from governance.chain.balances import BalanceReader
from governance.chain.devchain import DevChain, generated_holder_address, load_artifact
from governance.chain.errors import RpcTooSlow
from governance.chain.rpc_server import JsonRpcServer
from tests.governance.misbehaving_rpc import SlowRpc

HOLDERS = 200
NO_CODE_ADDRESS = "0x000000000000000000000000000000000000dEaD"


@pytest.fixture(scope="module")
def crowded_devchain():
    """A dev chain of the module's own with 200 more funded holders, served on loopback."""
    chain = DevChain(generated_holders=HOLDERS)
    server = JsonRpcServer(chain, host="127.0.0.1", port=0)
    server.chain = chain  # type: ignore[attr-defined]
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def holders(crowded_devchain):
    return [generated_holder_address(i) for i in range(HOLDERS)]


@pytest.fixture(scope="module")
def block(crowded_devchain):
    return crowded_devchain.chain.info.generated_round_block


@pytest.fixture(scope="module")
def expected(crowded_devchain, holders, block):
    """The dev chain's own balances, read in-process (not over JSON-RPC)."""
    chain = crowded_devchain.chain
    token = chain.w3.eth.contract(
        address=chain.info.token_address, abi=load_artifact("DemoHBOT")["abi"]
    )
    balances = {h: token.functions.balanceOf(h).call(block_identifier=block) for h in holders}
    assert all(balances.values())
    return balances


def reader_for(node, devchain, **overrides) -> BalanceReader:
    info = devchain.chain.info
    options = {
        "rpc_url": node.url,
        "chain_id": info.chain_id,
        "token_address": info.token_address,
        "multicall_address": info.multicall_address,
        "confirmations": 0,
        "timeout": 1.2,
        "retries": 1,
        "backoff": 0.01,
        "batch_size": HOLDERS,
    }
    return BalanceReader(**{**options, **overrides})


def test_slow_node_gives_every_balance_by_splitting_what_timed_out(
    crowded_devchain, holders, block, expected, caplog
):
    # given a node that takes 15 ms per read (a 200-read call 3 s, 100 reads 1.5 s, 50 0.75 s)
    # and a reader waiting at most 1.2 s for batches of up to 200 reads
    with SlowRpc(crowded_devchain.url, per_read=0.015) as node:
        reader = reader_for(node, crowded_devchain)

        # when reading 200 balances
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="governance.chain.balances"):
            balances = reader.balances_at(holders, block=block)
        elapsed = time.monotonic() - started

    # then every balance is the chain's own
    assert balances == expected
    # and only the halves of what timed out were sent: 200 and 100 were abandoned, then 50s
    assert [(c.reads, c.outcome) for c in node.calls] == [
        (200, "abandoned"),
        (100, "abandoned"),
        (50, "answered"),
        (50, "answered"),
        (50, "answered"),
        (50, "answered"),
    ]
    # and the reader keeps the size that worked
    assert reader.working_batch_size == 50
    # and no call queued behind an abandoned one: its connection was dropped at the timeout
    assert max(c.waited for c in node.calls) < 0.3
    assert elapsed < 2 * 1.2 + 4 * 0.75 + 3
    # and the log says which setting would skip the timeouts
    assert "BALANCE_BATCH_SIZE=50 (now 200)" in caplog.text
    assert "ETH_RPC_TIMEOUT (now 1.2)" in caplog.text


@pytest.mark.django_db
def test_hbot_balances_against_a_slow_node_prints_every_balance(
    crowded_devchain, holders, block, expected, settings, tmp_path
):
    # given the site configured for a node that takes 15 ms per read
    with SlowRpc(crowded_devchain.url, per_read=0.015) as node:
        info = crowded_devchain.chain.info
        settings.ETH_RPC_URL = node.url
        settings.ETH_CHAIN_ID = info.chain_id
        settings.HBOT_TOKEN_ADDRESS = info.token_address
        settings.ETH_RPC_TIMEOUT = 1.2
        settings.BALANCE_BATCH_SIZE = HOLDERS
        voters = tmp_path / "voters.txt"
        voters.write_text("\n".join(holders) + "\n")

        # when printing the balances of 200 holders
        out = StringIO()
        call_command("hbot_balances", file=voters, block=str(block), stdout=out, stderr=StringIO())

    # then every holder's balance is printed, equal to the chain's own
    printed = {
        line.split()[0]: int(line.split()[-1])
        for line in out.getvalue().splitlines()
        if line.startswith("0x")
    }
    assert printed == expected
    assert f"Total of {HOLDERS} holders" in out.getvalue()
    # and no batch was resent whole after a timeout
    assert node.abandoned == [200, 100]
    assert sum(node.answered) == HOLDERS


def test_single_read_too_slow_error_names_the_settings(crowded_devchain, holders, block):
    # given a node that takes 1 s per read and a reader that waits at most 0.3 s
    with SlowRpc(crowded_devchain.url, per_read=1.0) as node:
        reader = reader_for(node, crowded_devchain, timeout=0.3, batch_size=4)

        # when reading four balances
        started = time.monotonic()
        with pytest.raises(RpcTooSlow) as caught:
            reader.balances_at(holders[:4], block=block)
        node.settle()

    # then the batch was halved down to one read before giving up, in bounded time
    assert node.abandoned == [4, 2, 1]
    assert time.monotonic() - started < 3
    # and the error says what to change
    message = str(caught.value)
    assert f"took longer than 0.3 s for 1 balance read at block {block}" in message
    assert "raise ETH_RPC_TIMEOUT (now 0.3) or use a faster node" in message
    assert "BALANCE_BATCH_SIZE, now 4" in message
    assert node.url.removeprefix("http://") in message


def test_batch_size_grows_back_when_the_node_is_fast_again(crowded_devchain, holders, block):
    # given a reader that had to halve its batches of 16 on a node taking 0.1 s per read
    with SlowRpc(crowded_devchain.url, per_read=0.1) as node:
        reader = reader_for(node, crowded_devchain, batch_size=16)
        reader.balances_at(holders[:16], block=block)
        assert reader.working_batch_size == 8
        assert [c.reads for c in node.calls] == [16, 8, 8]

        # when the node is fast again
        node.per_read = 0
        node.calls.clear()
        balances = reader.balances_at(holders[16:64], block=block)

    # then after three fast batches of 8 the reader reads 16 at a time again
    assert len(balances) == 48
    assert [c.reads for c in node.calls] == [8, 8, 8, 16, 8]
    assert reader.working_batch_size == 16


def test_batch_timeout_follows_the_measured_speed(
    crowded_devchain, holders, block, expected, monkeypatch
):
    # given a reader allowed to wait 3 s, whose floor for a batch's wait is lowered to 0.2 s
    monkeypatch.setattr(balances_module, "MIN_BATCH_TIMEOUT", 0.2)
    with SlowRpc(crowded_devchain.url, per_read=0) as node:
        reader = reader_for(node, crowded_devchain, timeout=3.0, batch_size=4)
        assert reader.batch_timeout(4) == 3.0  # nothing measured yet: the whole timeout

        # when the node answered fast, then slows down to 0.3 s per read (1.2 s for 4)
        reader.balances_at(holders[:4], block=block)
        fast_wait = reader.batch_timeout(4)
        node.per_read = 0.3
        balances = reader.balances_at(holders[4:8], block=block)

    # then the slow batch was given up after the wait measured on fast ones, not after 3 s
    assert fast_wait < 1.0
    slow = [c for c in node.calls if c.reads and c.outcome == "abandoned"]
    assert slow
    assert slow[0].reads == 4
    assert slow[0].held < 1.5
    # and the balances are right all the same
    assert balances == {h: expected[h] for h in holders[4:8]}
    # and the wait never exceeds the configured maximum
    assert reader.batch_timeout(10**6) == 3.0


def test_json_rpc_batch_fallback_is_split_too(crowded_devchain, holders, block, expected):
    # given no Multicall3, a node taking 50 ms per eth_call and a 0.6 s timeout
    with SlowRpc(crowded_devchain.url, per_read=0.05) as node:
        reader = reader_for(
            node, crowded_devchain, multicall_address=NO_CODE_ADDRESS, timeout=0.6, batch_size=16
        )

        # when reading 16 balances (JSON-RPC batches of eth_call)
        balances = reader.balances_at(holders[:16], block=block)

    # then the batch of 16 timed out and its halves were read
    assert balances == {h: expected[h] for h in holders[:16]}
    assert [(c.reads, c.outcome) for c in node.calls] == [
        (16, "abandoned"),
        (8, "answered"),
        (8, "answered"),
    ]
