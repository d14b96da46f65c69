"""Bounds on an XLSX score sheet, checked before any grid is allocated.

python-calamine builds the whole used range of a sheet as a grid: one cell at ``XFD1048576`` in
a 5 KB file asked for 549,755,813,888 bytes and killed the process (exit 134, a Rust
backtrace); one at ``CV1048576`` took 65 s and 6.7 GB. So before calamine opens the file, the
archive is read here with :mod:`zipfile`, streaming, never unpacking more than a cap:

* every member's uncompressed size, as the archive declares it, and the total stay under
  :data:`MAX_UNCOMPRESSED`; a member over 1 MB expands at most :data:`MAX_RATIO` times (a
  zip bomb is refused before it is inflated);
* the sheet calamine will read (``Scores``, else the first) is streamed through in 1 MB blocks:
  its declared ``<dimension ref=...>`` and the reference of every real cell (``<c r="...">``)
  and row (``<row r="...">``) must stay within :data:`MAX_COLUMNS` columns and
  :data:`MAX_CELLS` cells (rows × columns of the range from A1), and the XML itself within
  :data:`MAX_UNCOMPRESSED` however the archive lies about its size;
* a range over :data:`SPARSE_FLOOR` cells must be mostly filled: at most :data:`SPARSE_RATIO`
  cells of range per cell the sheet holds, so the grid calamine allocates is proportional to
  the data in the file, not to one far-away cell.

The largest sheet the toolkit is built for (SPEC §10: a million long rows of five columns) is
well inside these caps. A sheet over them is a problem naming the sheet, the cell and the fix.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path, PurePosixPath

from commission.errors import Problem

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "SPARSE_FLOOR",
    "SPARSE_RATIO",
    "check_xlsx",
]

#: Most cells in the range a sheet uses, counted from A1 (rows × columns).
MAX_CELLS = 10_000_000
#: Most columns a score sheet may use (a wide sheet has 4 + 2 per criterion).
MAX_COLUMNS = 1_000
#: Most bytes the archive may hold uncompressed, in all and in the sheet's XML.
MAX_UNCOMPRESSED = 1_000_000_000
#: Most a member over 1 MB may expand (XML compresses 5 to 30 times; a zip bomb a million).
MAX_RATIO = 250
#: A range over this many cells must be filled: at most :data:`SPARSE_RATIO` cells of the range
#: for each cell the sheet really holds (a 1.5 KB file with one cell at J1000000 once took
#: 25 s and 750 MB to read, inside the caps above).
SPARSE_FLOOR = 1_000_000
SPARSE_RATIO = 20

_BLOCK = 1 << 20
_OVERLAP = 512
# Columns and rows of cell references found separately: each set holds few distinct values, so
# the per-block work in Python is per distinct row, not per cell.
_CELL_COLUMN = re.compile(rb'<(?:\w{1,20}:)?c\s[^>]{0,400}?\br="([A-Z]{1,8})[0-9]')
_CELL_ROW = re.compile(rb'<(?:\w{1,20}:)?c\s[^>]{0,400}?\br="[A-Z]{1,8}0*([1-9][0-9]{0,11})"')
_ROW = re.compile(rb'<(?:\w{1,20}:)?row\s[^>]{0,400}?\br="0*([1-9][0-9]{0,11})"')
_CELL_TAG = re.compile(rb"<(?:\w{1,20}:)?c[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w{1,20}:)?dimension\s[^>]{0,400}?\bref="([^"]{1,60})"')
_REF = re.compile(r"\$?([A-Z]{1,8})\$?([0-9]{1,12})")
_SHEET = re.compile(r"<(?:\w{1,20}:)?sheet\s[^>]{0,2000}?>")
_ATTRIBUTE = re.compile(r'([\w:]{1,40})="([^"]{0,1000})"')
_RELATIONSHIP = re.compile(r"<(?:\w{1,20}:)?Relationship\s[^>]{0,2000}?>")
_FIX = (
    "delete what lies outside the scores (select the empty rows and columns below and to the "
    "right of them, Delete), or copy the scores into a new workbook, then save as XLSX or CSV"
)


class _TooLarge(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _column_number(letters: str | bytes) -> int:
    number = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def check_xlsx(path: str | Path, shown: str) -> list[Problem]:
    """Problems that make the XLSX too large to read safely; [] when calamine may open it.

    A file that is not a ZIP archive at all is left to calamine, which says so.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return []
    try:
        with archive:
            _check_sizes(archive, shown)
            for name, member in _sheets_to_check(archive):
                _check_sheet(archive, member, name, shown)
    except _TooLarge as refused:
        return [refused.problem]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        return [
            Problem(
                type="format-error",
                message=f"the file could not be read as XLSX: {exc}",
                file=shown,
                fix="open it in your spreadsheet program and save it again as XLSX or CSV",
            )
        ]
    return []


def _check_sizes(archive: zipfile.ZipFile, shown: str) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _BLOCK and ratio > MAX_RATIO:
            raise _TooLarge(
                Problem(
                    type="sheet-too-large",
                    message=f"the part {info.filename} expands {ratio:,.0f} times "
                    f"({info.compress_size:,} bytes to {info.file_size:,}), more than the limit "
                    f"of {MAX_RATIO} times: this looks like a zip bomb, not a spreadsheet",
                    file=shown,
                    value=info.filename,
                    fix="save the sheet again from your spreadsheet program",
                )
            )
    if total > MAX_UNCOMPRESSED:
        raise _TooLarge(
            Problem(
                type="sheet-too-large",
                message=f"the workbook holds {total:,} bytes uncompressed, more than the limit "
                f"of {MAX_UNCOMPRESSED:,}",
                file=shown,
                value=total,
                fix="import each panel member's scores as a sheet of its own, or save as CSV",
            )
        )


def _small_text(archive: zipfile.ZipFile, name: str) -> str | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > 20_000_000:
        return None
    with archive.open(info) as stream:
        return stream.read(20_000_001).decode("utf-8", errors="replace")


def _attributes(tag: str) -> dict[str, str]:
    return {key: html.unescape(value) for key, value in _ATTRIBUTE.findall(tag)}


def _sheets_to_check(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, archive member) of the sheet calamine reads: ``Scores``, else the first.

    When the workbook cannot be mapped to its parts, every worksheet part is checked.
    """
    every = [
        (PurePosixPath(n).stem, n)
        for n in archive.namelist()
        if n.startswith("xl/worksheets/") and n.endswith(".xml")
    ]
    workbook = _small_text(archive, "xl/workbook.xml")
    rels = _small_text(archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return every
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attributes = _attributes(tag)
        target = attributes.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[attributes.get("Id")] = str(PurePosixPath(target))
    sheets = []
    for tag in _SHEET.findall(workbook):
        attributes = _attributes(tag)
        rid = next((v for k, v in attributes.items() if k.endswith(":id")), None)
        sheets.append((attributes.get("name", "?"), targets.get(rid)))
    chosen = next((s for s in sheets if s[0] == "Scores"), sheets[0] if sheets else None)
    if chosen is None or chosen[1] is None or chosen[1] not in archive.namelist():
        return every
    return [(chosen[0], chosen[1])]


def _check_sheet(archive: zipfile.ZipFile, member: str, sheet: str, shown: str) -> None:
    max_row = max_col = rows_max = 0
    far_cell = ""
    read = cells = referenced = 0
    tail = b""
    with archive.open(member) as stream:
        while True:
            block = stream.read(_BLOCK)
            if not block:
                break
            read += len(block)
            cells += len(_CELL_TAG.findall(block))
            referenced += len(_CELL_COLUMN.findall(block))
            if read > MAX_UNCOMPRESSED:
                raise _TooLarge(
                    Problem(
                        type="sheet-too-large",
                        message=f"sheet '{sheet}' holds more than {MAX_UNCOMPRESSED:,} bytes of "
                        "XML",
                        file=shown,
                        fix="import the scores in several smaller sheets, or save as CSV",
                    )
                )
            text = tail + block
            tail = text[-_OVERLAP:]
            for found in _DIMENSION.findall(text):
                for letters, digits in _REF.findall(found.decode("ascii", errors="replace")):
                    _within(sheet, shown, _column_number(letters), int(digits), "declares")
            letters = set(_CELL_COLUMN.findall(text))
            digits = set(_CELL_ROW.findall(text))
            if letters and digits:
                widest = max(letters, key=lambda c: (len(c), c))
                lowest = max(digits, key=lambda d: (len(d), d))
                col, row = _column_number(widest), int(lowest)
                if col > max_col or row > max_row:
                    far_cell = f"{widest.decode()}{row}"
                max_col, max_row = max(max_col, col), max(max_row, row)
                _within(sheet, shown, max_col, max_row, "has a cell at", far_cell)
            rows_found = set(_ROW.findall(text))
            if rows_found:
                rows_max = max(rows_max, int(max(rows_found, key=lambda d: (len(d), d))))
    if cells > referenced:
        # cells without a reference are placed by their row's number: those rows count too
        # (rows without such cells are not allocated, so a formatted empty row costs nothing)
        max_row = max(max_row, rows_max)
        _within(sheet, shown, max(max_col, 1), max_row, "has a row")
    grid = max_col * max_row
    if grid > SPARSE_FLOOR and grid > SPARSE_RATIO * max(cells, 1):
        cell = far_cell or f"{_column_letters(max_col)}{max_row}"
        raise _TooLarge(
            Problem(
                type="sheet-too-large",
                message=f"sheet '{sheet}' reaches {cell} but holds only {cells:,} "
                f"cell{'s' if cells != 1 else ''}: a range of {grid:,} mostly empty cells "
                f"from A1 (at most {SPARSE_RATIO} for each cell held, beyond "
                f"{SPARSE_FLOOR:,})",
                file=shown,
                value=cell,
                fix=_FIX,
            )
        )


def _within(
    sheet: str, shown: str, columns: int, rows: int, verb: str, cell: str | None = None
) -> None:
    if columns <= MAX_COLUMNS and columns * rows <= MAX_CELLS:
        return
    cell = cell or f"{_column_letters(columns)}{rows}"
    what = (
        f"sheet '{sheet}' {verb} {cell}"
        if verb != "has a row"
        else (f"sheet '{sheet}' has a row {rows}")
    )
    limit = (
        f"more than {MAX_COLUMNS:,} columns"
        if columns > MAX_COLUMNS
        else f"a range of {columns * rows:,} cells from A1, more than the limit of {MAX_CELLS:,}"
    )
    raise _TooLarge(
        Problem(
            type="sheet-too-large",
            message=f"{what}: {limit}",
            file=shown,
            column=None,
            value=cell,
            fix=_FIX,
        )
    )


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
