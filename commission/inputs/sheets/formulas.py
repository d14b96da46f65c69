"""Formula cells saved without their value, in XLSX and ODS score sheets.

A spreadsheet stores a formula and, normally, the value it last computed. A file written by a
program (or saved by some tools) may carry the formula alone; a reader then sees an empty cell,
and a score would silently go missing. :func:`unsaved_formulas` finds such cells in the sheet the
reader imports ("Scores" when there is one, else the first) and names each one.

It is cheap: the sheet's XML is searched only when it holds a formula at all.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from ...errors import Problem
from .common import column_letter

#: At most this many cells are named; a sheet full of them is one problem to fix anyway.
MAX_NAMED = 20

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# One XLSX cell: its attributes and its content (self-closing cells hold no formula).
_XLSX_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_XLSX_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_XLSX_VALUE = re.compile(rb"<v>[^<]+</v>|<is>")

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_VALUES = ("value", "date-value", "time-value", "boolean-value", "string-value")


def unsaved_formulas(path: Path, shown: str, suffix: str) -> list[Problem]:
    """One problem naming the formula cells that have no saved value; none when all do."""
    try:
        with zipfile.ZipFile(path) as archive:
            cells = _xlsx_cells(archive) if suffix == ".xlsx" else _ods_cells(archive)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return []  # the reader itself reports a broken file
    if not cells:
        return []
    named = ", ".join(cells[:MAX_NAMED]) + (
        f" and {len(cells) - MAX_NAMED} more" if len(cells) > MAX_NAMED else ""
    )
    plural = len(cells) != 1
    return [
        Problem(
            type="formula-without-value",
            message=f"cell{'s' if plural else ''} {named} "
            f"hold{'' if plural else 's'} a formula with no saved value, "
            "so the score cannot be read",
            file=shown,
            row=_row_of(cells[0]),
            column=_column_of(cells[0]),
            value=cells[0],
            fix="open the sheet in your spreadsheet program, let it recalculate and save it "
            "again, or type the scores in as numbers",
        )
    ]


def _row_of(ref: str) -> int:
    return int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def _column_of(ref: str) -> str:
    return ref.rstrip("0123456789")


def _holds(archive: zipfile.ZipFile, part: str, *needles: bytes) -> bool:
    """Whether ``part`` contains any of ``needles``, read in chunks (memory stays small)."""
    keep = max(len(n) for n in needles)
    tail = b""
    with archive.open(part) as handle:
        while chunk := handle.read(1 << 20):
            window = tail + chunk
            if any(n in window for n in needles):
                return True
            tail = chunk[-keep:]
    return False


def _xlsx_cells(archive: zipfile.ZipFile) -> list[str]:
    part = _xlsx_sheet_part(archive)
    # A formula element: <f>...</f> or <f t="shared" .../> (not <formula1> of a validation).
    if not _holds(archive, part, b"<f>", b"<f "):
        return []
    data = archive.read(part)
    found = []
    for match in _XLSX_CELL.finditer(data):
        content = match.group(2) or b""
        if b"<f" in content and not _XLSX_VALUE.search(content):
            ref = _XLSX_REF.search(match.group(1))
            if ref:
                found.append(ref.group(1).decode("ascii"))
    return found


def _xlsx_sheet_part(archive: zipfile.ZipFile) -> str:
    """The part of the sheet the reader imports: "Scores" when there is one, else the first."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = [(s.get("name"), s.get(f"{_REL}id")) for s in workbook.iter(f"{_MAIN}sheet")]
    if not sheets:
        raise KeyError("no sheets")
    chosen = next((rid for name, rid in sheets if name == "Scores"), sheets[0][1])
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == chosen:
            target = str(rel.get("Target"))
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(chosen)


def _ods_cells(archive: zipfile.ZipFile) -> list[str]:
    if not _holds(archive, "content.xml", b"table:formula"):
        return []
    data = archive.read("content.xml")
    root = ElementTree.fromstring(data)
    tables = list(root.iter(f"{_ODS_TABLE}table"))
    if not tables:
        return []
    table = next((t for t in tables if t.get(f"{_ODS_TABLE}name") == "Scores"), tables[0])
    found = []
    row_number = 0
    for row in table.iter(f"{_ODS_TABLE}table-row"):
        repeat_rows = int(row.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
        column = 0
        for cell in row:
            if cell.tag not in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"):
                continue
            repeat = int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
            if (
                cell.get(f"{_ODS_TABLE}formula") is not None
                and not any(cell.get(f"{_ODS_OFFICE}{v}") is not None for v in _ODS_VALUES)
                and not any(True for _ in cell)
            ):
                found.append(f"{column_letter(column)}{row_number + 1}")
            column += repeat
        row_number += repeat_rows
    return found
