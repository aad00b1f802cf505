"""The dev chain: deterministic from start to start, and a well-behaved JSON-RPC server."""

import json

import pytest
import requests
from django.core.management import CommandError, call_command
from web3 import Web3

from governance.chain.devchain import (
    CANONICAL_MULTICALL3,
    DEV_CHAIN_ID,
    FIRST_ROUND,
    HBOT,
    DevChain,
    generated_holder_address,
    load_artifact,
)
from governance.chain.rpc_server import MAX_BATCH, JsonRpcServer, require_loopback


def rpc(url: str, payload: object) -> object:
    response = requests.post(url, data=json.dumps(payload), timeout=10)
    assert response.status_code == 200
    return response.json()


def test_two_starts_give_the_same_addresses_keys_and_balances(devchain):
    # given a second, independent dev chain
    other = DevChain()

    # then everything a user copies from the start-up banner is the same
    first = devchain.chain.info
    assert other.info.token_address == first.token_address
    assert other.info.smart_wallet_address == first.smart_wallet_address
    assert [(h.address, h.private_key) for h in other.info.holders] == [
        (h.address, h.private_key) for h in first.holders
    ]
    assert other.info.balances == first.balances
    assert other.info.first_round_block == first.first_round_block


def test_chain_id_and_canonical_multicall_code(devchain):
    w3 = Web3(Web3.HTTPProvider(devchain.url))

    assert w3.eth.chain_id == DEV_CHAIN_ID
    assert len(w3.eth.get_code(Web3.to_checksum_address(CANONICAL_MULTICALL3))) > 0


def test_balances_differ_between_seeding_rounds(devchain):
    # given the demo token read over HTTP
    info = devchain.chain.info
    w3 = Web3(Web3.HTTPProvider(devchain.url))
    token = w3.eth.contract(address=info.token_address, abi=load_artifact("DemoHBOT")["abi"])
    alice = info.holders[0]

    # then alice's balance at the first round is the distributed amount, and lower after
    at_first = token.functions.balanceOf(alice.address).call(
        block_identifier=info.first_round_block
    )
    at_second = token.functions.balanceOf(alice.address).call(
        block_identifier=info.second_round_block
    )
    assert at_first == FIRST_ROUND[0] * HBOT
    assert at_second == at_first - 1_000_000 * HBOT


def test_generated_holders_are_funded():
    chain = DevChain(generated_holders=5)
    token = chain.w3.eth.contract(
        address=chain.info.token_address, abi=load_artifact("DemoHBOT")["abi"]
    )

    balances = [token.functions.balanceOf(generated_holder_address(i)).call() for i in range(5)]

    assert balances == [(i + 1) * HBOT + i for i in range(5)]


def test_batch_requests_answer_in_order_with_ids(devchain):
    answer = rpc(
        devchain.url,
        [
            {"jsonrpc": "2.0", "id": 7, "method": "eth_chainId", "params": []},
            {"jsonrpc": "2.0", "id": 8, "method": "eth_blockNumber", "params": []},
        ],
    )

    assert [item["id"] for item in answer] == [7, 8]
    assert answer[0]["result"] == hex(DEV_CHAIN_ID)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ([], -32600),
        ({"jsonrpc": "2.0", "id": 1}, -32600),
        ({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": {"a": 1}}, -32602),
        ({"jsonrpc": "2.0", "id": 1, "method": "no_such_method", "params": []}, -32601),
        ("just a string", -32600),
    ],
)
def test_invalid_requests_get_json_rpc_errors(devchain, payload, code):
    answer = rpc(devchain.url, payload)

    assert answer["error"]["code"] == code


def test_oversize_batch_is_refused(devchain):
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(MAX_BATCH + 1)]

    answer = rpc(devchain.url, batch)

    assert answer["error"]["code"] == -32600


def test_body_that_is_not_json_gets_parse_error(devchain):
    response = requests.post(devchain.url, data=b"\xff not json", timeout=10)

    assert response.json()["error"]["code"] == -32700


def test_reverted_call_is_reported_not_dropped(devchain):
    # transferFrom without allowance reverts inside the EVM
    info = devchain.chain.info
    w3 = Web3(Web3.HTTPProvider(devchain.url))
    token = w3.eth.contract(address=info.token_address, abi=load_artifact("DemoHBOT")["abi"])
    data = token.encode_abi("transferFrom", [info.holders[0].address, info.holders[1].address, 1])

    answer = rpc(
        devchain.url,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_call",
            "params": [
                {"to": info.token_address, "data": data, "from": info.holders[2].address},
                "latest",
            ],
        },
    )

    # then the error carries the custom error's selector (InsufficientAllowance)
    assert answer["error"]["code"] == 3
    assert answer["error"]["message"] == "execution reverted"
    assert answer["error"]["data"].startswith("0x91beda24")


def test_missing_params_are_invalid_params(devchain):
    answer = rpc(devchain.url, {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": []})

    assert answer["error"]["code"] == -32602


def test_get_is_not_allowed(devchain):
    assert requests.get(devchain.url, timeout=10).status_code == 405


def test_server_counts_http_requests_and_calls(fresh_devchain):
    fresh_devchain.stats.reset()

    rpc(
        fresh_devchain.url, [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(3)]
    )

    assert fresh_devchain.stats.http_requests == 1
    assert fresh_devchain.stats.calls == 3
    assert fresh_devchain.stats.by_method == {"eth_chainId": 3}


@pytest.mark.parametrize("host", ["0.0.0.0", "8.8.8.8"])  # noqa: S104
def test_non_loopback_addresses_are_refused(host):
    with pytest.raises(ValueError, match="loopback"):
        require_loopback(host)


def test_server_binds_ipv6_loopback():
    server = JsonRpcServer(DevChain(), host="::1", port=0)
    try:
        assert server.url.startswith("http://[::1]:")
    finally:
        server.server_close()


def test_command_rejects_bad_holder_count():
    with pytest.raises(CommandError, match="--holders"):
        call_command("devchain", holders=-1)


def test_command_refuses_public_address():
    with pytest.raises(CommandError, match="loopback"):
        call_command("devchain", host="0.0.0.0", port=0)  # noqa: S104
