"""Staff confirm (at a release) or dismiss the connector additions and removals that
finalized polls and passed proposals decided. Confirming changes the connector's inclusion
status through the registry's logged status change, citing the poll or proposal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from connectors_registry.models import InclusionStatus, StatusChangeSource
from connectors_registry.services import connector_status_change
from governance.models import DecisionStatus, InclusionAction, InclusionDecision
from governance.services.errors import GovernanceError

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def inclusion_decision_confirm(
    *, decision: InclusionDecision, actor: User, note: str = ""
) -> InclusionDecision:
    """Apply a pending decision to the registry; once only, even when two staff race."""
    claimed = InclusionDecision.objects.filter(
        pk=decision.pk, status=DecisionStatus.PENDING
    ).update(
        status=DecisionStatus.CONFIRMED, decided_at=timezone.now(), decided_by=actor, note=note
    )
    if claimed != 1:
        raise GovernanceError(f"{decision} was already decided.")
    decision.refresh_from_db()
    authority = decision.poll or decision.proposal
    reference = getattr(authority, "reference", "") or str(authority)
    to_status = (
        InclusionStatus.REMOVED
        if decision.action == InclusionAction.REMOVE
        else InclusionStatus.IN_CODEBASE
    )
    if decision.connector.status != to_status:
        connector_status_change(
            connector=decision.connector,
            to_status=to_status,
            source=StatusChangeSource.POLL if decision.poll_id else StatusChangeSource.PROPOSAL,
            reason=decision.reason + (f" Staff note: {note}" if note else ""),
            actor=actor,
            reference=reference,
        )
    return decision


@transaction.atomic
def inclusion_decision_dismiss(
    *, decision: InclusionDecision, actor: User, note: str
) -> InclusionDecision:
    """Set a pending decision aside (e.g. the exchange fixed it or it was re-proposed);
    staff must say why."""
    if not note.strip():
        raise GovernanceError("Say why the decision is dismissed.")
    claimed = InclusionDecision.objects.filter(
        pk=decision.pk, status=DecisionStatus.PENDING
    ).update(
        status=DecisionStatus.DISMISSED,
        decided_at=timezone.now(),
        decided_by=actor,
        note=note.strip(),
    )
    if claimed != 1:
        raise GovernanceError(f"{decision} was already decided.")
    decision.refresh_from_db()
    return decision
