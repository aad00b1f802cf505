"""Every way an RPC endpoint can fail gives a clear error, retrying only what is transient."""

import time

import pytest

from governance.chain.balances import BalanceReader
from governance.chain.devchain import DEV_CHAIN_ID
from governance.chain.errors import RpcResponseError, RpcUnavailable
from tests.governance.misbehaving_rpc import MisbehavingRpc


def reader_for(url: str, **overrides) -> BalanceReader:
    options = {
        "rpc_url": url,
        "chain_id": DEV_CHAIN_ID,
        "token_address": "0xF2E246BB76DF876Cef8b38ae84130F4F55De395b",
        "multicall_address": "0xcA11bde05977b3631167028862bE2a173976CA11",
        "timeout": 0.5,
        "retries": 2,
        "backoff": 0.01,
    }
    return BalanceReader(**{**options, **overrides})


def test_rate_limit_is_retried_then_succeeds(devchain):
    with MisbehavingRpc(["429", "503", "proxy"], upstream=devchain.url) as node:
        reader_for(node.url).check_chain()

        assert node.requests == 3


def test_persistent_503_gives_up_after_the_retries():
    with MisbehavingRpc(["503"]) as node:
        with pytest.raises(RpcUnavailable, match=r"HTTP 503 \(3 attempts\)"):
            reader_for(node.url).check_chain()

        assert node.requests == 3


def test_http_500_is_not_retried():
    with MisbehavingRpc(["500"]) as node:
        with pytest.raises(RpcUnavailable, match="answered HTTP 500"):
            reader_for(node.url).check_chain()

        assert node.requests == 1


def test_timeouts_are_retried_within_a_bounded_time():
    with MisbehavingRpc(["hang"], hang=1.5) as node:
        started = time.monotonic()
        with pytest.raises(RpcUnavailable, match="timed out"):
            reader_for(node.url, timeout=0.2, retries=1).check_chain()

        assert time.monotonic() - started < 3


@pytest.mark.parametrize("behaviour", ["html", "garbage"])
def test_non_json_answers_are_response_errors(behaviour):
    with MisbehavingRpc([behaviour]) as node, pytest.raises(RpcResponseError):
        reader_for(node.url).check_chain()


def test_json_rpc_error_carries_the_node_message():
    with MisbehavingRpc(["rpc-error"]) as node:
        with pytest.raises(RpcResponseError, match="header not found"):
            reader_for(node.url).check_chain()

        assert node.requests == 1


def test_connection_closed_is_unavailable():
    with MisbehavingRpc(["close"]) as node, pytest.raises(RpcUnavailable):
        reader_for(node.url).check_chain()


def test_refused_connection_is_unavailable():
    with MisbehavingRpc(["close"]) as node:
        url = node.url
    with pytest.raises(RpcUnavailable, match="could not be reached"):
        reader_for(url).check_chain()


def test_timed_out_batch_is_read_again_as_halves_not_whole(devchain):
    # given a node that hangs on the first batch of reads, then answers
    alice, bob = (h.address for h in devchain.chain.info.holders[:2])
    with MisbehavingRpc(["proxy", "hang", "proxy"], upstream=devchain.url, hang=1.0) as node:
        reader = reader_for(node.url, batch_size=2)

        # when reading two balances (getCode, then one aggregate3 call of 2 reads)
        balances = reader.balances_at([alice, bob], block=6)

        # then the timed-out call of 2 was followed by two calls of 1, never by itself again
        assert balances == {a: devchain.chain.info.balances[a] for a in (alice, bob)}
        assert node.requests == 1 + 1 + 2
        assert reader.working_batch_size == 1


def test_server_error_on_a_batch_resends_that_batch(devchain):
    # given a node that answers 503 once to a batch of reads
    holders = [h.address for h in devchain.chain.info.holders[:3]]
    with MisbehavingRpc(["proxy", "503", "proxy"], upstream=devchain.url) as node:
        reader = reader_for(node.url, batch_size=3)

        # when reading three balances
        balances = reader.balances_at(holders, block=6)

        # then the same batch was retried after the backoff, and its size kept
        assert balances == {a: devchain.chain.info.balances[a] for a in holders}
        assert node.requests == 3
        assert reader.working_batch_size == 3


def test_errors_never_show_the_url_path():
    with MisbehavingRpc(["500"]) as node, pytest.raises(RpcUnavailable) as caught:
        reader_for(node.url + "/v3/secret-api-key").check_chain()

    assert "secret-api-key" not in str(caught.value)
