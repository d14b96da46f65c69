"""A score sheet's header row: which layout (long or wide) and which column holds what."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import Problem
from ...records import Exercise
from ..problems import near
from .common import INFO_COLUMNS, LONG_COLUMNS, column_letter, criterion_keys, header_key
from .marks import ROUND_COLUMNS


class Layout:
    """Where each field is: column indexes, and for a wide sheet each criterion's columns."""

    def __init__(self, headers: list[str], long: bool) -> None:
        self.headers = headers
        self.long = long
        self.evaluator: int | None = None
        self.tender: int | None = None
        self.criterion: int | None = None
        self.score: int | None = None
        self.comment: int | None = None
        #: the moderated round's ``reason`` column
        self.reason: int | None = None
        #: wide: criterion id → (score column index, comment column index or None)
        self.criteria: dict[str, tuple[int, int | None]] = {}

    def place(self, name: str, index: int) -> None:
        if name in ("evaluator", "tender", "criterion", "score", "comment") + ROUND_COLUMNS:
            setattr(self, name, index)
        elif name not in INFO_COLUMNS:
            self.criteria[name] = (index, None)


def read_header(
    headers: list[str],
    blank_columns: list[bool],
    exercise: Exercise,
    shown: str,
    evaluator: str | None,
) -> tuple[Layout | None, list[Problem]]:
    """The layout of a sheet from its header, or None and every problem with the header."""
    keys = [header_key(h) for h in headers]
    layout = Layout(headers, "criterion" in keys or "score" in keys)
    expected, candidates = _expected(exercise, headers, layout.long)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    comments: dict[str, int] = {}
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        if not key:
            if not blank_columns[index]:
                problems.append(_blank_header(index, shown, expected))
            continue
        name = _name_of(key, layout.long, criterion_keys(exercise))
        if name is None:
            problems.append(_unknown_column(header, key, candidates, shown, expected))
        elif name in seen:
            problems.append(_repeated_column(header, headers, seen[name], shown))
        else:
            seen[name] = index
            if name.endswith(" comment") and not layout.long:
                comments[name[: -len(" comment")]] = index
            else:
                layout.place(name, index)
    problems += _attach_comments(layout, comments, shown)
    problems += _missing_columns(layout, evaluator, shown, expected)
    missing = any(p.type == "missing-column" for p in problems)
    return (None if missing else layout), problems


def _expected(exercise: Exercise, headers: Sequence[str], long: bool) -> tuple[str, dict[str, str]]:
    """What the header should be, in words, and every name a column may have (by key)."""
    expected_long = ", ".join(LONG_COLUMNS)
    got = ", ".join(h for h in headers if h.strip()) or "nothing"
    if long:
        return f"columns must be {expected_long} — got {got}", {
            k: k for k in LONG_COLUMNS + INFO_COLUMNS + ROUND_COLUMNS
        }
    expected_wide = (
        "evaluator, tender, then one column per criterion ("
        + ", ".join(exercise.criteria.ids)
        + "), each optionally followed by '<criterion> comment'"
    )
    candidates = {header_key(c): c for c in ("evaluator", "tender") + INFO_COLUMNS + ROUND_COLUMNS}
    for criterion in exercise.criteria.criteria:
        for label in (criterion.id, criterion.name):
            candidates[header_key(label)] = label
            candidates[header_key(label + " comment")] = label + " comment"
    return (
        f"columns must be {expected_long} (long layout) or {expected_wide} (wide layout) "
        f"— got {got}",
        candidates,
    )


_COMMENT = header_key(" comment")


def _name_of(key: str, long: bool, crit_keys: dict[str, str]) -> str | None:
    """The field a header names: a long column, evaluator/tender, a criterion or its comment."""
    if long:
        return key if key in LONG_COLUMNS + INFO_COLUMNS + ROUND_COLUMNS else None
    if key in ("evaluator", "tender") + ROUND_COLUMNS or key in INFO_COLUMNS:
        return key
    if key in crit_keys:
        return crit_keys[key]
    if key.endswith(_COMMENT) and key[: -len(_COMMENT)] in crit_keys:
        return crit_keys[key[: -len(_COMMENT)]] + " comment"
    return None


def _blank_header(index: int, shown: str, expected: str) -> Problem:
    letter = column_letter(index)
    return Problem(
        type="blank-header",
        message=f"column {letter} holds values but has no header",
        file=shown,
        row=1,
        column=letter,
        fix=f"give column {letter} a header or delete it; {expected}",
    )


def _unknown_column(
    header: str, key: str, candidates: dict[str, str], shown: str, expected: str
) -> Problem:
    close = near(key, candidates)
    return Problem(
        type="unknown-column",
        message=f"unknown column '{header}': {expected}",
        file=shown,
        row=1,
        column=header,
        value=header,
        fix=f"did you mean '{candidates[close]}'?" if close else "rename or delete the column",
    )


def _repeated_column(header: str, headers: Sequence[str], first: int, shown: str) -> Problem:
    return Problem(
        type="duplicate-column",
        message=f"column '{header}' repeats column '{headers[first]}' ({column_letter(first)})",
        file=shown,
        row=1,
        column=header,
        value=header,
        fix="keep one of the two columns",
    )


def _attach_comments(layout: Layout, comments: dict[str, int], shown: str) -> list[Problem]:
    """Each wide comment column joins its criterion's score column; one with none is wrong."""
    problems = []
    for criterion_id, index in comments.items():
        if criterion_id in layout.criteria:
            layout.criteria[criterion_id] = (layout.criteria[criterion_id][0], index)
            continue
        header = layout.headers[index]
        problems.append(
            Problem(
                type="unknown-column",
                message=f"comment column '{header}' has no score column '{criterion_id}' beside it",
                file=shown,
                row=1,
                column=header,
                value=header,
                fix=f"add a '{criterion_id}' column for the scores, or delete the comments",
            )
        )
    return problems


def _missing_columns(
    layout: Layout, evaluator: str | None, shown: str, expected: str
) -> list[Problem]:
    required = ["tender"]
    if layout.long:
        required += ["criterion", "score"]
    if evaluator is None:
        required.insert(0, "evaluator")
    problems = [
        Problem(
            type="missing-column",
            message=f"the sheet has no '{name}' column",
            file=shown,
            row=1,
            column=name,
            fix="add an evaluator column, or name the evaluator for the whole import"
            if name == "evaluator"
            else expected,
        )
        for name in required
        if getattr(layout, name) is None
    ]
    if not layout.long and not layout.criteria and not problems:
        problems.append(
            Problem(
                type="missing-column",
                message="the sheet has no score column for any criterion",
                file=shown,
                row=1,
                fix=expected,
            )
        )
    return problems
