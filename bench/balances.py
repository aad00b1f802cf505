"""Balance reads for 2,000 holders on the dev chain: batched (Multicall3) against one
``eth_call`` per voter, measured in the same run.

Goals: at most 3 RPC requests per 1,000 voters, and at least 50x fewer than one per voter.
Request counts are deterministic and checked (exit 1 when missed); wall times are printed.

    .venv/bin/python -m bench.balances [--holders 2000]
"""

from __future__ import annotations

import argparse
import sys
import time

import django
import requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=2000)
    args = parser.parse_args()

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from web3 import Web3

    from governance.chain.balances import BalanceReader
    from governance.chain.devchain import DevChain, generated_holder_address, load_artifact
    from governance.chain.rpc_server import JsonRpcServer

    print(f"Seeding a dev chain with {args.holders} holders ...", flush=True)
    chain = DevChain(generated_holders=args.holders)
    server = JsonRpcServer(chain, host="127.0.0.1", port=0)
    server.start_in_thread()
    holders = [generated_holder_address(i) for i in range(args.holders)]
    block = chain.info.generated_round_block or 0
    reader = BalanceReader(
        rpc_url=server.url,
        chain_id=chain.info.chain_id,
        token_address=chain.info.token_address,
        multicall_address=chain.info.multicall_address,
        confirmations=0,
        batch_size=1000,
    )

    server.stats.reset()
    started = time.perf_counter()
    reader.check_chain()
    reader.require_final(block)
    batched = reader.balances_at(holders, block=block)
    batched_seconds = time.perf_counter() - started
    batched_requests = server.stats.http_requests

    token = Web3().eth.contract(abi=load_artifact("DemoHBOT")["abi"])
    session = requests.Session()
    server.stats.reset()
    started = time.perf_counter()
    one_by_one = {}
    for index, holder in enumerate(holders):
        call = {"to": chain.info.token_address, "data": token.encode_abi("balanceOf", [holder])}
        payload = {
            "jsonrpc": "2.0",
            "id": index,
            "method": "eth_call",
            "params": [call, hex(block)],
        }
        answer = session.post(server.url, json=payload, timeout=30).json()
        one_by_one[holder] = int(answer["result"], 16)
    baseline_seconds = time.perf_counter() - started
    baseline_requests = server.stats.http_requests
    server.shutdown()

    if batched != one_by_one:
        print("FAIL: batched and one-by-one balances differ")
        return 1
    per_thousand = batched_requests * 1000 / args.holders
    baseline_per_thousand = baseline_requests * 1000 / args.holders
    fewer = baseline_requests / batched_requests
    print(f"holders:                      {args.holders}")
    print(
        f"batched:   {batched_requests:>6} RPC requests  {per_thousand:7.2f} per 1,000 voters"
        f"  {batched_seconds:7.2f} s"
    )
    print(
        f"baseline:  {baseline_requests:>6} RPC requests  {baseline_per_thousand:7.2f} per "
        f"1,000 voters  {baseline_seconds:7.2f} s"
    )
    print(f"requests:  {fewer:.1f}x fewer batched (goal >= 50x)")
    print(f"wall time: {baseline_seconds / batched_seconds:.1f}x faster batched")
    ok = per_thousand <= 3 and fewer >= 50
    print("PASS" if ok else "FAIL: a request-count goal was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
