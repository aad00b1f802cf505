"""A real Celery worker on the real broker runs a task whose effect lands in PostgreSQL."""

import pytest

from health.models import WorkerHeartbeat
from health.tasks import heartbeat_record_task
from tests.celery_worker import broker_is_real, celery_worker, database_is_shared, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def require_real_services():
    if not database_is_shared():
        pytest.skip("needs PostgreSQL (set DATABASE_URL) so the worker sees the test database")
    if not broker_is_real():
        pytest.skip("needs a Redis or RabbitMQ broker (set CELERY_BROKER_URL)")


def test_worker_records_heartbeat_in_database(require_real_services, tmp_path):
    # given a worker consuming its own queue
    log_path = tmp_path / "worker.log"
    with celery_worker(log_path=log_path) as queue:
        # when beat's heartbeat task is sent to the broker
        heartbeat_record_task.apply_async(queue=queue)

        # then the worker writes a heartbeat row named after itself
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname__contains=queue).exists(),
            timeout=60,
            what="the heartbeat row",
            log_path=log_path,
        )
    heartbeat = WorkerHeartbeat.objects.get(hostname__contains=queue)
    assert heartbeat.beats == 1
    assert heartbeat.region == "local"


def test_worker_counts_repeated_heartbeats_on_one_row(require_real_services, tmp_path):
    # given a worker
    log_path = tmp_path / "worker.log"
    with celery_worker(log_path=log_path) as queue:
        # when three heartbeats are sent
        for _ in range(3):
            heartbeat_record_task.apply_async(queue=queue)

        # then one row counts all three
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname__contains=queue, beats=3).exists(),
            timeout=60,
            what="three beats on one row",
            log_path=log_path,
        )
    assert WorkerHeartbeat.objects.filter(hostname__contains=queue).count() == 1
