"""The one CSV writer for every CSV the toolkit prints or writes.

CSV written here is opened by panel members in Excel and LibreOffice, and it carries text from
bidders outside the council. Two things make that safe:

* **Quoting.** A field holding a carriage return, a line feed, a double quote or the delimiter is
  always quoted. (The standard library's ``csv.writer`` quotes a bare CR only when CR is part of
  its line terminator: with ``lineterminator="\\n"`` a name ``Brightside CIC\\r=HYPERLINK(...)``
  came out unquoted and LibreOffice started a new row at the CR.)
* **Neutralising formulas.** A text cell that begins — after any leading whitespace or control
  character — with ``=``, ``+``, ``-`` or ``@``, or that begins with a tab or a carriage return,
  gets a leading apostrophe, so a spreadsheet shows it as text. Genuine numbers are not text:
  ``-5`` written by the toolkit (as a number, or as the text of a plain decimal number) stays
  ``-5`` and the spreadsheet reads the number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any

__all__ = ["escape_formula", "format_row", "is_plain_number", "write_rows"]

_FORMULA_START = ("=", "+", "-", "@")
# A plain decimal number as a spreadsheet reads it: no formula can hide in one.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_plain_number(text: str) -> bool:
    """True when ``text`` is exactly a decimal number (``-5``, ``2.50``, ``1e3``)."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def escape_formula(value: Any) -> Any:
    """A text cell made safe for a spreadsheet; numbers and other values unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r":
        return "'" + value
    stripped = value.lstrip("".join(chr(c) for c in range(33)) + "\x7f\u00a0\u2000\u3000")
    if stripped.startswith(_FORMULA_START) and not is_plain_number(stripped):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal | Fraction):
        return str(value)
    return str(escape_formula(str(value)))


def _quoted(text: str, delimiter: str) -> str:
    if any(ch in text for ch in ('"', "\r", "\n", delimiter)):
        return '"' + text.replace('"', '""') + '"'
    return text


def format_row(values: Iterable[Any], *, delimiter: str = ",", lineterminator: str = "\n") -> str:
    """One CSV line: every cell neutralised and quoted as needed."""
    return delimiter.join(_quoted(_text(v), delimiter) for v in values) + lineterminator


def write_rows(
    out: IO[str],
    rows: Iterable[Iterable[Any]],
    *,
    delimiter: str = ",",
    lineterminator: str = "\n",
) -> None:
    """Write ``rows`` (the header first, if any) to ``out`` as CSV."""
    for row in rows:
        out.write(format_row(row, delimiter=delimiter, lineterminator=lineterminator))
