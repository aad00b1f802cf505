"""Health history at scale: the five-minute rollup and the nightly purge with 1.27 million
retained check results, against the same work on a table holding nothing else.

Builds, on PostgreSQL, ``--checks`` monitored checks and, for each phase:

- **baseline**: only the work itself: two hours of recent results (what the beat's rollup
  reads) and one expired day (what the purge deletes);
- **retained**: the same, plus ``--retained`` results spread over the 14 days before (the
  default retention), inserted in one ``INSERT ... SELECT generate_series``.

Then times ``uptime_rollup_recent`` (two hours rolled up, summaries refreshed) and
``health_history_purge`` (the expired day rolled up and deleted in batches) in each phase and
prints the ratios. Goal: rollup with 1.27M retained rows <= 10x the baseline (it should not
depend on the retained rows at all: every query walks the ``scheduled_for`` index).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector_hub \\
        .venv/bin/python -m bench.health_history [--retained 1270000] [--checks 40]

A database of its own, ``<name>_bench_history``, is created beside DATABASE_URL's and
dropped at the end. Run it on an otherwise idle machine; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

import django

from bench._support import machine
from bench.databases import bench_database

ROLLUP_GOAL = 10.0
REGIONS = ("eu", "us", "ap")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retained", type=int, default=1_270_000, help="older results kept")
    parser.add_argument("--checks", type=int, default=40, help="monitored checks")
    parser.add_argument("--repeat", type=int, default=3, help="timed rollups per phase")
    parser.add_argument("--database-suffix", default="_bench_history")
    args = parser.parse_args()
    with bench_database(suffix=args.database_suffix, sqlite_fallback=False) as database_url:
        os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=database_url)
        django.setup()
        return _bench(args)


def _bench(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    now = datetime.now(tz=UTC).replace(second=0, microsecond=0)
    check_ids = _checks(args.checks)
    baseline = _phase(check_ids, now=now, retained=0, repeat=args.repeat)
    retained = _phase(check_ids, now=now, retained=args.retained, repeat=args.repeat)

    print()
    print(f"PostgreSQL; {machine()}; {args.checks} checks x {len(REGIONS)} regions, 60 s slots")
    for label, phase in (("baseline", baseline), ("retained", retained)):
        print(
            f"  {label:<9} {phase['rows']:>10,} rows: rollup {phase['rollup'] * 1000:8.1f} ms "
            f"(median of {args.repeat}), purge {phase['purge'] * 1000:9.1f} ms "
            f"({phase['purged']:,} results deleted)"
        )
    rollup_ratio = retained["rollup"] / baseline["rollup"]
    purge_ratio = retained["purge"] / baseline["purge"]
    print()
    print("Ratios (with retained rows / without):")
    print(f"  rollup: {rollup_ratio:6.2f}x (goal <= {ROLLUP_GOAL:.0f}x)")
    print(f"  purge:  {purge_ratio:6.2f}x (the same expired day deleted in both)")
    return 0


def _checks(count: int) -> list[int]:
    from connectors_registry.models import Connector, Exchange
    from health.models import HealthCheck

    ids = []
    for index in range(count):
        exchange = Exchange.objects.create(name=f"Bench {index}", slug=f"bench-{index}", kind="cex")
        connector = Connector.objects.create(
            exchange=exchange,
            namespace="client",
            connector_id=f"bench_{index}",
            connector_type="clob_cex",
            sub_type="spot",
            slug=f"bench_{index}",
        )
        check = HealthCheck.objects.create(connector=connector, probe_id="binance")
        ids.append(check.pk)
    return ids


def _phase(check_ids: list[int], *, now: datetime, retained: int, repeat: int) -> dict[str, float]:
    """Fill the table for one phase, then time the rollup and the purge on it."""
    from django.conf import settings
    from django.db import connection

    from health.models import CheckResult, UptimeDaily, UptimeHourly, UptimeSummary
    from health.services.history import health_history_purge, uptime_rollup_recent

    for model in (CheckResult, UptimeHourly, UptimeDaily, UptimeSummary):
        model.objects.all().delete()
    retention = timedelta(days=settings.HEALTH_RESULT_RETENTION_DAYS)
    minutes_per_check = len(REGIONS) * len(check_ids)
    # recent: the two hours the beat's rollup reads
    _insert(check_ids, first=now - timedelta(hours=2), minutes=120)
    # expired: one day just past the retention, which the purge rolls up and deletes
    expired_start = (now - retention - timedelta(days=1)).replace(minute=0)
    _insert(check_ids, first=expired_start, minutes=24 * 60 - 60)
    if retained:  # spread over the retention window, between the expired day and the recent
        minutes = max(1, retained // minutes_per_check)
        span = retention - timedelta(hours=3)
        step = max(1, int(span.total_seconds() // 60 // minutes))
        _insert(check_ids, first=now - retention + timedelta(hours=1), minutes=minutes, step=step)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE health_checkresult")
    rows = CheckResult.objects.count()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        uptime_rollup_recent(now=now)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    purged = health_history_purge(now=now)
    purge_seconds = time.perf_counter() - started
    timings.sort()
    print(
        f"{'with' if retained else 'without'} retained rows: {rows:,} results; "
        f"purge deleted {purged['results']:,}",
        flush=True,
    )
    return {
        "rows": rows,
        "rollup": timings[len(timings) // 2],
        "purge": purge_seconds,
        "purged": purged["results"],
    }


def _insert(check_ids: list[int], *, first: datetime, minutes: int, step: int = 1) -> None:
    """One result per check, region and slot (``minutes`` slots ``step`` minutes apart),
    one in 50 down, in one statement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO health_checkresult (
                health_check_id, region, scheduled_for, started_at, finished_at, outcome,
                failed_step, reason, step_latencies_ms, steps, total_latency_ms,
                trading_pair, fault, exchange_status, exchange_notice)
            SELECT c.id, r.region, s.slot, s.slot, s.slot + interval '1 second',
                   CASE WHEN (c.id + s.n) %% 50 = 0 THEN 'down' ELSE 'up' END,
                   CASE WHEN (c.id + s.n) %% 50 = 0 THEN 'order_book' ELSE '' END,
                   CASE WHEN (c.id + s.n) %% 50 = 0 THEN 'order book is empty' ELSE '' END,
                   '{}'::jsonb, '[]'::jsonb, 100 + (s.n %% 200), 'BTC-USDT', '', '', ''
            FROM unnest(%s::bigint[]) AS c(id)
            CROSS JOIN unnest(%s::text[]) AS r(region)
            CROSS JOIN LATERAL (
                SELECT n, %s::timestamptz + make_interval(mins => n * %s) AS slot
                FROM generate_series(0, %s - 1) AS n
            ) AS s
            ON CONFLICT DO NOTHING
            """,
            [check_ids, list(REGIONS), first, step, minutes],
        )


if __name__ == "__main__":
    raise SystemExit(main())
