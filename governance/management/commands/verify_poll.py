"""Recount a poll independently: signatures, voting power on-chain, and the result."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.audit.recount import (
    AuditInputError,
    AuditSubject,
    audit_reader,
    audit_subject_from_export,
    audit_subject_from_poll,
    poll_audit,
)
from governance.chain.errors import ChainError
from governance.models import Poll


class Command(BaseCommand):
    help = (
        "Verify a poll: re-check every vote's EIP-712 signature, re-read every voter's HBOT "
        "balance at the snapshot block from a JSON-RPC node (never the site's cache), recount "
        "and compare with the site's result. With --file, verify a downloaded votes.json "
        "without the database. Exits 1 when anything differs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("poll_id", nargs="?", type=int, help="the poll's id")
        parser.add_argument("--file", type=Path, help="a votes.json downloaded from a poll")
        parser.add_argument("--rpc-url", help="JSON-RPC node to read (default: ETH_RPC_URL)")
        parser.add_argument("--chain-id", type=int, help="the chain id you expect")
        parser.add_argument("--token", help="the HBOT token address you expect")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            subject = self._subject(options["poll_id"], options["file"])
            reader = audit_reader(
                subject=subject,
                rpc_url=options["rpc_url"],
                chain_id=options["chain_id"],
                token_address=options["token"],
            )
            report = poll_audit(subject=subject, reader=reader)
        except (AuditInputError, ChainError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.agrees:
            raise CommandError(
                f"Poll {report.poll_id} does not check out: {len(report.findings)} difference(s)."
            )

    def _subject(self, poll_id: int | None, path: Path | None) -> AuditSubject:
        if path is not None:
            try:
                data = json.loads(path.read_text())
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
            except ValueError as exc:
                raise CommandError(f"{path.name} is not valid JSON: {exc}.") from None
            subject = audit_subject_from_export(data=data, name=path.name)
            if poll_id is not None and poll_id != subject.poll_id:
                raise CommandError(f"{path.name} holds poll {subject.poll_id}, not {poll_id}.")
            return subject
        if poll_id is None:
            raise CommandError("Give a poll id, or --file with a downloaded votes.json.")
        poll = Poll.objects.select_related("rules").filter(pk=poll_id).first()
        if poll is None:
            raise CommandError(f"There is no poll {poll_id}.")
        return audit_subject_from_poll(poll=poll)
