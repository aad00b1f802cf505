"""What governance asks other apps, without importing them (``core.extension_points``).

``choice_facts``: facts about the connectors a poll's choices stand for, shown beside each
choice so holders vote knowing which connectors work (health: uptime, incidents; bounties:
open and paid bounties, the pot). Governance asks one question per poll, naming every
choice's subject at once, so an answer costs a fixed number of queries whatever the number
of choices. Each provider fills the fields it knows and leaves the others ``None``;
``governance.ballot`` merges the answers per choice.

``voter_profiles``: who the voters in a poll's list of votes are (a maintainer's name and
public profile), asked once per page of voters with every address on it. A voter nobody
knows is shown by address alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.extension_points import ExtensionPoint


@dataclass(frozen=True)
class ChoiceSubject:
    """What one choice stands for.

    ``connector_ids`` are its connectors: the connector itself, every connector of the
    exchange, or every connector of the exchanges settling on the chain. ``connector_id``,
    ``exchange_id`` and ``chain_id`` are what the choice names (a connector choice names its
    exchange too), for facts kept per exchange or chain (bounties about the exchange, the
    pot of the choice's subject).
    """

    connector_ids: frozenset[int]
    connector_id: int | None = None
    exchange_id: int | None = None
    chain_id: int | None = None


@dataclass(frozen=True)
class ChoiceFactsQuery:
    """Facts for ``choices`` (choice key, its position as text -> subject), as they were at
    ``as_of``: now while a poll runs, its close once it ended. ``epoch_start`` and
    ``epoch_end`` bound the poll's epoch (end exclusive), None for a poll without one."""

    choices: Mapping[str, ChoiceSubject]
    as_of: datetime
    epoch_start: datetime | None = None
    epoch_end: datetime | None = None

    @property
    def connector_ids(self) -> frozenset[int]:
        return frozenset().union(*(s.connector_ids for s in self.choices.values()))


@dataclass(frozen=True)
class ChoiceFacts:
    """Facts about one choice's connectors; None where nobody answered or there is no data
    (no health check yet: uptime and incidents are unknown, not 0). ``connectors`` is set
    by governance: how many connectors the choice stands for."""

    connectors: int | None = None
    uptime_30d: Decimal | None = None  # percent of checked slots not down, last 30 days
    uptime_90d: Decimal | None = None
    checked_connectors: int | None = None  # of the choice's connectors, those with a check
    open_incidents: int | None = None  # open at ``as_of``
    epoch_incidents: int | None = None  # open at any time during the epoch, up to ``as_of``
    open_bounties: int | None = None  # funded and not yet paid or closed (Open to Merged)
    paid_bounties: int | None = None
    pot_available_hbot: Decimal | None = None  # None: the choice's subject has no pot


choice_facts: ExtensionPoint[ChoiceFactsQuery, dict[str, ChoiceFacts]] = ExtensionPoint(
    "governance.choice_facts", "Facts about connectors shown beside a poll's choices."
)


@dataclass(frozen=True)
class VoterProfilesQuery:
    """Who the ``addresses`` (lower case) of a page of voters are, where another app knows:
    a maintainer's public profile, for instance. One question per page of voters."""

    addresses: frozenset[str]


@dataclass(frozen=True)
class VoterProfile:
    """A voter's name and the page about them."""

    name: str
    url: str


voter_profiles: ExtensionPoint[VoterProfilesQuery, dict[str, VoterProfile]] = ExtensionPoint(
    "governance.voter_profiles",
    "Names and pages of voters (lower-case address -> profile), linked from a poll's votes.",
)
