"""A real Celery worker for the health integration test and the sweep bench: a threads pool
(checks wait on the network, so threads run them side by side), its own queue, and the
health settings passed through its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.celery_worker import ROOT, _database_url


@contextmanager
def health_worker(
    *,
    queue: str,
    log_path: Path,
    broker_url: str,
    concurrency: int = 4,
    env: dict[str, str] | None = None,
    database_url: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``celery worker`` consuming ``queue`` only; stop it when the block ends."""
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url or _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "HEALTH_QUEUE": queue,
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=threads",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--queues={queue}",
        f"--hostname=health-{queue}@%h",
        "--loglevel=INFO",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
