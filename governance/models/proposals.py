"""Proposals: a holder with enough HBOT signs one; after discussion, holders vote on it.

The vote itself is a ``Poll`` of kind ``proposal`` (For / Against / Abstain), so proposals
share signed votes, tallies, downloads and ``verify_poll`` with connector polls.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from connectors_registry.models import Connector, Exchange
from core.fields import Uint256Field
from core.models import TimestampedModel
from governance.models.chain import CHECKSUM_ADDRESS_RE
from governance.models.polls import Poll
from governance.models.rules import GovernanceRules, ProposalType


class ProposalAction(models.TextChoices):
    NONE = "none", "No registry change"
    ADD_CONNECTOR = "add_connector", "Add a connector"
    REMOVE_CONNECTOR = "remove_connector", "Remove a connector"
    FUND_BOUNTY = "fund_bounty", "Fund a bounty"


class ProposalOutcome(models.TextChoices):
    PASSED = "passed", "Passed"
    REJECTED = "rejected", "Rejected"
    NO_QUORUM = "no_quorum", "Quorum not reached"


class Proposal(TimestampedModel):
    proposal_type = models.CharField(max_length=3, choices=ProposalType.choices)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    github_url = models.URLField(blank=True, help_text="The pull request or issue, if any.")
    action = models.CharField(
        max_length=20, choices=ProposalAction.choices, default=ProposalAction.NONE
    )
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    exchange = models.ForeignKey(
        Exchange,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text="Whose pot a funded bounty is credited to.",
    )
    hbot_allocation = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Whole HBOT the proposal asks for, if any."
    )

    proposer = models.CharField(max_length=42, blank=True, help_text="EIP-55 checksummed.")
    proposer_balance = Uint256Field(null=True, blank=True, help_text="Base units.")
    balance_block = models.PositiveBigIntegerField(null=True, blank=True)
    typed_data = models.JSONField(null=True, blank=True)
    signature = models.CharField(max_length=4100, blank=True)
    digest = models.CharField(max_length=66, null=True, blank=True, unique=True)

    rules = models.ForeignKey(GovernanceRules, on_delete=models.PROTECT, related_name="proposals")
    rules_snapshot = models.JSONField(default=dict, blank=True)
    discussion_ends_at = models.DateTimeField(null=True, blank=True)
    poll = models.OneToOneField(
        Poll, null=True, blank=True, on_delete=models.PROTECT, related_name="proposal"
    )
    outcome = models.CharField(max_length=10, choices=ProposalOutcome.choices, blank=True)
    external_url = models.URLField(blank=True, help_text="Where a historical proposal lives.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal_type", "number"], name="proposal_number_unique_per_type"
            ),
            models.CheckConstraint(
                condition=Q(proposal_type__in=ProposalType.values), name="proposal_type_known"
            ),
            models.CheckConstraint(
                condition=Q(action__in=ProposalAction.values), name="proposal_action_known"
            ),
            models.CheckConstraint(
                condition=Q(proposer="") | Q(proposer__regex=CHECKSUM_ADDRESS_RE),
                name="proposal_proposer_format",
            ),
            models.CheckConstraint(
                condition=~Q(
                    action__in=[ProposalAction.ADD_CONNECTOR, ProposalAction.REMOVE_CONNECTOR]
                )
                | Q(connector__isnull=False),
                name="proposal_connector_action_names_connector",
            ),
            models.CheckConstraint(
                condition=~Q(action=ProposalAction.FUND_BOUNTY)
                | Q(hbot_allocation__gt=0, exchange__isnull=False),
                name="proposal_bounty_has_amount_and_pot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:proposal-detail", kwargs={"reference": self.reference})

    @property
    def reference(self) -> str:
        return f"{self.proposal_type}-{self.number}"
