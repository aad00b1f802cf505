"""Run bundled connectors now and print what each step saw (no database writes)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from health.checks import CheckReport, run_check
from health.connectors import BUNDLED, Endpoints
from health.probes import check_limits, configured_endpoints, probe_timeouts


class Command(BaseCommand):
    help = (
        "Run bundled connectors against their exchanges and print each step's latency and "
        "verdict. --live uses the exchanges' own public APIs, or the URLs "
        "HEALTH_ENDPOINT_OVERRIDES names (the network must allow it); "
        "--simulator URL uses the exchange simulator. Writes nothing to the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("connectors", nargs="*", help="connector ids (default: all bundled)")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--live", action="store_true", help="the real exchanges")
        where.add_argument("--simulator", metavar="URL", help="e.g. http://127.0.0.1:8765")
        parser.add_argument("--pair", help="trading pair to probe (default: each connector's)")

    def handle(self, *args: Any, **options: Any) -> str:
        ids = options["connectors"] or sorted(BUNDLED)
        unknown = [cid for cid in ids if cid not in BUNDLED]
        if unknown:
            choices = ", ".join(sorted(BUNDLED))
            raise CommandError(f"no bundled connector {', '.join(unknown)}; choose from {choices}")
        failures = 0
        for connector_id in ids:
            cls = BUNDLED[connector_id]
            if options["simulator"]:
                base = options["simulator"].rstrip("/")
                ws_base = base.replace("http://", "ws://").replace("https://", "wss://")
                endpoints = Endpoints(f"{base}/{connector_id}", f"{ws_base}/{connector_id}/ws")
            else:  # the exchange's own URLs unless HEALTH_ENDPOINT_OVERRIDES names others
                endpoints = configured_endpoints(probe_id=connector_id, use_simulator=False)
            probe = cls(
                endpoints=endpoints,
                timeouts=probe_timeouts(),
                deadline=time.monotonic() + settings.HEALTH_CHECK_DEADLINE_SECONDS,
            )
            report = run_check(
                probe=probe,
                trading_pair=options["pair"] or cls.default_trading_pair,
                limits=check_limits(),
            )
            failures += report.verdict == "down"
            self._print(connector_id, endpoints, report)
        return f"{len(ids) - failures} of {len(ids)} connectors healthy\n"

    def _print(self, connector_id: str, endpoints: Endpoints, report: CheckReport) -> None:
        style = {"up": self.style.SUCCESS, "degraded": self.style.WARNING}.get(
            report.verdict, self.style.ERROR
        )
        self.stdout.write(
            style(f"{connector_id}: {report.verdict}")
            + f"  ({report.total_latency_ms} ms, {endpoints.rest_url})"
        )
        for step in report.steps:
            mark = {True: "ok  ", False: "FAIL", None: "--  "}[step.ok]
            latency = f"{step.latency_ms:>6} ms" if step.latency_ms is not None else " " * 9
            self.stdout.write(f"    {mark} {step.step:<12}{latency}  {step.detail}")
