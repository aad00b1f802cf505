"""Signed votes accepted per second through the API, over real HTTP on loopback.

The site runs under gunicorn (production settings) against PostgreSQL when DATABASE_URL is
set (a database of the benchmark's own, ``<name>_bench_votes``, created and dropped) or a
temporary SQLite file otherwise, and a dev chain with generated holders. Votes are signed
before the clock starts and posted by a few client threads, each voter once.

Printed, all measured in the same run (ratios, never asserted):
- votes/s with the voters' balances at the snapshot block already cached (the site's own
  ingestion rate), against the goal of 300/s;
- votes/s when each vote reads its voter's balance from the dev chain (bound by the dev
  chain's single-threaded EVM, whose own eth_call rate is printed beside it);
- a trivial GET endpoint's requests/s on the same server, as the HTTP ceiling;
- the cost split of one vote in-process: typed-data hashing, signature recovery, the
  database write, and the whole ``vote_cast``.

    .venv/bin/python -m bench.votes [--holders 2000] [--votes 1500] [--threads 6] [--workers 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import django

from bench._support import gunicorn, percentile
from bench.databases import bench_database

GOAL = 300.0


@dataclass
class Run:
    label: str
    requests: int
    seconds: float
    statuses: dict[int, int]
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        p50 = statistics.median(self.latencies_ms) if self.latencies_ms else 0.0
        p95 = percentile(self.latencies_ms, 95)
        return (
            f"{self.label:<44} {self.rate:8.1f}/s  ({self.requests} in {self.seconds:5.2f} s, "
            f"p50 {p50:5.1f} ms, p95 {p95:5.1f} ms, statuses {dict(sorted(self.statuses.items()))})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=2000, help="dev chain holders")
    parser.add_argument("--votes", type=int, default=1500, help="votes for the cached run")
    parser.add_argument("--cold-votes", type=int, default=300, help="votes reading the chain")
    parser.add_argument("--samples", type=int, default=200, help="votes timed in-process")
    parser.add_argument("--threads", type=int, default=6, help="client threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--wsgi", default="config.wsgi:application", help="WSGI app (to measure a variant)"
    )
    args = parser.parse_args()
    if args.votes + args.cold_votes + args.samples > args.holders:
        parser.error(
            "every vote needs its own holder: --votes + --cold-votes + --samples must "
            "not exceed --holders"
        )

    with bench_database(suffix="_bench_votes") as database_url:
        env = _site_environment(database_url)
        os.environ.update(env)
        django.setup()
        return _bench(args, env)


# --- the site and its database ----------------------------------------------------------


def _site_environment(database_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        # Not used by the vote path; production settings only insist it is set.
        "CELERY_BROKER_URL": "memory://",
        "API_ANON_RATE": "100000000/min",
        "ETH_RPC_URL": "http://127.0.0.1:1",  # replaced once the dev chain listens
        "ETH_CONFIRMATIONS": "0",
    }


# --- the benchmark ----------------------------------------------------------------------


def _bench(args: argparse.Namespace, env: dict[str, str]) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from governance.chain.devchain import DevChain
    from governance.chain.rpc_server import JsonRpcServer

    print(f"Seeding a dev chain with {args.holders} holders ...", flush=True)
    chain = DevChain(generated_holders=args.holders)
    rpc = JsonRpcServer(chain, host="127.0.0.1", port=0)
    rpc.start_in_thread()
    env.update(
        ETH_RPC_URL=rpc.url,
        ETH_CHAIN_ID=str(chain.info.chain_id),
        HBOT_TOKEN_ADDRESS=chain.info.token_address,
    )
    settings.ETH_RPC_URL = rpc.url
    settings.ETH_CHAIN_ID = chain.info.chain_id
    settings.HBOT_TOKEN_ADDRESS = chain.info.token_address
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    cold_poll, warm_poll, scratch_poll = _polls(count=3)
    print(f"Signing {args.cold_votes + args.votes} votes ...", flush=True)
    # Each run has voters of its own: balances cached for one run are not cached for another.
    warm_voters = range(args.votes)
    cold_voters = range(args.votes, args.votes + args.cold_votes)
    sample_voters = range(cold_voters.stop, cold_voters.stop + args.samples)
    warm = _signed_votes(warm_poll, warm_voters)
    cold = _signed_votes(cold_poll, cold_voters)
    _prewarm_balances(warm_poll, warm_voters)
    costs = _cost_split(scratch_poll, sample_voters)
    eth_call_rate = _eth_call_rate(rpc.url, chain.info, count=200)

    print(
        f"Starting gunicorn ({args.workers} workers x {args.worker_threads} threads) on "
        f"{vendor} ...",
        flush=True,
    )
    with gunicorn(env, workers=args.workers, threads=args.worker_threads, wsgi=args.wsgi) as (
        host,
        port,
    ):
        baseline = _load(
            host,
            port,
            "trivial GET /api/v1/governance/typed-data/",
            [("GET", "/api/v1/governance/typed-data/", None)] * args.votes,
            threads=args.threads,
        )
        warm_run = _load(
            host, port, "votes, balances cached", _posts(warm_poll, warm), threads=args.threads
        )
        rpc.stats.reset()
        cold_run = _load(
            host,
            port,
            "votes, each balance read from the chain",
            _posts(cold_poll, cold),
            threads=args.threads,
        )
        cold_rpc_calls = rpc.stats.calls
    rpc.shutdown()

    accepted = _accepted(warm_poll), _accepted(cold_poll)
    print()
    print(f"database: {vendor}; CPUs: {os.cpu_count()}; client threads: {args.threads}")
    print(f"  {baseline.describe()}")
    print(f"  {warm_run.describe()}")
    print(f"  {cold_run.describe()}")
    print(f"  votes stored: {accepted[0]} cached-run, {accepted[1]} chain-run")
    print()
    print("Cost of one vote, in-process (median of samples):")
    for name, value in costs.items():
        print(f"  {name:<52} {value:7.3f} ms")
    print(
        f"  dev chain eth_call (balanceOf) rate: {eth_call_rate:7.1f}/s; RPC calls per vote "
        f"in the chain run: {cold_rpc_calls / max(1, cold_run.requests):.1f}"
    )
    print()
    print("Ratios:")
    print(f"  cached votes/s vs goal {GOAL:.0f}/s:              {warm_run.rate / GOAL:6.2f}x")
    print(f"  cached votes/s vs trivial GET req/s:         {warm_run.rate / baseline.rate:6.2f}x")
    print(f"  chain-read votes/s vs cached votes/s:        {cold_run.rate / warm_run.rate:6.2f}x")
    print(f"  chain-read votes/s vs dev chain eth_call/s:  {cold_run.rate / eth_call_rate:6.2f}x")
    serial = 1000 / costs["vote_cast, whole (cached balance)"]
    print(
        f"  cached votes/s vs in-process vote_cast/s:    {warm_run.rate / serial:6.2f}x "
        f"(one thread, no HTTP: {serial:.0f}/s)"
    )
    verdict = "meets" if warm_run.rate >= GOAL else "misses"
    print(
        f"\nCached-balance ingestion {verdict} the goal: {warm_run.rate:.0f} votes/s "
        f"(goal >= {GOAL:.0f}/s on this {os.cpu_count()}-CPU machine)."
    )
    bad = warm_run.statuses.keys() - {201} or cold_run.statuses.keys() - {201}
    if bad:
        print(f"WARNING: some votes were refused: {warm_run.statuses} / {cold_run.statuses}")
    return 0


def _polls(*, count: int) -> list[Any]:
    from django.utils import timezone

    from governance.choices import ChoiceSpec
    from governance.models import Epoch, GovernanceRules
    from governance.services.polls import poll_create, poll_open

    rules = GovernanceRules.objects.create(
        slug="bench",
        name="Bench rules",
        effective_from=date(2000, 1, 1),
        poll_kinds=["cex"],
        inclusion_threshold_hbot=100,
        allocation_rule="pro_rata_included",
        pool_per_poll_hbot=1_000_000,
    )
    today = timezone.localdate()
    epoch = Epoch.objects.create(
        number=999,
        name="Bench epoch",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        rules=rules,
    )
    choices = [ChoiceSpec(label=f"Exchange {n}") for n in range(1, 11)]
    return [
        poll_open(poll=poll_create(epoch=epoch, kind="cex", title=f"Bench {n}", choices=choices))
        for n in range(count)
    ]


def _signed_votes(poll: Any, holders: range) -> list[bytes]:
    from eth_account import Account

    from governance import eip712
    from governance.chain.devchain import generated_holder_address, holder_key

    now = int(time.time())
    bodies = []
    for index in holders:
        first, second = 1 + index % 10, 1 + (index + 3) % 10
        typed_data = eip712.vote_typed_data(
            poll_id=poll.pk,
            voter=generated_holder_address(index),
            choices=[(first, 3), (second, 1)] if index % 3 else [(first, 1)],
            timestamp=now,
        )
        signature = Account.sign_typed_data(holder_key(index), full_message=typed_data)
        bodies.append(
            json.dumps(
                {"typed_data": typed_data, "signature": signature.signature.to_0x_hex()}
            ).encode()
        )
    return bodies


def _prewarm_balances(poll: Any, holders: range) -> None:
    """Read every voter's balance at the snapshot block once, batched (as the cache holds
    it after a voter's first vote)."""
    from governance.balance_snapshots import balances_get
    from governance.chain.devchain import generated_holder_address

    balances_get(
        addresses=[generated_holder_address(i) for i in holders], block=poll.snapshot_block
    )


def _posts(poll: Any, bodies: list[bytes]) -> list[tuple[str, str, bytes | None]]:
    return [("POST", f"/api/v1/polls/{poll.pk}/votes/", body) for body in bodies]


def _accepted(poll: Any) -> int:
    from governance.models import Vote

    return Vote.objects.filter(poll=poll).count()


def _load(
    host: str,
    port: int,
    label: str,
    requests: list[tuple[str, str, bytes | None]],
    *,
    threads: int,
) -> Run:
    """Send ``requests`` from ``threads`` clients, each on a kept-alive connection."""
    lock = threading.Lock()
    queue = iter(requests)
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            method, path, body = item
            headers = {"Content-Type": "application/json"} if body is not None else {}
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(elapsed)
        connection.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Run(label, len(requests), time.perf_counter() - started, statuses, latencies)


def _median_ms(samples: int, operation: Callable[[int], object]) -> float:
    timings = []
    for index in range(samples):
        started = time.perf_counter()
        operation(index)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _cost_split(poll: Any, holders: range) -> dict[str, float]:
    """Where one vote's time goes, timed in this process against the same database."""
    from django.db import transaction
    from eth_account import Account

    from governance import eip712
    from governance.chain.devchain import generated_holder_address, holder_key
    from governance.models import Poll, Vote
    from governance.services.votes import vote_cast

    samples = len(holders)
    now = int(time.time())
    typed = [
        eip712.vote_typed_data(
            poll_id=poll.pk,
            voter=generated_holder_address(i),
            choices=[(1, 2), (2, 1)],
            timestamp=now,
        )
        for i in holders
    ]
    signatures = [
        Account.sign_typed_data(holder_key(i), full_message=t).signature.to_0x_hex()
        for i, t in zip(holders, typed, strict=True)
    ]
    signables = [eip712.signable(t) for t in typed]
    backend = type(_backend()).__name__
    costs = {
        "typed-data hashing (encode + keccak)": _median_ms(
            samples, lambda i: eip712.digest(eip712.signable(typed[i]))
        ),
        f"signature recovery (eth_keys, {backend})": _median_ms(
            samples, lambda i: Account.recover_message(signables[i], signature=signatures[i])
        ),
    }

    def write(index: int) -> None:
        with transaction.atomic():
            locked = Poll.objects.select_for_update().get(pk=poll.pk)
            Vote.objects.filter(
                poll=locked, voter=typed[index]["message"]["voter"], is_current=True
            ).first()
            Vote.objects.create(
                poll=locked,
                voter=typed[index]["message"]["voter"],
                weights=[[1, 2], [2, 1]],
                signed_timestamp=now,
                typed_data=typed[index],
                signature=signatures[index],
                digest=f"0x{index:064x}",
                voting_power=1,
                is_current=True,
            )

    costs["database write (lock poll, find current, insert)"] = _median_ms(samples, write)
    Vote.objects.filter(poll=poll).delete()
    _prewarm_balances(poll, holders)

    def cast(index: int) -> None:
        with transaction.atomic():
            vote_cast(typed_data=typed[index], signature=signatures[index], poll_id=poll.pk)

    costs["vote_cast, whole (cached balance)"] = _median_ms(samples, cast)
    return costs


def _backend() -> object:
    from eth_keys.backends import get_backend

    return get_backend()


def _eth_call_rate(url: str, info: Any, *, count: int) -> float:
    """balanceOf calls per second the dev chain answers, one at a time."""
    from web3 import Web3

    from governance.chain.devchain import generated_holder_address, load_artifact

    token = Web3().eth.contract(abi=load_artifact("DemoHBOT")["abi"])
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    started = time.perf_counter()
    for index in range(count):
        data = token.encode_abi("balanceOf", [generated_holder_address(index)])
        payload = {
            "jsonrpc": "2.0",
            "id": index,
            "method": "eth_call",
            "params": [{"to": info.token_address, "data": data}, "latest"],
        }
        connection.request(
            "POST", "/", body=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        connection.getresponse().read()
    connection.close()
    return count / (time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
