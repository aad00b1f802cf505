"""Celery tasks of the health app: thin wrappers over services."""

import socket
from datetime import datetime, timedelta
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from health.errors import AlertTemporaryError

# A check is bounded by HEALTH_CHECK_DEADLINE_SECONDS; the task limits are a backstop.
CHECK_SOFT_LIMIT = int(settings.HEALTH_CHECK_DEADLINE_SECONDS) + 15
CHECK_HARD_LIMIT = CHECK_SOFT_LIMIT + 15


def queue_options() -> dict[str, Any]:
    """Health work stays on this region's queue (HEALTH_QUEUE), or the default one."""
    return {"queue": settings.HEALTH_QUEUE} if settings.HEALTH_QUEUE else {}


def alert_deliver_enqueue(delivery_id: int) -> None:
    alert_deliver_task.apply_async(args=(delivery_id,), **queue_options())


@shared_task(bind=True, acks_late=True, ignore_result=True)
def heartbeat_record_task(self: Task) -> None:
    from health.services.heartbeats import heartbeat_record

    hostname = self.request.hostname or socket.gethostname()
    heartbeat_record(hostname=hostname, region=settings.HEALTH_REGION)


@shared_task(acks_late=True, ignore_result=True)
def heartbeat_purge_task() -> int:
    from health.services.heartbeats import heartbeat_purge

    return heartbeat_purge(older_than=timedelta(days=settings.HEARTBEAT_RETENTION_DAYS))


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def health_sweep_task() -> int:
    """Claim this region's due checks; each becomes its own task on this region's queue."""
    from health.services.sweep import Claim, health_sweep

    def enqueue(claim: Claim) -> None:
        check_run_task.apply_async(
            args=(claim.check_id, claim.scheduled_for.isoformat()),
            expires=settings.HEALTH_CHECK_DEADLINE_SECONDS * 4,
            **queue_options(),
        )

    return len(health_sweep(region=settings.HEALTH_REGION, enqueue=enqueue))


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=CHECK_SOFT_LIMIT,
    time_limit=CHECK_HARD_LIMIT,
)
def check_run_task(check_id: int, scheduled_for: str) -> None:
    """One connector, one slot, in the region of the worker that runs it."""
    from health.services.checks import check_run

    try:
        check_run(
            check_id=check_id,
            scheduled_for=datetime.fromisoformat(scheduled_for),
            region=settings.HEALTH_REGION,
        )
    except SoftTimeLimitExceeded:
        # run_check is bounded well below this; if we get here the slot stays without a
        # result and the status turns unknown rather than raising out of the task.
        return


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(AlertTemporaryError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.HEALTH_ALERT_MAX_RETRIES,
)
def alert_deliver_task(delivery_id: int) -> None:
    from health.services.alerts import alert_deliver

    alert_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def alert_deliveries_requeue_task() -> int:
    from health.services.alerts import alert_deliveries_requeue

    return len(alert_deliveries_requeue())


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def incidents_review_task() -> int:
    """Keep incidents' attribution current; draft bounties for lasting regressions."""
    from health.services.incidents import incidents_review

    return len(incidents_review())


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def uptime_rollup_task() -> int:
    from health.services.history import uptime_rollup_recent

    return uptime_rollup_recent()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=900, time_limit=1000)
def health_history_purge_task() -> dict[str, int]:
    from health.services.history import health_history_purge

    return health_history_purge()
