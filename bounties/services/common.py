"""Helpers shared by the bounties services."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, cast

from bounties.errors import NotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User | AnonymousUser | None"


def user_or_none(actor: Actor) -> User | None:
    """The actor as a user to record, or None for anonymous and system actions."""
    if actor is None or not actor.is_authenticated:
        return None
    return cast("User", actor)


def require_staff(actor: Actor, *, doing: str) -> None:
    """Only staff fund, assign, review, pay and close bounties."""
    if actor is None or not actor.is_authenticated or not getattr(actor, "is_staff", False):
        raise NotAllowed(f"Only Foundation staff can {doing}.")
