"""Polls, their choices, and the signed votes cast on them.

A poll fixes its snapshot block when it opens; a vote is an EIP-712 message signed by the
voter and weighed by the voter's HBOT balance at that block. Every vote is kept: a newer
vote from the same address supersedes the older one while the poll is active.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from connectors_registry.models import Chain, Connector, Exchange
from core.fields import Uint256Field
from core.models import TimestampedModel
from governance.models.chain import CHECKSUM_ADDRESS_RE
from governance.models.rules import (
    POLL_UNITS,
    Epoch,
    GovernanceRules,
    PollKind,
    VotingMethod,
)


class PollStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    FINALIZED = "finalized", "Finalized"


class Poll(TimestampedModel):
    """A connector poll of an epoch, or the vote of a proposal (kind ``proposal``).

    Archived polls hold results published before this site existed: their choices carry the
    published figures and there are no signed votes to audit.
    """

    epoch = models.ForeignKey(
        Epoch, on_delete=models.PROTECT, related_name="polls", null=True, blank=True
    )
    kind = models.CharField(max_length=12, choices=PollKind.choices)
    title = models.CharField(max_length=200)
    reference = models.CharField(
        max_length=40, blank=True, help_text="The published identifier, e.g. HGP-51."
    )
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT)
    is_archived = models.BooleanField(
        default=False, help_text="A published result imported from the record; no votes here."
    )
    external_url = models.URLField(blank=True, help_text="Where the result was published.")

    rules = models.ForeignKey(
        GovernanceRules, on_delete=models.PROTECT, related_name="polls", null=True, blank=True
    )
    rules_snapshot = models.JSONField(
        default=dict, blank=True, help_text="The rules copied when the poll opened."
    )
    voting_method = models.CharField(
        max_length=10, choices=VotingMethod.choices, default=VotingMethod.WEIGHTED
    )

    starts_at = models.DateTimeField(
        null=True, blank=True, help_text="When a draft opens by itself (Celery beat)."
    )
    ends_at = models.DateTimeField(null=True, blank=True)
    snapshot_block = models.PositiveBigIntegerField(null=True, blank=True)
    chain_id = models.PositiveBigIntegerField(null=True, blank=True)
    token_address = models.CharField(max_length=42, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Frozen at finalization (or published, for archived polls).
    voter_count = models.PositiveIntegerField(null=True, blank=True)
    total_power = Uint256Field(
        null=True, blank=True, help_text="Voting power of the counted votes, base units."
    )
    published_total_votes = models.DecimalField(
        max_digits=30, decimal_places=2, null=True, blank=True, help_text="HBOT, archived polls."
    )

    class Meta:
        ordering = ["-epoch__number", "kind", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PollStatus.values), name="poll_status_known"
            ),
            models.CheckConstraint(condition=Q(kind__in=PollKind.values), name="poll_kind_known"),
            models.CheckConstraint(
                condition=Q(voting_method__in=VotingMethod.values), name="poll_method_known"
            ),
            models.CheckConstraint(
                condition=Q(is_archived=True)
                | Q(status=PollStatus.DRAFT)
                | Q(snapshot_block__isnull=False, chain_id__isnull=False, ends_at__isnull=False),
                name="poll_open_has_snapshot",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="poll_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(is_archived=False) | Q(status=PollStatus.FINALIZED),
                name="poll_archived_is_final",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "starts_at"],
                name="poll_due_to_open",
                condition=Q(status=PollStatus.DRAFT, starts_at__isnull=False),
            ),
            models.Index(
                fields=["status", "ends_at"],
                name="poll_due_to_close",
                condition=Q(status=PollStatus.ACTIVE),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}" if self.reference else self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:poll-detail", kwargs={"pk": self.pk})

    @property
    def unit(self) -> str:
        return POLL_UNITS[self.kind]

    @property
    def is_proposal_vote(self) -> bool:
        return self.kind == PollKind.PROPOSAL

    @property
    def accepts_votes(self) -> bool:
        return self.status == PollStatus.ACTIVE and not self.is_archived

    @property
    def rules_in_effect(self) -> dict[str, object]:
        """The rules the poll counts under: those it copied when it opened, else (a draft)
        those of its rules version."""
        if self.rules_snapshot:
            return dict(self.rules_snapshot)
        return self.rules.as_snapshot() if self.rules is not None else {}


class Choice(models.Model):
    """One option of a poll, numbered from 1 as signed in votes (like Snapshot's indices)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=120)
    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="poll_choices"
    )
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.PROTECT, related_name="poll_choices"
    )
    chain = models.ForeignKey(
        Chain, null=True, blank=True, on_delete=models.PROTECT, related_name="poll_choices"
    )

    # Frozen at finalization (or published, for archived polls).
    final_score = models.DecimalField(
        max_digits=40, decimal_places=18, null=True, blank=True, help_text="HBOT."
    )
    final_share = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, help_text="Percent of all votes."
    )
    final_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(
        null=True, blank=True, help_text="Met the inclusion threshold (and the choice limit)."
    )
    failure_reason = models.CharField(max_length=200, blank=True)
    allocation_hbot = models.PositiveBigIntegerField(null=True, blank=True)
    tier = models.CharField(max_length=20, blank=True)
    votes_display = models.CharField(
        max_length=20, blank=True, help_text="Votes as published, e.g. '11.1m' (archived)."
    )

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="choice_position_unique"),
            models.UniqueConstraint(fields=["poll", "label"], name="choice_label_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="choice_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"


class PollTally(models.Model):
    """Running totals of a poll's counted votes (``governance.tally.Totals`` as JSON: exact
    fractions as text), plus the ``PollTallyDelta`` rows not yet folded into them.

    Each counted vote appends its delta (its parts minus those of the vote it replaces) in
    the transaction that records it, and folds the pending deltas into this row when no
    other vote is doing so; votes never wait for each other here. The live result is this
    row plus the few pending deltas, read in one statement. ``poll_recount`` checks it
    against a recount from the signed votes; finalizing refuses a poll whose totals
    disagree. ``version`` goes up with every fold.
    """

    poll = models.OneToOneField(
        Poll, on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    totals = models.JSONField(default=dict)
    version = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Running totals of poll {self.poll_id}"


class PollTallyDelta(models.Model):
    """What one counted vote changed in its poll's totals, until it is folded into them."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="tally_deltas")
    totals = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["poll", "id"], name="tally_delta_by_poll")]

    def __str__(self) -> str:
        return f"Pending totals change of poll {self.poll_id}"


class Vote(models.Model):
    """A signed vote as received: the typed data, the signature, and the weight it carried."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="votes")
    voter = models.CharField(max_length=42, help_text="EIP-55 checksummed address.")
    weights = models.JSONField(help_text="[[choice position, weight], ...] as signed.")
    signed_timestamp = models.PositiveBigIntegerField(help_text="Unix seconds, as signed.")
    typed_data = models.JSONField(help_text="The complete EIP-712 payload that was signed.")
    signature = models.CharField(max_length=4100)
    digest = models.CharField(
        max_length=66, unique=True, help_text="EIP-712 hash: one message counts once."
    )
    is_contract_signature = models.BooleanField(default=False)
    voting_power = Uint256Field(help_text="HBOT balance at the snapshot block, base units.")
    is_current = models.BooleanField(default=True)
    received_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["poll", "-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter"],
                condition=Q(is_current=True),
                name="vote_one_current_per_voter",
            ),
            models.CheckConstraint(
                condition=Q(voter__regex=CHECKSUM_ADDRESS_RE), name="vote_voter_format"
            ),
            models.CheckConstraint(
                condition=Q(is_current=True) | Q(superseded_at__isnull=False),
                name="vote_superseded_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["poll", "voter"]),
            # The poll page's list of votes: a page of the counted ones, largest power first,
            # read from here with a limit whatever the number of votes.
            models.Index(
                fields=["poll", "-voting_power", "-id"],
                condition=Q(is_current=True),
                name="vote_counted_by_power",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter} on poll {self.poll_id}"
