from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bounties.errors import CsvImportError
from bounties.services.tracker import bounties_import_csv


class Command(BaseCommand):
    help = (
        "Import bounties from a CSV in the bounty tracker's columns. Every row is checked "
        "first; one bad row and nothing is imported. Rows already imported are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file (UTF-8)")

    def handle(self, *args: Any, path: Path, **options: Any) -> str:
        try:
            # newline="": carriage returns inside quoted cells reach the CSV reader as they are
            with path.open(encoding="utf-8-sig", newline="") as file:
                text = file.read()
        except FileNotFoundError:
            raise CommandError(f"{path} does not exist.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text; save it as CSV (UTF-8).") from None
        try:
            report = bounties_import_csv(text=text, actor=None, check_staff=False)
        except CsvImportError as exc:
            raise CommandError("\n".join([exc.message, *exc.errors])) from None
        return report.summary()
