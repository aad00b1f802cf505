"""Pots (ledgers of money per poll subject), bounties, applications, events and payouts.

A pot's balance and available amount are never stored on the pot: they are sums over its
entries. Each entry also carries the running totals after it, numbered per pot and
denomination; the database refuses a negative available amount and two entries with the
same number, so even a bug that skipped the pot's row lock could not overdraw it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from bounties.fields import AmountField
from connectors_registry.models import Chain, Connector, Exchange, Maintainer
from core.models import TimestampedModel

TX_HASH_RE = r"^0x[0-9a-f]{64}$"
ADDRESS_RE = r"^0x[0-9a-f]{40}$"


class Denomination(models.TextChoices):
    HBOT = "HBOT", "HBOT"
    USDC = "USDC", "USDC"
    USDT = "USDT", "USDT"


STABLECOINS = (Denomination.USDC, Denomination.USDT)


class Pot(models.Model):
    """The money one poll subject has: an exchange, a connector (where an epoch polled
    connectors separately) or a chain (the Chain polls of Epochs 6-9)."""

    exchange = models.OneToOneField(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="pot"
    )
    connector = models.OneToOneField(
        Connector, null=True, blank=True, on_delete=models.PROTECT, related_name="pot"
    )
    chain = models.OneToOneField(
        Chain, null=True, blank=True, on_delete=models.PROTECT, related_name="pot"
    )
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(exchange__isnull=False, connector__isnull=True, chain__isnull=True)
                    | Q(exchange__isnull=True, connector__isnull=False, chain__isnull=True)
                    | Q(exchange__isnull=True, connector__isnull=True, chain__isnull=False)
                ),
                name="pot_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} pot"

    def get_absolute_url(self) -> str:
        return reverse("bounties:pot-detail", kwargs={"slug": self.slug})

    @property
    def subject_kind(self) -> str:
        if self.connector_id:
            return "connector"
        if self.chain_id:
            return "chain"
        return "exchange"


class PotEntryKind(models.TextChoices):
    ALLOCATION = "allocation", "Allocation (poll or proposal)"
    SPONSOR = "sponsor", "Sponsor funding"
    RESERVATION = "reservation", "Reservation for a bounty"
    RELEASE = "release", "Release of a reservation"
    PAYOUT = "payout", "Payout"


CREDIT_KINDS = (PotEntryKind.ALLOCATION, PotEntryKind.SPONSOR)
BOUNTY_KINDS = (PotEntryKind.RESERVATION, PotEntryKind.RELEASE, PotEntryKind.PAYOUT)


def entry_effect(kind: str, amount: Decimal) -> tuple[Decimal, Decimal]:
    """How an entry moves (balance, available).

    Credits add to both. A reservation sets money aside for a bounty (available only), a
    release gives it back, and a payout spends reserved money (balance only).
    """
    if kind in CREDIT_KINDS:
        return amount, amount
    if kind == PotEntryKind.RESERVATION:
        return Decimal(0), -amount
    if kind == PotEntryKind.RELEASE:
        return Decimal(0), amount
    if kind == PotEntryKind.PAYOUT:
        return -amount, Decimal(0)
    raise ValueError(f"unknown pot entry kind {kind!r}")


class PotEntry(models.Model):
    """One line of a pot's ledger, append-only."""

    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=PotEntryKind.choices)
    denomination = models.CharField(max_length=4, choices=Denomination.choices)
    amount = AmountField()
    sequence = models.PositiveIntegerField(
        help_text="Position in this pot's ledger of this denomination."
    )
    balance_after = AmountField()
    available_after = AmountField()
    pot_credit = models.OneToOneField(
        "governance.PotCredit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pot_entry",
    )
    bounty = models.ForeignKey(
        "bounties.Bounty",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pot_entries",
    )
    sponsor_name = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pot", "denomination", "sequence"]
        verbose_name_plural = "pot entries"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pot_entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=PotEntryKind.values), name="pot_entry_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(denomination__in=Denomination.values),
                name="pot_entry_denomination_known",
            ),
            models.CheckConstraint(
                condition=Q(available_after__gte=0), name="pot_entry_available_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=F("available_after")),
                name="pot_entry_reserved_not_negative",
            ),
            models.UniqueConstraint(
                fields=["pot", "denomination", "sequence"], name="pot_entry_sequence_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind=PotEntryKind.ALLOCATION) | Q(pot_credit__isnull=False),
                name="pot_entry_allocation_has_credit",
            ),
            models.CheckConstraint(
                condition=Q(kind=PotEntryKind.ALLOCATION) | Q(pot_credit__isnull=True),
                name="pot_entry_credit_only_for_allocation",
            ),
            models.CheckConstraint(
                condition=~Q(kind=PotEntryKind.SPONSOR) | ~Q(sponsor_name=""),
                name="pot_entry_sponsor_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=BOUNTY_KINDS) | Q(bounty__isnull=False),
                name="pot_entry_bounty_kinds_name_bounty",
            ),
            # Each bounty is reserved, released and paid out at most once.
            models.UniqueConstraint(
                fields=["bounty", "kind"],
                condition=Q(bounty__isnull=False),
                name="pot_entry_once_per_bounty_and_kind",
            ),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display()
        return f"{self.pot.name} #{self.sequence}: {kind} {self.amount} {self.denomination}"

    @property
    def effect(self) -> tuple[Decimal, Decimal]:
        return entry_effect(self.kind, self.amount)


class BountyType(models.TextChoices):
    BUG = "bug", "Bug"
    ENHANCEMENT = "enhancement", "Enhancement"
    IMPROVEMENT = "improvement", "Improvement"
    REFACTOR = "refactor", "Refactor"
    CONTENT = "content", "Content"
    NEW_CONNECTOR = "new_connector", "New connector"
    CONNECTOR_UPGRADE = "connector_upgrade", "Connector upgrade"


class Priority(models.TextChoices):
    P1 = "P1", "P1"
    P2 = "P2", "P2"
    P3 = "P3", "P3"


class FundingSource(models.TextChoices):
    POT = "pot", "Foundation (connector pot)"
    PROPOSAL = "proposal", "Governance proposal"
    SPONSOR = "sponsor", "Sponsor"


class BountyStatus(models.TextChoices):
    POTENTIAL = "potential", "Potential"
    OPEN = "open", "Open"
    ASSIGNED = "assigned", "Assigned"
    SUBMITTED = "submitted", "Submitted"
    NEEDS_WORK = "needs_work", "Needs Work"
    MERGED = "merged", "Merged"
    PAID = "paid", "Paid"
    CLOSED = "closed", "Closed"
    WONT_FIX = "wont_fix", "Won't Fix"


# Statuses a bounty can still be closed (or marked won't-fix) from.
CLOSABLE = (
    BountyStatus.POTENTIAL,
    BountyStatus.OPEN,
    BountyStatus.ASSIGNED,
    BountyStatus.SUBMITTED,
    BountyStatus.NEEDS_WORK,
)
# The developer's turn: what counts towards "one active bounty" and can go idle.
ACTIVE = (BountyStatus.ASSIGNED, BountyStatus.NEEDS_WORK)
TERMINAL = (BountyStatus.PAID, BountyStatus.CLOSED, BountyStatus.WONT_FIX)
BOARD_COLUMNS = (
    BountyStatus.POTENTIAL,
    BountyStatus.OPEN,
    BountyStatus.ASSIGNED,
    BountyStatus.SUBMITTED,
    BountyStatus.NEEDS_WORK,
    BountyStatus.MERGED,
    BountyStatus.PAID,
)


class Bounty(TimestampedModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    bounty_type = models.CharField("type", max_length=20, choices=BountyType.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.PROTECT, related_name="bounties"
    )
    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="bounties"
    )
    chain = models.ForeignKey(
        Chain, null=True, blank=True, on_delete=models.PROTECT, related_name="bounties"
    )
    subject_label = models.CharField(
        max_length=120,
        blank=True,
        help_text="What it is about when that is nothing in the registry (e.g. Docs, Multiple).",
    )
    amount = AmountField(null=True, blank=True)
    denomination = models.CharField(
        max_length=4, choices=Denomination.choices, default=Denomination.HBOT
    )
    funding_source = models.CharField(
        max_length=10, choices=FundingSource.choices, default=FundingSource.POT
    )
    proposal = models.ForeignKey(
        "governance.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bounties",
    )
    sponsor_name = models.CharField(max_length=120, blank=True)
    pot = models.ForeignKey(
        Pot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bounties",
        help_text="The pot its money is reserved in; empty until funded, or when it was funded "
        "outside this site's ledger (imported from the tracker).",
    )
    tracker_id = models.CharField(
        "bounty ID",
        max_length=60,
        blank=True,
        help_text="The tracker's Bounty ID: the GitHub issue number or a proposal (HIP-36).",
    )
    issue_url = models.URLField("issue link", max_length=300, blank=True)
    pr_url = models.URLField("PR link", max_length=300, blank=True)
    acceptance_criteria = models.TextField(blank=True)
    deadline = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        Maintainer, null=True, blank=True, on_delete=models.PROTECT, related_name="bounties"
    )
    status = models.CharField(
        max_length=12, choices=BountyStatus.choices, default=BountyStatus.POTENTIAL
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The assignee's last sign of work (assignment, "
        "progress note, PR link); the inactivity flag counts from here.",
    )
    idle_flagged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    is_imported = models.BooleanField(default=False)
    # Prepared by another part of the site (a connector regression's incident): what it
    # came from, so there is one per origin, and where to read about it.
    origin_key = models.CharField(max_length=80, blank=True)
    origin_url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "bounties"
        constraints = [
            models.UniqueConstraint(
                fields=["origin_key"], condition=~Q(origin_key=""), name="one_bounty_per_origin"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BountyStatus.values), name="bounty_status_known"
            ),
            models.CheckConstraint(
                condition=Q(bounty_type__in=BountyType.values), name="bounty_type_known"
            ),
            models.CheckConstraint(
                condition=Q(denomination__in=Denomination.values),
                name="bounty_denomination_known",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="bounty_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(funding_source=FundingSource.SPONSOR) | ~Q(sponsor_name=""),
                name="bounty_sponsor_named",
            ),
            models.CheckConstraint(
                condition=~Q(funding_source=FundingSource.PROPOSAL) | Q(proposal__isnull=False),
                name="bounty_proposal_named",
            ),
            models.CheckConstraint(
                condition=Q(pot__isnull=True) | Q(amount__gt=0),
                name="bounty_reserved_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status=BountyStatus.POTENTIAL) | Q(pot__isnull=True),
                name="bounty_potential_not_funded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=ACTIVE) | Q(is_imported=True) | Q(assignee__isnull=False),
                name="bounty_active_has_assignee",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "last_activity_at"],
                name="bounty_idle_due",
                condition=Q(status__in=ACTIVE),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("bounties:bounty-detail", kwargs={"pk": self.pk})

    @property
    def type_display(self) -> str:
        """As the tracker writes it: ``Bug: P2``, ``Improvement``."""
        label = str(self.get_bounty_type_display())
        return f"{label}: {self.priority}" if self.priority else label

    @property
    def subject_display(self) -> str:
        if self.connector_id:
            return self.connector.address if self.connector else ""
        if self.exchange_id:
            return self.exchange.name if self.exchange else ""
        if self.chain_id:
            return self.chain.name if self.chain else ""
        return self.subject_label

    @property
    def source_display(self) -> str:
        """As the tracker's Source column: Foundation, a sponsor's name, or the proposal."""
        if self.funding_source == FundingSource.SPONSOR:
            return self.sponsor_name
        if self.funding_source == FundingSource.PROPOSAL and self.proposal is not None:
            return self.proposal.reference
        return "Foundation"

    @property
    def is_idle(self) -> bool:
        return self.idle_flagged_at is not None and self.status in ACTIVE


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Not chosen"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BountyApplication(models.Model):
    """A maintainer asks to work a bounty; staff choose among applicants."""

    bounty = models.ForeignKey(Bounty, on_delete=models.CASCADE, related_name="applications")
    maintainer = models.ForeignKey(
        Maintainer, on_delete=models.CASCADE, related_name="bounty_applications"
    )
    note = models.TextField(help_text="Experience, plan and a realistic timeline.")
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bounty", "maintainer"], name="bounty_application_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="bounty_application_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.maintainer} → {self.bounty}"


class BountyEventKind(models.TextChoices):
    CREATED = "created", "Created"
    IMPORTED = "imported", "Imported from the tracker"
    EDITED = "edited", "Edited"
    FUNDED = "funded", "Funded and opened"
    APPLIED = "applied", "Applied"
    ASSIGNED = "assigned", "Assigned"
    REASSIGNED = "reassigned", "Reassigned"
    UNASSIGNED = "unassigned", "Unassigned"
    PROGRESS = "progress", "Progress note"
    SUBMITTED = "submitted", "PR submitted"
    NEEDS_WORK = "needs_work", "Needs work"
    MERGED = "merged", "Merged"
    PAID = "paid", "Paid"
    CLOSED = "closed", "Closed"
    WONT_FIX = "wont_fix", "Won't fix"
    IDLE_FLAGGED = "idle_flagged", "Flagged idle"
    PAYOUT_VERIFIED = "payout_verified", "Payout checked on-chain"
    DRAFTED = "drafted", "Drafted from a failure"
    GREEN_OVERRIDE = "green_override", "Payable before the green days"


class BountyEvent(models.Model):
    """Append-only history of a bounty: every transition, who made it and when."""

    bounty = models.ForeignKey(Bounty, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=BountyEventKind.choices)
    from_status = models.CharField(max_length=12, choices=BountyStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=BountyStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    maintainer = models.ForeignKey(
        Maintainer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The maintainer the event is about (applicant, assignee).",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.bounty_id}: {self.get_kind_display()}"


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Not checked"
    PENDING = "pending", "Not final yet"
    VERIFIED = "verified", "Verified on-chain"
    MISMATCH = "mismatch", "Does not match"
    UNSUPPORTED = "unsupported", "Cannot be checked"


class Payout(models.Model):
    """What a paid bounty paid: the fee split, the amount sent and the transaction."""

    bounty = models.OneToOneField(Bounty, on_delete=models.PROTECT, related_name="payout")
    maintainer = models.ForeignKey(Maintainer, on_delete=models.PROTECT, related_name="payouts")
    denomination = models.CharField(max_length=4, choices=Denomination.choices)
    bounty_amount = AmountField()
    fee_percent = models.DecimalField(max_digits=5, decimal_places=2)
    fee_amount = AmountField()
    developer_amount = AmountField(help_text="Bounty amount less the handling fee.")
    amount_paid = AmountField()
    tx_hash = models.CharField(max_length=66, unique=True)
    recipient_address = models.CharField(max_length=42)
    paid_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_status = models.CharField(
        max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED
    )
    verification_note = models.TextField(blank=True)
    verified_block = models.PositiveBigIntegerField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tx_hash__regex=TX_HASH_RE), name="payout_tx_hash_format"
            ),
            models.CheckConstraint(
                condition=Q(recipient_address__regex=ADDRESS_RE), name="payout_recipient_format"
            ),
            models.CheckConstraint(condition=Q(amount_paid__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("bounty_amount")), name="payout_within_bounty"
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0)
                & Q(developer_amount__gte=0)
                & Q(bounty_amount=F("fee_amount") + F("developer_amount")),
                name="payout_fee_split_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(verification_status__in=VerificationStatus.values),
                name="payout_verification_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_paid} {self.denomination} to {self.maintainer} ({self.tx_hash[:10]}…)"
