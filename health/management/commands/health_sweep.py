"""Run one sweep now: claim every due check of this region and run them in this process."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from health.models import CheckResult
from health.services.checks import check_run
from health.services.sweep import Claim, health_sweep


class Command(BaseCommand):
    help = (
        "Claim this region's due checks (as the beat-scheduled sweep does) and run them here, "
        "side by side in threads, instead of on the workers. For demos and one-off runs; "
        "claims are shared with the workers, so nothing runs twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default=None, help="default: HEALTH_REGION")
        parser.add_argument("--threads", type=int, default=16)

    def handle(self, *args: Any, **options: Any) -> str:
        region = options["region"] or settings.HEALTH_REGION
        claims: list[Claim] = []
        health_sweep(region=region, enqueue=claims.append)

        def run(claim: Claim) -> CheckResult | None:
            try:
                return check_run(
                    check_id=claim.check_id, scheduled_for=claim.scheduled_for, region=region
                )
            finally:
                close_old_connections()

        with ThreadPoolExecutor(max_workers=max(1, options["threads"])) as pool:
            results = [r for r in pool.map(run, claims) if r is not None]
        for result in sorted(results, key=lambda r: r.health_check.connector.address):
            reason = f" — {result.reason}" if result.reason else ""
            self.stdout.write(
                f"{result.health_check.connector.address:<28} {result.outcome:<9}"
                f"{result.total_latency_ms:>6} ms{reason}"
            )
        return f"{len(results)} checks run in region {region}\n"
