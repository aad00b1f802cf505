"""Load (or refresh) the published governance history shipped in governance/data/."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.services.errors import GovernanceError
from governance.services.history import governance_history_load


class Command(BaseCommand):
    help = (
        "Load the governance rules versions, epochs 1-13 and the published poll results of "
        "epochs 3-13. Idempotent: re-running reports what was created, changed, unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("history", nargs="?", help="History JSON (default: the shipped one).")
        parser.add_argument("--rules", help="Rules JSON (default: beside the history file).")

    def handle(self, *args: Any, **options: Any) -> str:
        try:
            report = governance_history_load(
                history_path=Path(options["history"]) if options["history"] else None,
                rules_path=Path(options["rules"]) if options["rules"] else None,
            )
        except GovernanceError as exc:
            raise CommandError(exc.message) from None
        return f"Governance history: {report.summary()}."
