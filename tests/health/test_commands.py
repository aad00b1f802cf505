"""Commands: ``health_check`` runs connectors and prints each step; ``exchange_sim`` serves
the simulator with faults from its options."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from health.simulator import Faults

ROOT = Path(__file__).resolve().parents[2]


def test_health_check_against_the_simulator_prints_every_step(sim):
    sim.faults.set("okx", Faults(fault="crossed_book"))
    out = StringIO()

    summary = call_command("health_check", "binance", "okx", "--simulator", sim.url, stdout=out)

    text = out.getvalue()
    assert "binance: up" in text
    assert "okx: down" in text
    assert "FAIL order_book" in text
    assert "order book is crossed" in text
    assert "--   stream" in text
    assert summary == "1 of 2 connectors healthy\n"


def test_health_check_live_uses_the_endpoint_overrides_like_the_sweep(sim, settings):
    # given the deployment sends binance to a mirror (here: the simulator) and has the
    # simulator switch on, which --live must not follow
    settings.HEALTH_ENDPOINT_OVERRIDES = {
        "binance": {"rest": sim.rest_url("binance"), "ws": sim.ws_url("binance")}
    }
    settings.HEALTH_USE_SIMULATOR = True
    settings.HEALTH_SIMULATOR_URL = "http://127.0.0.1:9"
    out = StringIO()

    summary = call_command("health_check", "binance", "--live", stdout=out)

    assert "binance: up  (" in out.getvalue()
    assert f"ms, {sim.rest_url('binance')})" in out.getvalue()
    assert summary == "1 of 1 connectors healthy\n"


def test_health_check_needs_a_target_and_known_connectors():
    with pytest.raises(CommandError):
        call_command("health_check", "binance")
    with pytest.raises(CommandError, match="no bundled connector nope"):
        call_command("health_check", "nope", "--live")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--fault=nowhere=http_500", "use EXCHANGE=VALUE"),
        ("--fault=binance=explode", "unknown fault 'explode'"),
        ("--fault=binance=http_500:everywhere", "unknown scope 'everywhere'"),
    ],
)
def test_exchange_sim_rejects_bad_options(option, message):
    with pytest.raises(CommandError, match=message):
        call_command("exchange_sim", option, "--port=0")


def _stop(process: subprocess.Popen[str], *, timeout: float = 10) -> int:
    """Stop a child by signals that work wherever the test runs (SIGINT may be ignored in a
    backgrounded job): SIGTERM, then SIGKILL if it has not exited within ``timeout``; always
    reaped."""
    try:
        if process.poll() is None:
            process.terminate()
            try:
                return process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
    return process.returncode


def _exchange_sim(*options: str, ignore_sigint: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def ignore() -> None:  # as a job started with & in a non-interactive shell
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen(
        [sys.executable, "manage.py", "exchange_sim", "--port=0", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=ignore if ignore_sigint else None,
    )


def _serving_url(process: subprocess.Popen[str]) -> str:
    """The URL it announces: "Exchange simulator on http://127.0.0.1:PORT (...)" (after any
    log lines of the apps it loads)."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        if line.startswith("Exchange simulator on "):
            return line.split(" on ", 1)[1].split()[0]
        seen.append(line)
        if len(seen) > 50:
            break
    raise AssertionError(f"the simulator did not announce its URL: {''.join(seen)}")


def test_exchange_sim_serves_with_faults_from_options():
    """The command as ``make run`` starts it: a process on a port, faults set by options."""
    process = _exchange_sim("--fault=kraken=ws_silent", "--latency=binance=50")
    try:
        url = _serving_url(process)
        with urllib.request.urlopen(f"{url}/_control/faults", timeout=5) as response:  # noqa: S310
            faults = json.load(response)
        assert faults["kraken"]["fault"] == "ws_silent"
        assert faults["binance"]["latency_ms"] == 50
        started = time.monotonic()
        with urllib.request.urlopen(f"{url}/binance/api/v3/time", timeout=5) as response:  # noqa: S310
            assert "serverTime" in json.load(response)
        assert time.monotonic() - started >= 0.05
    finally:
        returncode = _stop(process)
    assert returncode == 0  # SIGTERM is a clean stop, not a kill


def test_exchange_sim_with_sigint_ignored_is_stopped_by_sigterm_and_reaped():
    # given the simulator runs where SIGINT is ignored (a backgrounded job)
    process = _exchange_sim(ignore_sigint=True)
    try:
        url = _serving_url(process)
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
        with urllib.request.urlopen(f"{url}/_control/faults", timeout=5) as response:  # noqa: S310
            assert response.status == 200  # SIGINT did nothing
        assert process.poll() is None
    finally:
        # when it is stopped
        returncode = _stop(process)

    # then SIGTERM stopped it cleanly, it was reaped, and nothing listens any more
    assert returncode == 0
    assert process.poll() == 0
    with pytest.raises(urllib.error.URLError, match="refused"):
        urllib.request.urlopen(f"{url}/_control/faults", timeout=2)  # noqa: S310


def test_stop_kills_a_child_that_ignores_sigterm_too():
    code = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"

    started = time.monotonic()
    returncode = _stop(process, timeout=0.5)

    assert returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5
