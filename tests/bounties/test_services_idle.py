"""The inactivity flag: an assignee idle for BOUNTY_IDLE_DAYS is flagged once; staff may then
reassign. Any sign of work clears it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bounties.models import BountyEvent, BountyEventKind, BountyStatus
from bounties.services import bounties as lifecycle
from bounties.tasks import bounties_flag_idle_task

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def assigned(drive, pot, make_bounty):
    with time_machine.travel(START, tick=False):
        return drive.to(make_bounty(), BountyStatus.ASSIGNED)


def test_not_flagged_before_the_idle_days_pass(assigned):
    flagged = lifecycle.bounties_flag_idle(now=START + timedelta(days=7) - timedelta(seconds=1))

    assert flagged == []
    assigned.refresh_from_db()
    assert assigned.idle_flagged_at is None


def test_flagged_once_after_seven_idle_days(assigned, maintainer):
    now = START + timedelta(days=7, seconds=1)

    first = lifecycle.bounties_flag_idle(now=now)
    again = lifecycle.bounties_flag_idle(now=now + timedelta(days=3))

    assert first == [assigned.pk]
    assert again == []
    assigned.refresh_from_db()
    assert assigned.idle_flagged_at == now
    assert assigned.is_idle
    event = assigned.events.get(kind=BountyEventKind.IDLE_FLAGGED)
    assert event.maintainer == maintainer
    assert event.actor is None
    assert "No activity from the assignee for 7 days" in event.note


def test_idle_days_are_a_setting(assigned, settings):
    settings.BOUNTY_IDLE_DAYS = 14

    assert lifecycle.bounties_flag_idle(now=START + timedelta(days=8)) == []
    assert lifecycle.bounties_flag_idle(now=START + timedelta(days=15)) == [assigned.pk]


def test_a_progress_note_restarts_the_clock_and_clears_the_flag(assigned, maintainer):
    lifecycle.bounties_flag_idle(now=START + timedelta(days=8))

    with time_machine.travel(START + timedelta(days=9), tick=False):
        lifecycle.bounty_progress_note(bounty=assigned, actor=maintainer.user, note="WS fixed")

    assigned.refresh_from_db()
    assert assigned.idle_flagged_at is None
    assert lifecycle.bounties_flag_idle(now=START + timedelta(days=15)) == []
    assert lifecycle.bounties_flag_idle(now=START + timedelta(days=16, seconds=1)) == [assigned.pk]


def test_a_submitted_bounty_is_not_idle_the_review_is_the_foundations(drive, assigned):
    with time_machine.travel(START + timedelta(days=1), tick=False):
        drive.step(assigned, "submit")

    assert lifecycle.bounties_flag_idle(now=START + timedelta(days=30)) == []


def test_needs_work_restarts_the_developers_clock(drive, assigned):
    with time_machine.travel(START + timedelta(days=1), tick=False):
        drive.step(assigned, "submit")
    with time_machine.travel(START + timedelta(days=20), tick=False):
        drive.step(assigned, "needs_work")

    assert lifecycle.bounties_flag_idle(now=START + timedelta(days=26)) == []
    assert lifecycle.bounties_flag_idle(now=START + timedelta(days=27, seconds=1)) == [assigned.pk]


def test_an_idle_bounty_can_be_reassigned(assigned, staff, maintainer, other_maintainer):
    lifecycle.bounties_flag_idle(now=START + timedelta(days=8))

    lifecycle.bounty_reassign(
        bounty=assigned,
        from_maintainer=maintainer,
        to_maintainer=other_maintainer,
        actor=staff,
        note="Idle for 8 days.",
    )

    assigned.refresh_from_db()
    assert (assigned.assignee, assigned.idle_flagged_at) == (other_maintainer, None)


def test_activity_that_lands_during_the_sweep_wins(assigned, maintainer):
    # given the sweep read the bounty as idle, then the assignee posted progress
    from bounties.models import Bounty

    stale = Bounty.objects.get(pk=assigned.pk).last_activity_at
    with time_machine.travel(START + timedelta(days=8), tick=False):
        lifecycle.bounty_progress_note(bounty=assigned, actor=maintainer.user, note="Still here")

    # then the conditional update on the activity time it saw flags nothing
    updated = Bounty.objects.filter(
        pk=assigned.pk, idle_flagged_at__isnull=True, last_activity_at=stale
    ).update(idle_flagged_at=START)
    assert updated == 0


def test_the_beat_task_runs_the_sweep(assigned):
    with time_machine.travel(START + timedelta(days=10), tick=False):
        assert bounties_flag_idle_task() == [assigned.pk]

    assert BountyEvent.objects.filter(kind=BountyEventKind.IDLE_FLAGGED).count() == 1
