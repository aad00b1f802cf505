from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.admin import ReadOnlyAdminMixin
from core.exceptions import ApplicationError
from governance.models import (
    Choice,
    Epoch,
    GovernanceRules,
    InclusionDecision,
    Poll,
    PollStatus,
    PotCredit,
    Proposal,
    ProposalRule,
    SignInNonce,
    Vote,
    Wallet,
)
from governance.services.decisions import inclusion_decision_confirm, inclusion_decision_dismiss
from governance.services.errors import GovernanceError
from governance.services.polls import poll_create, poll_finalize, poll_open, poll_rules_for


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


# --- rules and epochs ---------------------------------------------------------------------


class ProposalRuleInline(admin.TabularInline):
    model = ProposalRule
    extra = 0
    fields = [
        "proposal_type",
        "min_balance_hbot",
        "quorum_hbot",
        "quorum_note",
        "approval_percent",
        "discussion_days",
        "vote_days",
    ]


@admin.register(GovernanceRules)
class GovernanceRulesAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "effective_from",
        "voting_method",
        "inclusion_threshold_hbot",
        "allocation_rule",
        "pool_per_poll_hbot",
        "top_n",
        "cap_per_choice_hbot",
    ]
    list_filter = ["voting_method", "allocation_rule"]
    search_fields = ["name", "slug", "reference", "notes"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProposalRuleInline]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        if object_id is not None and request.method == "GET":
            messages.info(
                request,
                "Versions shipped in governance/data/governance_rules.json are reset to the file "
                "whenever load_governance_history runs (make run does). To change the rules, "
                "add a new version with a later 'effective from' date; polls and proposals keep "
                "the copy they made when they opened.",
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    fieldsets = [
        (None, {"fields": ["name", "slug", "reference", "source_url", "effective_from", "notes"]}),
        (
            "Connector polls",
            {
                "fields": [
                    "poll_kinds",
                    "voting_method",
                    "poll_duration_days",
                    "inclusion_threshold_hbot",
                    "threshold_inclusive",
                    "max_choices",
                    "choice_limit_removals",
                    "poll_quorum_hbot",
                ]
            },
        ),
        (
            "Pot allocation",
            {
                "fields": [
                    "allocation_rule",
                    "pool_per_poll_hbot",
                    "top_n",
                    "cap_per_choice_hbot",
                    "tier_amounts_hbot",
                    "tier_names",
                    "tier_name_rest",
                ]
            },
        ),
    ]


@admin.register(Epoch)
class EpochAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "starts_on", "ends_on", "rules"]
    list_filter = ["rules"]
    search_fields = ["name", "summary"]
    ordering = ["-number"]


# --- polls and votes ----------------------------------------------------------------------


class PollAddForm(forms.ModelForm):
    """Creating a poll goes through ``poll_create``: rules checked, choices from the registry."""

    title = forms.CharField(
        required=False, max_length=200, help_text="Leave blank for '<epoch> <kind> Poll'."
    )

    class Meta:
        model = Poll
        fields = ["epoch", "kind", "title", "reference", "description", "starts_at"]
        help_texts = {
            "starts_at": "Leave blank and open it by hand, or set a time for beat to open it.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        epoch, kind = data.get("epoch"), data.get("kind")
        if epoch is None:
            raise forms.ValidationError({"epoch": "Choose the epoch the poll belongs to."})
        if kind:
            try:
                poll_rules_for(epoch=epoch, kind=kind)
            except GovernanceError as exc:
                raise forms.ValidationError({"kind": exc.message}) from None
        return data


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = [
        "position",
        "label",
        "exchange",
        "connector",
        "chain",
        "final_rank",
        "final_score",
        "final_share",
        "passed",
        "allocation_hbot",
        "tier",
    ]
    readonly_fields = [
        "final_rank",
        "final_score",
        "final_share",
        "passed",
        "allocation_hbot",
        "tier",
    ]
    raw_id_fields = ["exchange", "connector", "chain"]

    def _is_draft(self, obj: Poll | None) -> bool:
        return obj is not None and obj.status == PollStatus.DRAFT and not obj.is_archived

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_draft(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_draft(obj)


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "epoch",
        "kind",
        "status",
        "is_archived",
        "snapshot_block",
        "starts_at",
        "ends_at",
        "voter_count",
    ]
    list_filter = ["status", "kind", "is_archived", "epoch"]
    search_fields = ["title", "reference"]
    date_hierarchy = "ends_at"
    actions = ["open_polls", "finalize_polls"]
    FROZEN = [
        "status",
        "is_archived",
        "rules",
        "rules_snapshot",
        "voting_method",
        "snapshot_block",
        "chain_id",
        "token_address",
        "opened_at",
        "closed_at",
        "finalized_at",
        "created_by",
        "voter_count",
        "total_power",
        "published_total_votes",
    ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PollAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return PollAddForm.Meta.fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        if obj.status != PollStatus.DRAFT or obj.is_archived:
            return [f.name for f in Poll._meta.fields if f.name != "description"]
        return [*self.FROZEN, "epoch", "kind", "ends_at"]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [ChoiceInline] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Drafts may go; anything that took votes or holds a result is the record.
        return obj is None or (obj.status == PollStatus.DRAFT and not obj.is_archived)

    def save_model(self, request: HttpRequest, obj: Poll, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = poll_create(
            epoch=obj.epoch,  # type: ignore[arg-type]
            kind=obj.kind,
            title=obj.title,
            reference=obj.reference,
            description=obj.description,
            starts_at=obj.starts_at,
            created_by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    @admin.action(description="Open the selected draft polls now (fixes the snapshot block)")
    def open_polls(self, request: HttpRequest, queryset: QuerySet[Poll]) -> None:
        for poll in queryset:
            try:
                poll_open(poll=poll)
            except GovernanceError as exc:
                self.message_user(request, f"{poll}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{poll} is open; snapshot block {poll.snapshot_block}.",
                    messages.SUCCESS,
                )

    @admin.action(description="Finalize the selected closed polls (freezes the result)")
    def finalize_polls(self, request: HttpRequest, queryset: QuerySet[Poll]) -> None:
        for poll in queryset:
            try:
                poll_finalize(poll=poll, actor=request.user)  # type: ignore[arg-type]
            except GovernanceError as exc:
                self.message_user(request, f"{poll}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{poll} is finalized.", messages.SUCCESS)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Signed votes are the audit record: never edited, never deleted."""

    list_display = [
        "voter",
        "poll",
        "voting_power",
        "is_current",
        "signed_timestamp",
        "received_at",
    ]
    list_filter = ["is_current", "is_contract_signature", "poll"]
    search_fields = ["voter", "digest"]
    list_select_related = ["poll"]


# --- proposals and outcomes ---------------------------------------------------------------


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "action", "proposer", "outcome", "created_at"]
    list_filter = ["proposal_type", "action", "outcome"]
    search_fields = ["title", "body", "proposer", "number"]
    raw_id_fields = ["connector", "exchange", "poll"]
    readonly_fields = [
        "proposal_type",
        "number",
        "proposer",
        "proposer_balance",
        "balance_block",
        "typed_data",
        "signature",
        "digest",
        "rules",
        "rules_snapshot",
        "poll",
        "outcome",
        "title",
        "body",
        "github_url",
        "action",
        "connector",
        "exchange",
        "hbot_allocation",
        "discussion_ends_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A proposal exists only once a holder has signed it (/proposals/new/).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InclusionDecision)
class InclusionDecisionAdmin(admin.ModelAdmin):
    list_display = ["connector", "action", "status", "poll", "proposal", "created_at", "decided_by"]
    list_filter = ["status", "action"]
    search_fields = ["connector__connector_id", "reason", "note"]
    readonly_fields = [
        "connector",
        "action",
        "status",
        "poll",
        "proposal",
        "reason",
        "created_at",
        "decided_at",
        "decided_by",
    ]
    fields = [*readonly_fields, "note"]
    actions = ["confirm", "dismiss"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Confirm: apply to the registry (at the release)")
    def confirm(self, request: HttpRequest, queryset: QuerySet[InclusionDecision]) -> None:
        decisions = queryset.select_related("connector", "poll", "proposal")
        self._decide(request, decisions, inclusion_decision_confirm, done="Applied")

    @admin.action(description="Dismiss (write the reason in the note first)")
    def dismiss(self, request: HttpRequest, queryset: QuerySet[InclusionDecision]) -> None:
        self._decide(request, queryset, inclusion_decision_dismiss, done="Dismissed")

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[InclusionDecision],
        service: Callable[..., Any],
        *,
        done: str,
    ) -> None:
        """Each decision through the service, with its staff note; one message each."""
        for decision in queryset:
            try:
                service(decision=decision, actor=request.user, note=decision.note)
            except ApplicationError as exc:
                self.message_user(request, f"{decision}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{done}: {decision}.", messages.SUCCESS)


@admin.register(PotCredit)
class PotCreditAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written once when a poll is finalized or a bounty proposal passes."""

    list_display = ["label", "amount_hbot", "exchange", "connector", "chain", "poll", "proposal"]
    list_filter = ["poll__epoch"]
    search_fields = ["label"]
    list_select_related = ["exchange", "connector", "chain", "poll", "proposal"]
