"""Reads of the governance app."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from governance.chain.balances import BalanceReader
from governance.chain.errors import ChainError
from governance.models import Wallet
from governance.services.balances import balance_get


@dataclass(frozen=True)
class VotingPower:
    wallet: Wallet | None
    block: int | None = None
    balance: int | None = None
    chain_id: int | None = None
    token_address: str = ""
    error: str = ""


def voting_power_for_user(
    *, user: AbstractBaseUser | AnonymousUser, reader: BalanceReader | None = None
) -> VotingPower:
    """The user's HBOT balance at the latest final block, or why it cannot be read now."""
    wallet = Wallet.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    if wallet is None:
        return VotingPower(wallet=None)
    reader = reader or BalanceReader.from_settings()
    try:
        reader.check_chain()
        block = reader.latest_final_block()
        balance = balance_get(address=wallet.address, block=block, reader=reader)
    except ChainError as exc:
        return VotingPower(wallet=wallet, token_address=reader.token_address, error=str(exc))
    return VotingPower(
        wallet=wallet,
        block=block,
        balance=balance,
        chain_id=reader.chain_id,
        token_address=reader.token_address,
    )
