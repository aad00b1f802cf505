"""Load the published governance history: rules versions, epochs 1-13 and the connector
poll results of epochs 3-13 (``governance/data/``; sources in ``SOURCES.md``).

Idempotent: a re-run updates what changed and reports what was created, changed and
unchanged. The files are validated as a whole first; a bad entry stops the load with a
message naming it, and nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Model

from connectors_registry.models import Connector, Exchange, Namespace
from governance.models import (
    Choice,
    Epoch,
    GovernanceRules,
    Poll,
    PollKind,
    PollStatus,
    ProposalRule,
    VotingMethod,
)
from governance.models.rules import PROPOSAL_RULE_TERMS, RULE_TERMS
from governance.selectors import rules_current
from governance.services.errors import GovernanceError

RULE_FIELDS = ("name", "reference", "source_url", "notes", *RULE_TERMS)
PUBLISHED_FAILURE = "Below the inclusion threshold (as published)."
PROPOSAL_RULE_FIELDS = PROPOSAL_RULE_TERMS


@dataclass
class HistoryReport:
    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        counts = getattr(self, bucket)
        counts[kind] = counts.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = ("rules", "epochs", "polls")
        return "; ".join(
            f"{kind}: {self.created.get(kind, 0)} created, {self.changed.get(kind, 0)} changed, "
            f"{self.unchanged.get(kind, 0)} unchanged"
            for kind in kinds
        )


def governance_history_load(
    *, history_path: Path | None = None, rules_path: Path | None = None
) -> HistoryReport:
    history_path = Path(history_path or settings.GOVERNANCE_HISTORY_PATH)
    rules_path = rules_path or history_path.with_name("governance_rules.json")
    rules_data = _read_json(rules_path).get("rules")
    history = _read_json(history_path)
    if not isinstance(rules_data, list) or not isinstance(history.get("epochs"), list):
        raise GovernanceError(
            f"{rules_path.name} needs a 'rules' list and {history_path.name} an 'epochs' list."
        )
    report = HistoryReport()
    with transaction.atomic():
        for index, entry in enumerate(rules_data, start=1):
            _rules_upsert(entry, where=f"{rules_path.name}, rules entry {index}", report=report)
        for index, entry in enumerate(history["epochs"], start=1):
            _epoch_upsert(entry, where=f"{history_path.name}, epoch entry {index}", report=report)
        for index, entry in enumerate(history.get("polls") or [], start=1):
            _poll_upsert(entry, where=f"{history_path.name}, poll entry {index}", report=report)
    return report


def _defaults(model: type[Model], names: tuple[str, ...]) -> dict[str, Any]:
    """Field defaults, so a key left out of the file resets the field."""
    fields = [model._meta.get_field(name) for name in names]
    return {f.name: f.get_default() for f in fields if isinstance(f, Field)}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise GovernanceError(f"Cannot read {path}: {exc.strerror}.") from None
    except ValueError as exc:
        raise GovernanceError(f"{path.name} is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise GovernanceError(f"{path.name} must hold a JSON object.")
    return data


def _fail(where: str, problem: object) -> GovernanceError:
    if isinstance(problem, ValidationError):
        problem = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in problem.message_dict.items()
        )
    return GovernanceError(f"{where}: {problem}")


def _save(
    instance: Any, values: dict[str, Any], *, where: str, kind: str, report: HistoryReport
) -> bool:
    """Assign, validate and save when anything differs; count the outcome."""
    created = instance.pk is None
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if not created and not changed:
        report.count("unchanged", kind)
        return False
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise _fail(where, exc) from None
    instance.save()
    report.count("created" if created else "changed", kind)
    return True


def _rules_upsert(entry: dict[str, Any], *, where: str, report: HistoryReport) -> None:
    try:
        slug, effective = entry["slug"], date.fromisoformat(entry["effective_from"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(where, f"needs a slug and an ISO effective_from date ({exc})") from None
    rules = GovernanceRules.objects.filter(slug=slug).first() or GovernanceRules(slug=slug)
    defaults = _defaults(GovernanceRules, RULE_FIELDS)
    values = {**defaults, **{k: entry[k] for k in RULE_FIELDS if k in entry}}
    values["effective_from"] = effective
    rule_changed = _save(rules, values, where=where, kind="rules", report=report)
    proposal_changed = False
    given = {p.get("proposal_type") for p in entry.get("proposals") or []}
    stale = rules.proposal_rules.exclude(proposal_type__in=given)
    proposal_changed = stale.exists()
    stale.delete()
    for item in entry.get("proposals") or []:
        rule = ProposalRule.objects.filter(
            rules=rules, proposal_type=item.get("proposal_type")
        ).first()
        rule = rule or ProposalRule(rules=rules, proposal_type=item.get("proposal_type"))
        item_defaults = _defaults(ProposalRule, PROPOSAL_RULE_FIELDS)
        item_values = {**item_defaults, **{k: item[k] for k in PROPOSAL_RULE_FIELDS if k in item}}
        item_values["approval_percent"] = Decimal(str(item_values["approval_percent"]))
        scratch = HistoryReport()
        proposal_changed |= _save(
            rule,
            item_values,
            where=f"{where} ({item.get('proposal_type')})",
            kind="proposal rules",
            report=scratch,
        )
    if proposal_changed and not rule_changed:
        report.unchanged["rules"] -= 1
        report.count("changed", "rules")


def _epoch_upsert(entry: dict[str, Any], *, where: str, report: HistoryReport) -> None:
    try:
        number = int(entry["number"])
        starts_on = date.fromisoformat(entry["starts_on"])
        ends_on = date.fromisoformat(entry["ends_on"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(where, f"needs number, starts_on and ends_on ({exc})") from None
    epoch = Epoch.objects.filter(number=number).first() or Epoch(number=number)
    values = {
        "name": entry.get("name") or f"Epoch {number}",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "summary": entry.get("summary") or "",
        "sources": list(entry.get("sources") or []),
        "rules": rules_current(on=starts_on),
    }
    _save(epoch, values, where=where, kind="epochs", report=report)


def _poll_upsert(entry: dict[str, Any], *, where: str, report: HistoryReport) -> None:
    kind = entry.get("kind")
    if kind not in PollKind.values or kind == PollKind.PROPOSAL:
        raise _fail(where, f"unknown poll kind {kind!r}")
    epoch_number = entry.get("epoch")
    epoch = (
        Epoch.objects.filter(number=epoch_number).first() if isinstance(epoch_number, int) else None
    )
    if epoch is None:
        raise _fail(where, f"names epoch {entry.get('epoch')!r}, which the history lacks")
    results = entry.get("results")
    if not isinstance(results, list) or not results:
        raise _fail(where, "has no results")
    rules = epoch.rules
    poll = Poll.objects.filter(epoch=epoch, kind=kind, is_archived=True).first()
    poll = poll or Poll(epoch=epoch, kind=kind, is_archived=True)
    voters = entry.get("voters")
    values = {
        "title": entry.get("title") or f"{epoch.name} {PollKind(kind).label} Poll",
        "reference": entry.get("reference") or "",
        "description": entry.get("notes") or "",
        "external_url": entry.get("url") or "",
        "status": PollStatus.FINALIZED,
        "voting_method": entry.get("voting_method") or VotingMethod.WEIGHTED,
        "rules": rules,
        "rules_snapshot": rules.as_snapshot() if rules else {},
        "starts_at": _moment(entry.get("starts_on"), where),
        "ends_at": _moment(entry.get("ends_on"), where),
        "voter_count": int(voters) if voters is not None else None,
        "published_total_votes": _decimal(entry.get("total_votes"), where, "total_votes"),
    }
    changed = _save(poll, values, where=where, kind="polls", report=report)
    if _choices_sync(poll, results, where=where) and not changed:
        report.unchanged["polls"] -= 1
        report.count("changed", "polls")


def _choices_sync(poll: Poll, results: list[Any], *, where: str) -> bool:
    """Make the poll's choices exactly the published results; True if anything changed."""
    wanted = []
    labels = set()
    for position, item in enumerate(results, start=1):
        if not isinstance(item, dict) or not item.get("label"):
            raise _fail(where, f"result {position} has no label")
        if item["label"] in labels:
            raise _fail(where, f"result {position} repeats the label {item['label']!r}")
        labels.add(item["label"])
        exchange = (
            Exchange.objects.filter(slug=item["match"]).first() if item.get("match") else None
        )
        connector = (
            Connector.objects.filter(
                namespace=Namespace.CLIENT, connector_id=item["connector_id"]
            ).first()
            if item.get("connector_id")
            else None
        )
        passed = item.get("passed")
        share = _decimal(item.get("share_percent"), where, "share_percent")
        wanted.append(
            {
                "position": position,
                "label": item["label"],
                "exchange": exchange,
                "connector": connector,
                "final_score": _decimal(item.get("votes"), where, "votes"),
                "final_share": share,
                "final_rank": item.get("rank"),
                "passed": passed,
                "failure_reason": PUBLISHED_FAILURE if passed is False else "",
                "allocation_hbot": item.get("allocation_hbot"),
                "tier": item.get("tier") or "",
                "votes_display": item.get("votes_display") or "",
            }
        )
    existing = {c.position: c for c in poll.choices.all()}
    fields = [k for k in wanted[0] if k != "position"] if wanted else []
    if (
        len(existing) == len(wanted)
        and all(
            all(getattr(existing[w["position"]], f) == w[f] for f in fields)
            for w in wanted
            if w["position"] in existing
        )
        and set(existing) == {w["position"] for w in wanted}
    ):
        return False
    poll.choices.all().delete()
    Choice.objects.bulk_create(Choice(poll=poll, **w) for w in wanted)
    return True


def _moment(value: object, where: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(str(value)), time(), tzinfo=UTC)
    except ValueError:
        raise _fail(where, f"{value!r} is not an ISO date") from None


def _decimal(value: object, where: str, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _fail(where, f"{name} {value!r} is not a number") from None
