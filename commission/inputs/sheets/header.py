"""A score sheet's header row: which layout (long or wide) and which column holds what."""

from __future__ import annotations

import difflib

from ...errors import Problem
from ...records import Exercise
from .common import INFO_COLUMNS, LONG_COLUMNS, column_letter, criterion_keys, header_key

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


def read_header(
    headers: list[str],
    blank_columns: list[bool],
    exercise: Exercise,
    shown: str,
    evaluator: str | None,
) -> tuple[_Layout | None, list[Problem]]:
    layout = _Layout()
    layout.headers = headers
    problems: list[Problem] = []
    keys = [header_key(h) for h in headers]
    layout.long = "criterion" in keys or "score" in keys
    crit_keys = criterion_keys(exercise)
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
        candidates = {header_key(c): c for c in ("evaluator", "tender") + INFO_COLUMNS}
        for criterion in exercise.criteria.criteria:
            for label in (criterion.id, criterion.name):
                candidates[header_key(label)] = label
                candidates[header_key(label + " comment")] = label + " comment"

    seen: dict[str, int] = {}
    comments: dict[str, int] = {}
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        letter = column_letter(index)
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
                    f"({column_letter(seen[name])})",
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
                fix = "add an evaluator column, or name the evaluator for the whole import"
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


