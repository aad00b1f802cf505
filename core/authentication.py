"""How API clients prove who they are: the site's session, or a staff member's token.

HTTP Basic is not accepted: it would take a password on every request, without CSRF and
outside the admin's login lockout. Scripts run by staff send ``Authorization: Token <key>``
with a key created in the admin (Auth Token > Tokens) or by
``manage.py drf_create_token <username>``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions


class StaffTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, for active staff accounts only: taking away a member's
    staff status also takes away their scripts' access."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if "\x00" in key:  # PostgreSQL cannot compare text holding NUL
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, token = super().authenticate_credentials(key)
        if not user.is_staff:
            raise exceptions.AuthenticationFailed("API tokens are for staff accounts only.")
        return user, token
