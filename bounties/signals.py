"""Allocation entries right after governance credits a pot.

Governance must not import bounties, so the bounties app listens for new ``PotCredit`` rows
and syncs them once the finalizing transaction has committed. The beat task
``pot_credits_sync_task`` catches anything this misses (a broker that was down, say).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from bounties.tasks import pot_credits_sync_task

logger = logging.getLogger(__name__)


def pot_credit_created(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return

    def enqueue() -> None:
        pot_credits_sync_task.delay()

    transaction.on_commit(enqueue, robust=True)
