"""The connector registry: exchanges, their Hummingbot connectors, and who maintains them.

A connector id is unique per namespace, not globally: Hummingbot's client connectors
(``hummingbot/connector/...``) and Gateway's DEX connectors (addressed as ``uniswap/clmm``)
live side by side, and ``okx`` names one of each.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.models import TimestampedModel
from core.outbound import validate_outbound_http_url

CONNECTOR_ID_RE = r"^[a-z0-9][a-z0-9_]*$"
WALLET_ADDRESS_RE = r"^0x[0-9a-f]{40}$"
GITHUB_HANDLE_RE = r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"

connector_id_validator = RegexValidator(
    CONNECTOR_ID_RE, "Use lower-case letters, digits and underscores, e.g. binance_perpetual."
)
wallet_address_validator = RegexValidator(
    r"^0x[0-9a-fA-F]{40}$", "Enter an Ethereum address: 0x followed by 40 hex digits."
)
github_handle_validator = RegexValidator(
    GITHUB_HANDLE_RE,
    "Enter a GitHub handle: letters, digits and single hyphens, at most 39 characters.",
)


class ExchangeKind(models.TextChoices):
    CEX = "cex", "CEX"
    DEX = "dex", "DEX"


class ConnectorType(models.TextChoices):
    CLOB_CEX = "clob_cex", "CLOB CEX"
    CLOB_DEX = "clob_dex", "CLOB DEX"
    AMM_DEX = "amm_dex", "AMM DEX"


class Namespace(models.TextChoices):
    CLIENT = "client", "Hummingbot client"
    GATEWAY = "gateway", "Gateway"


class SubType(models.TextChoices):
    SPOT = "spot", "Spot"
    PERPETUAL = "perpetual", "Perpetual"
    ROUTER = "router", "Router"
    AMM = "amm", "AMM"
    CLMM = "clmm", "CLMM"


CLIENT_SUB_TYPES = (SubType.SPOT, SubType.PERPETUAL)
GATEWAY_SUB_TYPES = (SubType.ROUTER, SubType.AMM, SubType.CLMM)


class InclusionStatus(models.TextChoices):
    IN_CODEBASE = "in_codebase", "In codebase"
    LEGACY = "legacy", "Legacy"
    PROPOSED = "proposed", "Proposed"
    REMOVED = "removed", "Removed"


class StatusChangeSource(models.TextChoices):
    IMPORT = "import", "Catalogue import"
    POLL = "poll", "Poll result"
    PROPOSAL = "proposal", "Proposal"
    STAFF = "staff", "Staff action"


class Chain(TimestampedModel):
    """A blockchain an exchange settles on (Ethereum, Solana, ...)."""

    name = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Exchange(TimestampedModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=8, choices=ExchangeKind.choices)
    website = models.URLField(blank=True)
    docs_url = models.URLField("Hummingbot docs", blank=True)
    chains = models.ManyToManyField(Chain, blank=True, related_name="exchanges")
    is_sponsor = models.BooleanField(
        "sponsor", default=False, help_text="Exchange sponsor / Foundation partner."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExchangeKind.values), name="exchange_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("connectors:exchange-detail", kwargs={"slug": self.slug})


class Maintainer(TimestampedModel):
    """A developer or organisation that keeps connectors working."""

    display_name = models.CharField(max_length=100)
    github_handle = models.CharField(
        max_length=39, blank=True, validators=[github_handle_validator]
    )
    wallet_address = models.CharField(
        max_length=42,
        blank=True,
        validators=[wallet_address_validator],
        help_text="Ethereum address, stored lower-case.",
    )
    alert_webhook_url = models.URLField(
        blank=True,
        validators=[validate_outbound_http_url],
        help_text="Discord- or Slack-compatible webhook for health alerts: a public "
        "http(s) address (checked again before each alert).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="maintainer",
    )

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["github_handle"],
                condition=~Q(github_handle=""),
                name="maintainer_github_handle_unique",
            ),
            models.UniqueConstraint(
                fields=["wallet_address"],
                condition=~Q(wallet_address=""),
                name="maintainer_wallet_unique",
            ),
            models.CheckConstraint(
                condition=Q(wallet_address="") | Q(wallet_address__regex=WALLET_ADDRESS_RE),
                name="maintainer_wallet_format",
            ),
            models.CheckConstraint(
                condition=Q(github_handle="") | Q(github_handle__regex=GITHUB_HANDLE_RE),
                name="maintainer_github_handle_format",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        self.wallet_address = self.wallet_address.strip().lower()
        self.github_handle = self.github_handle.strip().removeprefix("@")

    @property
    def github_url(self) -> str:
        return f"https://github.com/{self.github_handle}" if self.github_handle else ""


class ConnectorQuerySet(models.QuerySet["Connector"]):
    def in_codebase(self) -> ConnectorQuerySet:
        return self.filter(status=InclusionStatus.IN_CODEBASE)


class Connector(TimestampedModel):
    """One Hummingbot connector: ``binance_perpetual``, or Gateway's ``uniswap/clmm``."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="connectors")
    namespace = models.CharField(max_length=8, choices=Namespace.choices)
    connector_id = models.CharField(max_length=64, validators=[connector_id_validator])
    connector_type = models.CharField("type", max_length=8, choices=ConnectorType.choices)
    sub_type = models.CharField(max_length=10, choices=SubType.choices)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="binance_perpetual, or uniswap-clmm for Gateway."
    )
    code_path = models.CharField(
        max_length=200, blank=True, help_text="Folder in the Hummingbot (or Gateway) repository."
    )
    status = models.CharField(
        max_length=16, choices=InclusionStatus.choices, default=InclusionStatus.IN_CODEBASE
    )
    maintainer = models.ForeignKey(
        Maintainer, null=True, blank=True, on_delete=models.SET_NULL, related_name="connectors"
    )
    docs_url = models.URLField(
        "docs link", blank=True, help_text="Leave blank to use the exchange's docs page."
    )
    added_on = models.DateField(null=True, blank=True, help_text="First release that had it.")
    removed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = ConnectorQuerySet.as_manager()

    class Meta:
        ordering = ["exchange__name", "connector_id", "sub_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "connector_id", "sub_type"],
                name="connector_unique_per_namespace",
            ),
            models.UniqueConstraint(
                fields=["connector_id"],
                condition=Q(namespace=Namespace.CLIENT),
                name="client_connector_id_unique",
            ),
            models.CheckConstraint(
                condition=(
                    Q(namespace=Namespace.CLIENT, sub_type__in=CLIENT_SUB_TYPES)
                    | Q(namespace=Namespace.GATEWAY, sub_type__in=GATEWAY_SUB_TYPES)
                ),
                name="connector_sub_type_fits_namespace",
            ),
            models.CheckConstraint(
                condition=Q(connector_type__in=ConnectorType.values),
                name="connector_type_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InclusionStatus.values), name="connector_status_known"
            ),
            models.CheckConstraint(
                condition=Q(connector_id__regex=CONNECTOR_ID_RE), name="connector_id_format"
            ),
        ]
        indexes = [models.Index(fields=["connector_type", "sub_type", "status"])]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("connectors:connector-detail", kwargs={"slug": self.slug})

    @property
    def address(self) -> str:
        """How Hummingbot names it: ``binance_perpetual`` or ``uniswap/clmm``."""
        if self.namespace == Namespace.GATEWAY:
            return f"{self.connector_id}/{self.sub_type}"
        return self.connector_id

    @property
    def effective_docs_url(self) -> str:
        return self.docs_url or self.exchange.docs_url

    @property
    def code_url(self) -> str:
        if not self.code_path:
            return ""
        repo = (
            settings.GATEWAY_REPO_URL
            if self.namespace == Namespace.GATEWAY
            else settings.HUMMINGBOT_REPO_URL
        )
        return f"{repo}/tree/HEAD/{self.code_path}"


class ConnectorStatusChange(models.Model):
    """Append-only log: every change of a connector's inclusion status, who, why, when."""

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=InclusionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=InclusionStatus.choices)
    source = models.CharField(max_length=10, choices=StatusChangeSource.choices)
    reason = models.TextField()
    reference = models.CharField(
        max_length=200, blank=True, help_text="Poll, proposal or pull request that decided it."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.connector}: {self.from_status or '-'} → {self.to_status}"
