"""Celery tasks of the health app: thin wrappers over services."""

import socket
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings


@shared_task(bind=True, acks_late=True, ignore_result=True)
def heartbeat_record_task(self: Task) -> None:
    from health.services import heartbeat_record

    hostname = self.request.hostname or socket.gethostname()
    heartbeat_record(hostname=hostname, region=settings.HEALTH_REGION)


@shared_task(acks_late=True, ignore_result=True)
def heartbeat_purge_task() -> int:
    from health.services import heartbeat_purge

    return heartbeat_purge(older_than=timedelta(days=settings.HEARTBEAT_RETENTION_DAYS))
