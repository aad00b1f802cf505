"""Bounties tasks on a real Celery worker and broker, their effects in PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bounties.models import Bounty, BountyEventKind, PotEntry
from bounties.services import bounties as lifecycle
from bounties.services.pots import pot_get_or_create, pot_sponsor_fund
from bounties.tasks import bounties_flag_idle_task, pot_credits_sync_task
from tests.celery_worker import broker_is_real, celery_worker, database_is_shared, wait_for
from tests.factories import BountyFactory, MaintainerUserFactory, PollPotCreditFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def require_real_services():
    if not database_is_shared():
        pytest.skip("needs PostgreSQL (set DATABASE_URL) so the worker sees the test database")
    if not broker_is_real():
        pytest.skip("needs a Redis or RabbitMQ broker (set CELERY_BROKER_URL)")


def test_worker_syncs_pot_credits_and_flags_idle_bounties(require_real_services, tmp_path):
    # given committed pot credits, and a bounty whose assignee went quiet 8 days ago
    credits = [PollPotCreditFactory(amount_hbot=100_000 + i) for i in range(3)]
    staff = UserFactory(is_staff=True)
    bounty = BountyFactory(amount=Decimal(10))
    pot = pot_get_or_create(exchange=bounty.exchange)
    pot_sponsor_fund(
        pot=pot, denomination="HBOT", amount=Decimal(10), sponsor_name="S", actor=staff
    )
    lifecycle.bounty_fund(bounty=bounty, actor=staff)
    lifecycle.bounty_assign(bounty=bounty, maintainer=MaintainerUserFactory(), actor=staff)
    Bounty.objects.filter(pk=bounty.pk).update(last_activity_at=timezone.now() - timedelta(days=8))

    # when beat's tasks go through the broker to a worker
    log_path = tmp_path / "worker.log"
    with celery_worker(log_path=log_path) as queue:
        pot_credits_sync_task.apply_async(queue=queue)
        bounties_flag_idle_task.apply_async(queue=queue)

        # then every credit has its allocation entry and the bounty is flagged, once
        wait_for(
            lambda: PotEntry.objects.filter(pot_credit__in=credits).count() == 3,
            timeout=60,
            what="3 allocation entries",
            log_path=log_path,
        )
        wait_for(
            lambda: Bounty.objects.filter(pk=bounty.pk, idle_flagged_at__isnull=False).exists(),
            timeout=60,
            what="the idle flag",
            log_path=log_path,
        )
    assert bounty.events.filter(kind=BountyEventKind.IDLE_FLAGGED).count() == 1
