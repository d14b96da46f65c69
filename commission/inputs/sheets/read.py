"""Reading one score sheet: the file's bytes to a table of text, the header to a layout, and the
rows to the score frame, with every problem found on the way."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import Problem, Usage
from ..problems import Found, did_you_mean, emit, finish, with_summary
from ..text_checks import comment_columns, sheet_text_problems
from .common import (
    COLUMNS,
    LONG_COLUMNS,
    clean,
    criterion_keys,
    criterion_of,
    empty_frame,
    header_key,
    parse_integers,
    scale_fix,
)
from .header import Layout, read_header
from .marks import MARK_COLUMNS, abstentions_in

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ...records import Exercise

# --------------------------------------------------------------------------------------------
# reading files into a table of text


def _read_table(
    path: Path, shown: str, encoding: str | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The sheet as a table of text with integer column labels, header in row 0."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsm", ".xlsb", ".numbers"):
        return None, [
            Problem(
                type="format-error",
                message=f"{suffix} score sheets cannot be read",
                file=shown,
                value=suffix,
                fix="save as CSV, XLSX or ODS (File > Save As) and import that file",
            )
        ]
    try:
        if suffix in (".xlsx", ".ods"):  # calamine reads LibreOffice's .ods as well
            from .formulas import unsaved_formulas

            table, problems = _read_xlsx(path, shown)
            unsaved = unsaved_formulas(path, shown, suffix) if table is not None else []
            return (None, unsaved) if unsaved else (table, problems)
        return _read_csv(path, shown, encoding)
    except FileNotFoundError:
        return None, [
            Problem(
                type="io-error",
                message="there is no such file",
                file=shown,
                fix="check the file name and folder",
            )
        ]
    except OSError as exc:
        return None, [
            Problem(
                type="io-error",
                message=f"the file could not be read: {exc.strerror or exc}",
                file=shown,
                fix="check the file name and that you may read it",
            )
        ]


def _read_csv(
    path: Path, shown: str, encoding: str | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    import pandas as pd

    from ..encodings import EncodingRefused, decode

    data = path.read_bytes()
    given = None
    if encoding is not None:
        try:
            given = __import__("codecs").lookup(encoding).name
        except LookupError:
            raise Usage(f"unknown encoding '{encoding}'") from None
    try:
        # each file by its own bytes: a BOM decides, else UTF-8, else --encoding (issue 15)
        decoded = decode(data, given)
    except EncodingRefused as refused:
        line = data[: refused.offset].count(b"\n") + 1
        return None, [
            Problem(
                type="encoding-error",
                message=refused.message,
                file=shown,
                line=line,
                value=f"0x{refused.byte.hex()}",
                fix=refused.fix,
            )
        ]
    text, codec = decoded.text, decoded.codec
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, [
            Problem(
                type="empty-sheet",
                message="the sheet is empty: it has no header row",
                file=shown,
                row=1,
                fix="start the sheet with a header row: "
                + ", ".join(LONG_COLUMNS)
                + " (or evaluator, tender, then one column per criterion)",
            )
        ]
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    source: io.StringIO | io.BytesIO
    if codec == "utf-8-sig":
        # the bytes are known good UTF-8: let the C parser decode them, no second copy of the text
        source = io.BytesIO(data)
    else:
        source = io.StringIO(text)
    try:
        table = pd.read_csv(
            source,
            sep=delimiter,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig" if codec == "utf-8-sig" else None,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            expected, row, saw = (int(g) for g in found.groups())
            return None, [
                Problem(
                    type="extra-cell",
                    message=f"row {row} has {saw} cells but the header has {expected} columns",
                    file=shown,
                    row=row,
                    value=saw,
                    fix=f"remove the extra cells, or quote cells that contain '{delimiter}'",
                )
            ]
        unclosed = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if unclosed:
            # pandas counts records from 0 with the header as record 0: spreadsheet row n + 1
            row = int(unclosed.group(1)) + 1
            return None, [
                Problem(
                    type="format-error",
                    message=f'a quote (") opened in row {row} is never closed',
                    file=shown,
                    row=row,
                    fix='close the quoted cell with a second ", or remove the stray quote',
                )
            ]
        return None, [
            Problem(
                type="format-error",
                message=f"the file could not be read as CSV: {exc}",
                file=shown,
                fix="save the sheet again as CSV from your spreadsheet program",
            )
        ]
    return table, []


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a panel member sees: 3.0 stored by Excel is ``3``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _read_xlsx(path: Path, shown: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    # python-calamine (Rust) reads XLSX many times faster than openpyxl.
    import pandas as pd
    from python_calamine import CalamineWorkbook

    from ..sheet_bounds import check_xlsx

    too_large = check_xlsx(path, shown)  # before calamine allocates the sheet's grid
    if too_large:
        return None, too_large
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        sheet = (
            workbook.get_sheet_by_name("Scores")
            if "Scores" in names
            else workbook.get_sheet_by_index(0)
        )
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        return None, [
            Problem(
                type="format-error",
                message=f"the file could not be read as {path.suffix[1:].upper()}: {exc}",
                file=shown,
                fix="open it in your spreadsheet program and save it again as XLSX or CSV",
            )
        ]
    if not rows or not any(_cell_text(v).strip() for v in rows[0]):
        return None, [
            Problem(
                type="empty-sheet",
                message="the sheet is empty: it has no header row",
                file=shown,
                row=1,
                fix="start the sheet with a header row: " + ", ".join(LONG_COLUMNS),
            )
        ]
    table = pd.DataFrame(rows, dtype=object)
    table = table.apply(lambda column: column.map(_cell_text)).astype("str")
    return table, []


# --------------------------------------------------------------------------------------------
# reading one sheet


def read_sheet(
    path: str | os.PathLike[str],
    *,
    exercise: Exercise,
    evaluator: str | None = None,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one score sheet into the score frame, with every problem found while reading it.

    Problems found here are about the file itself: its format, encoding and header, scores
    that are not whole numbers, and rows for another evaluator than ``evaluator``. Whether the
    evaluators, tenders and criteria exist and scores are on the scale is :func:`check_scores`'s
    business. Rows whose score is not a whole number are left out of the frame.
    """
    frame, listed, total = read_one(path, exercise, evaluator, encoding)
    frame = frame[frame["score"].notna()].astype({"score": "int64"}).reset_index(drop=True)
    frame = frame.loc[:, list(COLUMNS)]
    return frame, with_summary(listed, total)


def read_one(
    path: str | os.PathLike[str],
    exercise: Exercise,
    evaluator: str | None,
    encoding: str | None,
) -> tuple[pd.DataFrame, list[Problem], int]:
    """One sheet as the score frame, its problems (capped) and how many there are in all."""
    shown = os.fspath(path)
    if evaluator is not None:
        evaluator = evaluator.strip()
        if evaluator not in {e.id for e in exercise.evaluators}:
            problem = Problem(
                type="unknown-evaluator",
                message=f"unknown evaluator '{evaluator}' (named for the whole import)",
                file=shown,
                value=evaluator,
                fix=did_you_mean(evaluator, [e.id for e in exercise.evaluators], "evaluators"),
            )
            return empty_frame(), [problem], 1

    table, problems = _read_table(Path(path), shown, encoding)
    if table is None:
        return empty_frame(), problems, len(problems)
    headers = [str(h).strip() for h in table.iloc[0].tolist()]
    body = table.iloc[1:]
    # only a column with no header needs looking into: it may be an empty one Excel kept
    blank_columns = [
        not header and bool((body[c].str.strip() == "").all())
        for header, c in zip(headers, body.columns, strict=True)
    ]
    layout, problems = read_header(headers, blank_columns, exercise, shown, evaluator)
    if layout is None:
        return empty_frame(), problems, len(problems)
    long = _long_rows(body, layout, exercise)
    long["file"] = shown
    found: list[Found] = [(problems, len(problems))]
    if evaluator is not None:
        long, mismatched = _for_evaluator(long, evaluator, layout)
        found.append(mismatched)
    long, not_whole = _whole_scores(long, exercise)
    found.append(not_whole)
    found.append(sheet_text_problems(long, comment_columns(headers, layout)))
    listed, total = finish(found)
    return long, listed, total


def _long_rows(body: pd.DataFrame, layout: Layout, exercise: Exercise) -> pd.DataFrame:
    """The sheet's scored cells, one row per score, in the long layout, in sheet order."""
    import pandas as pd

    headers = layout.headers
    rows = pd.Series(range(2, len(body) + 2), index=body.index, dtype="int64")
    n = len(body)

    def column(index: int | None, *, ids: bool = False) -> pd.Series:
        if index is None:
            return pd.Series([""] * n, index=body.index, dtype="str")
        return clean(body[index], unescape=ids)

    evaluators = column(layout.evaluator, ids=True)
    tenders = column(layout.tender, ids=True)
    if layout.long:
        assert layout.score is not None and layout.criterion is not None
        criteria = column(layout.criterion, ids=True)
        known = criterion_keys(exercise)
        distinct = pd.Series(criteria.unique(), dtype="str")
        resolved = (
            distinct.map(lambda c: known.get(header_key(c), c)) if len(distinct) else distinct
        )
        criteria = criteria.map(dict(zip(distinct, resolved, strict=True))).astype("str")
        cells = [(criteria, layout.score, layout.comment)]
    else:
        cells = [
            (criterion_id, score_at, comment_at)
            for criterion_id, (score_at, comment_at) in layout.criteria.items()
        ]
    pieces = [
        pd.DataFrame(
            {
                "evaluator": evaluators,
                "tender": tenders,
                "criterion": criterion,
                "score": clean(body[score_at]),
                "comment": column(comment_at),
                "reason": column(layout.reason),
                "row": rows,
                "column": headers[score_at],
            }
        )
        for criterion, score_at, comment_at in cells
    ]
    long = pd.concat(pieces, ignore_index=True) if pieces else empty_frame()
    long = long[long["score"] != ""]
    if not layout.long and len(pieces) > 1:
        long = long.sort_values("row", kind="stable")
    return long.reset_index(drop=True)


def _for_evaluator(
    long: pd.DataFrame, evaluator: str, layout: Layout
) -> tuple[pd.DataFrame, Found]:
    """Rows for the one evaluator the import names; a row for anyone else is a problem."""
    given = long["evaluator"]
    other = (given != "") & (given != evaluator)
    column = "evaluator" if layout.evaluator is None else layout.headers[layout.evaluator]
    mismatched = emit(
        long.loc[other, ["file", "row", "evaluator"]]
        .drop_duplicates(["row"])
        .assign(column=column),
        lambda r: Problem(
            type="evaluator-mismatch",
            message=f"this row is for evaluator '{r['evaluator']}' but the import is "
            f"for evaluator {evaluator}",
            file=r["file"],
            row=int(r["row"]),
            column=r["column"],
            value=r["evaluator"],
            fix=f"import {r['evaluator']}'s rows separately, or correct the evaluator",
        ),
    )
    long["evaluator"] = evaluator
    return (long[~other.to_numpy()] if other.any() else long), mismatched


def _whole_scores(long: pd.DataFrame, exercise: Exercise) -> tuple[pd.DataFrame, Found]:
    """Scores parsed as whole numbers; any other text is a type error.

    Rows whose score is not a whole number stay in the frame with no score (<NA>), so that
    their evaluator, tender and criterion are still checked: the report lists every error.
    """
    abstained = abstentions_in(long["score"]) if len(long) else long["score"] == ""
    values, bad = parse_integers(long["score"])
    bad &= ~abstained
    found: Found = ([], 0)
    if bad.any():
        found = emit(
            long.loc[bad, ["file", "row", "column", "score", "criterion"]],
            lambda r: Problem(
                type="type-error",
                message=f"score '{r['score']}' is not a whole number",
                file=r["file"],
                row=int(r["row"]),
                column=r["column"],
                value=r["score"],
                fix=scale_fix(criterion_of(exercise, r["criterion"]), exercise),
            ),
        )
    gaps = bad | abstained
    long["score"] = values.where(~gaps).astype("Int64") if gaps.any() else values.astype("int64")
    comment = long["comment"].astype(object)
    long["comment"] = comment.where(comment != "", None)
    long["abstain"] = abstained.to_numpy(dtype=bool)
    reason = long["reason"].astype(object) if "reason" in long else None
    long["reason"] = None if reason is None else reason.where(reason != "", None)
    return long.loc[:, list(COLUMNS + MARK_COLUMNS)].reset_index(drop=True), found
