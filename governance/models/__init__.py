"""Governance models: chain reads and sign-in, rules and epochs, polls and votes, proposals.

Split by subject; everything is importable from ``governance.models``.
"""

from governance.models.chain import (
    CHECKSUM_ADDRESS_RE,
    LOWER_ADDRESS_RE,
    BalanceSnapshot,
    SignInNonce,
    Wallet,
)
from governance.models.outcomes import (
    DecisionStatus,
    InclusionAction,
    InclusionDecision,
    PotCredit,
)
from governance.models.polls import Choice, Poll, PollStatus, PollTally, PollTallyDelta, Vote
from governance.models.proposals import Proposal, ProposalAction, ProposalOutcome
from governance.models.rules import (
    AllocationRule,
    Epoch,
    GovernanceRules,
    PollKind,
    PollUnit,
    ProposalRule,
    ProposalType,
    VotingMethod,
)

__all__ = [
    "CHECKSUM_ADDRESS_RE",
    "LOWER_ADDRESS_RE",
    "AllocationRule",
    "BalanceSnapshot",
    "Choice",
    "DecisionStatus",
    "Epoch",
    "GovernanceRules",
    "InclusionAction",
    "InclusionDecision",
    "Poll",
    "PollKind",
    "PollStatus",
    "PollTally",
    "PollTallyDelta",
    "PollUnit",
    "PotCredit",
    "Proposal",
    "ProposalAction",
    "ProposalOutcome",
    "ProposalRule",
    "ProposalType",
    "SignInNonce",
    "Vote",
    "VotingMethod",
    "Wallet",
]
