"""Score sheets: reading CSV and XLSX sheets (long and wide), checking score rows, blank sheets.

A score sheet comes from a panel member's spreadsheet program, so it is read the way Excel and
LibreOffice save in any locale (SPEC §5): UTF-8 with or without a byte-order mark, comma or
semicolon delimited, CRLF or LF line ends, or XLSX. Every cell is read as text so nothing is
coerced behind the panel member's back, then checked as a whole column at a time (pandas, no
per-row Python loops): a sheet of a million rows is checked in seconds and a sheet of a million
mistakes yields a capped list of problems plus one ``too-many-errors`` summary.

The score frame every function here returns has the columns ``evaluator``, ``tender``,
``criterion``, ``score`` (int64), ``comment`` (str or None), ``file``, ``row`` (as a spreadsheet
shows it: header = row 1) and ``column`` (the header of the cell that held the score).

Choices made where the contract is silent:

* A blank score cell means "not scored" in both layouts and gives no row; a comment beside a
  blank score is ignored.
* Scores are whole numbers written as digits (``3``, `` 3 ``, ``+3``). ``3.5``, ``three`` and
  ``3,0`` are type errors. ``3.0`` is accepted only from a numeric XLSX cell (that is how a
  spreadsheet stores every number); as CSV text it is refused.
* Criteria may be named in a header (wide) or a cell (long) by id or by name, case, spaces,
  hyphens and underscores ignored: ``Recognising local assets``, ``LOCAL_ASSETS``.
* ``lot`` and ``bidder`` columns are accepted and ignored, so a blank sheet can show the panel
  member which bidder each tender is from.
* A leading apostrophe that :func:`escape_formula` added before ``= + - @`` is taken off ids again.
* Score rows given to the library (:func:`scores_from_rows`) are numbered from 1 in the order
  given; a missing score there is a type error, since a caller who has no score should leave the
  row out.
"""

from __future__ import annotations

import difflib
import functools
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commission.csv_safe import write_rows
from commission.errors import InvalidScores, NotFound, Problem, Usage
from commission.model import Criterion, Exercise, Tender
from commission.output import escape_formula

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COLUMNS",
    "LONG_COLUMNS",
    "MAX_PROBLEMS",
    "check_scores",
    "escape_formula",
    "read_scores",
    "read_sheet",
    "scores_from_rows",
    "write_blank_sheet",
]

#: The columns of the score frame, in order.
COLUMNS: tuple[str, ...] = (
    "evaluator",
    "tender",
    "criterion",
    "score",
    "comment",
    "file",
    "row",
    "column",
)
#: The header of a long sheet.
LONG_COLUMNS: tuple[str, ...] = ("evaluator", "tender", "criterion", "score", "comment")
#: Columns a sheet may carry for the reader's information; they are not imported.
INFO_COLUMNS: tuple[str, ...] = ("lot", "bidder")
#: How many problems are listed before a ``too-many-errors`` summary says how many more.
MAX_PROBLEMS = 1000

_INTEGER = r"[+-]?[0-9]{1,15}"
_SEPARATORS = re.compile(r"[\s_\-]+")

# (problems listed, problems found): checks list at most the cap but count everything.
_Found = tuple[list[Problem], int]


# --------------------------------------------------------------------------------------------
# small helpers


def _key(text: str) -> str:
    """A header or criterion name as compared: lower case, separators collapsed to one space."""
    return _SEPARATORS.sub(" ", str(text).strip().casefold()).strip()


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _did_you_mean(value: Any, known: Iterable[str], listing: str) -> str:
    known = list(known)
    # "t-1" and "T-01" mean T-001 more surely than any edit distance says
    for loose in (str.casefold, _loose_number):
        alike = [k for k in known if loose(k) == loose(str(value))]
        if len(alike) == 1:
            return f"did you mean {alike[0]}?"
    close = difflib.get_close_matches(str(value), known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return f"{listing} are {shown}" if known else f"no {listing} are known"


def _loose_number(text: str) -> str:
    return re.sub(r"[0-9]+", lambda m: str(int(m.group())), text.casefold().strip())


def _scale_fix(criterion: Criterion | None, exercise: Exercise) -> str:
    scale = criterion.scale if criterion is not None else exercise.criteria.scale
    return f"use a whole number from {scale.min} to {scale.max}"


def _criterion(exercise: Exercise, criterion_id: Any) -> Criterion | None:
    try:
        return exercise.criteria[str(criterion_id)]
    except KeyError:
        return None


def _criterion_keys(exercise: Exercise) -> dict[str, str]:
    """Normalised id or name → criterion id."""
    keys: dict[str, str] = {}
    for criterion in exercise.criteria.criteria:
        keys.setdefault(_key(criterion.name), criterion.id)
    for criterion in exercise.criteria.criteria:
        keys[_key(criterion.id)] = criterion.id  # an id wins over another criterion's name
    return keys


def _tender_map(tenders: Iterable[Tender] | Mapping[str, Tender]) -> dict[str, Tender]:
    if isinstance(tenders, Mapping):
        return {str(k): v for k, v in tenders.items()}
    return {t.id: t for t in tenders}


def _empty_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "evaluator": pd.Series([], dtype="str"),
            "tender": pd.Series([], dtype="str"),
            "criterion": pd.Series([], dtype="str"),
            "score": pd.Series([], dtype="int64"),
            "comment": pd.Series([], dtype=object),
            "file": pd.Series([], dtype=object),
            "row": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="str"),
        }
    )


def _clean(series: pd.Series, *, unescape: bool = False) -> pd.Series:
    """Text stripped of surrounding whitespace; blanks and missing values become ``""``.

    Work is done on the distinct values only (a score column holds a handful), so a million
    rows cost one hash pass.
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).map(str).str.strip()
    if unescape:
        escaped = text.str.match(r"'[=+\-@\t\r]")
        text = text.where(~escaped, text.str.slice(1))
    table = np.append(text.to_numpy(dtype=object), "")
    return pd.Series(table[codes], index=series.index, dtype="str")


def _parse_integers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers in cleaned text: (values as float, True where the text is no whole number)."""
    import pandas as pd

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="str")
    good = distinct.str.fullmatch(_INTEGER).fillna(False).astype(bool)
    values = pd.to_numeric(distinct.where(good), errors="coerce")
    values = pd.Series(values.to_numpy(dtype="float64"))
    value_of = values.reindex(codes).set_axis(text.index)
    return value_of, value_of.isna()


def _finish(found: Iterable[_Found], cap: int = MAX_PROBLEMS) -> tuple[list[Problem], int]:
    """Every check's problems merged, sorted by (file, row, column) and capped."""
    problems: list[Problem] = []
    total = 0
    for listed, count in found:
        problems.extend(p for p in listed if p.type != "too-many-errors")
        total += count
    problems.sort(key=lambda p: (p.file or "", p.row or 0, p.column or "", p.type))
    return problems[:cap], total


def _with_summary(problems: list[Problem], total: int) -> list[Problem]:
    if total > len(problems):
        more = total - len(problems)
        problems = problems + [
            Problem(
                type="too-many-errors",
                message=f"{_plural(more, 'more error')} not listed "
                f"({total:,} in all, the first {len(problems):,} shown)",
                fix="correct the errors above and check the sheet again",
                value=more,
            )
        ]
    return problems


def _emit(
    table: pd.DataFrame, make: Callable[[Mapping[str, Any]], Problem], cap: int = MAX_PROBLEMS
) -> _Found:
    """Problems for the first ``cap`` rows of ``table`` in (file, row, column) order."""
    if table.empty:
        return [], 0
    order = table.assign(_file=table["file"].fillna("").astype(str)).sort_values(
        ["_file", "row", "column"], kind="stable"
    )
    listed = [make(record) for record in order.head(cap).to_dict("records")]
    return listed, len(table)


def _nullable(value: Any) -> Any:
    """A pandas cell as plain Python (numpy ints become ints, NaN becomes None)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


# --------------------------------------------------------------------------------------------
# reading files into a table of text


def _read_table(
    path: Path, shown: str, encoding: str | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The sheet as a table of text with integer column labels, header in row 0."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods", ".xlsm", ".xlsb", ".numbers"):
        return None, [
            Problem(
                type="format-error",
                message=f"{suffix} score sheets cannot be read",
                file=shown,
                value=suffix,
                fix="save as CSV or XLSX (File > Save As) and import that file",
            )
        ]
    try:
        if suffix == ".xlsx":
            return _read_xlsx(path, shown)
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

    from commission.encodings import EncodingRefused, decode

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

    from commission.sheet_bounds import check_xlsx

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
                message=f"the file could not be read as XLSX: {exc}",
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
# the header: which layout, which column is what


class _Layout:
    def __init__(self) -> None:
        self.long = False
        self.evaluator: int | None = None
        self.tender: int | None = None
        self.criterion: int | None = None
        self.score: int | None = None
        self.comment: int | None = None
        #: wide: criterion id → (score column index, comment column index or None)
        self.criteria: dict[str, tuple[int, int | None]] = {}
        self.headers: list[str] = []


def _read_header(
    headers: list[str],
    blank_columns: list[bool],
    exercise: Exercise,
    shown: str,
    evaluator: str | None,
) -> tuple[_Layout | None, list[Problem]]:
    layout = _Layout()
    layout.headers = headers
    problems: list[Problem] = []
    keys = [_key(h) for h in headers]
    layout.long = "criterion" in keys or "score" in keys
    crit_keys = _criterion_keys(exercise)
    ids = exercise.criteria.ids

    expected_long = ", ".join(LONG_COLUMNS)
    expected_wide = (
        "evaluator, tender, then one column per criterion ("
        + ", ".join(ids)
        + "), each optionally followed by '<criterion> comment'"
    )
    got = ", ".join(h for h in headers if h.strip()) or "nothing"
    if layout.long:
        expected = f"columns must be {expected_long} — got {got}"
        candidates = {k: k for k in LONG_COLUMNS + INFO_COLUMNS}
    else:
        expected = (
            f"columns must be {expected_long} (long layout) or {expected_wide} (wide layout) "
            f"— got {got}"
        )
        candidates = {_key(c): c for c in ("evaluator", "tender") + INFO_COLUMNS}
        for criterion in exercise.criteria.criteria:
            for label in (criterion.id, criterion.name):
                candidates[_key(label)] = label
                candidates[_key(label + " comment")] = label + " comment"

    seen: dict[str, int] = {}
    comments: dict[str, int] = {}
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        letter = _column_letter(index)
        if not key:
            if not blank_columns[index]:
                problems.append(
                    Problem(
                        type="blank-header",
                        message=f"column {letter} holds values but has no header",
                        file=shown,
                        row=1,
                        column=letter,
                        fix=f"give column {letter} a header or delete it; {expected}",
                    )
                )
            continue
        if layout.long:
            name = key if key in LONG_COLUMNS or key in INFO_COLUMNS else None
        elif key in ("evaluator", "tender") or key in INFO_COLUMNS:
            name = key
        elif key in crit_keys:
            name = crit_keys[key]
        elif key.endswith(" comment") and key[: -len(" comment")] in crit_keys:
            name = crit_keys[key[: -len(" comment")]] + " comment"
        else:
            name = None
        if name is None:
            close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
            problems.append(
                Problem(
                    type="unknown-column",
                    message=f"unknown column '{header}': {expected}",
                    file=shown,
                    row=1,
                    column=header,
                    value=header,
                    fix=f"did you mean '{candidates[close[0]]}'?"
                    if close
                    else "rename or delete the column",
                )
            )
            continue
        if name in seen:
            problems.append(
                Problem(
                    type="duplicate-column",
                    message=f"column '{header}' repeats column '{headers[seen[name]]}' "
                    f"({_column_letter(seen[name])})",
                    file=shown,
                    row=1,
                    column=header,
                    value=header,
                    fix="keep one of the two columns",
                )
            )
            continue
        seen[name] = index
        if name.endswith(" comment") and not layout.long:
            comments[name[: -len(" comment")]] = index
        elif name == "evaluator":
            layout.evaluator = index
        elif name == "tender":
            layout.tender = index
        elif name == "criterion":
            layout.criterion = index
        elif name == "score":
            layout.score = index
        elif name == "comment":
            layout.comment = index
        elif name in INFO_COLUMNS:
            pass
        else:
            layout.criteria[name] = (index, None)

    for criterion_id, index in comments.items():
        if criterion_id in layout.criteria:
            layout.criteria[criterion_id] = (layout.criteria[criterion_id][0], index)
        else:
            problems.append(
                Problem(
                    type="unknown-column",
                    message=f"comment column '{headers[index]}' has no score column "
                    f"'{criterion_id}' beside it",
                    file=shown,
                    row=1,
                    column=headers[index],
                    value=headers[index],
                    fix=f"add a '{criterion_id}' column for the scores, or delete the comments",
                )
            )

    required = ["tender"]
    if layout.long:
        required += ["criterion", "score"]
    if evaluator is None:
        required.insert(0, "evaluator")
    for name in required:
        if getattr(layout, name) is None:
            fix = expected
            if name == "evaluator":
                fix = "add an evaluator column, or name the evaluator with --evaluator ID"
            problems.append(
                Problem(
                    type="missing-column",
                    message=f"the sheet has no '{name}' column",
                    file=shown,
                    row=1,
                    column=name,
                    fix=fix,
                )
            )
    if (
        not layout.long
        and not layout.criteria
        and not any(p.type == "missing-column" for p in problems)
    ):
        problems.append(
            Problem(
                type="missing-column",
                message="the sheet has no score column for any criterion",
                file=shown,
                row=1,
                fix=expected,
            )
        )
    missing = any(p.type == "missing-column" for p in problems)
    return (None if missing else layout), problems


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
    frame, listed, total = _read_sheet(path, exercise, evaluator, encoding)
    frame = frame[frame["score"].notna()].astype({"score": "int64"}).reset_index(drop=True)
    return frame, _with_summary(listed, total)


def _read_sheet(
    path: str | os.PathLike[str],
    exercise: Exercise,
    evaluator: str | None,
    encoding: str | None,
) -> tuple[pd.DataFrame, list[Problem], int]:
    import pandas as pd

    shown = os.fspath(path)
    if evaluator is not None:
        evaluator = evaluator.strip()
        if evaluator not in {e.id for e in exercise.evaluators}:
            problem = Problem(
                type="unknown-evaluator",
                message=f"unknown evaluator '{evaluator}' (named by --evaluator)",
                file=shown,
                value=evaluator,
                fix=_did_you_mean(evaluator, [e.id for e in exercise.evaluators], "evaluators"),
            )
            return _empty_frame(), [problem], 1

    table, problems = _read_table(Path(path), shown, encoding)
    if table is None:
        return _empty_frame(), problems, len(problems)
    headers = [str(h).strip() for h in table.iloc[0].tolist()]
    body = table.iloc[1:]
    # only a column with no header needs looking into: it may be an empty one Excel kept
    blank_columns = [
        not header and bool((body[c].str.strip() == "").all())
        for header, c in zip(headers, body.columns, strict=True)
    ]
    layout, problems = _read_header(headers, blank_columns, exercise, shown, evaluator)
    if layout is None:
        return _empty_frame(), problems, len(problems)

    rows = pd.Series(range(2, len(body) + 2), index=body.index, dtype="int64")
    n = len(body)

    def column(index: int | None, *, ids: bool = False) -> pd.Series:
        if index is None:
            return pd.Series([""] * n, index=body.index, dtype="str")
        return _clean(body[index], unescape=ids)

    evaluators = column(layout.evaluator, ids=True)
    tenders = column(layout.tender, ids=True)
    if layout.long:
        assert layout.score is not None and layout.criterion is not None
        criteria = column(layout.criterion, ids=True)
        known = _criterion_keys(exercise)
        distinct = pd.Series(criteria.unique(), dtype="str")
        resolved = distinct.map(lambda c: known.get(_key(c), c)) if len(distinct) else distinct
        criteria = criteria.map(dict(zip(distinct, resolved, strict=True))).astype("str")
        pieces = [
            pd.DataFrame(
                {
                    "evaluator": evaluators,
                    "tender": tenders,
                    "criterion": criteria,
                    "score": _clean(body[layout.score]),
                    "comment": column(layout.comment),
                    "row": rows,
                    "column": headers[layout.score],
                }
            )
        ]
    else:
        pieces = []
        for criterion_id, (score_at, comment_at) in layout.criteria.items():
            pieces.append(
                pd.DataFrame(
                    {
                        "evaluator": evaluators,
                        "tender": tenders,
                        "criterion": criterion_id,
                        "score": _clean(body[score_at]),
                        "comment": column(comment_at),
                        "row": rows,
                        "column": headers[score_at],
                    }
                )
            )
    long = pd.concat(pieces, ignore_index=True) if pieces else _empty_frame()
    long = long[long["score"] != ""]
    if not layout.long and len(pieces) > 1:
        long = long.sort_values("row", kind="stable")
    long = long.reset_index(drop=True)
    long["file"] = shown

    found: list[_Found] = [(problems, len(problems))]
    if evaluator is not None:
        given = long["evaluator"]
        other = (given != "") & (given != evaluator)
        found.append(
            _emit(
                long.loc[other, ["file", "row", "evaluator"]]
                .drop_duplicates(["row"])
                .assign(
                    column="evaluator" if layout.evaluator is None else headers[layout.evaluator]
                ),
                lambda r: Problem(
                    type="evaluator-mismatch",
                    message=f"this row is for evaluator '{r['evaluator']}' but the import is "
                    f"for --evaluator {evaluator}",
                    file=r["file"],
                    row=int(r["row"]),
                    column=r["column"],
                    value=r["evaluator"],
                    fix=f"import {r['evaluator']}'s rows separately, or correct the evaluator",
                ),
            )
        )
        long["evaluator"] = evaluator
        long = long[~other.to_numpy()] if other.any() else long

    values, bad = _parse_integers(long["score"])
    if bad.any():
        wrong = long.loc[bad, ["file", "row", "column", "score", "criterion"]]
        found.append(
            _emit(
                wrong,
                lambda r: Problem(
                    type="type-error",
                    message=f"score '{r['score']}' is not a whole number",
                    file=r["file"],
                    row=int(r["row"]),
                    column=r["column"],
                    value=r["score"],
                    fix=_scale_fix(_criterion(exercise, r["criterion"]), exercise),
                ),
            )
        )
    # Rows whose score is not a whole number stay in the frame with no score (<NA>), so that
    # their evaluator, tender and criterion are still checked: the report lists every error.
    long["score"] = values.where(~bad).astype("Int64") if bad.any() else values.astype("int64")
    comment = long["comment"].astype(object)
    long["comment"] = comment.where(comment != "", None)
    long = long.loc[:, list(COLUMNS)].reset_index(drop=True)
    from commission.text_checks import comment_columns, sheet_text_problems

    found.append(sheet_text_problems(long, comment_columns(headers, layout)))
    listed, total = _finish(found)
    return long, listed, total


# --------------------------------------------------------------------------------------------
# checking score rows against an exercise and its tenders


def check_scores(
    frame: pd.DataFrame,
    *,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
    file: str | None = None,
) -> list[Problem]:
    """Every problem with score rows: unknown ids, off-scale scores, duplicates, conflicts.

    ``frame`` is a score frame (``file``, ``row`` and ``column`` are filled in when absent:
    ``file`` from the argument, ``row`` counting from 1, ``column`` as ``score``). Problems are
    sorted by file, row and column, and capped at :data:`MAX_PROBLEMS` with a final
    ``too-many-errors`` summary.
    """
    listed, total = _check(frame, exercise, tenders, file)
    return _with_summary(listed, total)


def _check(
    frame: pd.DataFrame,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
    file: str | None,
) -> tuple[list[Problem], int]:
    import numpy as np
    import pandas as pd

    tender_map = _tender_map(tenders)
    frame = _framed(frame, file)
    found: list[_Found] = []

    # Each id column as integer codes into its distinct cleaned values: every check below is
    # done on the few distinct values, then spread to the rows by the codes.
    codes: dict[str, Any] = {}
    distinct: dict[str, Any] = {}
    for name in ("evaluator", "tender", "criterion"):
        codes[name], distinct[name] = _codes(frame[name])

    def values(name: str, mask: Any) -> Any:
        return distinct[name][codes[name][mask]]

    known = {
        "evaluator": [e.id for e in exercise.evaluators],
        "tender": list(tender_map),
        "criterion": list(exercise.criteria.ids),
    }
    blank_any = np.zeros(len(frame), dtype=bool)
    for name in codes:
        blank = (distinct[name] == "")[codes[name]]
        blank_any |= blank
        found.append(
            _emit(
                frame.loc[blank, ["file", "row"]].assign(column=name),
                functools.partial(_missing_value, name),
            )
        )
        known_ids = set(known[name])
        is_unknown = np.fromiter(
            (v != "" and v not in known_ids for v in distinct[name]), bool, len(distinct[name])
        )
        unknown = is_unknown[codes[name]]
        if unknown.any():
            table = frame.loc[unknown, ["file", "row"]].assign(
                column=name, value=values(name, unknown)
            )
            found.append(
                _emit(
                    table.drop_duplicates(["file", "row", "column"]),
                    functools.partial(_unknown, name, known[name]),
                )
            )

    scores = frame["score"]
    if pd.api.types.is_integer_dtype(scores.dtype) and not pd.api.types.is_bool_dtype(scores.dtype):
        # <NA> marks a score read_sheet found not to be a whole number and reported already.
        numbers = scores.to_numpy(dtype="float64", na_value=np.nan)
        bad = np.zeros(len(frame), dtype=bool)
    else:
        parsed, wrong = _library_integers(scores)
        numbers, bad = parsed.to_numpy(dtype="float64"), wrong.to_numpy(dtype=bool)
    if bad.any():
        found.append(
            _emit(
                frame.loc[bad, ["file", "row", "column"]].assign(
                    value=scores[bad].map(_nullable).astype(object),
                    criterion=values("criterion", bad),
                ),
                lambda r: Problem(
                    type="type-error",
                    message="no score is given"
                    if r["value"] is None
                    else f"score {r['value']!r} is not a whole number",
                    file=r["file"],
                    row=int(r["row"]),
                    column=r["column"],
                    value=r["value"],
                    fix=_scale_fix(_criterion(exercise, r["criterion"]), exercise),
                ),
            )
        )

    scales = {c.id: c.scale for c in exercise.criteria.criteria}
    low = np.array([scales[c].min if c in scales else np.nan for c in distinct["criterion"]])
    high = np.array([scales[c].max if c in scales else np.nan for c in distinct["criterion"]])
    with np.errstate(invalid="ignore"):
        off = (numbers < low[codes["criterion"]]) | (numbers > high[codes["criterion"]])
    off &= ~bad
    if off.any():
        found.append(
            _emit(
                frame.loc[off, ["file", "row", "column"]].assign(
                    value=numbers[off].astype("int64"), criterion=values("criterion", off)
                ),
                lambda r: Problem(
                    type="constraint-error",
                    message=f"score {int(r['value'])} is off the scale of {r['criterion']} "
                    f"({scales[r['criterion']].min} to {scales[r['criterion']].max})",
                    file=r["file"],
                    row=int(r["row"]),
                    column=r["column"],
                    value=int(r["value"]),
                    fix=_scale_fix(_criterion(exercise, r["criterion"]), exercise),
                ),
            )
        )

    # Duplicates among rows whose ids are all there (blank ids are reported already).
    ids = pd.DataFrame(codes)[~blank_any]
    repeated = ids.duplicated(keep="first").to_numpy()
    if repeated.any():
        involved = ids.index[ids.duplicated(keep=False).to_numpy()]
        group = ids.loc[involved]
        first = (
            pd.concat([group, frame.loc[involved, ["file", "row"]]], axis=1)
            .groupby(list(codes), sort=False)[["file", "row"]]
            .transform("first")
        )
        later = involved[group.duplicated(keep="first").to_numpy()]
        table = frame.loc[later, ["file", "row", "column"]].assign(
            first_file=first.loc[later, "file"],
            first_row=first.loc[later, "row"],
            evaluator=distinct["evaluator"][codes["evaluator"][later]],
            tender=distinct["tender"][codes["tender"][later]],
            criterion=distinct["criterion"][codes["criterion"][later]],
        )
        found.append(
            _emit(
                table,
                lambda r: Problem(
                    type="unique-error",
                    message=f"a second score for evaluator {r['evaluator']}, tender "
                    f"{r['tender']}, criterion {r['criterion']}: the first is "
                    + (
                        f"at row {int(r['first_row'])}"
                        if r["first_file"] == r["file"]
                        else f"in {r['first_file'] or '<input>'} at row {int(r['first_row'])}"
                    ),
                    file=r["file"],
                    row=int(r["row"]),
                    column=r["column"],
                    value=r["criterion"],
                    fix="keep one score for each evaluator, tender and criterion",
                ),
            )
        )

    # Conflicts of interest, as pairs of codes: evaluator code × tender code.
    evaluator_at = {v: i for i, v in enumerate(distinct["evaluator"])}
    tender_at = {v: i for i, v in enumerate(distinct["tender"])}
    width = len(distinct["tender"]) + 1
    pairs = [
        evaluator_at[e.id] * width + tender_at[t]
        for e in exercise.evaluators
        for t in e.conflicts
        if e.id in evaluator_at and t in tender_at
    ]
    if pairs:
        joined = codes["evaluator"].astype("int64") * width + codes["tender"]
        conflicted = np.isin(joined, pairs)
        table = frame.loc[conflicted, ["file", "row"]].assign(
            column="tender",
            evaluator=values("evaluator", conflicted),
            tender=values("tender", conflicted),
        )
        found.append(
            _emit(
                table.drop_duplicates(["file", "row"]),
                lambda r: Problem(
                    type="conflict-of-interest",
                    message=f"evaluator {r['evaluator']} declared a conflict of interest with "
                    f"tender {r['tender']} and may not score it",
                    file=r["file"],
                    row=int(r["row"]),
                    column=r["column"],
                    value=r["tender"],
                    fix="delete this row's scores: another panel member scores this tender",
                ),
            )
        )
    return _finish(found)


def _missing_value(name: str, r: Mapping[str, Any]) -> Problem:
    return Problem(
        type="missing-value",
        message=f"the {name} is blank",
        file=r["file"],
        row=int(r["row"]),
        column=r["column"],
        fix=f"fill in the {name}",
    )


def _unknown(name: str, known: list[str], r: Mapping[str, Any]) -> Problem:
    return Problem(
        type=f"unknown-{name}",
        message=f"unknown {name} '{r['value']}'",
        file=r["file"],
        row=int(r["row"]),
        column=r["column"],
        value=r["value"],
        fix=_did_you_mean(r["value"], known, f"the {name}s of this exercise"),
    )


def _codes(series: pd.Series) -> tuple[Any, Any]:
    """(codes, distinct): ``distinct[codes]`` is the column stripped, blanks and NaN as ``""``."""
    import numpy as np
    import pandas as pd

    raw_codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).map(str).str.strip().to_numpy(dtype=object)
    text = np.append(text, "")  # where the NaN sentinel -1 points
    # " R1" and "R1" are one evaluator once stripped
    merged, distinct = pd.factorize(text)
    return merged[raw_codes], np.asarray(distinct, dtype=object)


def _framed(frame: pd.DataFrame, file: str | None) -> pd.DataFrame:
    """``frame`` with ``file``, ``row`` and ``column`` present and a plain 0..n-1 index."""
    import pandas as pd

    missing = [c for c in ("evaluator", "tender", "criterion", "score") if c not in frame.columns]
    if missing:
        raise InvalidScores(
            "score rows need the columns evaluator, tender, criterion and score",
            [
                Problem(
                    type="missing-column",
                    message=f"the score rows have no '{name}' column",
                    file=file,
                    column=name,
                    fix="give every score row evaluator, tender, criterion and score "
                    "(and optionally comment)",
                )
                for name in missing
            ],
        )
    frame = frame.reset_index(drop=True)
    extra: dict[str, Any] = {}
    if "file" not in frame.columns:
        extra["file"] = pd.Series([file] * len(frame), dtype=object)
    elif file is not None:
        extra["file"] = frame["file"].astype(object).where(frame["file"].notna(), file)
    if "row" not in frame.columns:
        extra["row"] = pd.Series(range(1, len(frame) + 1), dtype="int64")
    if "column" not in frame.columns:
        extra["column"] = "score"
    return frame.assign(**extra) if extra else frame


def _library_integers(scores: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Scores given by a caller: whole numbers (``3``, ``3.0``, ``"3"``); not bools, not ``3.5``."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(scores.dtype):
        return pd.Series(np.nan, index=scores.index), pd.Series(True, index=scores.index)
    if pd.api.types.is_float_dtype(scores.dtype):
        values = scores.astype("float64")
        whole = values.notna() & np.isfinite(values) & (values == np.floor(values))
        return values.where(whole), ~whole
    if pd.api.types.is_string_dtype(scores.dtype) and scores.dtype != object:
        return _parse_integers(_clean(scores))
    # object: a mix of Python numbers, text and None
    kinds = scores.map(type)
    is_text = kinds.isin([str]).to_numpy()
    is_number = kinds.isin([int, float, np.int64, np.float64, np.int32]).to_numpy()
    values = pd.Series(np.nan, index=scores.index)
    if is_text.any():
        parsed, _ = _parse_integers(_clean(scores[is_text]))
        values[is_text] = parsed
    if is_number.any():
        numbers = pd.to_numeric(scores[is_number], errors="coerce").astype("float64")
        numbers = numbers.where(np.isfinite(numbers) & (numbers == np.floor(numbers)))
        values[is_number] = numbers
    return values, values.isna()


# --------------------------------------------------------------------------------------------
# reading and checking many sheets, or rows from a caller


def read_scores(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
    evaluator: str | None = None,
    encoding: str | None = None,
    also: Callable[[pd.DataFrame], list[Problem]] | None = None,
) -> pd.DataFrame:
    """Read and check every score sheet; the score frame of them all, or :class:`InvalidScores`.

    All or nothing: duplicates are looked for across sheets too, and the exception lists every
    problem in every sheet (capped at :data:`MAX_PROBLEMS`). ``also(rows)`` finds the caller's
    own problems in the rows read (the store's overwrites): when the sheets have errors, those
    are listed with them, so one round of corrections is enough.
    """
    import pandas as pd

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    tender_map = _tender_map(tenders)
    frames = []
    found: list[_Found] = []
    for path in paths:
        frame, listed, total = _read_sheet(path, exercise, evaluator, encoding)
        frames.append(frame)
        found.append((listed, total))
    scores = pd.concat(frames, ignore_index=True) if frames else _empty_frame()
    if frames and len(frames) > 1:
        scores = scores.astype({"evaluator": "str", "tender": "str", "criterion": "str"})
    found.append(_check(scores, exercise, tender_map, None))
    listed, total = _finish(found)
    if total and also is not None:
        extra = also(scores[scores["score"].notna()])
        found.append((extra, sum(p.type != "too-many-errors" for p in extra)))
        listed, total = _finish(found)
    if total:
        sheets = len({p.file for p in listed if p.file} or {None})
        raise InvalidScores(
            f"{_plural(total, 'error')} in {_plural(sheets, 'score sheet')}; nothing was imported",
            _with_summary(listed, total),
        )
    return scores.astype({"score": "int64"})


def scores_from_rows(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
) -> pd.DataFrame:
    """Score rows given by a caller, checked as a sheet is; the score frame or InvalidScores.

    ``rows`` is a DataFrame or an iterable of mappings with ``evaluator``, ``tender``,
    ``criterion``, ``score`` and optionally ``comment``. Problems name rows counted from 1 in the
    order given.
    """
    import pandas as pd

    if isinstance(rows, pd.DataFrame):
        frame = rows.copy()
    else:
        frame = pd.DataFrame.from_records(list(rows), columns=None)
        if frame.empty:
            frame = pd.DataFrame(columns=list(LONG_COLUMNS))
    if "comment" not in frame.columns:
        frame["comment"] = None
    frame = _framed(frame, None)
    listed, total = _check(frame, exercise, tenders, None)
    if total:
        raise InvalidScores(
            f"{_plural(total, 'error')} in the score rows; nothing was imported",
            _with_summary(listed, total),
        )
    result = pd.DataFrame(
        {
            "evaluator": _clean(frame["evaluator"]),
            "tender": _clean(frame["tender"]),
            "criterion": _clean(frame["criterion"]),
        }
    )
    if pd.api.types.is_integer_dtype(frame["score"].dtype):
        result["score"] = frame["score"].astype("int64")
    else:
        result["score"] = _library_integers(frame["score"])[0].astype("int64")
    comment = _clean(frame["comment"]).astype(object)
    result["comment"] = comment.where(comment != "", None)
    result["file"] = frame["file"].astype(object)
    result["row"] = frame["row"].astype("int64")
    result["column"] = frame["column"].astype("str")
    return result.loc[:, list(COLUMNS)]


# --------------------------------------------------------------------------------------------
# blank sheets


def write_blank_sheet(
    path: str | os.PathLike[str],
    *,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
    evaluator_id: str,
    force: bool = False,
) -> int:
    """Write the blank wide score sheet for one panel member; the number of tenders listed.

    One row per tender the evaluator may score (declared conflicts left out), by lot then id,
    with columns ``evaluator, tender, lot, bidder`` and per criterion its score column then its
    comment column. CSV is written as UTF-8 with a byte-order mark so Excel shows accents right;
    XLSX adds a "Guide" sheet (criteria, questions, guidance, scale) and whole-number validation
    on the score cells. Text is escaped against formula injection. An existing file is not
    overwritten without ``force``, and a symbolic link at ``path`` is never followed.
    """
    try:
        member = exercise.evaluator(evaluator_id)
    except KeyError:
        raise NotFound(
            f"no evaluator '{evaluator_id}' in exercise {exercise.id}",
            [
                Problem(
                    type="unknown-evaluator",
                    message=f"unknown evaluator '{evaluator_id}'",
                    value=evaluator_id,
                    fix=_did_you_mean(
                        evaluator_id, [e.id for e in exercise.evaluators], "the evaluators"
                    ),
                )
            ],
        ) from None
    lot_order = {lot: i for i, lot in enumerate(exercise.lot_ids)}
    listed = sorted(
        (t for t in _tender_map(tenders).values() if t.id not in member.conflicts),
        key=lambda t: (lot_order.get(t.lot, len(lot_order)), t.lot, t.id),
    )
    header = ["evaluator", "tender", "lot", "bidder"]
    for criterion in exercise.criteria.criteria:
        header += [criterion.id, f"{criterion.id} comment"]
    body = [
        [member.id, t.id, t.lot, t.bidder] + [""] * (2 * len(exercise.criteria.criteria))
        for t in listed
    ]
    target = Path(path)
    suffix = target.suffix.lower()
    from commission.safe_write import open_new, write_new

    if suffix == ".xlsx":
        with write_new(target, force=force) as temporary:
            _write_blank_xlsx(temporary, exercise, member.id, header, body)
    elif suffix in ("", ".csv", ".txt"):
        with open_new(target, force=force, encoding="utf-8-sig", newline="") as out:
            write_rows(out, [header, *body], lineterminator="\r\n")
    else:
        raise Usage(f"cannot write a score sheet as '{suffix}': name a .csv or .xlsx file")
    return len(listed)


def _write_blank_xlsx(
    target: Path, exercise: Exercise, evaluator_id: str, header: list[str], body: list[list[str]]
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Scores"

    def put(ws: Any, row: int, col: int, value: str) -> Any:
        cell = ws.cell(row=row, column=col)
        cell.value = escape_formula(value)
        cell.data_type = "s"  # text, never a formula, whatever it says
        return cell

    for col, name in enumerate(header, start=1):
        put(sheet, 1, col, name).font = Font(bold=True)
    for r, values in enumerate(body, start=2):
        for col, value in enumerate(values, start=1):
            if value != "":
                put(sheet, r, col, value)
    sheet.freeze_panes = "C2"
    widths = {"evaluator": 10, "tender": 12, "lot": 10, "bidder": 30}
    for col, name in enumerate(header, start=1):
        comment_column = name.endswith(" comment")
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(
            name, 40 if comment_column else max(12, len(name) + 2)
        )
    last = len(body) + 1
    if body:
        for offset, criterion in enumerate(exercise.criteria.criteria):
            col = get_column_letter(5 + 2 * offset)
            scale = criterion.scale
            check = DataValidation(
                type="whole",
                operator="between",
                formula1=str(scale.min),
                formula2=str(scale.max),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not a score",
                error=f"Score {criterion.name} with a whole number from {scale.min} to "
                f"{scale.max}, or leave it blank.",
                showInputMessage=True,
                promptTitle=criterion.name[:32],
                prompt=f"A whole number from {scale.min} to {scale.max}"[:255],
            )
            sheet.add_data_validation(check)
            check.add(f"{col}2:{col}{last}")

    guide = workbook.create_sheet("Guide")
    put(guide, 1, 1, f"Score sheet for {evaluator_id}: {exercise.title}").font = Font(
        bold=True, size=13
    )
    put(
        guide,
        2,
        1,
        "Give each tender a whole number for each criterion on the Scores sheet. "
        "Leave a cell blank if you did not score it. Do not change the column headings.",
    )
    row = 4
    for col, label in enumerate(
        ("criterion", "name", "question for bidders", "guidance for scorers", "scale"), start=1
    ):
        put(guide, row, col, label).font = Font(bold=True)
    for criterion in exercise.criteria.criteria:
        row += 1
        scale = criterion.scale
        points = "\n".join(
            f"{point} = {scale.descriptors.get(point, '')}".rstrip(" =") for point in scale.points
        )
        cells = (criterion.id, criterion.name, criterion.question, criterion.guidance, points)
        for col, value in enumerate(cells, start=1):
            put(guide, row, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (16, 28, 50, 50, 40), strict=True):
        guide.column_dimensions[letter].width = width
    workbook.save(target)
