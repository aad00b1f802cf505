"""CSV cells that a spreadsheet will not run as formulas (CSV injection), and back.

OWASP's rule: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab (0x09) or a
carriage return (0x0D) could be taken for a formula by Excel, LibreOffice or Google Sheets,
so it is written with a single quote (``'``) in front; the spreadsheet shows the text as it
is. So that a file we wrote reads back to exactly what we wrote, a cell that already begins
with a quote followed by one of those characters or by another quote gets one more quote
too; ``unescape_cell`` removes exactly one leading quote from such cells and leaves every
other cell alone (``'tis`` stays ``'tis``).

Only text is escaped: numbers (``int``, ``Decimal``, ``float``) are written as they are,
since a number written by the program is a number to the spreadsheet, not a formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_AFTER_QUOTE = (*FORMULA_PREFIXES, QUOTE)

K = TypeVar("K")


def needs_escape(text: str) -> bool:
    if text.startswith(FORMULA_PREFIXES):
        return True
    return text.startswith(QUOTE) and text[1:].startswith(_AFTER_QUOTE)


def escape_cell(value: Any) -> Any:
    """``value`` as a CSV cell: text that a spreadsheet could run gets a leading quote."""
    if isinstance(value, str) and needs_escape(value):
        return QUOTE + value
    return value


def unescape_cell(text: str) -> str:
    """The text ``escape_cell`` was given: one leading quote fewer where it added one."""
    if text.startswith(QUOTE) and text[1:].startswith(_AFTER_QUOTE):
        return text[1:]
    return text


def escape_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a ``csv.writer`` row, escaped."""
    return [escape_cell(value) for value in values]


def escape_dict_row(row: Mapping[K, Any]) -> dict[K, Any]:
    """Every cell of a ``csv.DictWriter`` row, escaped."""
    return {key: escape_cell(value) for key, value in row.items()}
