"""Importing the catalogue: idempotent, all-or-nothing, and honest about what changed."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from connectors_registry.catalogue import CatalogueError
from connectors_registry.models import (
    Connector,
    ConnectorStatusChange,
    Exchange,
    InclusionStatus,
    StatusChangeSource,
)
from connectors_registry.services import catalogue_import, catalogue_import_file

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.CATALOGUE_PATH)


def shipped_text() -> str:
    return SHIPPED.read_text()


def test_first_import_creates_everything_and_logs_inclusion():
    report = catalogue_import_file(path=SHIPPED)

    assert len(report.exchanges_created) == 44
    assert len(report.connectors_created) == 58
    assert Exchange.objects.count() == 44
    assert Connector.objects.in_codebase().count() == 58
    assert ConnectorStatusChange.objects.filter(source=StatusChangeSource.IMPORT).count() == 58


def test_second_import_changes_nothing():
    catalogue_import(text=shipped_text())
    log_rows = ConnectorStatusChange.objects.count()

    report = catalogue_import(text=shipped_text())

    assert len(report.exchanges_unchanged) == 44
    assert len(report.connectors_unchanged) == 58
    assert not report.exchanges_changed
    assert not report.connectors_changed
    assert ConnectorStatusChange.objects.count() == log_rows
    assert "0 created, 0 changed, 44 unchanged" in report.summary()


def test_edited_row_reports_exactly_the_changed_fields():
    catalogue_import(text=shipped_text())
    edited = (
        shipped_text()
        .replace("Bitstamp,CLOB CEX,Spot,bitstamp,no,", "Bitstamp,CLOB CEX,Spot,bitstamp,yes,")
        .replace(",https://uniswap.org,Ethereum", ",https://uniswap.org,Ethereum;Base")
    )

    report = catalogue_import(text=edited)

    assert report.exchanges_changed == {"bitstamp": ["is_sponsor"], "uniswap": ["chains"]}
    assert Exchange.objects.get(slug="bitstamp").is_sponsor
    assert set(Exchange.objects.get(slug="uniswap").chains.values_list("name", flat=True)) == {
        "Ethereum",
        "Base",
    }


def test_type_change_is_reported_on_the_connector():
    catalogue_import(text=shipped_text())
    edited = shipped_text().replace("Dexalot,CLOB DEX,", "Dexalot,CLOB CEX,")

    report = catalogue_import(text=edited)

    assert report.connectors_changed == {"dexalot": ["connector_type"]}


def test_file_with_one_bad_row_writes_nothing():
    bad = shipped_text().replace("Kraken,CLOB CEX,", "Kraken,CLOB XYZ,")

    with pytest.raises(CatalogueError) as caught:
        catalogue_import(text=bad)

    assert "(Kraken)" in str(caught.value)
    assert Exchange.objects.count() == 0
    assert Connector.objects.count() == 0


def test_reimport_leaves_status_alone():
    catalogue_import(text=shipped_text())
    Connector.objects.filter(slug="kraken").update(status=InclusionStatus.LEGACY)

    catalogue_import(text=shipped_text())

    assert Connector.objects.get(slug="kraken").status == InclusionStatus.LEGACY


def test_connector_missing_from_catalogue_is_reported_not_removed():
    catalogue_import(text=shipped_text())
    without_kraken = "\n".join(
        line for line in shipped_text().splitlines() if not line.startswith("Kraken,")
    )

    report = catalogue_import(text=without_kraken)

    assert report.connectors_not_in_catalogue == ["kraken"]
    assert Connector.objects.get(slug="kraken").status == InclusionStatus.IN_CODEBASE
    assert "Not in the catalogue" in report.summary()


def test_missing_file_is_a_catalogue_error(tmp_path):
    with pytest.raises(CatalogueError, match="no such file"):
        catalogue_import_file(path=tmp_path / "nope.csv")


def test_non_utf8_file_is_a_catalogue_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("exchange\nBörse\n".encode("latin-1"))

    with pytest.raises(CatalogueError, match="not UTF-8"):
        catalogue_import_file(path=path)


def test_command_prints_summary(capsys):
    call_command("import_catalogue")

    assert "Exchanges: 44 created" in capsys.readouterr().out


def test_command_names_bad_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "exchange,type,subtypes,connector_ids,sponsor,docs_url\n"
        "A,CLOB CEX,Spot,a,no,https://x.org/\nB,CLOB CEX,Spot,b,sure,https://x.org/\n"
    )

    with pytest.raises(CommandError, match="line 3"):
        call_command("import_catalogue", str(path))
    assert Exchange.objects.count() == 0
