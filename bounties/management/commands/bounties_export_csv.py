from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bounties.services.tracker import bounties_export_csv


class Command(BaseCommand):
    help = "Export every bounty as CSV in the bounty tracker's columns (then ours)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="Output file (default: stdout)")
        parser.add_argument(
            "--tracker-only", action="store_true", help="Only the tracker's eight columns."
        )

    def handle(self, *args: Any, path: Path | None, tracker_only: bool, **options: Any) -> None:
        text = bounties_export_csv(tracker_only=tracker_only)
        if path is None:
            sys.stdout.write(text)
            return
        path.write_text(text, encoding="utf-8", newline="")  # the file's line ends as written
        self.stderr.write(f"Wrote {text.count(chr(10)) - 1} bounties to {path}.")
