"""Demo polls, votes and a proposal on the dev chain, for trying the site with make run."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.chain.balances import BalanceReader
from governance.chain.errors import ChainError
from governance.services.demo import demo_governance_seed
from governance.services.errors import GovernanceError


class Command(BaseCommand):
    help = (
        "Add demo governance data signed by the dev chain's demo holders (dev chain only; "
        "idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait", type=float, default=0, help="seconds to wait for the dev chain to answer"
        )

    def handle(self, *args: Any, **options: Any) -> str:
        deadline = time.monotonic() + max(0.0, min(options["wait"], 600.0))
        reader = BalanceReader.from_settings(retries=0)
        while True:
            try:
                reader.check_chain()
                break
            except ChainError as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(f"The dev chain is not answering: {exc}") from None
                time.sleep(0.5)
        try:
            return demo_governance_seed().summary()
        except GovernanceError as exc:
            raise CommandError(exc.message) from None
