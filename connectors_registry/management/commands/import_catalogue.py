from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from connectors_registry.catalogue import CatalogueError
from connectors_registry.services import catalogue_import_file


class Command(BaseCommand):
    help = (
        "Import the connector catalogue CSV (exchange,type,subtypes,connector_ids,sponsor,"
        "docs_url[,website,chains]). Idempotent: re-running reports what was created, "
        "changed and unchanged. A bad row aborts the import and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=Path(settings.CATALOGUE_PATH),
            help="CSV file (default: the catalogue shipped with the project).",
        )

    def handle(self, *args: Any, **options: Any) -> str:
        try:
            report = catalogue_import_file(path=options["path"])
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        return report.summary()
