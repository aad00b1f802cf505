"""Reading the connector catalogue CSV into validated rows, before anything is written.

The file has one row per exchange, as in Hummingbot's README:
``exchange,type,subtypes,connector_ids,sponsor,docs_url`` and, optionally, ``website`` and
``chains`` (``;``-separated). Client connector ids map to one sub-type each (``*_perpetual`` is
Perpetual, the rest Spot); a Gateway connector id gets one connector per listed sub-type,
since Gateway addresses them as ``uniswap/clmm``, ``uniswap/amm``, ...
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from connectors_registry.models import (
    CONNECTOR_ID_RE,
    ConnectorType,
    ExchangeKind,
    Namespace,
    SubType,
)

REQUIRED_COLUMNS = ("exchange", "type", "subtypes", "connector_ids", "sponsor", "docs_url")
OPTIONAL_COLUMNS = ("website", "chains")
MAX_ROWS = 5000

TYPE_BY_LABEL = {label.upper(): ConnectorType(value) for value, label in ConnectorType.choices}
SUB_TYPE_BY_LABEL = {label.upper(): SubType(value) for value, label in SubType.choices}
BOOL_BY_LABEL = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


@dataclass(frozen=True)
class ConnectorRow:
    namespace: Namespace
    connector_id: str
    connector_type: ConnectorType
    sub_type: SubType
    slug: str
    code_path: str


@dataclass(frozen=True)
class ExchangeRow:
    line: int
    name: str
    slug: str
    kind: ExchangeKind
    is_sponsor: bool
    docs_url: str
    website: str | None
    chains: tuple[str, ...] | None
    connectors: tuple[ConnectorRow, ...]


@dataclass
class CatalogueError(Exception):
    """The file cannot be imported. ``problems`` lists each bad row with its line number."""

    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "The catalogue was not imported:\n" + "\n".join(f"  {p}" for p in self.problems)


def connector_slug(*, namespace: Namespace, connector_id: str, sub_type: SubType) -> str:
    if namespace == Namespace.GATEWAY:
        return f"{connector_id}-{sub_type}"
    return connector_id


def connector_code_path(*, namespace: Namespace, connector_id: str, sub_type: SubType) -> str:
    if namespace == Namespace.GATEWAY:
        return f"src/connectors/{connector_id}"
    folder = "derivative" if sub_type == SubType.PERPETUAL else "exchange"
    return f"hummingbot/connector/{folder}/{connector_id}"


def catalogue_parse(text: str) -> list[ExchangeRow]:
    """Parse and validate the whole file; raise ``CatalogueError`` naming every bad row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        expected = ",".join(REQUIRED_COLUMNS)
        problem = f"line 1: missing column(s) {', '.join(missing)}; expected {expected}"
        raise CatalogueError([problem])
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise CatalogueError([f"line 1: unknown column(s) {', '.join(unknown)}"])

    problems: list[str] = []
    rows: list[ExchangeRow] = []
    for index, raw in enumerate(reader):
        line = index + 2
        if index >= MAX_ROWS:
            raise CatalogueError([f"line {line}: more than {MAX_ROWS} rows; split the file"])
        if None in raw:
            problems.append(f"line {line}: more fields than columns (an unquoted comma?)")
            continue
        values = {k.strip(): (v or "").strip() for k, v in raw.items()}
        if not any(values.values()):
            continue
        try:
            rows.append(_parse_row(line, values))
        except ValueError as exc:
            label = values.get("exchange") or "?"
            problems.append(f"line {line} ({label}): {exc}")
    problems.extend(_cross_row_problems(rows))
    if problems:
        raise CatalogueError(problems)
    if not rows:
        raise CatalogueError(["the file has no rows"])
    return rows


def _parse_row(line: int, values: dict[str, str]) -> ExchangeRow:
    name = values["exchange"]
    if not name:
        raise ValueError("exchange name is empty")
    if len(name) > 100:
        raise ValueError("exchange name is longer than 100 characters")
    slug = slugify(name)
    if not slug:
        raise ValueError(f"exchange name {name!r} gives an empty slug")

    connector_type = TYPE_BY_LABEL.get(values["type"].upper())
    if connector_type is None:
        raise ValueError(f"type {values['type']!r} is not one of {', '.join(ConnectorType.labels)}")
    sub_types = _parse_sub_types(values["subtypes"])
    sponsor = BOOL_BY_LABEL.get(values["sponsor"].lower())
    if sponsor is None:
        raise ValueError(f"sponsor {values['sponsor']!r} is not yes or no")
    docs_url = _parse_url(values["docs_url"], "docs_url", required=True)
    website = (
        _parse_url(values["website"], "website", required=False) if "website" in values else None
    )
    chains = _parse_chains(values["chains"]) if "chains" in values else None
    ids = values["connector_ids"].split()
    if not ids:
        raise ValueError("connector_ids is empty")
    for connector_id in ids:
        if not re.match(CONNECTOR_ID_RE, connector_id) or len(connector_id) > 64:
            raise ValueError(
                f"connector id {connector_id!r} must be lower-case letters, digits, underscores"
            )
    if len(set(ids)) != len(ids):
        raise ValueError("a connector id is listed twice")

    if connector_type == ConnectorType.AMM_DEX:
        connectors = _gateway_connectors(ids, sub_types, connector_type)
    else:
        connectors = _client_connectors(ids, sub_types, connector_type)
    kind = ExchangeKind.CEX if connector_type == ConnectorType.CLOB_CEX else ExchangeKind.DEX
    return ExchangeRow(
        line=line,
        name=name,
        slug=slug,
        kind=kind,
        is_sponsor=sponsor,
        docs_url=docs_url,
        website=website,
        chains=chains,
        connectors=tuple(connectors),
    )


def _parse_sub_types(text: str) -> list[SubType]:
    labels = [part.strip() for part in text.split(",") if part.strip()]
    if not labels:
        raise ValueError("subtypes is empty")
    result = []
    for label in labels:
        sub_type = SUB_TYPE_BY_LABEL.get(label.upper())
        if sub_type is None:
            raise ValueError(f"sub-type {label!r} is not one of {', '.join(SubType.labels)}")
        result.append(sub_type)
    return result


def _parse_url(text: str, column: str, *, required: bool) -> str:
    if not text:
        if required:
            raise ValueError(f"{column} is empty")
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise ValueError(f"{column} {text!r} is not an http(s) URL") from None
    return text


def _parse_chains(text: str) -> tuple[str, ...]:
    chains = tuple(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))
    for chain in chains:
        if len(chain) > 64 or not slugify(chain):
            raise ValueError(f"chain {chain!r} is not a usable name")
    return chains


def _client_connectors(
    ids: list[str], sub_types: list[SubType], connector_type: ConnectorType
) -> list[ConnectorRow]:
    connectors = []
    for connector_id in ids:
        sub_type = SubType.PERPETUAL if connector_id.endswith("_perpetual") else SubType.SPOT
        connectors.append(_connector(Namespace.CLIENT, connector_id, connector_type, sub_type))
    implied = {c.sub_type for c in connectors}
    if implied != set(sub_types):
        raise ValueError(
            f"subtypes {_labels(sub_types)} do not match the connector ids, which imply "
            f"{_labels(implied)} (ids ending in _perpetual are Perpetual, the rest Spot)"
        )
    return connectors


def _gateway_connectors(
    ids: list[str], sub_types: list[SubType], connector_type: ConnectorType
) -> list[ConnectorRow]:
    wrong = [s for s in sub_types if s not in (SubType.ROUTER, SubType.AMM, SubType.CLMM)]
    if wrong:
        raise ValueError(f"AMM DEX sub-types must be Router, AMM or CLMM, not {_labels(wrong)}")
    return [
        _connector(Namespace.GATEWAY, connector_id, connector_type, sub_type)
        for connector_id in ids
        for sub_type in sub_types
    ]


def _connector(
    namespace: Namespace, connector_id: str, connector_type: ConnectorType, sub_type: SubType
) -> ConnectorRow:
    return ConnectorRow(
        namespace=namespace,
        connector_id=connector_id,
        connector_type=connector_type,
        sub_type=sub_type,
        slug=connector_slug(namespace=namespace, connector_id=connector_id, sub_type=sub_type),
        code_path=connector_code_path(
            namespace=namespace, connector_id=connector_id, sub_type=sub_type
        ),
    )


def _labels(sub_types: Iterable[SubType]) -> str:
    return ", ".join(sorted(SubType(s).label for s in sub_types)) or "none"


def _cross_row_problems(rows: list[ExchangeRow]) -> list[str]:
    problems = []
    seen_names: dict[str, int] = {}
    seen_slugs: dict[str, int] = {}
    seen_connectors: dict[str, int] = {}
    for row in rows:
        for key, seen, what in (
            (row.name.lower(), seen_names, "exchange"),
            (row.slug, seen_slugs, "exchange slug"),
        ):
            if key in seen:
                problems.append(
                    f"line {row.line} ({row.name}): {what} {key!r} already on line {seen[key]}"
                )
            seen[key] = row.line
        for connector in row.connectors:
            if connector.slug in seen_connectors:
                problems.append(
                    f"line {row.line} ({row.name}): connector {connector.slug!r} already on "
                    f"line {seen_connectors[connector.slug]}"
                )
            seen_connectors[connector.slug] = row.line
    return problems
