from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.chain.devchain import HBOT, DevChain
from governance.chain.rpc_server import JsonRpcServer


class Command(BaseCommand):
    help = (
        "Serve a local Ethereum dev chain (JSON-RPC over HTTP, loopback only) with a demo HBOT "
        "token, a Multicall3-compatible contract and funded demo holders. Deterministic: the "
        "same addresses, keys and balances at every start. Never used in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
        parser.add_argument("--port", type=int, default=8545)
        parser.add_argument(
            "--holders", type=int, default=0, help="also fund this many generated holders"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["holders"] < 0 or options["holders"] > 100_000:
            raise CommandError("--holders must be between 0 and 100000")
        chain = DevChain(generated_holders=options["holders"])
        try:
            server = JsonRpcServer(chain, host=options["host"], port=options["port"])
        except (ValueError, OSError) as exc:
            raise CommandError(f"cannot serve the dev chain: {exc}") from None
        info = chain.info
        out = self.stdout
        out.write(f"Dev chain listening on {server.url}  (chain id {info.chain_id})")
        out.write(f"  HBOT token (demo)      {info.token_address}")
        out.write(f"  Multicall3 (aggregate3) {info.multicall_address}")
        out.write(
            f"  EIP-1271 wallet        {info.smart_wallet_address} "
            f"(owner: {info.smart_wallet_owner.name})"
        )
        out.write(
            f"  Seeded at blocks {info.first_round_block} (distribution) and "
            f"{info.second_round_block} (transfers)"
        )
        if info.generated_holders:
            out.write(
                f"  {info.generated_holders} generated holders funded by block "
                f"{info.generated_round_block}"
            )
        out.write("  Demo holders (dev keys, public knowledge, never use them on a real chain):")
        for holder in info.holders:
            balance = info.balances.get(holder.address, 0) / HBOT
            out.write(
                f"    {holder.name:<6} {holder.address}  {balance:>14,.0f} HBOT  "
                f"key {holder.private_key}"
            )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
