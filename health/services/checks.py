"""One check run: probe the exchange, record the result once per slot, re-evaluate."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from health.checks import CheckReport, Step, StepReport, Verdict, run_check
from health.connectors.base import ProbeError
from health.models import (
    CheckResult,
    ExchangeStatus,
    HealthCheck,
    Outcome,
)
from health.probes import (
    check_is_monitored,
    check_limits,
    check_trading_pair,
    probe_build,
)
from health.services.history import uptime_first_results_rollup
from health.services.status import health_status_evaluate

logger = logging.getLogger(__name__)


# -- one check ---------------------------------------------------------------------------
def check_run(*, check_id: int, scheduled_for: datetime, region: str) -> CheckResult | None:
    """Run one claimed check and record its result once; then re-evaluate the status.

    A redelivered task finds its result already written and does nothing.
    """
    existing = CheckResult.objects.filter(
        health_check_id=check_id, region=region, scheduled_for=scheduled_for
    ).first()
    if existing is not None:
        return existing
    check = HealthCheck.objects.select_related("connector").filter(pk=check_id).first()
    if check is None or not check_is_monitored(check=check):
        return None
    started_at = timezone.now()
    deadline = time.monotonic() + settings.HEALTH_CHECK_DEADLINE_SECONDS
    try:
        probe = probe_build(check=check, deadline=deadline)
    except (ProbeError, KeyError) as exc:
        report = CheckReport(
            Verdict.DOWN,
            [StepReport(Step.SERVER_TIME, False, 0, f"misconfigured: {exc}")],
            Step.SERVER_TIME,
            f"misconfigured: {exc}",
        )
    else:
        report = run_check(
            probe=probe, trading_pair=check_trading_pair(check=check), limits=check_limits()
        )
    result = check_result_record(
        check=check,
        region=region,
        scheduled_for=scheduled_for,
        report=report,
        started_at=started_at,
        finished_at=timezone.now(),
    )
    health_status_evaluate(check_id=check.pk)
    uptime_first_results_rollup(check=check, scheduled_for=scheduled_for)
    return result


def check_result_record(
    *,
    check: HealthCheck,
    region: str,
    scheduled_for: datetime,
    report: CheckReport,
    started_at: datetime,
    finished_at: datetime,
) -> CheckResult:
    """Write the result; if the same slot was already written (a race), keep the first."""
    outcome = {Verdict.UP: Outcome.UP, Verdict.DEGRADED: Outcome.DEGRADED}.get(
        report.verdict, Outcome.DOWN
    )
    try:
        with transaction.atomic():
            result = CheckResult.objects.create(
                health_check=check,
                region=region,
                scheduled_for=scheduled_for,
                started_at=started_at,
                finished_at=max(finished_at, started_at),
                outcome=outcome,
                failed_step=str(report.failed_step or ""),
                reason=report.reason,
                step_latencies_ms=report.step_latencies_ms,
                steps=[step.as_json() for step in report.steps],
                total_latency_ms=report.total_latency_ms,
                trading_pair=check_trading_pair(check=check),
                fault=str(report.fault or ""),
                exchange_status=_exchange_status(report),
                exchange_notice=(
                    report.exchange_status.message[:200] if report.exchange_status else ""
                ),
            )
    except IntegrityError:
        return CheckResult.objects.get(
            health_check=check, region=region, scheduled_for=scheduled_for
        )
    HealthCheck.objects.filter(pk=check.pk).filter(
        Q(last_result_at__isnull=True) | Q(last_result_at__lte=finished_at)
    ).update(
        last_result_at=finished_at,
        last_latency_ms=report.total_latency_ms,
        last_step_latencies_ms=report.step_latencies_ms,
        last_reason=report.reason,
    )
    return result


def _exchange_status(report: CheckReport) -> str:
    if report.exchange_status is None:
        return ""
    return ExchangeStatus.NORMAL if report.exchange_status.normal else ExchangeStatus.IMPAIRED
