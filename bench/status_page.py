"""The status page at 10 and at 1,000 connectors: uncached render time and SQL queries at
both, and the throughput of the cached page against a static file from the same server.

Builds connectors with 90 days of daily and 24 hours of hourly rollups and their summaries
(as the beat's rollup leaves them), first 10, then up to ``--connectors``. Then, from one
run:

- the render without the page cache (a request that misses the visitors' shared copy, with
  the group fragments as the site keeps them, nothing changed since) timed in-process,
  median of ``--repeat``: at ``--connectors`` / at 10 (goal <= 5x); and with no fragment
  cached either (a cold cache: every row drawn, no goal);
- SQL queries per render at both sizes (checked: must be equal, exit 1 when they are not);
- gunicorn with the production settings, ``--workers`` (2) processes sharing one Redis
  cache (``--redis-url``; only that database is flushed), ``--clients`` (50) concurrent
  clients on the cached page and on a static file served by the same server (WhiteNoise):
  the page's requests/s as a share of the file's (goal >= 50%).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector_hub \\
        .venv/bin/python -m bench.status_page [--connectors 1000] [--clients 50] [--seconds 10]

With a PostgreSQL ``DATABASE_URL`` a database of its own, ``<name>_bench_status``, is created
beside it and dropped at the end (a temporary SQLite file otherwise). Run it on an otherwise
idle machine; the load average is printed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import django
import requests

from bench._support import connectors_with_uptime, gunicorn, machine
from bench.databases import bench_database

RENDER_GOAL = 5.0
SHARE_GOAL = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=1000, help="connectors at the top")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders per size")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        help="the cache the workers share (this database is flushed)",
    )
    parser.add_argument("--database-suffix", default="_bench_status")
    args = parser.parse_args()
    if urlsplit(args.redis_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("--redis-url must be on loopback: the bench flushes its database.")
    static_root = Path(tempfile.mkdtemp(prefix="status-bench-static-"))
    try:
        with bench_database(suffix=args.database_suffix) as database_url:
            env = {
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "DJANGO_SECRET_KEY": "bench-only-not-secret-0123456789abcdefghijklmnopqrstuv",
                "DATABASE_URL": database_url,
                "CACHE_URL": args.redis_url,
                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",  # required; unused here
                "ETH_RPC_URL": "http://127.0.0.1:9",  # required by production; unused here
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
                "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DJANGO_STATIC_ROOT": str(static_root),
                "HEALTH_STATUS_PAGE_CACHE_SECONDS": "300",
                "API_ANON_RATE": "1000000/min",
                "DJANGO_LOG_LEVEL": "WARNING",
            }
            os.environ.update(env)
            django.setup()
            return _bench(args, env)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def _bench(args: argparse.Namespace, env: dict[str, str]) -> int:
    from django.core.cache import cache
    from django.core.management import call_command

    print("Migrating a bench database and collecting static files ...", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()

    connectors_with_uptime(0, 10)
    small = _renders(repeat=args.repeat)
    print(f"Adding connectors up to {args.connectors:,} ...", flush=True)
    connectors_with_uptime(10, args.connectors - 10)
    large = _renders(repeat=args.repeat)

    print(f"Starting gunicorn ({args.workers} workers sharing {args.redis_url}) ...", flush=True)
    cache.clear()
    with gunicorn(env, workers=args.workers, threads=1, ready_path="/status/") as (host, port):
        base = f"http://{host}:{port}"
        page_bytes, page_sent = _sizes(f"{base}/status/")
        static_url = f"{base}/static/css/site.css"
        static_bytes, static_sent = _sizes(static_url)
        print(f"Load: {args.clients} clients, {args.seconds:.0f} s each ...", flush=True)
        static_rps = _throughput(static_url, seconds=args.seconds, clients=args.clients)
        page_rps = _throughput(f"{base}/status/", seconds=args.seconds, clients=args.clients)
    cache.clear()

    render_ratio = large["fragments"] / small["fragments"]
    cold_ratio = large["uncached"] / small["uncached"]
    share = page_rps / static_rps
    same_queries = small["queries"] == large["queries"]
    print()
    print(f"{machine()}; {args.repeat} renders per size, median")
    for label, size, runs in (("10", 10, small), (f"{args.connectors:,}", args.connectors, large)):
        print(
            f"  {label:>6} connectors: render {runs['fragments'] * 1000:8.1f} ms, "
            f"cold (no fragment cached) {runs['uncached'] * 1000:8.1f} ms, "
            f"{runs['queries']} SQL queries, {runs['bytes'] / size:,.0f} bytes per connector"
        )
    print(
        f"  static file ({static_bytes:,} bytes, {static_sent:,} sent){static_rps:12.0f} requests/s"
    )
    print(
        f"  cached status page ({page_bytes:,} bytes, {page_sent:,} sent){page_rps:8.0f} requests/s"
    )
    print()
    print("Ratios:")
    print(
        f"  render without the page cache, {args.connectors:,} / 10 connectors: "
        f"{render_ratio:6.2f}x (goal <= {RENDER_GOAL:.0f}x: "
        f"{'met' if render_ratio <= RENDER_GOAL else 'missed'})"
    )
    print(
        f"  the same with no group fragment cached either (a cold cache): {cold_ratio:6.2f}x "
        "(no goal: every row is drawn)"
    )
    print(
        f"  SQL queries: {small['queries']} and {large['queries']} "
        f"({'equal' if same_queries else 'NOT EQUAL: goal missed'})"
    )
    print(
        f"  cached page / static file, {args.clients} clients: {share:6.0%} "
        f"(goal >= {SHARE_GOAL:.0%}: {'met' if share >= SHARE_GOAL else 'missed'})"
    )
    return 0 if same_queries else 1


def _sizes(url: str) -> tuple[int, int]:
    """The body's size, and what the server sends of it to a client accepting gzip."""
    with requests.get(url, timeout=60, stream=True, headers={"Accept-Encoding": "gzip"}) as got:
        sent = got.raw.read(decode_content=False)
        encoding = got.headers.get("Content-Encoding", "")
    return (len(gzip.decompress(sent)) if encoding == "gzip" else len(sent)), len(sent)


def _renders(*, repeat: int) -> dict[str, float]:
    """The status page rendered in-process for a visitor: without any cache (queries counted
    on the last), and with the group fragments warm."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    timings: dict[str, list[float]] = {"uncached": [], "fragments": []}
    body = b""
    queries = 0
    for kind, fragment_seconds in (("uncached", 0), ("fragments", 3600)):
        with override_settings(
            HEALTH_STATUS_PAGE_CACHE_SECONDS=0,
            HEALTH_STATUS_FRAGMENT_CACHE_SECONDS=fragment_seconds,
        ):
            client.get("/status/")  # warm: imports, templates, fragments
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get("/status/")
                    timings[kind].append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"/status/ answered {response.status_code}")
                if kind == "uncached":
                    body, queries = response.content, len(captured)
        cache.clear()
    return {
        "uncached": statistics.median(timings["uncached"]),
        "fragments": statistics.median(timings["fragments"]),
        "queries": queries,
        "bytes": len(body),
    }


def _throughput(url: str, *, seconds: float, clients: int) -> float:
    """Requests per second answered 200 by ``clients`` threads for ``seconds``. Bodies are
    read as sent (gzip when the server compresses), not decoded: the figure is the
    server's, not the client's inflating."""
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def hammer(slot: int) -> None:
        session = requests.Session()
        session.trust_env = False
        session.headers["Accept-Encoding"] = "gzip"
        while time.monotonic() < stop:
            try:
                with session.get(url, timeout=30, stream=True) as response:
                    response.raw.read(decode_content=False)
            except requests.RequestException:
                continue
            if response.status_code == 200:
                counts[slot] += 1

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return sum(counts) / (time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
