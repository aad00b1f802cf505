"""A signed-in wallet user's maintainer profile: display name, GitHub handle, wallet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bounties.errors import BountyError, NotAllowed
from connectors_registry.models import Maintainer
from governance.models import Wallet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@transaction.atomic
def maintainer_profile_save(
    *, user: AbstractBaseUser | AnonymousUser, display_name: str, github_handle: str
) -> Maintainer:
    """Create or update the user's Maintainer; its wallet is the one they signed in with.

    A maintainer the Foundation registered earlier with the same wallet (and no account yet)
    is linked to the user instead of duplicated.
    """
    if not user.is_authenticated:
        raise NotAllowed("Sign in with your wallet first.")
    wallet = Wallet.objects.filter(user_id=user.pk).first()
    if wallet is None:
        raise NotAllowed("Sign in with your wallet to create a maintainer profile.")
    address = wallet.address.lower()
    maintainer = Maintainer.objects.select_for_update().filter(user_id=user.pk).first()
    if maintainer is None:
        maintainer = (
            Maintainer.objects.select_for_update()
            .filter(wallet_address=address, user__isnull=True)
            .first()
        ) or Maintainer()
    if maintainer.user_id is None and maintainer.pk is None:
        taken = Maintainer.objects.filter(wallet_address=address).exclude(user_id=user.pk)
        if taken.exists():
            raise BountyError(f"Wallet {wallet.address} belongs to another maintainer.")
    handle = github_handle.strip().removeprefix("@")
    if (
        handle
        and Maintainer.objects.filter(github_handle__iexact=handle)
        .exclude(pk=maintainer.pk)
        .exists()
    ):
        raise BountyError(f"The GitHub handle @{handle} is already linked to another maintainer.")
    maintainer.user_id = user.pk
    maintainer.display_name = display_name.strip()
    maintainer.github_handle = handle
    maintainer.wallet_address = address
    if not maintainer.display_name:
        raise BountyError("Enter the name to show on your profile.")
    if len(maintainer.display_name) > 100:
        raise BountyError("A display name has at most 100 characters.")
    try:
        maintainer.full_clean(validate_constraints=False)
    except ValidationError as exc:
        messages = [
            f"{'GitHub handle' if field == 'github_handle' else field.replace('_', ' ')}: {m}"
            for field, errors in exc.message_dict.items()
            for m in errors
        ]
        raise BountyError(" ".join(messages)) from None
    try:
        with transaction.atomic():
            maintainer.save()
    except IntegrityError:
        raise BountyError("Another maintainer already uses this GitHub handle or wallet.") from None
    return maintainer
