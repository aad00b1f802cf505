"""Writes to the registry: the catalogue import and inclusion-status changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from connectors_registry.catalogue import CatalogueError, ExchangeRow, catalogue_parse
from connectors_registry.models import (
    Chain,
    Connector,
    ConnectorStatusChange,
    Exchange,
    InclusionStatus,
    StatusChangeSource,
)
from core.exceptions import ApplicationError


@dataclass
class ImportReport:
    """What an import did, by slug: created, changed (with the fields), unchanged."""

    exchanges_created: list[str] = field(default_factory=list)
    exchanges_changed: dict[str, list[str]] = field(default_factory=dict)
    exchanges_unchanged: list[str] = field(default_factory=list)
    connectors_created: list[str] = field(default_factory=list)
    connectors_changed: dict[str, list[str]] = field(default_factory=dict)
    connectors_unchanged: list[str] = field(default_factory=list)
    connectors_not_in_catalogue: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Exchanges: {len(self.exchanges_created)} created, "
            f"{len(self.exchanges_changed)} changed, {len(self.exchanges_unchanged)} unchanged.",
            f"Connectors: {len(self.connectors_created)} created, "
            f"{len(self.connectors_changed)} changed, "
            f"{len(self.connectors_unchanged)} unchanged.",
        ]
        for slug, fields in {**self.exchanges_changed, **self.connectors_changed}.items():
            lines.append(f"  changed {slug}: {', '.join(fields)}")
        if self.connectors_not_in_catalogue:
            lines.append(
                "Not in the catalogue (status left as it is; change it through governance or "
                "staff): " + ", ".join(self.connectors_not_in_catalogue)
            )
        return "\n".join(lines)


def catalogue_import_file(*, path: Path) -> ImportReport:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError([f"{path}: no such file"]) from None
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            [f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from None
    return catalogue_import(text=text)


@transaction.atomic
def catalogue_import(*, text: str) -> ImportReport:
    """Create or update exchanges and connectors from catalogue CSV text.

    All or nothing: the whole file is validated before the first write, and the writes share
    one transaction. Inclusion status is set only on new connectors; afterwards it changes
    only through ``connector_status_change``.
    """
    rows = catalogue_parse(text)
    report = ImportReport()
    seen_connector_ids: set[int] = set()
    for row in rows:
        exchange = _exchange_upsert(row, report)
        for connector_row in row.connectors:
            values = {
                "exchange": exchange,
                "namespace": connector_row.namespace,
                "connector_id": connector_row.connector_id,
                "connector_type": connector_row.connector_type,
                "sub_type": connector_row.sub_type,
                "code_path": connector_row.code_path,
            }
            connector = Connector.objects.filter(slug=connector_row.slug).first()
            if connector is None:
                connector = Connector(slug=connector_row.slug, **values)
                connector.full_clean()
                connector.save()
                ConnectorStatusChange.objects.create(
                    connector=connector,
                    from_status="",
                    to_status=connector.status,
                    source=StatusChangeSource.IMPORT,
                    reason="Listed in the connector catalogue.",
                )
                report.connectors_created.append(connector.slug)
            else:
                changed = _assign(connector, values)
                if changed:
                    connector.full_clean()
                    connector.save(update_fields=[*changed, "updated_at"])
                    report.connectors_changed[connector.slug] = changed
                else:
                    report.connectors_unchanged.append(connector.slug)
            seen_connector_ids.add(connector.pk)
    report.connectors_not_in_catalogue = list(
        Connector.objects.exclude(pk__in=seen_connector_ids)
        .exclude(status=InclusionStatus.REMOVED)
        .values_list("slug", flat=True)
    )
    return report


def _exchange_upsert(row: ExchangeRow, report: ImportReport) -> Exchange:
    values: dict[str, Any] = {
        "name": row.name,
        "kind": row.kind,
        "is_sponsor": row.is_sponsor,
        "docs_url": row.docs_url,
    }
    if row.website is not None:
        values["website"] = row.website
    exchange = Exchange.objects.filter(slug=row.slug).first()
    if exchange is None:
        exchange = Exchange(slug=row.slug, **values)
        exchange.full_clean()
        exchange.save()
        changed = ["created"]
        report.exchanges_created.append(row.slug)
    else:
        changed = _assign(exchange, values)
        if changed:
            exchange.full_clean()
            exchange.save(update_fields=[*changed, "updated_at"])
    if row.chains is not None:
        chains = [_chain_get_or_create(name) for name in row.chains]
        if {c.pk for c in chains} != set(exchange.chains.values_list("pk", flat=True)):
            exchange.chains.set(chains)
            if "created" not in changed:
                changed.append("chains")
    if "created" not in changed:
        if changed:
            report.exchanges_changed[row.slug] = changed
        else:
            report.exchanges_unchanged.append(row.slug)
    return exchange


def _chain_get_or_create(name: str) -> Chain:
    chain, _ = Chain.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return chain


def _assign(instance: Any, values: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def connector_status_change(
    *,
    connector: Connector,
    to_status: InclusionStatus,
    source: StatusChangeSource,
    reason: str,
    actor: User | None = None,
    reference: str = "",
) -> ConnectorStatusChange:
    """Move a connector to a new inclusion status and log who, why and on what authority.

    The update is conditional on the status we read, so two concurrent changes cannot both
    log a move from the same old status.
    """
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Give a reason for the status change.")
    to_status = InclusionStatus(to_status)
    from_status = Connector.objects.filter(pk=connector.pk).values_list("status", flat=True).first()
    if from_status is None:
        raise ApplicationError("That connector no longer exists.")
    if from_status == to_status:
        raise ApplicationError(f"{connector.address} is already {to_status.label.lower()}.")
    now = timezone.now()
    removed_on = now.date() if to_status == InclusionStatus.REMOVED else None
    updated = Connector.objects.filter(pk=connector.pk, status=from_status).update(
        status=to_status, removed_on=removed_on, updated_at=now
    )
    if updated != 1:
        raise ApplicationError(
            f"{connector.address} changed status meanwhile; reload and try again."
        )
    connector.status = to_status
    connector.removed_on = removed_on
    return ConnectorStatusChange.objects.create(
        connector=connector,
        from_status=from_status,
        to_status=to_status,
        source=source,
        reason=reason,
        actor=actor,
        reference=reference,
    )
