"""Celery tasks of the governance app: thin wrappers over services."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sign_in_nonces_purge_task() -> int:
    from governance.services.sign_in import sign_in_nonces_purge

    return sign_in_nonces_purge()
