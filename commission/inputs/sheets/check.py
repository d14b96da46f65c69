"""Checking score rows against an exercise and its tenders, a whole column at a time."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import InvalidScores, Problem
from ...records import Exercise, Tender
from ..problems import Found, did_you_mean, emit, finish, with_summary
from .common import clean, criterion_of, nullable, parse_integers, scale_fix, tender_map

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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
    listed, total = check(frame, exercise, tenders, file)
    return with_summary(listed, total)


@dataclass(frozen=True)
class _Ids:
    """Each id column as integer codes into its distinct cleaned values: every check is done
    on the few distinct values, then spread to the rows by the codes."""

    codes: dict[str, Any]
    distinct: dict[str, Any]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Ids:
        codes: dict[str, Any] = {}
        distinct: dict[str, Any] = {}
        for name in ("evaluator", "tender", "criterion"):
            codes[name], distinct[name] = _codes(frame[name])
        return cls(codes, distinct)

    def values(self, name: str, mask: Any) -> Any:
        return self.distinct[name][self.codes[name][mask]]


def check(
    frame: pd.DataFrame,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
    file: str | None,
) -> tuple[list[Problem], int]:
    """Every problem of :func:`check_scores`, listed (capped) and counted."""
    frame = framed(frame, file)
    ids = _Ids.of(frame)
    known = {
        "evaluator": [e.id for e in exercise.evaluators],
        "tender": list(tender_map(tenders)),
        "criterion": list(exercise.criteria.ids),
    }
    found, blank_any = _id_problems(frame, ids, known)
    found += _score_problems(frame, ids, exercise)
    found += _duplicate_problems(frame, ids, blank_any)
    found += _conflict_problems(frame, ids, exercise)
    return finish(found)


def _id_problems(
    frame: pd.DataFrame, ids: _Ids, known: Mapping[str, list[str]]
) -> tuple[list[Found], Any]:
    """Blank and unknown evaluators, tenders and criteria; and where any id is blank."""
    import numpy as np

    found: list[Found] = []
    blank_any = np.zeros(len(frame), dtype=bool)
    for name, codes in ids.codes.items():
        distinct = ids.distinct[name]
        blank = (distinct == "")[codes]
        blank_any |= blank
        found.append(
            emit(
                frame.loc[blank, ["file", "row"]].assign(column=name),
                functools.partial(_missing_value, name),
            )
        )
        known_ids = set(known[name])
        is_unknown = np.fromiter(
            (v != "" and v not in known_ids for v in distinct), bool, len(distinct)
        )
        unknown = is_unknown[codes]
        if unknown.any():
            table = frame.loc[unknown, ["file", "row"]].assign(
                column=name, value=ids.values(name, unknown)
            )
            found.append(
                emit(
                    table.drop_duplicates(["file", "row", "column"]),
                    functools.partial(_unknown, name, known[name]),
                )
            )
    return found, blank_any


def _score_problems(frame: pd.DataFrame, ids: _Ids, exercise: Exercise) -> list[Found]:
    """Scores that are not whole numbers, and whole numbers off their criterion's scale."""
    import numpy as np
    import pandas as pd

    found: list[Found] = []
    scores = frame["score"]
    if pd.api.types.is_integer_dtype(scores.dtype) and not pd.api.types.is_bool_dtype(scores.dtype):
        # <NA> marks a score read_sheet found not to be a whole number and reported already.
        numbers = scores.to_numpy(dtype="float64", na_value=np.nan)
        bad = np.zeros(len(frame), dtype=bool)
    else:
        parsed, wrong = library_integers(scores)
        numbers, bad = parsed.to_numpy(dtype="float64"), wrong.to_numpy(dtype=bool)
    if bad.any():
        found.append(
            emit(
                frame.loc[bad, ["file", "row", "column"]].assign(
                    value=scores[bad].map(nullable).astype(object),
                    criterion=ids.values("criterion", bad),
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
                    fix=scale_fix(criterion_of(exercise, r["criterion"]), exercise),
                ),
            )
        )
    scales = {c.id: c.scale for c in exercise.criteria.criteria}
    criteria = ids.distinct["criterion"]
    low = np.array([scales[c].min if c in scales else np.nan for c in criteria])
    high = np.array([scales[c].max if c in scales else np.nan for c in criteria])
    with np.errstate(invalid="ignore"):
        off = (numbers < low[ids.codes["criterion"]]) | (numbers > high[ids.codes["criterion"]])
    off &= ~bad
    if off.any():
        found.append(
            emit(
                frame.loc[off, ["file", "row", "column"]].assign(
                    value=numbers[off].astype("int64"), criterion=ids.values("criterion", off)
                ),
                lambda r: Problem(
                    type="constraint-error",
                    message=f"score {int(r['value'])} is off the scale of {r['criterion']} "
                    f"({scales[r['criterion']].min} to {scales[r['criterion']].max})",
                    file=r["file"],
                    row=int(r["row"]),
                    column=r["column"],
                    value=int(r["value"]),
                    fix=scale_fix(criterion_of(exercise, r["criterion"]), exercise),
                ),
            )
        )
    return found


def _duplicate_problems(frame: pd.DataFrame, ids: _Ids, blank_any: Any) -> list[Found]:
    """A second score for one (evaluator, tender, criterion), where all three ids are there
    (blank ids are reported already)."""
    import pandas as pd

    keys = pd.DataFrame(ids.codes)[~blank_any]
    repeated = keys.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return []
    involved = keys.index[keys.duplicated(keep=False).to_numpy()]
    group = keys.loc[involved]
    first = (
        pd.concat([group, frame.loc[involved, ["file", "row"]]], axis=1)
        .groupby(list(ids.codes), sort=False)[["file", "row"]]
        .transform("first")
    )
    later = involved[group.duplicated(keep="first").to_numpy()]
    table = frame.loc[later, ["file", "row", "column"]].assign(
        first_file=first.loc[later, "file"],
        first_row=first.loc[later, "row"],
        evaluator=ids.distinct["evaluator"][ids.codes["evaluator"][later]],
        tender=ids.distinct["tender"][ids.codes["tender"][later]],
        criterion=ids.distinct["criterion"][ids.codes["criterion"][later]],
        score=frame.loc[later, "score"].map(nullable).astype(object),
    )
    return [
        emit(
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
                value=r["score"],
                fix="keep one score for each evaluator, tender and criterion",
            ),
        )
    ]


def _conflict_problems(frame: pd.DataFrame, ids: _Ids, exercise: Exercise) -> list[Found]:
    """Scores from an evaluator on a tender they declared a conflict of interest with."""
    import numpy as np

    evaluator_at = {v: i for i, v in enumerate(ids.distinct["evaluator"])}
    tender_at = {v: i for i, v in enumerate(ids.distinct["tender"])}
    width = len(ids.distinct["tender"]) + 1
    pairs = [
        evaluator_at[e.id] * width + tender_at[t]
        for e in exercise.evaluators
        for t in e.conflicts
        if e.id in evaluator_at and t in tender_at
    ]
    if not pairs:
        return []
    joined = ids.codes["evaluator"].astype("int64") * width + ids.codes["tender"]
    conflicted = np.isin(joined, pairs)
    table = frame.loc[conflicted, ["file", "row"]].assign(
        column="tender",
        evaluator=ids.values("evaluator", conflicted),
        tender=ids.values("tender", conflicted),
    )
    return [
        emit(
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
    ]


def _missing_value(name: str, r: Mapping[str, Any]) -> Problem:
    return Problem(
        type="missing-value",
        message=f"the {name} is blank",
        file=r["file"],
        row=int(r["row"]),
        column=r["column"],
        fix=f"fill in the {name}",
    )


def _plural(name: str) -> str:
    return "criteria" if name == "criterion" else f"{name}s"


def _unknown(name: str, known: list[str], r: Mapping[str, Any]) -> Problem:
    return Problem(
        type=f"unknown-{name}",
        message=f"unknown {name} '{r['value']}'",
        file=r["file"],
        row=int(r["row"]),
        column=r["column"],
        value=r["value"],
        fix=did_you_mean(r["value"], known, f"the {_plural(name)} of this exercise"),
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


def framed(frame: pd.DataFrame, file: str | None) -> pd.DataFrame:
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


def library_integers(scores: pd.Series) -> tuple[pd.Series, pd.Series]:
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
        return parse_integers(clean(scores))
    # object: a mix of Python numbers, text and None
    kinds = scores.map(type)
    is_text = kinds.isin([str]).to_numpy()
    is_number = kinds.isin([int, float, np.int64, np.float64, np.int32]).to_numpy()
    values = pd.Series(np.nan, index=scores.index)
    if is_text.any():
        parsed, _ = parse_integers(clean(scores[is_text]))
        values[is_text] = parsed
    if is_number.any():
        numbers = pd.to_numeric(scores[is_number], errors="coerce").astype("float64")
        numbers = numbers.where(np.isfinite(numbers) & (numbers == np.floor(numbers)))
        values[is_number] = numbers
    return values, values.isna()
