"""Polls at any size: live results, finalizing and the recount at 100 and at 100,000 votes.

Builds two active polls of 26 choices (the size of Epoch 8's DEX poll) on PostgreSQL, one
with ``--small`` counted votes and one with ``--large``, plus a tenth as many superseded
votes each, bulk-inserted through the project's models with their running totals (the votes
are stored as the vote service stores them: typed data, a 65-byte signature, a digest; they
are not signed, since nothing here checks signatures). Then, from the same run:

- the live poll page (``GET /polls/<id>/``) and ``results.json``: median time at the large
  poll against the small one (goal <= 3x), and the SQL queries of each;
- finalizing the large poll: its whole time, and the longest time its row was locked,
  measured from outside by a second connection that keeps asking for the row's lock
  without waiting (goal < 1 s);
- ``poll_recount`` on the large poll: the running totals agree with a recount.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector_hub \\
        .venv/bin/python -m bench.polls [--small 100] [--large 100000] [--repeat 7]

A database of its own, ``<name>_bench_polls``, is created beside DATABASE_URL's and
dropped at the end. Run it on an otherwise idle machine; the load average is printed.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import threading
import time
from typing import Any

import django

from bench._support import active_polls, machine, votes_insert
from bench.databases import bench_database

RENDER_GOAL = 3.0
LOCK_GOAL_SECONDS = 1.0
CHOICES = 26


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100, help="counted votes, small poll")
    parser.add_argument("--large", type=int, default=100_000, help="counted votes, large poll")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    parser.add_argument("--database-suffix", default="_bench_polls")
    args = parser.parse_args()
    with bench_database(suffix=args.database_suffix, sqlite_fallback=False) as database_url:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=database_url,
            VOTE_POLL_CACHE_SECONDS="0",
        )
        django.setup()
        return _bench(args, database_url)


def _bench(args: argparse.Namespace, database_url: str) -> int:
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    for noisy in ("bounties", "celery", "kombu"):  # pot credits of made-up choices, eager tasks
        logging.getLogger(noisy).setLevel(logging.ERROR)
    setup_test_environment()  # the test client, on the real database named above
    # One connection kept for the whole run (as CONN_MAX_AGE does in production), so each
    # request's queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    small, large = active_polls(titles=["Bench small", "Bench large"], choices=CHOICES)
    for poll, count in ((small, args.small), (large, args.large)):
        started = time.perf_counter()
        votes_insert(poll, counted=count, choices=CHOICES)
        print(
            f"Stored {count:,} counted votes (+{count // 10:,} superseded) on poll {poll.pk} "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

    client = Client()
    page = {p.pk: _timed(client, f"/polls/{p.pk}/", args.repeat) for p in (small, large)}
    data = {
        p.pk: _timed(client, f"/polls/{p.pk}/results.json", args.repeat) for p in (small, large)
    }
    finalize_seconds, longest_lock = _finalize_watched(large, database_url)
    recount_started = time.perf_counter()
    agrees = _recount_agrees(large)
    recount_seconds = time.perf_counter() - recount_started

    print()
    print(f"PostgreSQL; {machine()}; {CHOICES} choices; {args.repeat} timed requests each")
    for label, runs in (("poll page", page), ("results.json", data)):
        for poll, votes in ((small, args.small), (large, args.large)):
            median, queries = runs[poll.pk]
            print(f"  {label:<13} at {votes:>7,} votes: {median * 1000:8.1f} ms, {queries} queries")
    print(
        f"  finalize at {args.large:,} votes: {finalize_seconds:.2f} s in all; the poll row "
        f"was locked for at most {longest_lock * 1000:.1f} ms"
    )
    print(
        f"  poll_recount at {args.large:,} votes: {recount_seconds:.2f} s; "
        f"{'agrees' if agrees else 'DIFFERS'}"
    )
    print()
    page_ratio = page[large.pk][0] / page[small.pk][0]
    data_ratio = data[large.pk][0] / data[small.pk][0]
    print("Ratios:")
    print(
        f"  poll page, {args.large:,} / {args.small:,} votes:    {page_ratio:6.2f}x "
        f"(goal <= {RENDER_GOAL:.0f}x)"
    )
    print(
        f"  results.json, {args.large:,} / {args.small:,} votes: {data_ratio:6.2f}x "
        f"(goal <= {RENDER_GOAL:.0f}x)"
    )
    print(
        f"  longest row lock / goal:               {longest_lock / LOCK_GOAL_SECONDS:6.3f}x "
        f"(goal < 1 s)"
    )
    same_queries = page[small.pk][1] == page[large.pk][1] and data[small.pk][1] == data[large.pk][1]
    print(f"  queries equal at both sizes: {'yes' if same_queries else 'NO'}")
    met = (
        page_ratio <= RENDER_GOAL
        and data_ratio <= RENDER_GOAL
        and longest_lock < LOCK_GOAL_SECONDS
        and agrees
    )
    print(f"\n{'Meets' if met else 'Misses'} the goals.")
    return 0 if agrees and same_queries else 1


def _timed(client: Any, path: str, repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` GETs (after one untimed), and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")

    with CaptureQueriesContext(connection) as queries:
        get()
    query_count = len(queries.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        get()
        times.append(time.perf_counter() - started)
    return statistics.median(times), query_count


def _finalize_watched(poll: Any, database_url: str) -> tuple[float, float]:
    """Close and finalize ``poll`` while a second connection asks for its row lock every
    millisecond (``FOR UPDATE NOWAIT``); returns the finalize time and the longest run of
    refusals, i.e. the longest time the row was held."""
    import psycopg

    from governance.models import Poll
    from governance.services.polls import poll_close, poll_finalize

    poll_close(poll=poll, now=poll.ends_at)
    table = Poll._meta.db_table
    stop = threading.Event()
    longest = 0.0
    attempts = [0, 0]

    def watch() -> None:
        nonlocal longest
        with psycopg.connect(database_url, autocommit=True) as probe:
            held_since: float | None = None
            while not stop.is_set():
                try:
                    with probe.transaction():
                        probe.execute(
                            f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT",  # noqa: S608
                            [poll.pk],
                        )
                    if held_since is not None:
                        longest = max(longest, time.perf_counter() - held_since)
                        held_since = None
                    attempts[0] += 1
                except psycopg.errors.LockNotAvailable:
                    held_since = held_since or time.perf_counter()
                    attempts[1] += 1
                time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(0.05)
    started = time.perf_counter()
    try:
        poll_finalize(poll=Poll.objects.get(pk=poll.pk))
    finally:
        elapsed = time.perf_counter() - started
        time.sleep(0.05)
        stop.set()
        watcher.join(timeout=30)
    print(
        f"Lock probe during finalize: {attempts[0]} times free, {attempts[1]} times held",
        flush=True,
    )
    return elapsed, longest


def _recount_agrees(poll: Any) -> bool:
    from governance.services.tallies import poll_recount

    return poll_recount(poll=poll).agrees


if __name__ == "__main__":
    raise SystemExit(main())
