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

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...errors import InvalidScores, Problem
from ...records import Exercise, Tender
from ..problems import MAX_PROBLEMS, Found, finish, plural, with_summary
from .blank import write_blank_sheet
from .check import check, check_scores, framed, library_integers
from .common import COLUMNS, LONG_COLUMNS, clean, empty_frame, tender_map
from .marks import ABSTAIN_WORDS, MARK_COLUMNS
from .read import read_one, read_sheet

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ABSTAIN_WORDS",
    "COLUMNS",
    "LONG_COLUMNS",
    "MAX_PROBLEMS",
    "check_scores",
    "read_marked_scores",
    "read_scores",
    "read_sheet",
    "scores_from_rows",
    "write_blank_sheet",
]

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
    are listed with them, so one round of corrections is enough. Abstentions are not scores and
    are left out (:func:`read_marked_scores` keeps them).
    """
    marked = read_marked_scores(
        paths,
        exercise=exercise,
        tenders=tenders,
        evaluator=evaluator,
        encoding=encoding,
        also=also,
    )
    scores = marked[~marked["abstain"].to_numpy(dtype=bool)]
    return scores.loc[:, list(COLUMNS)].astype({"score": "int64"}).reset_index(drop=True)


def read_marked_scores(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
    evaluator: str | None = None,
    encoding: str | None = None,
    also: Callable[[pd.DataFrame], list[Problem]] | None = None,
) -> pd.DataFrame:
    """:func:`read_scores` with abstentions kept: the score frame plus ``abstain`` (bool; the
    score is <NA> there) and ``reason`` (the moderated round's reason column, or None)."""
    import pandas as pd

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    by_id = tender_map(tenders)
    frames = []
    found: list[Found] = []
    for path in paths:
        frame, listed, total = read_one(path, exercise, evaluator, encoding)
        frames.append(frame)
        found.append((listed, total))
    scores = pd.concat(frames, ignore_index=True) if frames else empty_frame()
    if frames and len(frames) > 1:
        scores = scores.astype({"evaluator": "str", "tender": "str", "criterion": "str"})
    found.append(check(scores, exercise, by_id, None))
    listed, total = finish(found)
    if total and also is not None:
        extra = also(scores[scores["score"].notna()])
        found.append((extra, sum(p.type != "too-many-errors" for p in extra)))
        listed, total = finish(found)
    if total:
        sheets = len({p.file for p in listed if p.file} or {None})
        raise InvalidScores(
            f"{plural(total, 'error')} in {plural(sheets, 'score sheet')}; nothing was imported",
            with_summary(listed, total),
        )
    abstain = (
        scores["abstain"].fillna(False).astype(bool)
        if "abstain" in scores
        else pd.Series(False, index=scores.index, dtype=bool)
    )
    reason = scores["reason"].astype(object) if "reason" in scores else None
    scores = scores.assign(
        abstain=abstain,
        reason=None if reason is None else reason.where(reason.notna(), None),
        score=scores["score"].astype("Int64"),
    )
    return scores.loc[:, list(COLUMNS + MARK_COLUMNS)].reset_index(drop=True)


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
    frame = framed(frame, None)
    listed, total = check(frame, exercise, tenders, None)
    if total:
        raise InvalidScores(
            f"{plural(total, 'error')} in the score rows; nothing was imported",
            with_summary(listed, total),
        )
    result = pd.DataFrame(
        {
            "evaluator": clean(frame["evaluator"]),
            "tender": clean(frame["tender"]),
            "criterion": clean(frame["criterion"]),
        }
    )
    if pd.api.types.is_integer_dtype(frame["score"].dtype):
        result["score"] = frame["score"].astype("int64")
    else:
        result["score"] = library_integers(frame["score"])[0].astype("int64")
    comment = clean(frame["comment"]).astype(object)
    result["comment"] = comment.where(comment != "", None)
    result["file"] = frame["file"].astype(object)
    result["row"] = frame["row"].astype("int64")
    result["column"] = frame["column"].astype("str")
    return result.loc[:, list(COLUMNS)]
