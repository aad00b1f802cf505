"""Celery tasks of the bounties app: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from bounties.errors import PayoutCheckUnavailable


class PayoutNotFinal(Exception):
    """The payout's transaction is not mined or not final yet; ask again later."""


@shared_task(acks_late=True, ignore_result=True)
def pot_credits_sync_task() -> dict[str, list[int]]:
    """Turn new governance pot credits into allocation entries (idempotent)."""
    from bounties.services.pots import pot_credits_sync

    report = pot_credits_sync()
    return {"created": report.created, "skipped": list(report.skipped)}


@shared_task(acks_late=True, ignore_result=True)
def bounties_flag_idle_task() -> list[int]:
    from bounties.services.bounties import bounties_flag_idle

    return bounties_flag_idle()


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(PayoutCheckUnavailable, PayoutNotFinal),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_kwargs={"max_retries": 12},
)
def payout_verify_task(payout_id: int) -> str:
    from bounties.models import Payout, VerificationStatus
    from bounties.services.payouts import payout_verify

    payout = Payout.objects.filter(pk=payout_id).first()
    if payout is None:
        return "gone"
    payout = payout_verify(payout=payout)
    if payout.verification_status == VerificationStatus.PENDING:
        raise PayoutNotFinal(payout.verification_note)
    return str(payout.verification_status)
