"""Refusals of pot and bounty writes, each with a stable code and an HTTP status.

Services raise them before writing anything (or inside the transaction that then rolls back),
so a refused request changes nothing; views and API views show ``message`` to the user.
"""

from __future__ import annotations

from core.exceptions import ApplicationError


class BountyError(ApplicationError):
    code = "invalid"
    http_status = 400


class NotAllowed(BountyError):
    """The actor's role may not make this change."""

    code = "not_allowed"
    http_status = 403


class TransitionConflict(BountyError):
    """The bounty is not (or no longer) in a status this change starts from."""

    code = "status_conflict"
    http_status = 409


class InsufficientFunds(BountyError):
    code = "insufficient_funds"
    http_status = 409


class OneActiveBounty(BountyError):
    code = "one_active_bounty"
    http_status = 409


class AlreadyApplied(BountyError):
    code = "already_applied"
    http_status = 409


class NoMaintainerProfile(BountyError):
    code = "no_maintainer_profile"
    http_status = 403


class PayoutCheckUnavailable(BountyError):
    """The chain could not be asked just now; trying again later may work."""

    code = "chain_unavailable"
    http_status = 503


class CsvImportError(BountyError):
    """A tracker file has bad rows; ``errors`` lists each, by row number."""

    code = "csv_invalid"

    def __init__(self, message: str, *, errors: list[str]) -> None:
        super().__init__(message, extra={"rows": errors})
        self.errors = errors


class PayoutNotDue(BountyError):
    """The connector has not been operational long enough since the merge."""

    code = "payout_not_due"
    http_status = 409
