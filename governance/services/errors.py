"""Refusals of governance writes, each with a stable code and an HTTP status for the API."""

from __future__ import annotations

from core.exceptions import ApplicationError


class GovernanceError(ApplicationError):
    code = "invalid"
    http_status = 400


class VoteRejected(GovernanceError):
    """A vote was refused; ``message`` says why in words the voter can act on."""

    code = "vote_rejected"


class VoteMalformed(VoteRejected):
    code = "malformed"


class VoteWrongDomain(VoteRejected):
    code = "wrong_domain"


class VoteWrongChain(VoteRejected):
    code = "wrong_chain"


class VoteBadSignature(VoteRejected):
    code = "bad_signature"


class VotePollNotActive(VoteRejected):
    code = "poll_not_active"
    http_status = 409


class VoteUnknownChoice(VoteRejected):
    code = "unknown_choice"


class VoteZeroBalance(VoteRejected):
    code = "zero_balance"
    http_status = 403


class VoteZeroWeights(VoteRejected):
    code = "zero_weights"


class VoteStale(VoteRejected):
    code = "stale_timestamp"


class VoteFuture(VoteRejected):
    code = "future_timestamp"


class VoteReplayed(VoteRejected):
    code = "replayed"
    http_status = 409


class VotePollNotFound(VoteRejected):
    code = "poll_not_found"
    http_status = 404


class ChainUnavailable(GovernanceError):
    """The chain could not be read just now; trying again later may work."""

    code = "chain_unavailable"
    http_status = 503


class PollStateError(GovernanceError):
    code = "poll_state"
    http_status = 409


class ProposalRejected(GovernanceError):
    code = "proposal_rejected"


class ProposalBelowMinimum(ProposalRejected):
    code = "below_minimum_balance"
    http_status = 403
