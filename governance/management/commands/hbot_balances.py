import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from governance.balance_snapshots import balances_get
from governance.chain.balances import BalanceReader, checksum
from governance.chain.errors import ChainError
from governance.units import token_amount


class Command(BaseCommand):
    help = (
        "Print HBOT balances of addresses at a block (default: the latest final block), "
        "against the configured or any given Ethereum JSON-RPC endpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addresses", nargs="*", help="0x addresses")
        parser.add_argument("--file", type=Path, help="one address per line; # comments")
        parser.add_argument("--block", default="latest-final", help="block number")
        parser.add_argument("--rpc-url", help="JSON-RPC URL (default: ETH_RPC_URL)")
        parser.add_argument("--token", help="token address (default: HBOT_TOKEN_ADDRESS)")
        parser.add_argument("--chain-id", type=int, help="expected chain id")
        parser.add_argument("--no-cache", action="store_true", help="read everything on-chain")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = list(options["addresses"])
        if options["file"]:
            try:
                lines = options["file"].read_text().splitlines()
            except OSError as exc:
                raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
            raw += [line.split("#")[0].strip() for line in lines]
        raw = [a for a in raw if a]
        if not raw:
            raise CommandError("give at least one address (arguments or --file)")
        try:
            holders = list(dict.fromkeys(checksum(a) for a in raw))
            reader = BalanceReader.from_settings(
                rpc_url=options["rpc_url"],
                token_address=options["token"],
                chain_id=options["chain_id"],
            )
            reader.check_chain()
            block = self._block(options["block"], reader)
            balances = self._read(holders, block, reader, no_cache=options["no_cache"])
        except (ValueError, ChainError) as exc:
            raise CommandError(str(exc)) from None

        decimals = settings.HBOT_DECIMALS
        self.stdout.write(f"Balances of {reader.token_address} at block {block}:")
        for holder in holders:
            amount = token_amount(balances[holder], decimals)
            self.stdout.write(f"{holder}  {amount:>32} HBOT  {balances[holder]}")
        total = sum(balances.values())
        self.stdout.write(f"Total of {len(holders)} holders: {token_amount(total, decimals)} HBOT")

    def _block(self, value: str, reader: BalanceReader) -> int:
        if value == "latest-final":
            return reader.latest_final_block()
        try:
            block = int(value)
        except ValueError:
            raise CommandError(f"--block {value!r} is not a block number") from None
        reader.require_final(block)
        return block

    def _read(
        self, holders: Sequence[str], block: int, reader: BalanceReader, *, no_cache: bool
    ) -> dict[str, int]:
        size = reader.batch_size
        batches = [holders[i : i + size] for i in range(0, len(holders), size)]
        balances: dict[str, int] = {}
        progress = tqdm(batches, unit="batch", disable=len(batches) < 2, file=sys.stderr)
        for batch in progress:
            if no_cache:
                balances.update(reader.balances_at(batch, block=block))
            else:
                balances.update(balances_get(addresses=batch, block=block, reader=reader))
        return balances
