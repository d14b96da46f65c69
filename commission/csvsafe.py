"""CSV that spreadsheets open safely: the one place cells are escaped against formula injection.

Excel and LibreOffice run a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula. Every text cell written by the toolkit goes through :func:`escape_formula`
(a leading apostrophe), so a bidder's name can never become a formula; numbers are not text and
are left alone.
"""

from __future__ import annotations

from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """A text cell made safe for a spreadsheet; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
