"""A sweep of 40 connectors on a real Celery worker against the exchange simulator with
300 ms added to every answer, against the slowest single check, measured in the same run.

Goal: the sweep's wall time is at most 2x the slowest single check (checks run side by
side). Needs PostgreSQL and Redis; the bench creates and drops its own database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector_hub_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python -m bench.health_sweep

Wall times are printed (noisy machines vary); nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django

from bench._support import machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=40)
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=48, help="worker threads")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to PostgreSQL and CELERY_BROKER_URL to Redis (see --help).")
        return 2
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        print("Set CELERY_BROKER_URL to Redis (see --help).")
        return 2
    django.setup()

    from django.conf import settings
    from django.db import connection

    from config.celery import app as celery_app
    from connectors_registry.models import Connector, Exchange
    from health.checks import run_check
    from health.connectors import BUNDLED, Endpoints
    from health.models import CheckResult, HealthCheck, WorkerHeartbeat
    from health.probes import check_limits, probe_timeouts
    from health.simulator import ExchangeSimulator, Faults
    from health.tasks import health_sweep_task
    from tests.health.worker import health_worker

    print("Creating a bench database ...", flush=True)
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False, serialize=False)
    simulator = ExchangeSimulator(host="127.0.0.1", port=0).start_in_thread()
    try:
        for name in [*BUNDLED, "gateway"]:
            simulator.faults.set(name, Faults(latency_ms=args.latency_ms))
        probes = sorted(BUNDLED)

        # Baseline: every bundled connector checked alone, one after another.
        print(f"Baseline: each of {len(probes)} connectors checked alone ...", flush=True)
        singles: dict[str, float] = {}
        for probe_id in probes:
            cls = BUNDLED[probe_id]
            probe = cls(
                endpoints=Endpoints(simulator.rest_url(probe_id), simulator.ws_url(probe_id)),
                timeouts=probe_timeouts(),
                deadline=time.monotonic() + settings.HEALTH_CHECK_DEADLINE_SECONDS,
            )
            started = time.perf_counter()
            report = run_check(
                probe=probe, trading_pair=cls.default_trading_pair, limits=check_limits()
            )
            singles[probe_id] = time.perf_counter() - started
            if report.verdict == "down":
                print(f"  {probe_id} failed alone: {report.reason}")
                return 1
        slowest_id = max(singles, key=lambda k: singles[k])
        slowest = singles[slowest_id]

        exchange = Exchange.objects.create(name="Bench", slug="bench", kind="cex")
        for index in range(args.connectors):
            probe_id = probes[index % len(probes)]
            connector = Connector.objects.create(
                exchange=exchange,
                namespace="client",
                connector_id=f"bench_{index}_{probe_id}",
                connector_type="clob_cex",
                sub_type="spot",
                slug=f"bench-{index}",
            )
            HealthCheck.objects.create(
                connector=connector,
                probe_id=probe_id,
                interval_seconds=3600,
                rest_url_override=simulator.rest_url(probe_id),
                ws_url_override=simulator.ws_url(probe_id),
            )

        queue = f"bench-{uuid.uuid4().hex[:10]}"
        log_path = Path(tempfile.gettempdir()) / f"{queue}.log"
        celery_app.conf.task_always_eager = False
        with health_worker(
            queue=queue,
            log_path=log_path,
            broker_url=settings.CELERY_BROKER_URL,
            concurrency=args.concurrency,
            env={"HEALTH_REGION": "bench"},
        ):
            deadline = time.monotonic() + 60
            while not WorkerHeartbeat.objects.filter(hostname__contains=queue).exists():
                if time.monotonic() > deadline:
                    print("The worker did not start; log:\n" + log_path.read_text()[-3000:])
                    return 1
                time.sleep(0.2)

            print(f"Sweep: {args.connectors} connectors on one worker ...", flush=True)
            started = time.perf_counter()
            health_sweep_task.apply_async(queue=queue)
            deadline = time.monotonic() + 120
            while CheckResult.objects.count() < args.connectors:
                if time.monotonic() > deadline:
                    print("The sweep did not finish; log:\n" + log_path.read_text()[-3000:])
                    return 1
                time.sleep(0.02)
            sweep = time.perf_counter() - started

        outcomes = list(CheckResult.objects.values_list("outcome", flat=True))
        ratio = sweep / slowest
        print()
        print(machine())
        print(f"added latency per answer     {args.latency_ms} ms")
        print(f"slowest single check         {slowest:6.2f} s  ({slowest_id})")
        print(
            f"sweep of {args.connectors} connectors       {sweep:6.2f} s  "
            f"({outcomes.count('up')} up, {outcomes.count('degraded')} degraded, "
            f"{outcomes.count('down')} down)"
        )
        print(
            f"ratio sweep / slowest check  {ratio:6.2f}   (goal <= 2.0: "
            f"{'met' if ratio <= 2.0 else 'missed'})"
        )
        return 0
    finally:
        simulator.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    sys.exit(main())
