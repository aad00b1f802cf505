"""A real Celery worker on the real broker runs tasks whose effects land in PostgreSQL."""

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


def beats_of(queue: str) -> int:
    heartbeat = WorkerHeartbeat.objects.filter(hostname__contains=queue).first()
    return heartbeat.beats if heartbeat else 0


def test_worker_records_heartbeat_when_ready(require_real_services, tmp_path):
    # given / when a worker starts
    log_path = tmp_path / "worker.log"
    with celery_worker(log_path=log_path) as queue:
        # then it records itself alive before beat's first tick
        wait_for(
            lambda: beats_of(queue) == 1, timeout=60, what="the start-up beat", log_path=log_path
        )
    heartbeat = WorkerHeartbeat.objects.get(hostname__contains=queue)
    assert heartbeat.region == "local"


def test_worker_runs_heartbeat_tasks_from_the_broker(require_real_services, tmp_path):
    # given a running worker that has recorded its start-up beat
    log_path = tmp_path / "worker.log"
    with celery_worker(log_path=log_path) as queue:
        wait_for(lambda: beats_of(queue) == 1, timeout=60, what="start-up", log_path=log_path)

        # when beat's heartbeat task is sent through the broker three times
        for _ in range(3):
            heartbeat_record_task.apply_async(queue=queue)

        # then one row counts every beat
        wait_for(lambda: beats_of(queue) == 4, timeout=60, what="4 beats", log_path=log_path)
    assert WorkerHeartbeat.objects.filter(hostname__contains=queue).count() == 1
