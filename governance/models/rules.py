"""Versioned governance rules and the epochs they governed.

The rules changed many times (docs/DOMAIN.md §2-4): each version is a row, and every poll or
proposal copies the version in force when it opens, so a finalized result can always be
recomputed and never changes when the rules change later.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.models import TimestampedModel
from core.text import is_ascii_digits


class PollKind(models.TextChoices):
    """What a connector poll ranks. The set changed with the epochs (docs/DOMAIN.md §1.3)."""

    CEX = "cex", "CEX connectors"
    DEX = "dex", "DEX connectors"
    CHAIN = "chain", "Chain connectors"
    CLOB_SPOT = "clob_spot", "CLOB Spot connectors"
    CLOB_PERP = "clob_perp", "CLOB Perp connectors"
    AMM = "amm", "AMM connectors"
    CLOB_CEX = "clob_cex", "CLOB CEX connectors"
    CLOB_DEX = "clob_dex", "CLOB DEX connectors"
    GATEWAY_DEX = "gateway_dex", "Gateway DEX connectors"
    PROPOSAL = "proposal", "Proposal vote"


class PollUnit(models.TextChoices):
    """What one choice of a poll stands for, and so whose pot an allocation credits."""

    EXCHANGE = "exchange", "Exchange"
    CONNECTOR = "connector", "Connector"
    CHAIN = "chain", "Chain"
    OPTION = "option", "Option"


# Epochs 10-11 polled spot and perpetual connectors separately; every other era polled
# exchanges (spot and perp together) or chains.
POLL_UNITS: dict[str, str] = {
    PollKind.CEX: PollUnit.EXCHANGE,
    PollKind.DEX: PollUnit.EXCHANGE,
    PollKind.CHAIN: PollUnit.CHAIN,
    PollKind.CLOB_SPOT: PollUnit.CONNECTOR,
    PollKind.CLOB_PERP: PollUnit.CONNECTOR,
    PollKind.AMM: PollUnit.EXCHANGE,
    PollKind.CLOB_CEX: PollUnit.EXCHANGE,
    PollKind.CLOB_DEX: PollUnit.EXCHANGE,
    PollKind.GATEWAY_DEX: PollUnit.EXCHANGE,
    PollKind.PROPOSAL: PollUnit.OPTION,
}


class VotingMethod(models.TextChoices):
    WEIGHTED = "weighted", "Weighted"
    QUADRATIC = "quadratic", "Quadratic"
    BASIC = "basic", "For / Against / Abstain"


class AllocationRule(models.TextChoices):
    NONE = "none", "No pot allocation"
    FIXED_TIERS = "fixed_tiers", "Fixed tier amounts by rank"
    PRO_RATA_TOP_N = "pro_rata_top_n", "Pro-rata among the top N, capped"
    PRO_RATA_INCLUDED = "pro_rata_included", "Pro-rata among all included choices"


class ProposalType(models.TextChoices):
    HGP = "HGP", "Governance Proposal"
    PRP = "PRP", "Pull Request Proposal"
    NCP = "NCP", "New Connector Proposal"
    HIP = "HIP", "Improvement Proposal"


# The terms a rule set publishes (what a history entry may set and the API shows), beside its
# name, reference, source and notes.
RULE_TERMS = (
    "poll_kinds",
    "voting_method",
    "poll_duration_days",
    "inclusion_threshold_hbot",
    "threshold_inclusive",
    "allocation_rule",
    "pool_per_poll_hbot",
    "top_n",
    "cap_per_choice_hbot",
    "tier_amounts_hbot",
    "tier_names",
    "tier_name_rest",
    "max_choices",
    "choice_limit_removals",
    "poll_quorum_hbot",
)
# The terms of one proposal type under a rule set.
PROPOSAL_RULE_TERMS = (
    "min_balance_hbot",
    "quorum_hbot",
    "quorum_note",
    "approval_percent",
    "discussion_days",
    "vote_days",
)


class GovernanceRules(TimestampedModel):
    """One version of the rules, in force from ``effective_from`` until the next version."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=160)
    reference = models.CharField(
        max_length=40, blank=True, help_text="The proposal that set these rules, e.g. HGP-50."
    )
    source_url = models.URLField(blank=True)
    effective_from = models.DateField(unique=True)
    notes = models.TextField(
        blank=True, help_text="Choices made where the sources are uncertain, and why."
    )

    poll_kinds = models.JSONField(
        default=list, blank=True, help_text='Connector polls each epoch, e.g. ["cex", "dex"].'
    )
    voting_method = models.CharField(
        max_length=10, choices=VotingMethod.choices, default=VotingMethod.WEIGHTED
    )
    poll_duration_days = models.PositiveSmallIntegerField(default=14)
    inclusion_threshold_hbot = models.PositiveBigIntegerField(
        default=0, help_text="Votes a choice needs to stay in the codebase (whole HBOT)."
    )
    threshold_inclusive = models.BooleanField(
        default=True,
        help_text="A choice with exactly the threshold passes ('at least N HBOT').",
    )
    allocation_rule = models.CharField(
        max_length=20, choices=AllocationRule.choices, default=AllocationRule.NONE
    )
    pool_per_poll_hbot = models.PositiveBigIntegerField(default=0)
    top_n = models.PositiveSmallIntegerField(null=True, blank=True)
    cap_per_choice_hbot = models.PositiveBigIntegerField(null=True, blank=True)
    tier_amounts_hbot = models.JSONField(
        default=list, blank=True, help_text="Fixed amounts by rank, e.g. [400000, 100000]."
    )
    tier_names = models.JSONField(
        default=list,
        blank=True,
        help_text='Tier label by rank, e.g. ["gold", "silver", "silver", "silver"]; '
        "included choices ranked past the list get ``tier_name_rest``.",
    )
    tier_name_rest = models.CharField(max_length=20, blank=True)
    max_choices = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=None,
        validators=[MinValueValidator(2), MaxValueValidator(200)],
        help_text="Most choices a poll may have when it opens; empty when the sources give "
        "no limit for the era (Epoch 12-13: Snapshot's 20).",
    )
    choice_limit_removals = models.JSONField(
        default=dict,
        blank=True,
        help_text="Lowest-ranked choices removed by the number of choices, e.g. "
        '{"20": 2, "19": 1} (Epoch 12).',
    )
    poll_quorum_hbot = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Shown against a poll's turnout; it decides nothing."
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "governance rules"
        verbose_name_plural = "governance rules"
        constraints = [
            models.CheckConstraint(
                condition=Q(voting_method__in=VotingMethod.values), name="rules_method_known"
            ),
            models.CheckConstraint(
                condition=Q(allocation_rule__in=AllocationRule.values),
                name="rules_allocation_known",
            ),
            models.CheckConstraint(
                condition=~Q(allocation_rule=AllocationRule.PRO_RATA_TOP_N)
                | Q(top_n__gte=1, pool_per_poll_hbot__gt=0),
                name="rules_top_n_needs_n_and_pool",
            ),
            models.CheckConstraint(
                condition=~Q(allocation_rule=AllocationRule.PRO_RATA_INCLUDED)
                | Q(pool_per_poll_hbot__gt=0),
                name="rules_pro_rata_needs_pool",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:rules-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        unknown = [k for k in self.poll_kinds or [] if k not in PollKind.values]
        if unknown or PollKind.PROPOSAL in (self.poll_kinds or []):
            names = ", ".join(map(str, unknown or [PollKind.PROPOSAL]))
            errors["poll_kinds"] = f"Not a connector poll kind: {names}."
        amounts = self.tier_amounts_hbot or []
        if not all(isinstance(a, int) and a >= 0 for a in amounts):
            errors["tier_amounts_hbot"] = "Tier amounts are whole HBOT, e.g. [400000, 100000]."
        elif self.allocation_rule == AllocationRule.FIXED_TIERS and not amounts:
            errors["tier_amounts_hbot"] = "Fixed tiers need at least one amount."
        removals = self.choice_limit_removals or {}
        if not isinstance(removals, dict) or not all(
            is_ascii_digits(str(k)) and isinstance(v, int) and v >= 0 for k, v in removals.items()
        ):
            errors["choice_limit_removals"] = 'Map choice counts to removals, e.g. {"20": 2}.'
        if errors:
            raise ValidationError(errors)

    def tier_name(self, rank: int) -> str:
        """The tier label of an included choice at ``rank`` (1-based), or blank."""
        names = self.tier_names or []
        if rank <= len(names):
            return str(names[rank - 1])
        return self.tier_name_rest

    def as_snapshot(self) -> dict[str, object]:
        """The parameters a poll copies when it opens (JSON-serialisable)."""
        return {
            "rules": self.slug,
            "name": self.name,
            "reference": self.reference,
            "voting_method": self.voting_method,
            "poll_duration_days": self.poll_duration_days,
            "inclusion_threshold_hbot": self.inclusion_threshold_hbot,
            "threshold_inclusive": self.threshold_inclusive,
            "allocation_rule": self.allocation_rule,
            "pool_per_poll_hbot": self.pool_per_poll_hbot,
            "top_n": self.top_n,
            "cap_per_choice_hbot": self.cap_per_choice_hbot,
            "tier_amounts_hbot": list(self.tier_amounts_hbot or []),
            "tier_names": list(self.tier_names or []),
            "tier_name_rest": self.tier_name_rest,
            "max_choices": self.max_choices,
            "choice_limit_removals": dict(self.choice_limit_removals or {}),
            "poll_quorum_hbot": self.poll_quorum_hbot,
        }


class ProposalRule(models.Model):
    """What one proposal type needs under one version of the rules."""

    rules = models.ForeignKey(
        GovernanceRules, on_delete=models.CASCADE, related_name="proposal_rules"
    )
    proposal_type = models.CharField(max_length=3, choices=ProposalType.choices)
    min_balance_hbot = models.PositiveBigIntegerField(
        help_text="HBOT the proposer must hold at the latest finalized block."
    )
    quorum_hbot = models.PositiveBigIntegerField(
        help_text="For + Against + Abstain votes needed for the result to count (whole HBOT)."
    )
    quorum_note = models.CharField(
        max_length=120,
        blank=True,
        help_text="How the quorum was stated, e.g. '10% of circulating supply (27.2M)'.",
    )
    approval_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="For must exceed this share of For + Against.",
    )
    discussion_days = models.PositiveSmallIntegerField(default=0)
    vote_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        ordering = ["rules", "proposal_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["rules", "proposal_type"], name="proposal_rule_unique_per_version"
            ),
            models.CheckConstraint(
                condition=Q(proposal_type__in=ProposalType.values),
                name="proposal_rule_type_known",
            ),
            models.CheckConstraint(
                condition=Q(vote_days__gte=1), name="proposal_rule_vote_at_least_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_type} under {self.rules.slug}"

    def as_snapshot(self) -> dict[str, object]:
        return {
            "rules": self.rules.slug,
            "proposal_type": self.proposal_type,
            "min_balance_hbot": self.min_balance_hbot,
            "quorum_hbot": self.quorum_hbot,
            "quorum_note": self.quorum_note,
            "approval_percent": str(self.approval_percent),
            "discussion_days": self.discussion_days,
            "vote_days": self.vote_days,
        }


class Epoch(TimestampedModel):
    """A governance period: quarterly from Epoch 3, five months before."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=80)
    starts_on = models.DateField()
    ends_on = models.DateField()
    rules = models.ForeignKey(
        GovernanceRules, on_delete=models.PROTECT, related_name="epochs", null=True, blank=True
    )
    summary = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="epoch_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:epoch-detail", kwargs={"number": self.number})
