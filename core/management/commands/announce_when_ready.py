"""``make run``'s last word: one line per process once it is ready, then the site's URL.

Runs beside the other processes (Procfile.dev ``ready``) and polls them: the dev chain
answers JSON-RPC, the exchange simulator answers HTTP, the web server answers the home page,
a worker has recorded its heartbeat, beat has written its pid file. Then it prints where to
go and stays quiet (honcho stops everything when one process exits, so it waits).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

Probe = Callable[[], bool]


def _answers(url: str, **kwargs: Any) -> bool:
    try:
        response = requests.request(kwargs.pop("method", "GET"), url, timeout=2, **kwargs)
    except requests.RequestException:
        return False
    return response.status_code < 500


def _worker_alive() -> bool:
    from health.models import WorkerHeartbeat

    recent = timezone.now() - timedelta(minutes=2)
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=recent).exists()


def _beat_started(pidfile: Path) -> bool:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return False
    return Path(f"/proc/{pid}").exists()


class Command(BaseCommand):
    help = "Print one line per process of make run once it is ready, then the site's URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the web server")
        parser.add_argument("--processes", default="chain web worker beat")
        parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait")
        parser.add_argument("--beat-pidfile", default="var/celerybeat.pid")
        parser.add_argument("--exit", action="store_true", help="exit when all are ready")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"].rstrip("/") + "/"
        wanted = options["processes"].split()
        probes: dict[str, tuple[str, Probe]] = {
            "chain": (
                f"dev chain answers at {settings.ETH_RPC_URL}",
                lambda: _answers(
                    settings.ETH_RPC_URL,
                    method="POST",
                    json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                ),
            ),
            "exchange_sim": (
                f"exchange simulator answers at {settings.HEALTH_SIMULATOR_URL}",
                lambda: _answers(settings.HEALTH_SIMULATOR_URL),
            ),
            "web": (f"web server answers at {url}", lambda: _answers(url)),
            "worker": ("worker is running tasks (heartbeat recorded)", _worker_alive),
            "beat": (
                "beat is scheduling",
                lambda: _beat_started(Path(options["beat_pidfile"])),
            ),
        }
        pending = [name for name in wanted if name in probes]
        deadline = time.monotonic() + options["timeout"]
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                label, probe = probes[name]
                if probe():
                    self.stdout.write(f"ready: {label}")
                    pending.remove(name)
            time.sleep(0.5)
        if pending:
            self.stderr.write(f"not ready after {options['timeout']:.0f} s: {', '.join(pending)}")
        self.stdout.write("")
        self.stdout.write(f"  Connector Hub: {url}   (API docs: {url}api/docs/)")
        self.stdout.write("  Ctrl-C stops everything.")
        self.stdout.write("")
        self.stdout.flush()
        while not options["exit"]:
            time.sleep(3600)
