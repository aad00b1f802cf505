"""The tracker CSV: export then import gives the same bounties; a bad file imports nothing and
names the bad rows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounties.errors import CsvImportError, NotAllowed
from bounties.models import Bounty, BountyEvent, BountyEventKind, BountyStatus, FundingSource
from bounties.services.tracker import (
    ALL_COLUMNS,
    PROPOSAL_RE,
    TRACKER_COLUMNS,
    bounties_export_csv,
    bounties_import_csv,
    bounty_row,
)
from connectors_registry.models import Maintainer
from tests.factories import (
    BountyFactory,
    ChainFactory,
    ConnectorFactory,
    ExchangeFactory,
    FundBountyProposalFactory,
    MaintainerFactory,
)

pytestmark = pytest.mark.django_db

# The real tracker's header and the shapes of its rows (docs/bounties/bounty-tracker.csv).
TRACKER_FILE = """\
Bounty ID,Type,Source,Connector,Bounty Amount,Denomination,Bounty Status,Issue Link
5915,Bug: P3,Foundation,,"10,000",HBOT,Closed,https://github.com/hummingbot/hummingbot/issues/5915
5756,Bug: P3,Foundation,,"10,000",HBOT,Paid,https://github.com/hummingbot/hummingbot/issues/5756
5756,Bug: P3,Foundation,,"10,000",HBOT,Paid,https://github.com/hummingbot/hummingbot/issues/5756
HIP-4: Curve,Improvement,Foundation,,"286,500",HBOT,Paid,https://github.com/hummingbot/gateway/issues/101
HIP-11,Improvement,Foundation,,"300,000",HBOT,Paid,
104,Refactor: P2,Foundation,,50000,HBOT,Paid,https://github.com/hummingbot/gateway/issues/104
6818,Content,Foundation,Injective Helix,"100,000",HBOT,Assigned,https://github.com/hummingbot/hummingbot/issues/6818
6769,Enhancement: P2,Foundation,Ethereum,"50,000",HBOT,Paid,https://github.com/hummingbot/hummingbot/issues/6769
7020,Refactor,Foundation,Multiple,"606,612",HBOT,Paid,https://github.com/hummingbot/hummingbot/issues/7020
7123,New connector,Hashkey,Hashkey,,HBOT,Merged,https://github.com/hummingbot/hummingbot/issues/7123
6897,Connector upgrade,dYdX,dYdX,4000,USDC,Paid,https://github.com/hummingbot/hummingbot/issues/6897
6897,Connector upgrade,dYdX,dYdX,3000,USDC,Paid,https://github.com/hummingbot/hummingbot/issues/6897
5625,Bug: P2,Foundation,,0,HBOT,Closed,https://github.com/hummingbot/hummingbot/issues/5625
"""


@pytest.fixture
def registry(db):
    ExchangeFactory(name="Injective Helix", slug="injective-helix")
    ExchangeFactory(name="dYdX", slug="dydx")
    ChainFactory(name="Ethereum")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_real_trackers_format_imports(registry, staff):
    report = bounties_import_csv(text=TRACKER_FILE, actor=staff)

    assert len(report.created) == 13
    assert report.unchanged == 0
    curve = Bounty.objects.get(tracker_id="HIP-4: Curve")
    assert (curve.bounty_type, curve.amount, curve.status) == (
        "improvement",
        Decimal(286_500),
        BountyStatus.PAID,
    )
    sponsored = Bounty.objects.filter(tracker_id="6897").order_by("amount")
    assert [(b.sponsor_name, b.amount, b.denomination) for b in sponsored] == [
        ("dYdX", Decimal(3000), "USDC"),
        ("dYdX", Decimal(4000), "USDC"),
    ]
    assert sponsored[0].exchange.name == "dYdX"
    assert Bounty.objects.get(tracker_id="6769").chain.name == "Ethereum"
    assert Bounty.objects.get(tracker_id="104").priority == "P2"
    assert Bounty.objects.get(tracker_id="7123").amount is None
    assert Bounty.objects.get(tracker_id="5625").amount == 0
    # subjects not in the registry are kept as text, and said so
    assert Bounty.objects.get(tracker_id="7020").subject_label == "Multiple"
    assert any("'Multiple' is not in the registry" in w for w in report.warnings)
    # imported bounties are funded outside the ledger, and their history says so
    assert not Bounty.objects.filter(pot__isnull=False).exists()
    assert Bounty.objects.filter(is_imported=True).count() == 13
    event = curve.events.get()
    assert (event.kind, event.actor, event.to_status) == (BountyEventKind.IMPORTED, staff, "paid")


def test_importing_the_same_file_again_adds_nothing(registry, staff):
    bounties_import_csv(text=TRACKER_FILE, actor=staff)

    report = bounties_import_csv(text=TRACKER_FILE, actor=staff)

    assert report.created == []
    assert report.unchanged == 13
    assert Bounty.objects.count() == 13


def test_export_then_import_gives_the_same_bounties(
    staff, drive, pot, make_bounty, maintainer, exchange
):
    # given bounties made on the site in every status, with every field the CSV carries
    connector = ConnectorFactory(exchange=exchange, connector_id="kraken")
    proposal = FundBountyProposalFactory(exchange=exchange, number=91)
    made = [
        drive.to(make_bounty(connector=connector, deadline="2030-01-31"), BountyStatus.PAID),
        drive.to(make_bounty(amount=Decimal("1234.5"), denomination="USDT"), BountyStatus.MERGED),
        make_bounty(
            funding_source=FundingSource.SPONSOR,
            sponsor_name="Kraken, Inc.",
            acceptance_criteria='Tests pass;\n"QA" signs off',
            description="Line 1\nLine 2",
        ),
        make_bounty(funding_source=FundingSource.PROPOSAL, proposal=proposal, amount=None),
        make_bounty(bounty_type="content", priority="", exchange=None, subject_label="Docs"),
        drive.to(make_bounty(), BountyStatus.WONT_FIX),
    ]
    exported = bounties_export_csv()

    # when the export is imported into a site without them
    before = {b.pk: bounty_row(Bounty.objects.get(pk=b.pk)) for b in made}
    Bounty.objects.all().update(pot=None)
    from bounties.models import Payout, PotEntry

    PotEntry.objects.filter(bounty__isnull=False).delete()
    Payout.objects.all().delete()
    BountyEvent.objects.all().delete()
    Bounty.objects.all().delete()
    report = bounties_import_csv(text=exported, actor=staff)

    # then the same bounties come back, column for column, and export the same file
    assert len(report.created) == len(made)
    after = [bounty_row(b) for b in Bounty.objects.order_by("created_at", "id")]
    assert after == list(before.values())
    assert bounties_export_csv() == exported
    assert Bounty.objects.get(tracker_id=made[0].tracker_id).assignee == maintainer


def test_export_has_the_trackers_columns_first(make_bounty):
    make_bounty(amount=Decimal(10_000), tracker_id="5915")

    tracker_only = bounties_export_csv(tracker_only=True)
    full = bounties_export_csv()

    assert tracker_only.splitlines()[0] == ",".join(TRACKER_COLUMNS)
    assert full.splitlines()[0] == ",".join(ALL_COLUMNS)
    assert _rows(tracker_only)[0]["Bounty Amount"] == "10,000"


def test_an_export_of_the_site_imports_back_as_already_there(make_bounty, staff, drive, pot):
    drive.to(make_bounty(), BountyStatus.ASSIGNED)
    make_bounty()

    report = bounties_import_csv(text=bounties_export_csv(), actor=staff)

    assert (report.created, report.unchanged) == ([], 2)


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("7,Bug: P9,Foundation,,1,HBOT,Open,", "Type 'Bug: P9' is not a bounty type"),
        ("7,Feature,Foundation,,1,HBOT,Open,", "Type 'Feature' is not a bounty type"),
        ("7,Bug: P2,,,1,HBOT,Open,", "Source is empty"),
        ("7,Bug: P2,HGP-999,,1,HBOT,Open,", "Source HGP-999 is not a proposal on this site"),
        ("7,Bug: P2,Foundation,,ten,HBOT,Open,", "Bounty Amount 'ten' is not valid"),
        ("7,Bug: P2,Foundation,,-5,HBOT,Open,", "it is negative"),
        ("7,Bug: P2,Foundation,,1.1234567,HBOT,Open,", "more than 6 decimal places"),
        ("7,Bug: P2,Foundation,,50000,,Open,", "Denomination is empty"),
        ("7,Bug: P2,Foundation,,1,EUR,Open,", "Denomination 'EUR' is not HBOT, USDC or USDT"),
        ("7,Bug: P2,Foundation,,1,HBOT,Done,", "Bounty Status 'Done' is not one of"),
        ("7,Bug: P2,Foundation,,1,HBOT,Open,ftp://x", "Issue Link 'ftp://x' is not a web address"),
    ],
)
def test_a_malformed_file_imports_nothing_and_names_the_bad_row(bad_row, message, staff, registry):
    # given a good file with one bad row (its 4th row, counting the header as row 1)
    lines = TRACKER_FILE.splitlines()
    text = "\n".join([*lines[:3], bad_row, *lines[3:]]) + "\n"

    # when it is imported
    with pytest.raises(CsvImportError) as refused:
        bounties_import_csv(text=text, actor=staff)

    # then the error names the row and what is wrong, and nothing was written
    assert refused.value.message == "Nothing was imported: 1 row(s) have errors."
    assert refused.value.errors[0].startswith("Row 4 (Bounty ID 7): ")
    assert message in refused.value.errors[0]
    assert not Bounty.objects.exists()
    assert not BountyEvent.objects.exists()


def test_every_bad_row_is_named(staff):
    text = (
        ",".join(TRACKER_COLUMNS) + "\n"
        "1,Bug: P2,Foundation,,1,HBOT,Open,\n"
        "2,Nope,Foundation,,1,HBOT,Open,\n"
        "3,Bug: P2,Foundation,,1,XYZ,Maybe,\n"
    )

    with pytest.raises(CsvImportError) as refused:
        bounties_import_csv(text=text, actor=staff)

    assert refused.value.message == "Nothing was imported: 2 row(s) have errors."
    assert [e.split(":")[0] for e in refused.value.errors] == [
        "Row 3 (Bounty ID 2)",
        "Row 4 (Bounty ID 3)",
        "Row 4 (Bounty ID 3)",
    ]
    assert not Bounty.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Bounty ID,Type\n1,Bug\n", "missing column(s) Source, Connector"),
        ("", "missing column(s) Bounty ID"),
        (",".join(TRACKER_COLUMNS) + ",Type\n", "Type appear twice"),
        (",".join(TRACKER_COLUMNS) + "\n1,Bug,Foundation,,1,HBOT,Open,,extra\n", "9 cells"),
        (",".join(TRACKER_COLUMNS) + '\n1,"Bug\n', "Row"),
    ],
)
def test_files_that_are_not_tracker_csv_are_refused(text, message, staff):
    with pytest.raises(CsvImportError) as refused:
        bounties_import_csv(text=text, actor=staff)

    assert message in " ".join(refused.value.errors)
    assert not Bounty.objects.exists()


def test_a_row_that_changes_a_bounty_already_here_is_refused(registry, staff):
    bounties_import_csv(text=TRACKER_FILE, actor=staff)
    changed = TRACKER_FILE.replace(
        '6818,Content,Foundation,Injective Helix,"100,000",HBOT,Assigned',
        '6818,Content,Foundation,Injective Helix,"100,000",HBOT,Paid',
    )
    extra = "9999,Bug: P3,Foundation,,1,HBOT,Open,\n"

    with pytest.raises(CsvImportError) as refused:
        bounties_import_csv(text=changed + extra, actor=staff)

    assert "Row 8 (Bounty ID 6818)" in refused.value.errors[0]
    assert "Bounty Status: Assigned → Paid" in refused.value.errors[0]
    assert not Bounty.objects.filter(tracker_id="9999").exists()
    assert Bounty.objects.get(tracker_id="6818").status == BountyStatus.ASSIGNED


def test_unknown_assignee_is_an_error(staff):
    text = (
        ",".join([*TRACKER_COLUMNS, "Assignee"])
        + "\n1,Bug: P2,Foundation,,1,HBOT,Assigned,,@ghost\n"
    )

    with pytest.raises(CsvImportError, match="Nothing was imported") as refused:
        bounties_import_csv(text=text, actor=staff)

    assert "Assignee '@ghost' is not a maintainer here" in refused.value.errors[0]


def test_only_staff_import(maintainer):
    with pytest.raises(NotAllowed):
        bounties_import_csv(text=TRACKER_FILE, actor=maintainer.user)


def test_byte_order_mark_and_blank_lines_are_fine(staff, registry):
    text = "\ufeff" + TRACKER_FILE.replace("\n5756", "\n\n5756", 1)

    assert len(bounties_import_csv(text=text, actor=staff).created) == 13


def test_imported_active_bounties_wait_for_staff(staff):
    text = ",".join(TRACKER_COLUMNS) + "\n1,Bug: P2,Foundation,,5,HBOT,Assigned,\n"
    bounties_import_csv(text=text, actor=staff)

    bounty = Bounty.objects.get()
    assert (bounty.status, bounty.assignee, bounty.last_activity_at) == ("assigned", None, None)


def test_exported_row_of_a_bounty_factory():
    bounty = BountyFactory(amount=Decimal("1234567.25"), tracker_id="42", priority="P1")

    row = bounty_row(bounty)

    assert (row["Type"], row["Bounty Amount"], row["Source"], row["Bounty Status"]) == (
        "Bug: P1",
        "1,234,567.25",
        "Foundation",
        "Potential",
    )


# --- CSV injection (issue 11): formula cells are escaped, and import reads them back -----

FORMULA_TEXTS = [
    '=HYPERLINK("https://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _free_text_bounty(exchange, maintainer, text: str) -> Bounty:
    """A bounty whose every free-text column (and its assignee's name) is ``text``."""
    return BountyFactory(
        tracker_id=text[:60],
        title=text[:200],
        description=text,
        acceptance_criteria=text,
        funding_source=FundingSource.SPONSOR,
        sponsor_name=text[:120],
        exchange=None,
        subject_label=text[:120],
        assignee=maintainer,
        issue_url="",
    )


def _reimport(staff) -> tuple[str, list[dict[str, str]], list[dict[str, str]]]:
    """Export every bounty, delete them, import the file: the file, rows before, after."""
    exported = bounties_export_csv()
    before = [bounty_row(b) for b in Bounty.objects.order_by("created_at", "id")]
    BountyEvent.objects.all().delete()
    Bounty.objects.all().delete()
    bounties_import_csv(text=exported, actor=staff)
    after = [bounty_row(b) for b in Bounty.objects.order_by("created_at", "id")]
    return exported, before, after


@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_every_formula_prefix_is_neutralised_in_the_export(text, staff, exchange):
    # given a bounty whose free text (and its sponsor, label, ID, assignee) begins a formula
    assignee = MaintainerFactory(display_name=text, github_handle="")
    _free_text_bounty(exchange, assignee, text)

    # when it is exported
    exported = bounties_export_csv()

    # then no cell of the file begins with a formula character: each has a quote in front
    rows = list(csv.reader(io.StringIO(exported, newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    row = dict(zip(rows[0], rows[1], strict=True))
    for column in (
        "Bounty ID",
        "Source",
        "Connector",
        "Title",
        "Description",
        "Acceptance Criteria",
        "Assignee",
    ):
        assert row[column].startswith("'" + text[:1]), column
    # and the numeric and program-written columns are as before
    assert (row["Bounty Amount"], row["Type"], row["Bounty Status"]) == (
        "50,000",
        "Bug: P2",
        "Potential",
    )


@pytest.mark.parametrize(
    "text",
    [*FORMULA_TEXTS, "'=already quoted", "''=two quotes", "'", "'tis the season", "''", "'-"],
)
def test_escaped_cells_import_back_unchanged(text, staff, exchange):
    # given bounties with formula-like text, and text that begins with a quote already
    assignee = MaintainerFactory(display_name=text, github_handle="")
    _free_text_bounty(exchange, assignee, text)

    # when exported and imported into a site without them
    exported, before, after = _reimport(staff)

    # then every column comes back as it was, and exports to the same file
    assert after == before
    assert Bounty.objects.get().description == text
    assert bounties_export_csv() == exported


def test_import_reads_a_hand_written_escaped_cell(staff):
    text = (
        ",".join([*TRACKER_COLUMNS, "Title"])
        + "\n'-12,Bug: P2,'=Sponsor,,1,HBOT,Potential,,'@title\n"
    )

    bounties_import_csv(text=text, actor=staff)

    bounty = Bounty.objects.get()
    assert (bounty.tracker_id, bounty.sponsor_name, bounty.title) == ("-12", "=Sponsor", "@title")


def test_a_negative_amount_cannot_be_stored():
    # so Bounty Amount, written by the program, never begins with "-" (left unescaped)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BountyFactory(amount=Decimal(-1))


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
_FREE_TEXT = st.one_of(
    _TEXT,
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "''", "'=", "'\t", " ="]),
        _TEXT,
    ),
).filter(
    # Import strips the spaces around every cell (as before); a tab or carriage return at
    # the start survives behind its escaping quote.
    lambda t: (
        t.strip()
        and t == t.rstrip()
        and (t == t.lstrip() or t[0] in "\t\r")
        and t.lower() not in ("foundation", "kraken")
        and not PROPOSAL_RE.match(t)
    )
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_FREE_TEXT, other=_FREE_TEXT)
def test_export_then_import_round_trips_any_free_text(text, other, staff, exchange):
    """Any text in the free-text columns (Bounty ID, Source, Connector, Title, Description,
    Acceptance Criteria, the assignee's name) survives export then import."""
    try:
        _free_text_bounty(
            exchange, MaintainerFactory(display_name=text[:100], github_handle=""), text
        )
        BountyFactory(
            exchange=exchange, title=other[:200], description=other, acceptance_criteria=other
        )

        exported, before, after = _reimport(staff)

        assert after == before
        assert bounties_export_csv() == exported
    finally:
        BountyEvent.objects.all().delete()
        Bounty.objects.all().delete()
        Maintainer.objects.all().delete()
