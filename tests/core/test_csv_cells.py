"""CSV cells a spreadsheet will not run as formulas (OWASP's rule), read back unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.csv_cells import FORMULA_PREFIXES, escape_cell, escape_dict_row, escape_row, unescape_cell

TEXT = st.one_of(
    st.text(),
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from([*FORMULA_PREFIXES, "'", "''", "'=", "'\t", "'\r", "'a"]),
        st.text(),
    ),
)


@given(text=TEXT)
def test_unescape_gives_back_what_was_escaped(text):
    assert unescape_cell(escape_cell(text)) == text


@given(text=TEXT)
def test_no_escaped_cell_begins_with_a_formula_character(text):
    assert not escape_cell(text).startswith(FORMULA_PREFIXES)


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_prefix_gets_a_quote(prefix):
    assert escape_cell(prefix + "1+1") == "'" + prefix + "1+1"
    assert unescape_cell("'" + prefix + "1+1") == prefix + "1+1"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("'=x", "''=x"),  # a quote already in front of a formula character: one more
        ("''", "'''"),
        ("'tis", "'tis"),  # any other leading quote is left alone
        ("'", "'"),
        ("a=b", "a=b"),
        (" =x", " =x"),
        ("", ""),
    ],
)
def test_leading_quotes_are_escaped_only_where_they_would_be_read_as_the_escape(text, written):
    assert escape_cell(text) == written
    assert unescape_cell(written) == text


def test_numbers_are_written_as_numbers():
    assert escape_row([-5, Decimal("-1.5"), -0.5, None, "-5"]) == [
        -5,
        Decimal("-1.5"),
        -0.5,
        None,
        "'-5",
    ]
    assert escape_dict_row({"a": "@x", "b": 3}) == {"a": "'@x", "b": 3}
