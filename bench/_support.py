"""Helpers shared by the benchmarks: gunicorn on loopback, the machine's load, percentiles,
generated connectors with their uptime history, and active polls with stored votes.

Django-bound helpers import the project's models inside the function: call them after
``django.setup()``.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TYPED_DATA_PATH = "/api/v1/governance/typed-data/"
VOTE_BATCH = 5000


# --- the machine ------------------------------------------------------------------------


def machine() -> str:
    """CPU count and load average, for the lines a benchmark prints."""
    one, five, fifteen = os.getloadavg()
    return f"CPUs: {os.cpu_count()}; load average {one:.2f} {five:.2f} {fifteen:.2f}"


def percentile(values: Sequence[float], percent: float) -> float:
    """The nearest-rank ``percent`` percentile of ``values`` (0.0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


# --- the site under gunicorn ------------------------------------------------------------


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int,
    threads: int,
    wsgi: str = "config.wsgi:application",
    ready_path: str = TYPED_DATA_PATH,
    start_seconds: float = 60.0,
    port: int = 0,
) -> Iterator[tuple[str, int]]:
    """gunicorn on loopback, on ``port`` or a free port the kernel picks (0); yields (host,
    port) once every worker answers ``ready_path``. Stopped (terminate, then kill) when the
    block ends."""
    handle, name = tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")
    log = os.fdopen(handle, "w")
    command = [
        str(BIN / "gunicorn"),
        wsgi,
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=" + ("gthread" if threads > 1 else "sync"),
        "--keep-alive=30",
        "--log-level=info",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        bound = _wait_for_port(Path(name), process, seconds=start_seconds)
        _wait_ready("127.0.0.1", bound, workers, path=ready_path, seconds=start_seconds)
        yield "127.0.0.1", bound
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        Path(name).unlink(missing_ok=True)


def _wait_for_port(log: Path, process: subprocess.Popen[bytes], *, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
        if match:
            return int(match.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start within {seconds:.0f} s:\n{log.read_text()}")


def _wait_ready(host: str, port: int, workers: int, *, path: str, seconds: float) -> None:
    """Until every worker has loaded Django (a few 200s from ``path`` each)."""
    deadline = time.monotonic() + seconds
    ok = 0
    while ok < workers * 4 and time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("GET", path)
            ok += connection.getresponse().status == 200
            connection.close()
        except OSError:
            time.sleep(0.1)
    if ok < workers * 4:
        raise RuntimeError(f"the site did not answer {path} within {seconds:.0f} s")


# --- generated data ---------------------------------------------------------------------


def connectors_with_uptime(start: int, count: int) -> None:
    """Monitored connectors ``bench_<start>`` ... of every type, each with 90 days of daily
    and 24 hours of hourly uptime rollups, and an incident on every seventh; then their
    status page summaries, as the beat's rollup writes them."""
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
    from health.services.summaries import uptime_summaries_refresh_outdated

    uptime_summaries_refresh_outdated()  # as the beat's rollup leaves them


def active_polls(*, titles: Sequence[str], choices: int) -> list[Any]:
    """One active DEX poll per title with ``choices`` choices and an empty running tally,
    opened as ``poll_open`` would but without a chain (the snapshot is never read)."""
    from django.utils import timezone

    from governance.choices import ChoiceSpec
    from governance.models import Epoch, GovernanceRules, Poll, PollStatus, PollTally
    from governance.services.polls import poll_create

    rules = GovernanceRules.objects.create(
        slug="bench",
        name="Bench rules",
        effective_from=date(2000, 1, 1),
        poll_kinds=["dex"],
        inclusion_threshold_hbot=200_000,
        allocation_rule="pro_rata_top_n",
        top_n=4,
        cap_per_choice_hbot=800_000,
        pool_per_poll_hbot=1_000_000,
        max_choices=None,
    )
    today = timezone.localdate()
    epoch = Epoch.objects.create(
        number=999,
        name="Bench epoch",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        rules=rules,
    )
    specs = [ChoiceSpec(label=f"Exchange {n}") for n in range(1, choices + 1)]
    now = timezone.now()
    polls = []
    for title in titles:
        poll = poll_create(epoch=epoch, kind="dex", title=title, choices=specs)
        Poll.objects.filter(pk=poll.pk).update(
            status=PollStatus.ACTIVE,
            rules_snapshot=rules.as_snapshot(),
            snapshot_block=1,
            chain_id=1,
            token_address="0x" + "11" * 20,
            opened_at=now,
            starts_at=now,
            ends_at=now + timedelta(days=14),
        )
        PollTally.objects.create(poll_id=poll.pk)
        polls.append(Poll.objects.get(pk=poll.pk))
    return polls


def votes_insert(poll: Any, *, counted: int, choices: int) -> None:
    """``counted`` current votes on ``poll`` and a tenth as many superseded ones, stored as
    the vote service stores them (typed data, a 65-byte signature, a digest; not signed,
    since nothing reads the signatures back), with the poll's running totals."""
    from django.utils import timezone

    from governance import eip712
    from governance.chain.balances import checksum
    from governance.models import PollTally, Vote
    from governance.tally import Ballot, totals_of

    now = timezone.now()
    stamp = int(now.timestamp())
    ballots = []

    def vote(index: int, *, current: bool) -> Vote:
        voter = checksum(f"0x{index + 1:040x}")
        first, second = 1 + index % choices, 1 + (index * 7 + 3) % choices
        weights = [(first, 3), (second, 1)] if first != second and index % 3 else [(first, 1)]
        power = (1 + index % 997) * 10**18 + index
        if current:
            ballots.append(Ballot.stored(power=power, weights=weights))
        typed = eip712.vote_typed_data(
            poll_id=poll.pk, voter=voter, choices=weights, timestamp=stamp - (0 if current else 60)
        )
        digest = hashlib.sha256(f"{poll.pk}:{index}:{current}".encode()).hexdigest()
        return Vote(
            poll_id=poll.pk,
            voter=voter,
            weights=[list(w) for w in weights],
            signed_timestamp=typed["message"]["timestamp"],
            typed_data=typed,
            signature="0x" + "ab" * 65,
            digest="0x" + digest,
            voting_power=power,
            is_current=current,
            superseded_at=None if current else now,
        )

    superseded = [vote(i, current=False) for i in range(counted // 10)]
    Vote.objects.bulk_create(superseded, batch_size=VOTE_BATCH)
    for start in range(0, counted, VOTE_BATCH):
        Vote.objects.bulk_create(
            [vote(i, current=True) for i in range(start, min(counted, start + VOTE_BATCH))]
        )
    totals = totals_of(method=poll.voting_method, ballots=ballots)
    PollTally.objects.filter(poll_id=poll.pk).update(totals=totals.as_json(), version=counted)
