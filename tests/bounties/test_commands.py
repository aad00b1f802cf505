"""The CSV and credit-sync management commands: thin wrappers that say what they did."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bounties.models import Bounty, PotEntry
from tests.factories import BountyFactory, PollPotCreditFactory

pytestmark = pytest.mark.django_db

HEADER = "Bounty ID,Type,Source,Connector,Bounty Amount,Denomination,Bounty Status,Issue Link\n"


def test_export_then_import_commands_round_trip(tmp_path):
    BountyFactory(title="Round trip")
    path = tmp_path / "bounties.csv"
    call_command("bounties_export_csv", str(path), stderr=StringIO())
    Bounty.objects.all().delete()

    out = StringIO()
    call_command("bounties_import_csv", str(path), stdout=out)

    assert "1 created, 0 already imported" in out.getvalue()
    assert Bounty.objects.get().title == "Round trip"


def test_import_command_names_bad_rows_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "1,Bug: P2,Foundation,,1,HBOT,Open,\n2,Bug: P2,Foundation,,1,HBOT,?,\n"
    )

    with pytest.raises(CommandError, match=r"Row 3 \(Bounty ID 2\): Bounty Status '\?'"):
        call_command("bounties_import_csv", str(path))

    assert not Bounty.objects.exists()


@pytest.mark.parametrize(("content", "message"), [(None, "does not exist"), (b"\xff\xfe", "UTF-8")])
def test_import_command_refuses_unreadable_files(tmp_path, content, message):
    path = tmp_path / "x.csv"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("bounties_import_csv", str(path))


def test_export_command_writes_to_stdout(capsys):
    BountyFactory(tracker_id="42")

    call_command("bounties_export_csv", "--tracker-only")

    assert capsys.readouterr().out.splitlines()[1].startswith("42,Bug: P2,Foundation,")


def test_pot_credits_sync_command():
    PollPotCreditFactory()
    out = StringIO()

    call_command("pot_credits_sync", stdout=out)

    assert "1 allocation entries written." in out.getvalue()
    assert PotEntry.objects.count() == 1
