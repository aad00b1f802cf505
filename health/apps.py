from typing import Any

from django.apps import AppConfig

from core.extension_points import providers_autodiscover


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        providers_autodiscover(self.name)
        from celery.signals import worker_ready

        worker_ready.connect(_record_heartbeat_on_start, weak=False)


def _record_heartbeat_on_start(sender: Any = None, **kwargs: Any) -> None:
    """A worker that just started is alive now, not only after beat's first tick."""
    from django.conf import settings

    from health.services.heartbeats import heartbeat_record

    hostname = getattr(sender, "hostname", None) or "unknown"
    heartbeat_record(hostname=hostname, region=settings.HEALTH_REGION)
