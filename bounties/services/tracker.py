"""The Foundation's bounty tracker as CSV: export, and all-or-nothing import.

The tracker's columns come first, as the real sheet has them: Bounty ID, Type, Source,
Connector, Bounty Amount, Denomination, Bounty Status, Issue Link. Our export adds Title,
Description, Acceptance Criteria, PR Link, Assignee and Deadline after them, so an export
imports back to the same bounties; a file with only the tracker's columns imports too.

Import validates every row before writing anything and names each bad row. A row that is
identical (in every column the file has) to a bounty already here counts as imported
before; every other row becomes a new bounty, recorded as funded outside this site's ledger
(historical pot balances are not invented). Status changes are made on the site, never by
import: a changed row of a bounty that is already here is refused.

Cells that a spreadsheet could run as formulas (text beginning with =, +, -, @, a tab or a
carriage return) are exported with a leading quote (``core.csv_cells``), and import removes
exactly that quote, so an export imports back to the same text. Bounty Amount is never
negative (a database constraint), so it never begins with "-".
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bounties.errors import CsvImportError
from bounties.fields import to_amount
from bounties.models import (
    ACTIVE,
    TERMINAL,
    Bounty,
    BountyEvent,
    BountyEventKind,
    BountyStatus,
    BountyType,
    Denomination,
    FundingSource,
)
from bounties.services.common import Actor, require_staff, user_or_none
from connectors_registry.models import Chain, Connector, Exchange, Maintainer
from core.csv_cells import escape_dict_row, unescape_cell
from governance.models import Proposal

TRACKER_COLUMNS = [
    "Bounty ID",
    "Type",
    "Source",
    "Connector",
    "Bounty Amount",
    "Denomination",
    "Bounty Status",
    "Issue Link",
]
EXTRA_COLUMNS = ["Title", "Description", "Acceptance Criteria", "PR Link", "Assignee", "Deadline"]
ALL_COLUMNS = TRACKER_COLUMNS + EXTRA_COLUMNS
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_ERRORS_SHOWN = 50
TYPE_RE = re.compile(r"^\s*(?P<kind>[A-Za-z][A-Za-z ]*?)\s*(?::\s*(?P<priority>P[123]))?\s*$", re.I)
PROPOSAL_RE = re.compile(r"^(?P<type>[A-Z]{3})-(?P<number>\d+)$")
STATUS_ALIASES = {
    **{str(s.label).lower(): s.value for s in BountyStatus},
    **{s.value.replace("_", " "): s.value for s in BountyStatus},
    "wont-fix": BountyStatus.WONT_FIX,
    "wont fix": BountyStatus.WONT_FIX,
    "won't-fix": BountyStatus.WONT_FIX,
    "needs-work": BountyStatus.NEEDS_WORK,
}
TYPE_ALIASES = {
    **{str(t.label).lower(): t.value for t in BountyType},
    "bug fix": BountyType.BUG,
    "new connectors": BountyType.NEW_CONNECTOR,
}
_url = URLValidator(schemes=["http", "https"])


# --- export -----------------------------------------------------------------------------


def format_amount(amount: Decimal | None) -> str:
    """As the tracker writes amounts: ``10,000``, ``1,234.5``; blank when unknown."""
    if amount is None:
        return ""
    return format(amount.normalize(), ",f")


def bounty_row(bounty: Bounty) -> dict[str, str]:
    """One bounty as a CSV row, every column, as plain text (the export escapes it)."""
    assignee = bounty.assignee
    return {
        "Bounty ID": bounty.tracker_id,
        "Type": bounty.type_display,
        "Source": bounty.source_display,
        "Connector": bounty.subject_display,
        "Bounty Amount": format_amount(bounty.amount),
        "Denomination": bounty.denomination,
        "Bounty Status": str(bounty.get_status_display()),
        "Issue Link": bounty.issue_url,
        "Title": bounty.title,
        "Description": bounty.description,
        "Acceptance Criteria": bounty.acceptance_criteria,
        "PR Link": bounty.pr_url,
        "Assignee": (assignee.github_handle or assignee.display_name) if assignee else "",
        "Deadline": bounty.deadline.isoformat() if bounty.deadline else "",
    }


def _export_queryset() -> QuerySet[Bounty]:
    return Bounty.objects.select_related(
        "connector", "exchange", "chain", "assignee", "proposal"
    ).order_by("created_at", "id")


def bounties_export_csv(
    *, bounties: QuerySet[Bounty] | None = None, tracker_only: bool = False
) -> str:
    """CSV text of ``bounties`` (default: all, oldest first); every cell escaped against
    spreadsheet formulas.

    Lines end in CRLF (RFC 4180): the csv module then quotes every cell holding a carriage
    return, so a lone CR in a cell cannot start a new row.
    """
    columns = TRACKER_COLUMNS if tracker_only else ALL_COLUMNS
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for bounty in bounties if bounties is not None else _export_queryset():
        writer.writerow(escape_dict_row(bounty_row(bounty)))
    return out.getvalue()


# --- import -----------------------------------------------------------------------------


@dataclass
class ParsedRow:
    number: int
    values: dict[str, str]  # canonical text of every column the file has
    fields: dict[str, Any]


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{len(self.created)} created, {self.unchanged} already imported"
        return text + "".join(f"\nwarning: {w}" for w in self.warnings)


class _Resolver:
    """Registry look-ups for the Connector, Source and Assignee columns, cached."""

    def __init__(self) -> None:
        self.connectors = {c.address: c for c in Connector.objects.select_related("exchange")}
        self.exchanges = {e.name: e for e in Exchange.objects.all()}
        self.chains = {c.name: c for c in Chain.objects.all()}
        self.exchanges_ci = {e.slug: e for e in self.exchanges.values()}
        self.exchanges_ci.update({n.lower(): e for n, e in self.exchanges.items()})
        self.chains_ci = {c.slug: c for c in self.chains.values()}
        self.chains_ci.update({n.lower(): c for n, c in self.chains.items()})
        self.connectors_ci = {a.lower(): c for a, c in self.connectors.items()}

    def subject(self, text: str) -> dict[str, Any]:
        """What we export (a connector's address, an exchange's or chain's name) matches
        exactly; the tracker's looser spellings ("Okx", "Kucoin") match case-insensitively,
        exchanges first. Text that is kept as a label is kept as given (a tab behind an
        escaping quote stays)."""
        label, text = text, text.strip()
        if not text:
            return {}
        key = text.lower()
        connector = self.connectors.get(text)
        if connector is None and text not in self.exchanges and text not in self.chains:
            if key in self.exchanges_ci:
                return {"exchange": self.exchanges_ci[key]}
            if key in self.chains_ci:
                return {"chain": self.chains_ci[key]}
            connector = self.connectors_ci.get(key)
        if connector is not None:
            return {"connector": connector, "exchange": connector.exchange}
        if text in self.exchanges:
            return {"exchange": self.exchanges[text]}
        if text in self.chains:
            return {"chain": self.chains[text]}
        return {"subject_label": label[:120]}

    @staticmethod
    def proposal(reference: str) -> Proposal | None:
        match = PROPOSAL_RE.match(reference)
        if match is None:
            return None
        return Proposal.objects.filter(
            proposal_type=match["type"], number=int(match["number"])
        ).first()

    @staticmethod
    def maintainer(text: str) -> Maintainer | None:
        handle = text.strip().removeprefix("@")
        return (
            (Maintainer.objects.filter(github_handle__iexact=handle).first() if handle else None)
            or Maintainer.objects.filter(display_name=text).first()
            or Maintainer.objects.filter(display_name=text.strip()).first()
        )


def _parse_row(
    number: int, raw: dict[str, str], columns: list[str], resolver: _Resolver, warnings: list[str]
) -> tuple[ParsedRow | None, list[str]]:
    # Stripped first, so that a tab or carriage return kept behind an escaping quote stays.
    cell = {c: unescape_cell((raw.get(c) or "").strip()) for c in columns}
    where = f"Row {number}" + (f" (Bounty ID {cell['Bounty ID']})" if cell["Bounty ID"] else "")
    errors: list[str] = []
    fields: dict[str, Any] = {"tracker_id": cell["Bounty ID"][:60]}
    if len(cell["Bounty ID"]) > 60:
        errors.append(f"{where}: the Bounty ID is longer than 60 characters.")

    match = TYPE_RE.match(cell["Type"])
    bounty_type = TYPE_ALIASES.get(match["kind"].strip().lower()) if match else None
    if bounty_type is None:
        known = ", ".join(str(t.label) for t in BountyType)
        errors.append(
            f"{where}: Type {cell['Type']!r} is not a bounty type; use one of {known}, "
            "optionally with a priority (Bug: P2)."
        )
    else:
        fields["bounty_type"] = bounty_type
        fields["priority"] = match["priority"].upper() if match and match["priority"] else ""

    source = cell["Source"]
    if not source:
        errors.append(f"{where}: Source is empty; use Foundation, a sponsor's name or a proposal.")
    elif source.lower() == "foundation":
        fields["funding_source"] = FundingSource.POT
    elif PROPOSAL_RE.match(source):
        proposal = resolver.proposal(source)
        if proposal is None:
            errors.append(f"{where}: Source {source} is not a proposal on this site.")
        else:
            fields.update(funding_source=FundingSource.PROPOSAL, proposal=proposal)
    elif len(source) > 120:
        errors.append(f"{where}: the Source (sponsor) is longer than 120 characters.")
    else:
        fields.update(funding_source=FundingSource.SPONSOR, sponsor_name=source)

    subject = resolver.subject(cell["Connector"])
    if "subject_label" in subject:
        warnings.append(
            f"{where}: Connector {cell['Connector']!r} is not in the registry; kept as text."
        )
    fields.update(subject)

    amount_text = cell["Bounty Amount"].replace(",", "").replace(" ", "")
    amount: Decimal | None = None
    if amount_text:
        try:
            amount = to_amount(amount_text)
            if amount < 0:
                raise ValueError("it is negative")
        except ValueError as exc:
            errors.append(f"{where}: Bounty Amount {cell['Bounty Amount']!r} is not valid: {exc}.")
    fields["amount"] = amount

    denomination = cell["Denomination"].upper()
    if denomination not in Denomination.values:
        errors.append(
            f"{where}: Denomination {cell['Denomination']!r} is not HBOT, USDC or USDT."
            if denomination
            else f"{where}: Denomination is empty; use HBOT, USDC or USDT."
        )
    fields["denomination"] = denomination

    status = STATUS_ALIASES.get(cell["Bounty Status"].lower().replace("\u2019", "'"))
    if status is None:
        known = ", ".join(str(s.label) for s in BountyStatus)
        errors.append(f"{where}: Bounty Status {cell['Bounty Status']!r} is not one of {known}.")
    fields["status"] = status

    for column, name in (("Issue Link", "issue_url"), ("PR Link", "pr_url")):
        url = cell.get(column, "")
        if url:
            try:
                if len(url) > 300:
                    raise ValidationError("too long")
                _url(url)
            except ValidationError:
                errors.append(f"{where}: {column} {url!r} is not a web address (https://…).")
        fields[name] = url

    title = cell.get("Title", "")
    if len(title) > 200:
        errors.append(f"{where}: the Title is longer than 200 characters.")
    default_title = " ".join(
        part for part in (cell["Type"], cell["Connector"], cell["Bounty ID"]) if part
    )
    fields["title"] = title or default_title or "Imported bounty"
    fields["description"] = cell.get("Description", "")
    fields["acceptance_criteria"] = cell.get("Acceptance Criteria", "")

    assignee_text = cell.get("Assignee", "")
    fields["assignee"] = None
    if assignee_text:
        assignee = resolver.maintainer(assignee_text)
        if assignee is None:
            errors.append(f"{where}: Assignee {assignee_text!r} is not a maintainer here.")
        fields["assignee"] = assignee

    deadline_text = cell.get("Deadline", "")
    fields["deadline"] = None
    if deadline_text:
        try:
            fields["deadline"] = date.fromisoformat(deadline_text)
        except ValueError:
            errors.append(f"{where}: Deadline {deadline_text!r} is not a date (YYYY-MM-DD).")

    if errors:
        return None, errors
    canonical = _canonical(fields, columns)
    return ParsedRow(number=number, values=canonical, fields=fields), []


def _canonical(fields: dict[str, Any], columns: list[str]) -> dict[str, str]:
    """The row as our export would write it, so "50000" and "50,000" compare equal."""
    row = bounty_row(Bounty(**fields))
    return {c: row[c] for c in columns}


def _read(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in TRACKER_COLUMNS if c not in header]
    if missing:
        raise CsvImportError(
            "The file is not a bounty tracker CSV.",
            errors=[
                f"Row 1 (header): missing column(s) {', '.join(missing)}; the tracker's columns "
                f"are {', '.join(TRACKER_COLUMNS)}."
            ],
        )
    duplicates = [c for c, n in Counter(header).items() if n > 1]
    if duplicates:
        raise CsvImportError(
            "The file's header repeats a column.",
            errors=[f"Row 1 (header): column(s) {', '.join(duplicates)} appear twice."],
        )
    rows = []
    try:
        for index, raw in enumerate(reader, start=2):
            if index - 1 > MAX_ROWS:
                raise CsvImportError(
                    "The file is too long.", errors=[f"At most {MAX_ROWS} rows per import."]
                )
            if None in raw:
                raise CsvImportError(
                    "A row has more cells than the header.",
                    errors=[
                        f"Row {index}: {len(header) + len(raw[None])} cells; "
                        f"the header has {len(header)}."
                    ],
                )
            if not any((v or "").strip() for v in raw.values()):
                continue
            rows.append((index, raw))
    except csv.Error as exc:
        raise CsvImportError(
            "The file is not valid CSV.", errors=[f"Row {reader.line_num}: {exc}."]
        ) from None
    return header, rows


@transaction.atomic
def bounties_import_csv(*, text: str, actor: Actor, check_staff: bool = True) -> ImportReport:
    """Import a tracker CSV; on any bad row raise ``CsvImportError`` and write nothing."""
    if check_staff:
        require_staff(actor, doing="import bounties")
    if len(text.encode()) > MAX_FILE_BYTES:
        raise CsvImportError(
            "The file is too large.", errors=[f"At most {MAX_FILE_BYTES // 1024 // 1024} MiB."]
        )
    header, raw_rows = _read(text)
    columns = [c for c in ALL_COLUMNS if c in header]
    report = ImportReport()
    unknown = [c for c in header if c not in ALL_COLUMNS and c]
    if unknown:
        report.warnings.append(f"Column(s) {', '.join(unknown)} are not bounty fields; ignored.")
    resolver = _Resolver()
    parsed: list[ParsedRow] = []
    errors: list[str] = []
    bad_rows = 0
    for number, raw in raw_rows:
        row, row_errors = _parse_row(number, raw, columns, resolver, report.warnings)
        errors.extend(row_errors)
        bad_rows += bool(row_errors)
        if row is not None:
            parsed.append(row)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(f"… and {len(errors) - len(shown)} more.")
        raise CsvImportError(f"Nothing was imported: {bad_rows} row(s) have errors.", errors=shown)

    existing = list(_export_queryset())
    already = Counter(tuple(bounty_row(b)[c] for c in columns) for b in existing)
    by_key: dict[tuple[str, str], list[Bounty]] = {}
    for bounty in existing:
        if bounty.tracker_id:
            by_key.setdefault((bounty.tracker_id, bounty.issue_url), []).append(bounty)
    to_create: list[ParsedRow] = []
    for row in parsed:
        key = tuple(row.values[c] for c in columns)
        if already[key] > 0:
            already[key] -= 1
            report.unchanged += 1
            continue
        same_id = by_key.get((row.fields["tracker_id"], row.fields["issue_url"]))
        if row.fields["tracker_id"] and same_id:
            current = bounty_row(same_id[0])
            diffs = [
                f"{c}: {current[c] or '(blank)'} → {row.values[c] or '(blank)'}"
                for c in columns
                if current[c] != row.values[c]
            ]
            errors.append(
                f"Row {row.number} (Bounty ID {row.fields['tracker_id']}): bounty #{same_id[0].pk} "
                f"with this ID and issue link is already here with other values "
                f"({'; '.join(diffs)}). Imports only add bounties; change it on the site."
            )
            continue
        to_create.append(row)
    if errors:
        raise CsvImportError(
            "Nothing was imported: some rows would change bounties already here.",
            errors=errors[:MAX_ERRORS_SHOWN],
        )

    now = timezone.now()
    for row in to_create:
        fields = dict(row.fields)
        status = fields["status"]
        assignee = fields["assignee"]
        bounty = Bounty(
            **fields,
            is_imported=True,
            created_by=user_or_none(actor),
            assigned_at=now if assignee is not None and status in ACTIVE else None,
            last_activity_at=now if assignee is not None and status in ACTIVE else None,
            closed_at=now if status in TERMINAL else None,
        )
        bounty.full_clean(validate_constraints=False)
        bounty.save()
        BountyEvent.objects.create(
            bounty=bounty,
            kind=BountyEventKind.IMPORTED,
            to_status=status,
            actor=user_or_none(actor),
            maintainer=assignee,
            note=f"Row {row.number} of an imported tracker file.",
        )
        report.created.append(bounty.pk)
    return report
