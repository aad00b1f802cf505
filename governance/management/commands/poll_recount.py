"""Check a poll's running totals against a recount of its signed votes; repair on request."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.models import Poll, PollStatus
from governance.services.tallies import poll_recount


class Command(BaseCommand):
    help = (
        "Recount a poll from its counted signed votes and compare with the running totals "
        "every vote keeps. Exits 1 when they differ; --repair replaces the totals by the "
        "recount (votes wait for it meanwhile). Balances are the ones stored with the votes; "
        "verify_poll re-reads them on-chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("poll_id", type=int, help="the poll's id")
        parser.add_argument(
            "--repair", action="store_true", help="replace differing totals by the recount"
        )

    def handle(self, *args: Any, **options: Any) -> str:
        poll = Poll.objects.filter(pk=options["poll_id"]).first()
        if poll is None:
            raise CommandError(f"There is no poll {options['poll_id']}.")
        if poll.is_archived:
            raise CommandError(f"{poll} is an archived result; it has no signed votes.")
        if poll.status == PollStatus.DRAFT:
            raise CommandError(f"{poll} has not opened yet; it has no votes to recount.")
        if poll.status == PollStatus.FINALIZED and options["repair"]:
            raise CommandError(f"{poll} is finalized; its result is frozen and stays as it is.")
        report = poll_recount(poll=poll, repair=options["repair"])
        recounted = report.recounted
        summary = (
            f"Poll {poll.pk} ({poll}): {recounted.voter_count} counted vote(s), "
            f"{len(recounted.sums)} choice(s) with votes."
        )
        if report.agrees:
            return f"{summary}\nThe running totals agree with the recount."
        lines = "\n".join(f"  {line}" for line in report.differences())
        if report.repaired:
            return f"{summary}\nRepaired; the running totals differed:\n{lines}"
        raise CommandError(
            f"{summary}\nThe running totals differ from the recount:\n{lines}\n"
            f"Run `manage.py poll_recount {poll.pk} --repair` to replace them by the recount."
        )
