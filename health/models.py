"""Health of connectors, and of Connector Hub's own background workers."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by a beat-scheduled task, so a fresh row proves beat and a worker both run.

    Pages show its age so that stale health data is never shown as current.
    """

    hostname = models.CharField(max_length=255, unique=True)
    region = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} ({self.region})"
