"""Chain reads and wallet sign-in: cached HBOT balances, wallets, sign-in nonces."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.fields import Uint256Field

CHECKSUM_ADDRESS_RE = r"^0x[0-9a-fA-F]{40}$"
LOWER_ADDRESS_RE = r"^0x[0-9a-f]{40}$"


class BalanceSnapshot(models.Model):
    """A token balance at a block: final once read, since a mined block never changes.

    Addresses are stored lower-case so lookups do not depend on checksum casing.
    """

    chain_id = models.PositiveBigIntegerField()
    token_address = models.CharField(max_length=42)
    holder_address = models.CharField(max_length=42)
    block_number = models.PositiveBigIntegerField()
    balance = Uint256Field(help_text="Base units (wei for an 18-decimal token).")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chain_id", "token_address", "holder_address", "block_number"],
                name="balance_snapshot_unique",
            ),
            models.CheckConstraint(
                condition=Q(token_address__regex=LOWER_ADDRESS_RE)
                & Q(holder_address__regex=LOWER_ADDRESS_RE),
                name="balance_snapshot_lowercase_addresses",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_address} @ {self.block_number}: {self.balance}"


class Wallet(models.Model):
    """An Ethereum address proven by Sign-In with Ethereum, and the account it signs in to."""

    address = models.CharField(max_length=42, unique=True, help_text="EIP-55 checksummed.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet"
    )
    is_contract = models.BooleanField(
        default=False, help_text="Signed in through EIP-1271 (a contract wallet such as a Safe)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(address__regex=CHECKSUM_ADDRESS_RE), name="wallet_address_format"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class SignInNonce(models.Model):
    """A single-use EIP-4361 nonce. Used by a conditional update, so it signs in once."""

    value = models.CharField(max_length=64, unique=True)
    session_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.value
