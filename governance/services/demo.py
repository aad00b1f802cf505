"""Demo governance data for ``make run`` on the dev chain: an epoch with open connector polls
and a proposal in its vote, each with a few signed votes from the demo holders.

Only for the dev chain (its keys are public knowledge): refused on any other chain id.
Idempotent: once the demo epoch exists, nothing is added.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from eth_account import Account

from governance import eip712
from governance.chain.devchain import DEV_CHAIN_ID, DevHolder, demo_holders
from governance.models import Epoch, GovernanceRules, Poll, PollKind
from governance.services.errors import GovernanceError
from governance.services.polls import poll_create, poll_open
from governance.services.proposals import proposal_create
from governance.services.votes import vote_cast

DEMO_EPOCH = 14
DEMO_RULES = "hgp-70-2025"
# (holder name, [(choice position, weight), ...]) for the connector polls.
DEMO_BALLOTS = (
    ("alice", [(1, 3), (2, 1)]),
    ("bob", [(2, 1)]),
    ("carol", [(3, 2), (1, 1), (4, 1)]),
    ("dave", [(4, 1)]),
    ("frank", [(1, 1), (5, 1)]),
)


@dataclass
class DemoReport:
    created: bool
    polls: list[int]
    proposal: str = ""

    def summary(self) -> str:
        if not self.created:
            return "Demo governance data is already there; nothing added."
        return (
            f"Demo epoch {DEMO_EPOCH}: polls {', '.join(map(str, self.polls))} open with votes; "
            f"proposal {self.proposal} in its vote."
        )


def demo_governance_seed() -> DemoReport:
    if settings.ETH_CHAIN_ID != DEV_CHAIN_ID:
        raise GovernanceError(
            f"Demo data signs with the dev chain's public keys; ETH_CHAIN_ID is "
            f"{settings.ETH_CHAIN_ID}, not the dev chain's {DEV_CHAIN_ID}. Refusing."
        )
    if Epoch.objects.filter(number=DEMO_EPOCH).exists():
        return DemoReport(created=False, polls=[])
    rules = GovernanceRules.objects.filter(slug=DEMO_RULES).first()
    if rules is None:
        raise GovernanceError("Load the governance history first (load_governance_history).")
    holders = demo_holders()
    with transaction.atomic():
        epoch = Epoch.objects.create(
            number=DEMO_EPOCH,
            name=f"Epoch {DEMO_EPOCH} (demo on the dev chain)",
            starts_on=date(2026, 10, 1),
            ends_on=date(2026, 12, 31),
            rules=rules,
            summary="Demo data for the dev chain only: polls under the Epoch 12-13 rules so "
            "the voting can be tried. The real rules since HGP-77 have no quarterly polls.",
        )
        polls = []
        for kind in (PollKind.CLOB_DEX, PollKind.GATEWAY_DEX):
            poll = poll_create(epoch=epoch, kind=kind, reference="DEMO")
            if rules.max_choices is not None:
                poll.choices.filter(position__gt=rules.max_choices).delete()
            poll = poll_open(poll=poll)
            for name, weights in DEMO_BALLOTS:
                _vote(poll, holders[name], weights)
            polls.append(poll.pk)
    proposal = _proposal(holders["alice"])
    assert proposal.poll is not None  # noqa: S101 - proposal_create always makes its poll
    # The demo skips the two days of discussion so the vote can be tried at once.
    proposal.discussion_ends_at = timezone.now()
    proposal.save(update_fields=["discussion_ends_at"])
    poll = poll_open(poll=proposal.poll)
    for name, choice in (("bob", 1), ("carol", 1), ("dave", 2)):
        _vote(poll, holders[name], [(choice, 1)])
    return DemoReport(created=True, polls=polls, proposal=proposal.reference)


def _vote(poll: Poll, holder: DevHolder, weights: list[tuple[int, int]]) -> None:
    typed = eip712.vote_typed_data(
        poll_id=poll.pk, voter=holder.address, choices=weights, timestamp=int(time.time())
    )
    signature = Account.sign_typed_data(holder.private_key, full_message=typed).signature
    vote_cast(typed_data=typed, signature=signature.to_0x_hex(), poll_id=poll.pk)


def _proposal(holder: DevHolder) -> Any:
    message = {
        "proposalType": "HGP",
        "title": "Fund a 150,000 HBOT bounty to upgrade the Kraken connector (demo)",
        "body": "Demo proposal on the dev chain.\n\nKraken changed its WebSocket API; this "
        "bounty pays for the upgrade and its tests.",
        "githubUrl": "https://github.com/hummingbot/hummingbot/issues",
        "action": "fund_bounty",
        "connector": "",
        "exchange": "kraken",
        "hbotAllocation": 150000,
        "proposer": holder.address,
        "timestamp": int(time.time()),
    }
    typed = eip712.proposal_typed_data(message=message)
    signature = Account.sign_typed_data(holder.private_key, full_message=typed).signature
    return proposal_create(typed_data=typed, signature=signature.to_0x_hex())
