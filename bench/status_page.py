"""The status page: SQL queries per render at 10 and at 200 connectors (must not grow), and
the throughput of the cached page against a static file served by the same server.

Goals: the same number of queries at 10 and 200 connectors (checked: exit 1 when missed);
cached-page throughput at least 50% of the static file's (printed). The server is gunicorn
with the production settings (WhiteNoise serving collected static files), on a SQLite file
the bench creates in a temporary folder.

    .venv/bin/python -m bench.status_page [--seconds 5] [--clients 8]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import django
import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _populate(start: int, count: int) -> None:
    """Monitored connectors of every type with 90 days of rollups and some incidents."""
    from django.utils import timezone

    from connectors_registry.models import Connector, Exchange
    from health.models import HealthCheck, Incident, UptimeDaily, UptimeHourly

    now = timezone.now()
    kinds = [("clob_cex", "client", "spot"), ("clob_dex", "client", "perpetual")]
    for index in range(start, start + count):
        exchange = Exchange.objects.create(name=f"Bench {index}", slug=f"bench-{index}", kind="cex")
        kind, namespace, sub_type = kinds[index % 2]
        connector = Connector.objects.create(
            exchange=exchange,
            namespace=namespace,
            connector_id=f"bench_{index}",
            connector_type=kind,
            sub_type=sub_type,
            slug=f"bench_{index}",
        )
        check = HealthCheck.objects.create(
            connector=connector, probe_id="binance", status="operational"
        )
        UptimeDaily.objects.bulk_create(
            UptimeDaily(
                health_check=check,
                day=(now - timedelta(days=day)).date(),
                slots=1440,
                up=1430,
                degraded=5,
                down=5,
                latency_sum_ms=1440 * 180,
                latency_count=1435,
            )
            for day in range(90)
        )
        UptimeHourly.objects.bulk_create(
            UptimeHourly(
                health_check=check,
                hour=(now - timedelta(hours=hour)).replace(minute=0, second=0, microsecond=0),
                slots=60,
                up=60,
                latency_sum_ms=60 * (150 + hour * 3),
                latency_count=60,
            )
            for hour in range(24)
        )
        if index % 7 == 0:
            Incident.objects.create(
                health_check=check,
                title=f"bench_{index} is down",
                severity="down",
                cause="Order book: order book is empty",
                opened_at=now - timedelta(days=index % 30),
                resolved_at=now - timedelta(days=index % 30) + timedelta(hours=1),
            )


def _queries_per_render() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    with (
        override_settings(HEALTH_STATUS_PAGE_CACHE_SECONDS=0),
        CaptureQueriesContext(connection) as captured,
    ):
        response = Client().get("/status/")
    assert response.status_code == 200, response.status_code
    return len(captured)


def _throughput(url: str, *, seconds: float, clients: int) -> float:
    """Requests per second answered 200 by ``clients`` threads for ``seconds``."""
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def hammer(slot: int) -> None:
        session = requests.Session()
        session.trust_env = False
        while time.monotonic() < stop:
            response = session.get(url, timeout=10)
            if response.status_code == 200:
                counts[slot] += 1

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="status-bench-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-not-secret-0123456789abcdefghijklmnopqrstuv",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",  # required by production; unused
        "ETH_RPC_URL": "http://127.0.0.1:9",  # required by production; unused here
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "HEALTH_STATUS_PAGE_CACHE_SECONDS": "300",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    django.setup()
    from django.core.management import call_command

    print("Migrating a bench database and collecting static files ...", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    _populate(0, 10)
    at_10 = _queries_per_render()
    _populate(10, 190)
    at_200 = _queries_per_render()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{port}",
         f"--workers={args.workers}", "--log-level=warning"],
        cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/status/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                print("gunicorn did not answer within 30 s")
                return 1
            time.sleep(0.2)
        page_bytes = len(requests.get(f"{base}/status/", timeout=10).content)
        static_url = f"{base}/static/css/site.css"
        static_bytes = len(requests.get(static_url, timeout=10).content)
        for _ in range(args.workers * 4):  # every worker's cache warm
            requests.get(f"{base}/status/", timeout=10)

        print(f"Load: {args.clients} clients for {args.seconds:.0f} s each ...", flush=True)
        static_rps = _throughput(static_url, seconds=args.seconds, clients=args.clients)
        page_rps = _throughput(f"{base}/status/", seconds=args.seconds, clients=args.clients)
    finally:
        server.terminate()
        server.wait(timeout=20)

    ratio = page_rps / static_rps
    print()
    print(f"SQL queries per render, 10 connectors    {at_10}")
    print(f"SQL queries per render, 200 connectors   {at_200}   "
          f"({'constant' if at_10 == at_200 else 'GROWS: goal missed'})")  # fmt: skip
    print(f"static file ({static_bytes:,} bytes)           {static_rps:8.0f} requests/s")
    print(f"cached status page ({page_bytes:,} bytes)  {page_rps:8.0f} requests/s")
    print(f"ratio page / static file                 {ratio:8.0%}   (goal >= 50%: "
          f"{'met' if ratio >= 0.5 else 'missed'})")  # fmt: skip
    return 0 if at_10 == at_200 else 1


if __name__ == "__main__":
    sys.exit(main())
