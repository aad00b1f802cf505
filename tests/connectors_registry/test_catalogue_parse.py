"""Parsing the catalogue: the shipped file, the sub-type rules, and every rejection."""

from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from connectors_registry.catalogue import CatalogueError, catalogue_parse
from connectors_registry.models import Namespace, SubType

HEADER = "exchange,type,subtypes,connector_ids,sponsor,docs_url\n"
DOCS = "https://hummingbot.org/exchanges/x/"


def parse_rows(*rows: str) -> list:
    return catalogue_parse(HEADER + "\n".join(rows) + "\n")


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        catalogue_parse(text)
    return caught.value.problems


def test_shipped_catalogue_has_44_exchanges_and_58_connectors():
    rows = catalogue_parse(Path(settings.CATALOGUE_PATH).read_text())

    assert len(rows) == 44
    assert sum(len(r.connectors) for r in rows) == 58


def test_client_ids_map_perpetual_suffix_to_perpetual():
    (row,) = parse_rows(f'Binance,CLOB CEX,"Spot, Perpetual",binance binance_perpetual,yes,{DOCS}')

    assert [(c.slug, c.sub_type, c.namespace) for c in row.connectors] == [
        ("binance", SubType.SPOT, Namespace.CLIENT),
        ("binance_perpetual", SubType.PERPETUAL, Namespace.CLIENT),
    ]
    assert row.connectors[1].code_path == "hummingbot/connector/derivative/binance_perpetual"
    assert row.is_sponsor


def test_gateway_id_gives_one_connector_per_sub_type():
    (row,) = parse_rows(f'Uniswap,AMM DEX,"Router, AMM, CLMM",uniswap,no,{DOCS}')

    assert [c.slug for c in row.connectors] == ["uniswap-router", "uniswap-amm", "uniswap-clmm"]
    assert {c.code_path for c in row.connectors} == {"src/connectors/uniswap"}


def test_okx_exists_in_both_namespaces():
    rows = parse_rows(
        f"OKX,CLOB CEX,Spot,okx,yes,{DOCS}",
        f"OKX DEX,AMM DEX,Router,okx,no,{DOCS}",
    )

    assert [c.slug for r in rows for c in r.connectors] == ["okx", "okx-router"]


def test_optional_website_and_chains_are_read():
    text = (
        HEADER.strip()
        + ",website,chains\n"
        + f"Orca,AMM DEX,CLMM,orca,yes,{DOCS},https://orca.so,Solana; Eclipse\n"
    )

    (row,) = catalogue_parse(text)

    assert row.website == "https://orca.so"
    assert row.chains == ("Solana", "Eclipse")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"X,CLOB FOO,Spot,x,no,{DOCS}", "type 'CLOB FOO'"),
        (f"X,CLOB CEX,Options,x,no,{DOCS}", "sub-type 'Options'"),
        (f"X,CLOB CEX,Spot,x,maybe,{DOCS}", "sponsor 'maybe'"),
        ("X,CLOB CEX,Spot,x,no,not-a-url", "docs_url"),
        (f"X,CLOB CEX,Spot,,no,{DOCS}", "connector_ids is empty"),
        (f"X,CLOB CEX,Spot,Bad-Id,no,{DOCS}", "connector id 'Bad-Id'"),
        (f"X,CLOB CEX,Spot,x x,no,{DOCS}", "listed twice"),
        (f"X,CLOB CEX,Perpetual,x,no,{DOCS}", "do not match"),
        (f"X,AMM DEX,Spot,x,no,{DOCS}", "AMM DEX sub-types"),
        (f",CLOB CEX,Spot,x,no,{DOCS}", "exchange name is empty"),
        (f"X,CLOB CEX,,x,no,{DOCS}", "subtypes is empty"),
        (f"X,CLOB CEX,Spot,x,no,{DOCS},extra", "more fields than columns"),
    ],
)
def test_bad_row_is_named_by_line(row, message):
    problems = problems_of(HEADER + f"A,CLOB CEX,Spot,a,no,{DOCS}\n" + row + "\n")

    assert len(problems) == 1
    assert problems[0].startswith("line 3")
    assert message in problems[0]


def test_every_bad_row_is_reported_at_once():
    problems = problems_of(
        HEADER + f"A,CLOB FOO,Spot,a,no,{DOCS}\n" + f"B,CLOB CEX,Spot,b,perhaps,{DOCS}\n"
    )

    assert [p.split(" ")[1] for p in problems] == ["2", "3"]


def test_missing_column_is_reported():
    problems = problems_of("exchange,type\nA,CLOB CEX\n")

    assert "missing column(s) subtypes" in problems[0]


def test_unknown_column_is_reported():
    problems = problems_of(HEADER.strip() + ",colour\n")

    assert "unknown column(s) colour" in problems[0]


def test_duplicate_exchange_names_the_first_line():
    problems = problems_of(
        HEADER + f"A,CLOB CEX,Spot,a,no,{DOCS}\n" + f"a,CLOB CEX,Spot,b,no,{DOCS}\n"
    )

    assert any("already on line 2" in p for p in problems)


def test_duplicate_connector_across_rows():
    problems = problems_of(
        HEADER + f"A,CLOB CEX,Spot,same,no,{DOCS}\n" + f"B,CLOB CEX,Spot,same,no,{DOCS}\n"
    )

    assert problems == ["line 3 (B): connector 'same' already on line 2"]


def test_empty_file_is_refused():
    assert problems_of(HEADER) == ["the file has no rows"]


connector_ids = st.lists(
    st.from_regex(r"[a-z][a-z0-9]{1,10}", fullmatch=True), min_size=1, max_size=4, unique=True
)
gateway_sub_types = st.lists(
    st.sampled_from(["Router", "AMM", "CLMM"]), min_size=1, max_size=3, unique=True
)


@given(ids=connector_ids, sub_types=gateway_sub_types)
def test_gateway_rows_give_ids_times_sub_types(ids, sub_types):
    (row,) = parse_rows(f'G,AMM DEX,"{", ".join(sub_types)}",{" ".join(ids)},no,{DOCS}')

    assert len(row.connectors) == len(ids) * len(sub_types)


@given(ids=connector_ids)
def test_client_rows_give_one_connector_per_id(ids):
    spot_ids = [i.removesuffix("_perpetual") for i in ids]

    (row,) = parse_rows(f"C,CLOB CEX,Spot,{' '.join(spot_ids)},no,{DOCS}")

    assert len(row.connectors) == len(spot_ids)
