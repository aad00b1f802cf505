from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from connectors_registry.models import (
    Chain,
    Connector,
    ConnectorStatusChange,
    Exchange,
    InclusionStatus,
    Maintainer,
    StatusChangeSource,
)
from connectors_registry.services import connector_status_change
from core.admin import ReadOnlyAdminMixin


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ConnectorInline(admin.TabularInline):
    model = Connector
    fields = ("connector_id", "namespace", "connector_type", "sub_type", "status", "maintainer")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_sponsor", "website", "connector_count"]
    list_filter = ["kind", "is_sponsor", "chains"]
    search_fields = ["name", "slug", "connectors__connector_id"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["chains"]
    inlines = [ConnectorInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exchange]:
        # Counted in the list's one query, not one count per row.
        return super().get_queryset(request).annotate(n_connectors=Count("connectors"))

    @admin.display(description="connectors", ordering="n_connectors")
    def connector_count(self, obj: Exchange) -> int:
        return int(obj.n_connectors)  # type: ignore[attr-defined]


@admin.register(Maintainer)
class MaintainerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "github_handle", "wallet_address", "has_webhook", "user"]
    search_fields = ["display_name", "github_handle", "wallet_address"]
    raw_id_fields = ["user"]

    @admin.display(boolean=True, description="alert webhook")
    def has_webhook(self, obj: Maintainer) -> bool:
        return bool(obj.alert_webhook_url)


class ConnectorAdminForm(forms.ModelForm):
    status_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you change the status: it goes to the public status log.",
    )
    status_reference = forms.CharField(
        required=False, max_length=200, help_text="Poll, proposal or pull request, if any."
    )

    class Meta:
        model = Connector
        fields = [
            "exchange",
            "namespace",
            "connector_id",
            "slug",
            "connector_type",
            "sub_type",
            "code_path",
            "docs_url",
            "status",
            "added_on",
            "maintainer",
            "notes",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            self.instance.pk
            and "status" in self.changed_data
            and not cleaned.get("status_reason", "").strip()
        ):
            self.add_error("status_reason", "Say why the status changes.")
        return cleaned


class StatusChangeInline(admin.TabularInline):
    model = ConnectorStatusChange
    fields = ("created_at", "from_status", "to_status", "source", "reason", "reference", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    form = ConnectorAdminForm
    list_display = [
        "address",
        "exchange",
        "connector_type",
        "sub_type",
        "status",
        "maintainer",
        "updated_at",
    ]
    list_filter = ["connector_type", "sub_type", "status", "namespace", "exchange__is_sponsor"]
    list_select_related = ["exchange", "maintainer"]
    search_fields = ["connector_id", "slug", "exchange__name", "maintainer__display_name"]
    autocomplete_fields = ["exchange", "maintainer"]
    readonly_fields = ["created_at", "updated_at", "removed_on"]
    inlines = [StatusChangeInline]
    fieldsets = [
        (None, {"fields": ["exchange", "namespace", "connector_id", "slug"]}),
        ("Classification", {"fields": ["connector_type", "sub_type", "code_path", "docs_url"]}),
        (
            "Inclusion",
            {"fields": ["status", "status_reason", "status_reference", "added_on", "removed_on"]},
        ),
        ("Maintenance", {"fields": ["maintainer", "notes"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(
        self, request: HttpRequest, obj: Connector, form: forms.ModelForm, change: bool
    ) -> None:
        reason = form.cleaned_data.get("status_reason", "").strip()
        reference = form.cleaned_data.get("status_reference", "").strip()
        user = request.user if request.user.is_authenticated else None
        if not change:
            super().save_model(request, obj, form, change)
            ConnectorStatusChange.objects.create(
                connector=obj,
                to_status=obj.status,
                source=StatusChangeSource.STAFF,
                reason=reason or "Added by staff.",
                reference=reference,
                actor=user,
            )
            return
        new_status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if new_status != obj.status:
            connector_status_change(
                connector=obj,
                to_status=InclusionStatus(new_status),
                source=StatusChangeSource.STAFF,
                reason=reason,
                reference=reference,
                actor=user,
            )


@admin.register(ConnectorStatusChange)
class ConnectorStatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "connector", "from_status", "to_status", "source", "actor"]
    list_filter = ["source", "to_status"]
    search_fields = ["connector__connector_id", "reason", "reference"]
    list_select_related = ["connector", "actor"]
