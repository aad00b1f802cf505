"""Beat's health entries point at real tasks, expire, and keep to the region's queue."""

from django.conf import settings

from config.celery import app


def test_health_beat_entries_name_registered_tasks_and_expire():
    app.loader.import_default_modules()
    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("health-")}

    assert set(entries) == {
        "health-sweep",
        "health-rollup",
        "health-alerts-requeue",
        "health-purge",
        "health-incidents-review",
    }
    for entry in entries.values():
        assert entry["task"] in app.tasks
        assert entry["options"]["expires"] > 0


def test_check_task_has_time_limits_above_the_check_deadline():
    from health.tasks import check_run_task

    assert check_run_task.acks_late
    assert check_run_task.soft_time_limit > settings.HEALTH_CHECK_DEADLINE_SECONDS
    assert check_run_task.time_limit > check_run_task.soft_time_limit
