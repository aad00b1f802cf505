from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bounties.services.pots import pot_credits_sync


class Command(BaseCommand):
    help = "Write the allocation entry of every governance pot credit that has none yet."

    def handle(self, *args: Any, **options: Any) -> str:
        report = pot_credits_sync()
        lines = [f"{len(report.created)} allocation entries written."]
        lines += [f"credit {pk} skipped: {why}" for pk, why in report.skipped.items()]
        return "\n".join(lines)
