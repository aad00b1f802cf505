"""Which registry entries a connector poll of each kind offers as choices by default.

The eligible choices are the connectors in the codebase of the poll's kind (docs/DOMAIN.md §3.2),
grouped by what the poll ranks: exchanges (most eras), single connectors (Epochs 10-11 polled
spot and perpetual separately) or chains (the Chain polls of Epochs 6-9).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower

from connectors_registry.models import (
    Chain,
    Connector,
    ConnectorType,
    Exchange,
    InclusionStatus,
    SubType,
)
from governance.models.rules import POLL_UNITS, PollKind, PollUnit

CLOB = [ConnectorType.CLOB_CEX, ConnectorType.CLOB_DEX]
KIND_CONNECTORS: dict[str, Q] = {
    PollKind.CEX: Q(connector_type=ConnectorType.CLOB_CEX),
    PollKind.DEX: Q(connector_type__in=[ConnectorType.CLOB_DEX, ConnectorType.AMM_DEX]),
    PollKind.CHAIN: Q(connector_type=ConnectorType.AMM_DEX),
    PollKind.CLOB_SPOT: Q(connector_type__in=CLOB, sub_type=SubType.SPOT),
    PollKind.CLOB_PERP: Q(connector_type__in=CLOB, sub_type=SubType.PERPETUAL),
    PollKind.AMM: Q(connector_type=ConnectorType.AMM_DEX),
    PollKind.CLOB_CEX: Q(connector_type=ConnectorType.CLOB_CEX),
    PollKind.CLOB_DEX: Q(connector_type=ConnectorType.CLOB_DEX),
    PollKind.GATEWAY_DEX: Q(connector_type=ConnectorType.AMM_DEX),
}


@dataclass(frozen=True)
class ChoiceSpec:
    label: str
    exchange: Exchange | None = None
    connector: Connector | None = None
    chain: Chain | None = None


def default_choices(*, kind: str) -> list[ChoiceSpec]:
    """The registry's eligible choices for a poll of ``kind``, in alphabetical order."""
    if kind not in KIND_CONNECTORS:
        return []
    connectors = Connector.objects.in_codebase().filter(KIND_CONNECTORS[kind])
    unit = POLL_UNITS[kind]
    if unit == PollUnit.CONNECTOR:
        return [
            ChoiceSpec(label=connector_label(c), exchange=c.exchange, connector=c)
            for c in connectors.select_related("exchange").order_by(
                Lower("exchange__name"), "sub_type"
            )
        ]
    if unit == PollUnit.CHAIN:
        chains = Chain.objects.filter(exchanges__connectors__in=connectors).distinct()
        return [ChoiceSpec(label=c.name, chain=c) for c in chains.order_by(Lower("name"))]
    exchanges = (
        Exchange.objects.filter(connectors__in=connectors).distinct().order_by(Lower("name"))
    )
    return [ChoiceSpec(label=exchange.name, exchange=exchange) for exchange in exchanges]


def connector_label(connector: Connector) -> str:
    if connector.sub_type == SubType.PERPETUAL:
        return f"{connector.exchange.name} Perpetual"
    return connector.exchange.name


def connectors_decided_by(
    *, kind: str, exchange: Exchange | None, connector: Connector | None
) -> list[Connector]:
    """The in-codebase connectors a failing choice removes: the connector itself, or the
    exchange's connectors of the poll's kind (spot and perp together, docs/DOMAIN.md §3.4)."""
    if connector is not None:
        return [connector] if connector.status == InclusionStatus.IN_CODEBASE else []
    if exchange is None or kind not in KIND_CONNECTORS:
        return []
    return list(Connector.objects.in_codebase().filter(KIND_CONNECTORS[kind], exchange=exchange))
