from django.contrib import admin

from health.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "region", "last_seen_at", "beats"]
    list_filter = ["region"]
    search_fields = ["hostname"]
    readonly_fields = ["hostname", "region", "last_seen_at", "beats"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
