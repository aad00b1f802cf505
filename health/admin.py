from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from health.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "region", "last_seen_at", "beats"]
    list_filter = ["region"]
    search_fields = ["hostname"]
    readonly_fields = ["hostname", "region", "last_seen_at", "beats"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
