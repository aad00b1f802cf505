"""Serve the exchange simulator: every bundled exchange's public API on one local port."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from health.simulator import FAULTS, Faults
from health.simulator.exchanges import SIMULATED
from health.simulator.server import run


def _parse_assignment(text: str, *, option: str) -> tuple[str, str]:
    exchange, sep, value = text.partition("=")
    if not sep or exchange not in SIMULATED:
        raise CommandError(
            f"--{option} {text!r}: use EXCHANGE=VALUE with an exchange from "
            f"{', '.join(sorted(SIMULATED))}"
        )
    return exchange, value


class Command(BaseCommand):
    help = (
        "Serve a local HTTP + WebSocket simulator of every bundled exchange's public API "
        "(REST under /<exchange>/, streams at /<exchange>/ws), with fault injection. "
        "Change faults while it runs: PUT /_control/faults/<exchange> "
        '{"fault": "http_500", "scope": "order_book", "latency_ms": 300}. '
        "SIGTERM or Ctrl-C stops it cleanly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port.")
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="EXCHANGE=FAULT[:SCOPE]",
            help=f"inject a fault ({', '.join(FAULTS)}), optionally only in one step's "
            "endpoint (server_time, markets, order_book, stream); repeatable",
        )
        parser.add_argument(
            "--latency",
            action="append",
            default=[],
            metavar="EXCHANGE=MS",
            help="add latency to every answer of an exchange (all: every exchange)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        faults: dict[str, Faults] = {}
        latencies: dict[str, int] = {}
        for text in options["latency"]:
            if text.startswith("all="):
                for name in SIMULATED:
                    latencies[name] = int(text.removeprefix("all="))
                continue
            exchange, value = _parse_assignment(text, option="latency")
            latencies[exchange] = int(value)
        chosen: dict[str, tuple[str | None, str | None]] = {}
        for text in options["fault"]:
            exchange, value = _parse_assignment(text, option="fault")
            kind, _, where = value.partition(":")
            chosen[exchange] = (kind, where or None)
        try:
            for name in set(latencies) | set(chosen):
                fault, scope = chosen.get(name) or (None, None)
                faults[name] = Faults(latency_ms=latencies.get(name, 0), fault=fault, scope=scope)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with contextlib.suppress(KeyboardInterrupt):
            run(host=options["host"], port=options["port"], faults=faults)
