"""Worker heartbeats: recorded, counted, purged, and shown as stale when they stop."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from health.models import WorkerHeartbeat
from health.selectors import STALE_AFTER, worker_freshness
from health.services.heartbeats import heartbeat_purge, heartbeat_record
from health.tasks import heartbeat_purge_task, heartbeat_record_task

pytestmark = pytest.mark.django_db


def test_first_heartbeat_creates_row():
    heartbeat = heartbeat_record(hostname="worker@a", region="eu")

    assert heartbeat.beats == 1
    assert heartbeat.region == "eu"


def test_later_heartbeats_update_same_row():
    heartbeat_record(hostname="worker@a", region="eu")
    heartbeat = heartbeat_record(hostname="worker@a", region="us")

    assert WorkerHeartbeat.objects.count() == 1
    assert heartbeat.beats == 2
    assert heartbeat.region == "us"


def test_purge_removes_only_workers_gone_longer_than_retention():
    # given one worker gone for 10 days and one seen now
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        heartbeat_record(hostname="old@a", region="eu")
    heartbeat_record(hostname="new@a", region="eu")

    # when purging beyond 7 days
    deleted = heartbeat_purge(older_than=timedelta(days=7))

    # then only the old one is gone
    assert deleted == 1
    assert list(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == ["new@a"]


def test_freshness_is_stale_when_no_worker_was_ever_seen():
    freshness = worker_freshness()

    assert freshness.last_seen_at is None
    assert freshness.is_stale


def test_freshness_turns_stale_after_missed_beats():
    heartbeat_record(hostname="worker@a", region="eu")
    assert not worker_freshness().is_stale

    with time_machine.travel(timezone.now() + STALE_AFTER + timedelta(seconds=1)):
        assert worker_freshness().is_stale


def test_tasks_call_services(settings):
    # eager mode in the test settings: the task body runs in-process
    settings.HEALTH_REGION = "ap"
    heartbeat_record_task.delay()

    assert WorkerHeartbeat.objects.get().region == "ap"
    assert heartbeat_purge_task.delay().get() == 0


def test_every_page_warns_when_workers_are_stale(client):
    # given a worker last seen an hour ago
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        heartbeat_record(hostname="worker@a", region="eu")

    # when a visitor opens the registry
    response = client.get("/")

    # then the footer says the data may be stale
    assert "health data may be stale" in response.content.decode()


def test_pages_show_fresh_workers_without_warning(client):
    heartbeat_record(hostname="worker@a", region="eu")

    body = client.get("/").content.decode()

    assert "Background workers: last seen" in body
    assert "may be stale" not in body
