"""Commands: ``health_check`` runs connectors and prints each step; ``exchange_sim`` serves
the simulator with faults from its options."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
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


def test_exchange_sim_serves_with_faults_from_options():
    """The command as ``make run`` starts it: a process on a port, faults set by options."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "exchange_sim", "--port=0",
         "--fault=kraken=ws_silent", "--latency=binance=50"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "Exchange simulator on http://127.0.0.1:PORT (...)"
        url = line.split(" on ", 1)[1].split()[0]
        with urllib.request.urlopen(f"{url}/_control/faults", timeout=5) as response:  # noqa: S310
            faults = json.load(response)
        assert faults["kraken"]["fault"] == "ws_silent"
        assert faults["binance"]["latency_ms"] == 50
        started = time.monotonic()
        with urllib.request.urlopen(f"{url}/binance/api/v3/time", timeout=5) as response:  # noqa: S310
            assert "serverTime" in json.load(response)
        assert time.monotonic() - started >= 0.05
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
