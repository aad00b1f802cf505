"""Demo pots and bounties for trying the board with make run (dev chain only)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bounties.errors import BountyError
from bounties.services.demo import demo_bounties_seed


class Command(BaseCommand):
    help = "Add demo pots, bounties and maintainers (dev chain only; idempotent)."

    def handle(self, *args: Any, **options: Any) -> str:
        try:
            return demo_bounties_seed().summary()
        except BountyError as exc:
            raise CommandError(exc.message) from None
