"""Celery tasks of the governance app: thin wrappers over services."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sign_in_nonces_purge_task() -> int:
    from governance.services.sign_in import sign_in_nonces_purge

    return sign_in_nonces_purge()


@shared_task(acks_late=True, ignore_result=True)
def polls_advance_task() -> dict[str, list[int]]:
    """Open due drafts, close ended polls, finalize after the audit window (idempotent)."""
    from governance.services.polls import polls_advance

    report = polls_advance()
    return {"opened": report.opened, "closed": report.closed, "finalized": report.finalized}
