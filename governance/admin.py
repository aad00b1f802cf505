from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from core.admin import ReadOnlyAdminMixin
from governance.models import SignInNonce, Wallet


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ["address", "user", "is_contract", "created_at", "last_sign_in_at"]
    list_filter = ["is_contract"]
    search_fields = ["address", "user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["address", "is_contract", "created_at", "last_sign_in_at"]
    ordering = ["-last_sign_in_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A wallet exists only once its owner has proven it by signing in.
        return False


@admin.register(SignInNonce)
class SignInNonceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: nonces are issued and consumed by sign-in, purged by Celery beat.

    The session key is left out: it would let anyone reading this page take over a session.
    """

    list_display = ["value", "state", "created_at", "expires_at", "used_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["value"]
    fields = ["value", "created_at", "expires_at", "used_at"]
    readonly_fields = ["value", "created_at", "expires_at", "used_at"]
    ordering = ["-created_at"]

    @admin.display(description="state")
    def state(self, obj: SignInNonce) -> str:
        if obj.used_at is not None:
            return "used"
        return "expired" if obj.expires_at <= timezone.now() else "open"
