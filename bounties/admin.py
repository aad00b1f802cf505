"""Staff admin for pots and bounties. Money and status move only through the services (the
bounty pages and API), so those fields are read-only here; ledger rows are append-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bounties.models import Bounty, BountyApplication, BountyEvent, Payout, Pot, PotEntry
from bounties.services.bounties import bounty_details_update
from core.admin import ReadOnlyAdminMixin


@admin.register(Pot)
class PotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "exchange", "connector", "chain", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(PotEntry)
class PotEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "pot",
        "sequence",
        "kind",
        "amount",
        "denomination",
        "balance_after",
        "available_after",
        "bounty",
        "created_at",
    ]
    list_filter = ["kind", "denomination"]
    search_fields = ["pot__name", "note", "sponsor_name"]


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BountyEvent
    extra = 0
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "maintainer", "note"]
    readonly_fields = [
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "maintainer",
        "note",
    ]


class ApplicationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BountyApplication
    extra = 0
    fields = ["maintainer", "status", "note", "created_at"]
    readonly_fields = ["maintainer", "status", "note", "created_at"]


@admin.register(Bounty)
class BountyAdmin(admin.ModelAdmin):
    """Staff may correct descriptions here; status, money and assignment change on the bounty
    page, where each move is checked and logged."""

    list_display = [
        "id",
        "title",
        "bounty_type",
        "status",
        "amount",
        "denomination",
        "assignee",
        "exchange",
        "updated_at",
    ]
    list_filter = ["status", "bounty_type", "denomination", "funding_source", "is_imported"]
    search_fields = ["title", "tracker_id", "exchange__name", "connector__connector_id"]
    readonly_fields = [
        "status",
        "amount",
        "denomination",
        "funding_source",
        "proposal",
        "sponsor_name",
        "pot",
        "assignee",
        "assigned_at",
        "last_activity_at",
        "idle_flagged_at",
        "closed_at",
        "is_imported",
        "created_by",
        "connector",
        "exchange",
        "chain",
    ]
    inlines = [ApplicationInline, EventInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # create on /bounties/new/, which logs it

    def save_model(self, request: HttpRequest, obj: Bounty, form: Any, change: bool) -> None:
        bounty_details_update(bounty=obj, actor=request.user, changed=list(form.changed_data))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "bounty",
        "maintainer",
        "amount_paid",
        "denomination",
        "tx_hash",
        "verification_status",
        "paid_at",
    ]
    list_filter = ["verification_status", "denomination"]
