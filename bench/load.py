"""Mixed anonymous load on the site under gunicorn: pages, API lists and poll pages at
several client counts, each against a trivial view at the same client count in the same run.

The site runs under gunicorn with the production settings (``--workers 2`` gthread workers
by default) on a PostgreSQL database of the benchmark's own, ``<name>_bench_load`` beside
``DATABASE_URL``'s (created and dropped), with Redis as the cache (``--redis-url``, db 13 by
default, flushed before and after). The database holds the shipped catalogue, generated
connectors up to ``--connectors`` with 90 days of daily and 24 hours of hourly uptime (as
the rollups leave them), a few active polls with stored votes and some bounties.

For each client count (``--clients 50,200``), clients that each keep one connection and send
their next request as soon as the last one is answered:

- warm up on the mix for ``--warmup`` seconds (not measured);
- the mix for ``--seconds``: 80% status and connector pages, 15% API lists, 5% poll pages;
- a trivial view (``--trivial-path``, the typed-data API) for ``--seconds``.

Printed per phase: requests/s, p50/p95/p99 latency, errors by kind (answers other than 2xx
or 3xx, timeouts, connection failures), each URL's figures slowest first, and the ratio
p95(mix) / p95(trivial) against the goal (<= 10x). Goal: no errors at the highest client
count (checked: exit 1 when missed); latency ratios are printed only. The load average and
the number of CPUs are printed before and after: the clients share the machine's CPUs with
the site and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector_hub \\
        .venv/bin/python -m bench.load [--connectors 1000] [--clients 50,200] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import ipaddress
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
import django
import redis

from bench._support import (
    TYPED_DATA_PATH,
    active_polls,
    connectors_with_uptime,
    gunicorn,
    machine,
    percentile,
    votes_insert,
)
from bench.databases import bench_database

RATIO_GOAL = 10.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
API_PAGE_SIZE = 50  # REST_FRAMEWORK["PAGE_SIZE"]


@dataclass(frozen=True)
class Route:
    """One kind of request in the mix: its share (weight) and the paths it picks from."""

    name: str
    weight: float
    paths: tuple[str, ...]


@dataclass
class Phase:
    label: str
    clients: int
    elapsed: float = 0.0
    client_cpu: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sizes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    slowest: list[tuple[float, str]] = field(default_factory=list)

    @property
    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]

    @property
    def answered(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rate(self) -> float:
        """Requests answered without error per second."""
        return (self.answered - self._http_errors()) / self.elapsed if self.elapsed else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.all_latencies, 95)

    def errors_by_kind(self) -> dict[str, int]:
        kinds: Counter[str] = Counter()
        for (_, kind), count in self.errors.items():
            kinds[kind] += count
        return dict(kinds.most_common())

    def _http_errors(self) -> int:
        return sum(count for (_, kind), count in self.errors.items() if kind.startswith("HTTP"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=1000, help="connectors in all")
    parser.add_argument("--clients", default="50,200", help="client counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="each measured phase")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds, before each count")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BENCH_PORT", "0")),
        help="loopback port for gunicorn (0: a free one)",
    )
    parser.add_argument(
        "--conn-max-age", type=int, default=600, help="DATABASE_CONN_MAX_AGE of the site, seconds"
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="the site's cache; this db is flushed",
    )
    parser.add_argument("--polls", type=int, default=3, help="active polls")
    parser.add_argument("--poll-votes", type=int, default=2000, help="counted votes per poll")
    parser.add_argument("--poll-choices", type=int, default=26, help="choices per poll")
    parser.add_argument("--bounties", type=int, default=100, help="bounties on the board")
    parser.add_argument(
        "--alone",
        type=int,
        default=5,
        help="requests per URL kind from one client: its unloaded time",
    )
    parser.add_argument("--trivial-path", default=TYPED_DATA_PATH, help="the baseline view")
    parser.add_argument(
        "--start-seconds", type=float, default=60.0, help="how long gunicorn may take to answer"
    )
    parser.add_argument("--seed", type=int, default=13, help="of the clients' random picks")
    parser.add_argument("--database-suffix", default="_bench_load")
    args = parser.parse_args()
    try:
        counts = [int(part) for part in args.clients.split(",") if part.strip()]
    except ValueError:
        parser.error("--clients takes whole numbers separated by commas, e.g. 50,200")
    if not counts or min(counts) < 1:
        parser.error("--clients needs at least one count of 1 or more")
    if args.seconds <= 0 or args.warmup < 0 or args.timeout <= 0:
        parser.error("--seconds and --timeout must be positive, --warmup not negative")
    for name, url in (
        ("DATABASE_URL", os.environ.get("DATABASE_URL", "")),
        ("--redis-url", args.redis_url),
    ):
        if not _loopback(url):
            parser.error(f"{name} must name a server on this machine (a loopback address)")

    print(f"Before: {machine()}", flush=True)
    cache = redis.Redis.from_url(args.redis_url, socket_timeout=args.timeout)
    try:
        cache.ping()
    except redis.RedisError as exc:
        parser.error(f"Redis at {args.redis_url} does not answer: {exc}")
    static_root = tempfile.mkdtemp(prefix="bench-load-static-")
    try:
        with bench_database(suffix=args.database_suffix, sqlite_fallback=False) as database_url:
            env = _site_environment(database_url, args, static_root=static_root)
            os.environ.update(env)
            django.setup()
            return _bench(args, env, counts, cache)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        try:
            cache.flushdb()
        except redis.RedisError as exc:
            print(f"Could not flush {args.redis_url}: {exc}")
        cache.close()


def _loopback(url: str) -> bool:
    """True for a URL whose host is on this machine (a loopback address, or a socket)."""
    host = urlsplit(url).hostname or ""
    if host in ("", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _site_environment(
    database_url: str, args: argparse.Namespace, *, static_root: str
) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        "CACHE_URL": args.redis_url,
        # Every client comes from 127.0.0.1: in production each visitor has an address of
        # its own and its own allowance; one shared allowance would refuse the whole load.
        "API_ANON_RATE": "100000000/min",
        # Not used by anonymous reads; production settings only insist they are set.
        "CELERY_BROKER_URL": "memory://",
        "ETH_RPC_URL": "http://127.0.0.1:1",
    }


# --- the database -----------------------------------------------------------------------


@dataclass(frozen=True)
class Contents:
    connectors: int
    monitored: int
    slugs: tuple[str, ...]
    polls: tuple[int, ...]
    votes: int
    bounties: int


def _build(args: argparse.Namespace) -> Contents:
    from django.core.management import call_command

    from connectors_registry.models import Connector
    from health.models import HealthCheck
    from health.tasks import uptime_rollup_task

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("import_catalogue", verbosity=0)
    catalogue = Connector.objects.count()
    extra = max(0, args.connectors - catalogue)
    print(
        f"Catalogue: {catalogue} connectors; generating {extra} more with 90 days of uptime ...",
        flush=True,
    )
    connectors_with_uptime(0, extra)
    uptime_rollup_task()  # what the beat does every few minutes, so the site is as it leaves it
    titles = [f"Bench poll {n}" for n in range(1, args.polls + 1)]
    polls = active_polls(titles=titles, choices=args.poll_choices) if titles else []
    for poll in polls:
        votes_insert(poll, counted=args.poll_votes, choices=args.poll_choices)
    _bounties(args.bounties)
    slugs = tuple(Connector.objects.order_by("pk").values_list("slug", flat=True))
    print(f"Built the database in {time.perf_counter() - started:.1f} s", flush=True)
    return Contents(
        connectors=len(slugs),
        monitored=HealthCheck.objects.count(),
        slugs=slugs,
        polls=tuple(poll.pk for poll in polls),
        votes=args.poll_votes * len(polls),
        bounties=args.bounties,
    )


def _bounties(count: int) -> None:
    """Bounties still to be funded, on the catalogue's exchanges, for the board and API."""
    from decimal import Decimal

    from bounties.models import Bounty, BountyStatus, BountyType, Denomination, FundingSource
    from connectors_registry.models import Exchange

    exchanges = list(Exchange.objects.order_by("pk")[:50])
    Bounty.objects.bulk_create(
        Bounty(
            title=f"Fix order book resync {n}",
            description="The order book drifts after a reconnect.",
            bounty_type=BountyType.BUG,
            priority="P2",
            exchange=exchanges[n % len(exchanges)] if exchanges else None,
            amount=Decimal(1000 + n),
            denomination=Denomination.HBOT,
            funding_source=FundingSource.POT,
            status=BountyStatus.POTENTIAL,
            tracker_id=str(7000 + n),
        )
        for n in range(count)
    )


def _mix(contents: Contents) -> list[Route]:
    """80% status and connector pages, 15% API lists, 5% poll pages."""
    api_pages = max(1, -(-contents.connectors // API_PAGE_SIZE))
    polls = contents.polls or ()
    routes = [
        Route("/status/", 30, ("/status/",)),
        Route("/connectors/<slug>/", 40, tuple(f"/connectors/{s}/" for s in contents.slugs)),
        Route("/ (registry)", 10, ("/",)),
        Route(
            "/api/v1/connectors/?page=<n>",
            5,
            tuple(f"/api/v1/connectors/?page={n}" for n in range(1, api_pages + 1)),
        ),
        Route("/api/v1/health/summary/", 4, ("/api/v1/health/summary/",)),
        Route("/api/v1/bounties/", 3, ("/api/v1/bounties/",)),
        Route("/api/v1/polls/", 3, ("/api/v1/polls/",)),
        Route("/polls/<id>/", 3 if polls else 0, tuple(f"/polls/{p}/" for p in polls)),
        Route(
            "/polls/<id>/results.json",
            1 if polls else 0,
            tuple(f"/polls/{p}/results.json" for p in polls),
        ),
        Route("/polls/", 1 if polls else 0, ("/polls/",)),
    ]
    return [route for route in routes if route.weight and route.paths]


# --- the load ---------------------------------------------------------------------------


async def _drive(
    base: str,
    routes: Sequence[Route],
    phase: Phase,
    *,
    seconds: float,
    timeout: float,
    seed: int,
) -> None:
    """``phase.clients`` clients, each on one kept connection, sending their next request as
    soon as the last is answered, until ``seconds`` have passed."""
    weights = [route.weight for route in routes]
    deadline = time.monotonic() + seconds
    slowest: list[tuple[float, str]] = []

    async def client(number: int) -> None:
        picker = random.Random(seed * 100_003 + number)  # noqa: S311 (a load mix, not a secret)
        async with aiohttp.ClientSession(
            base_url=base,
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=timeout),
            cookie_jar=aiohttp.DummyCookieJar(),
        ) as session:
            while time.monotonic() < deadline:
                route = picker.choices(routes, weights)[0]
                path = picker.choice(route.paths)
                started = time.perf_counter()
                try:
                    async with session.get(path, allow_redirects=False) as response:
                        body = await response.read()
                except TimeoutError:
                    phase.errors[(route.name, "timeout")] += 1
                    continue
                except aiohttp.ClientError as exc:
                    phase.errors[(route.name, type(exc).__name__)] += 1
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                phase.latencies[route.name].append(elapsed)
                phase.sizes[route.name] += len(body)
                slowest.append((elapsed, path))
                if not 200 <= response.status < 400:
                    phase.errors[(route.name, f"HTTP {response.status}")] += 1

    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(client(n) for n in range(phase.clients))),
        timeout=seconds + timeout + 30,
    )
    phase.elapsed = time.perf_counter() - started
    phase.client_cpu = time.process_time() - cpu
    phase.slowest = sorted(slowest, reverse=True)[:5]


def _run(
    base: str,
    routes: Sequence[Route],
    *,
    label: str,
    clients: int,
    seconds: float,
    args: argparse.Namespace,
) -> Phase:
    phase = Phase(label, clients)
    asyncio.run(
        _drive(base, routes, phase, seconds=seconds, timeout=args.timeout, seed=args.seed + clients)
    )
    return phase


def _alone(
    host: str, port: int, routes: Sequence[Route], *, count: int, timeout: float, seed: int
) -> dict[str, float]:
    """Median milliseconds of ``count`` requests per route from one client on one kept
    connection, nothing else running: each URL's own cost, without queueing."""
    picker = random.Random(seed)  # noqa: S311 (a load mix, not a secret)
    medians: dict[str, float] = {}
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        for route in routes:
            times = []
            for _ in range(count):
                started = time.perf_counter()
                try:
                    connection.request("GET", picker.choice(route.paths))
                    connection.getresponse().read()
                except (OSError, http.client.HTTPException):
                    connection.close()  # reconnects on the next request; errors show in the mix
                    continue
                times.append((time.perf_counter() - started) * 1000)
            if times:
                medians[route.name] = statistics.median(times)
    finally:
        connection.close()
    return medians


# --- the benchmark ----------------------------------------------------------------------


def _bench(
    args: argparse.Namespace, env: dict[str, str], counts: list[int], cache: redis.Redis
) -> int:
    from django.conf import settings

    contents = _build(args)
    routes = _mix(contents)
    trivial = [Route(f"{args.trivial_path} (trivial)", 1, (args.trivial_path,))]
    cache.flushdb()  # the site starts on a cold cache; the warm-up fills it
    print(
        f"Database: {contents.connectors} connectors ({contents.monitored} monitored), "
        f"{len(contents.polls)} active polls with {contents.votes:,} counted votes, "
        f"{contents.bounties} bounties",
        flush=True,
    )
    print(
        f"Starting gunicorn ({args.workers} workers x {args.worker_threads} threads), cache "
        f"{args.redis_url}, status page cached "
        f"{settings.HEALTH_STATUS_PAGE_CACHE_SECONDS} s ...",
        flush=True,
    )
    results: list[tuple[Phase, Phase]] = []
    alone: dict[str, float] = {}
    with gunicorn(
        env,
        workers=args.workers,
        threads=args.worker_threads,
        ready_path=args.trivial_path,
        start_seconds=args.start_seconds,
        port=args.port,
    ) as (host, port):
        base = f"http://{host}:{port}"
        for clients in counts:
            if args.warmup:
                print(f"{clients} clients: warming up {args.warmup:.0f} s ...", flush=True)
                _run(base, routes, label="warm-up", clients=clients, seconds=args.warmup, args=args)
            if args.alone > 0 and not alone:
                print(f"Each URL kind alone: {args.alone} requests from one client ...", flush=True)
                alone = _alone(
                    host,
                    port,
                    [*routes, *trivial],
                    count=args.alone,
                    timeout=args.timeout,
                    seed=args.seed,
                )
            print(
                f"{clients} clients: mix for {args.seconds:.0f} s, then the trivial view "
                f"for {args.seconds:.0f} s ...",
                flush=True,
            )
            mix = _run(base, routes, label="mix", clients=clients, seconds=args.seconds, args=args)
            baseline = _run(
                base, trivial, label="trivial", clients=clients, seconds=args.seconds, args=args
            )
            results.append((mix, baseline))
            _report(mix, baseline, alone)

    print()
    print(f"After: {machine()}")
    print(
        f"Goals (p95 of the mix <= {RATIO_GOAL:.0f}x the trivial view's at the same client "
        f"count; no errors at {counts[-1]} clients):"
    )
    for mix, baseline in results:
        ratio = mix.p95 / baseline.p95 if baseline.p95 else float("inf")
        print(
            f"  {mix.clients:>4} clients: p95 {mix.p95:7.1f} ms / {baseline.p95:7.1f} ms = "
            f"{ratio:5.1f}x ({'met' if ratio <= RATIO_GOAL else 'missed'}); errors "
            f"{mix.error_count + baseline.error_count}"
        )
    last_mix, last_baseline = results[-1]
    errors = last_mix.error_count + last_baseline.error_count
    print(
        f"Errors at {counts[-1]} clients: {errors} ({'met' if errors == 0 else 'MISSED: exit 1'})"
    )
    return 1 if errors else 0


def _report(mix: Phase, baseline: Phase, alone: dict[str, float]) -> None:
    print()
    print(f"--- {mix.clients} concurrent clients ---")
    for phase in (mix, baseline):
        latencies = phase.all_latencies
        print(
            f"  {phase.label:<8} {phase.rate:8.1f} requests/s  ({phase.answered} answered in "
            f"{phase.elapsed:5.1f} s); p50 {percentile(latencies, 50):7.1f} ms, p95 "
            f"{percentile(latencies, 95):7.1f} ms, p99 {percentile(latencies, 99):7.1f} ms; "
            f"errors {phase.error_count} {phase.errors_by_kind() or ''}"
        )
        print(
            f"           client CPU {phase.client_cpu:5.1f} s over {phase.elapsed:5.1f} s "
            f"({phase.client_cpu / phase.elapsed:.0%} of one core)"
        )
    ratio = mix.p95 / baseline.p95 if baseline.p95 else float("inf")
    trivial_alone = alone.get(next(iter(baseline.latencies), ""), float("nan"))
    print(f"  trivial view alone (one client): {trivial_alone:.1f} ms")
    print(
        f"  p95 mix / p95 trivial: {ratio:.1f}x (goal <= {RATIO_GOAL:.0f}x: "
        f"{'met' if ratio <= RATIO_GOAL else 'missed'})"
    )
    print(
        f"  {'URL (slowest p95 first)':<32} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'alone ms':>8} {'avg kB':>7} errors"
    )
    for name, values in sorted(mix.latencies.items(), key=lambda item: -percentile(item[1], 95)):
        errors = sum(count for (route, _), count in mix.errors.items() if route == name)
        print(
            f"  {name:<32} {len(values):>6} {percentile(values, 50):8.1f} "
            f"{percentile(values, 95):8.1f} {percentile(values, 99):8.1f} {max(values):8.1f} "
            f"{alone.get(name, float('nan')):8.1f} {mix.sizes[name] / len(values) / 1024:7.1f} "
            f"{errors}"
        )
    unanswered = {route for (route, _) in mix.errors} - mix.latencies.keys()
    for name in sorted(unanswered):
        kinds = {kind: n for (route, kind), n in mix.errors.items() if route == name}
        print(f"  {name:<32} never answered: {kinds}")
    print("  slowest requests: " + ", ".join(f"{path} {ms:.0f} ms" for ms, path in mix.slowest))


if __name__ == "__main__":
    sys.exit(main())
