"""What finalized polls and proposals leave behind for staff and for the pot ledger.

A failing choice does not remove a connector by itself: it creates a pending removal that
staff confirm when the next release ships (docs/DOMAIN.md §3.2: results take effect in the
subsequent release). Allocations become pot credits, read by the bounties capability.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from connectors_registry.models import Chain, Connector, Exchange


class InclusionAction(models.TextChoices):
    REMOVE = "remove", "Remove from the codebase"
    ADD = "add", "Add to the codebase"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class InclusionDecision(models.Model):
    """A connector to add or remove at the next release, decided by a poll or a proposal."""

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="inclusion_decisions"
    )
    action = models.CharField(max_length=8, choices=InclusionAction.choices)
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    poll = models.ForeignKey(
        "governance.Poll",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inclusion_decisions",
    )
    proposal = models.ForeignKey(
        "governance.Proposal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inclusion_decisions",
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, help_text="Staff's note when confirming or dismissing.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(poll__isnull=False) | Q(proposal__isnull=False),
                name="decision_has_authority",
            ),
            models.UniqueConstraint(
                fields=["connector", "poll", "action"],
                condition=Q(poll__isnull=False),
                name="decision_once_per_poll",
            ),
            models.UniqueConstraint(
                fields=["connector", "proposal", "action"],
                condition=Q(proposal__isnull=False),
                name="decision_once_per_proposal",
            ),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.PENDING) | Q(decided_at__isnull=False),
                name="decision_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.connector} ({self.status})"


class PotCredit(models.Model):
    """HBOT credited to a pot by a finalized poll or a passed bounty proposal.

    Written once, in the same transaction that finalizes; the pot ledger reads these.
    """

    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="pot_credits"
    )
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.PROTECT, related_name="pot_credits"
    )
    chain = models.ForeignKey(
        Chain, null=True, blank=True, on_delete=models.PROTECT, related_name="pot_credits"
    )
    label = models.CharField(max_length=120, help_text="The choice or subject, as voted.")
    amount_hbot = models.PositiveBigIntegerField()
    poll = models.ForeignKey(
        "governance.Poll",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pot_credits",
    )
    choice = models.OneToOneField(
        "governance.Choice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pot_credit",
    )
    proposal = models.OneToOneField(
        "governance.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pot_credit",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_hbot__gt=0), name="pot_credit_positive"),
            models.CheckConstraint(
                condition=Q(choice__isnull=False, poll__isnull=False) | Q(proposal__isnull=False),
                name="pot_credit_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_hbot:,} HBOT to {self.label}"
