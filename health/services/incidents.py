"""Incidents and maintenance: staff notes and windows; the review that keeps each open
incident's attribution current and drafts a bounty for a lasting regression."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bounties.services.bounties import bounty_draft_from_failure
from core.exceptions import ApplicationError
from health.attribution import failure_attribution
from health.models import (
    Attribution,
    CheckResult,
    HealthCheck,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    Outcome,
)
from health.services.status import health_status_evaluate, status_observe

logger = logging.getLogger(__name__)


# -- incidents and maintenance (staff) ---------------------------------------------------
@transaction.atomic
def incident_annotate(*, incident: Incident, author: User | None, body: str) -> IncidentNote:
    body = body.strip()
    if not body:
        raise ApplicationError("A note needs some text.")
    return IncidentNote.objects.create(incident=incident, author=author, body=body)


@transaction.atomic
def maintenance_schedule(
    *,
    check: HealthCheck,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    created_by: User | None,
) -> MaintenanceWindow:
    window = MaintenanceWindow(
        health_check=check,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=created_by,
    )
    try:
        window.full_clean()
    except ValidationError as exc:
        raise ApplicationError("; ".join(exc.messages)) from exc
    if ends_at <= starts_at:
        raise ApplicationError("Maintenance must end after it starts.")
    window.save()
    if starts_at <= timezone.now() < ends_at:
        transaction.on_commit(lambda: health_status_evaluate(check_id=check.pk))
    return window


def incidents_review(*, now: datetime | None = None) -> list[int]:
    """Keep open incidents' attribution current, and prepare a draft bug bounty for each
    connector regression open longer than ``HEALTH_DRAFT_BOUNTY_AFTER_HOURS`` (one per
    incident; staff fund it). Returns the ids of the bounties drafted."""
    now = now or timezone.now()
    drafted = []
    limit = timedelta(hours=settings.HEALTH_DRAFT_BOUNTY_AFTER_HOURS)
    incidents = Incident.objects.filter(resolved_at__isnull=True).select_related(
        "health_check__connector__exchange"
    )
    for incident in incidents:
        check = incident.health_check
        failing = status_observe(check=check, now=now).failing
        if failing:
            verdict = failure_attribution(check=check, failing=failing, now=now)
            if (verdict.attribution, verdict.reason[:300]) != (
                incident.attribution,
                incident.attribution_reason,
            ):
                incident.attribution = verdict.attribution
                incident.attribution_reason = verdict.reason[:300]
                incident.save(update_fields=["attribution", "attribution_reason"])
        if incident.attribution != Attribution.CONNECTOR or incident.opened_at > now - limit:
            continue
        bounty = bounty_draft_from_failure(
            origin_key=f"health.incident:{incident.pk}",
            origin_url=incident.get_absolute_url(),
            connector=check.connector,
            title=f"Fix {check.connector.address}: {incident.title.split(' is ')[-1]} since "
            f"{incident.opened_at:%Y-%m-%d %H:%M} UTC",
            description=_draft_description(incident, failing),
        )
        if bounty is not None:
            drafted.append(bounty.pk)
    return drafted


def _draft_description(incident: Incident, failing: tuple[CheckResult, ...]) -> str:
    result = failing[0] if failing else _newest_failure(incident)
    step = result.get_failed_step_display() if result and result.failed_step else "unknown"
    reason = result.reason if result else incident.cause
    return (
        f"{incident.health_check.connector.address} has been failing since "
        f"{incident.opened_at:%Y-%m-%d %H:%M} UTC, and the exchange answers: a regression of "
        f"the connector.\n\n"
        f"Failing step: {step}\n"
        f"Reason: {reason}\n"
        f"Why it is the connector: {incident.attribution_reason}\n"
        f"Incident: {incident.get_absolute_url()}\n\n"
        "Drafted automatically; staff review the amount and fund it to open it."
    )


def _newest_failure(incident: Incident) -> CheckResult | None:
    return (
        CheckResult.objects.filter(health_check_id=incident.health_check_id)
        .exclude(outcome=Outcome.UP)
        .order_by("-finished_at")
        .first()
    )
