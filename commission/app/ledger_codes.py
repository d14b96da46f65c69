"""The score rows compared as the store keeps them: numbers, not text (issue 13).

``audit --verify`` must show that every stored score row is what the replayed trail gives.
Most of the time it is, and proving so does not need a million rows of text on each side:
:func:`scores_match` turns the few texts the trail recorded (each payload's table of evaluators,
tenders, criteria and columns, its file and SHA-256, and each replacement) into the store's
numbers, and compares whole integer columns, with the comments as they are.

It answers True only when the two sides are equal row for row under a numbering that is one
to one; anything else (a difference, a number that names two ids, a value stored as text or
NULL, an id the store does not know, imports made before entries recorded their rows) gives
False, and the caller runs the text comparison of :mod:`.ledger`, which names each difference.
So this module never hides a problem: at worst it saves no time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from ..store.current import ScoreCodes
    from .ledger import Expected


class _Differs(Exception):
    """Something the comparison by number cannot prove equal."""


def scores_match(expected: Expected, stored: ScoreCodes | None) -> bool:
    """Whether the stored score rows are exactly those the trail gives (see the module);
    False when the store could not give them as numbers (``stored`` None)."""
    if stored is None:
        return False
    try:
        return _match(expected, stored)
    except _Differs:
        return False


def _match(expected: Expected, stored: ScoreCodes) -> bool:
    import numpy as np

    columns = stored.columns
    if expected.unrecorded or expected.problems:
        return False
    if not all(keys.one_to_one() for keys in stored.keys.values()):
        return False
    exercises = sorted(stored.keys)
    code = {e: i for i, e in enumerate(exercises)}
    sheets = _SheetCodes(stored.sheets)

    have = {
        "exercise": _exercise_codes(columns["exercise_id"], exercises),
        "tender": columns["tender_no"],
        "criterion": columns["criterion_no"],
        "evaluator": columns["evaluator_no"],
        "score": columns["score"],
        "row": columns["sheet_row"],
        "sheet": sheets.pairs_of(columns["sheet_id"]),
        "column": sheets.columns_of(columns["sheet_id"], columns["sheet_column"]),
        "comment": columns["comment"],
    }
    parts = [_recorded(r, stored.keys, code, sheets) for r in expected.recorded if _rows(r)]
    if expected.replaced:
        parts.append(_replaced(expected.replaced, stored.keys, code, sheets))
    if not parts:
        return len(have["score"]) == 0
    if len(parts) == 1:
        want = parts[0]
    else:
        want = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}

    key_want, key_have = _composite(want, have)
    # the last row written for a key wins (frames in entry order, replacements last): in a
    # stable sort by key it is the last of its run of equal keys
    order = np.argsort(key_want, kind="stable")
    ordered = key_want[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = ordered[1:] != ordered[:-1]
    order_want = order[last]
    order_want = order_want[~want["gone"][order_want]]
    if len(order_want) != len(key_have):
        return False
    # the store returns its rows in key order (its primary key): then no sort is needed
    in_order = len(key_have) < 2 or bool((key_have[1:] > key_have[:-1]).all())
    order_have = np.arange(len(key_have)) if in_order else np.argsort(key_have)
    if not np.array_equal(key_want[order_want], key_have[order_have]):
        return False
    for name in ("score", "row", "sheet", "column", "comment"):
        if (want[name][order_want] != have[name][order_have]).any():
            return False
    return True


def _rows(recorded: Any) -> int:
    return len(recorded.data["score"])


def _exercise_codes(values: Any, exercises: list[str]) -> np.ndarray:
    import pandas as pd

    return pd.Index(exercises, dtype=object).get_indexer(values).astype("int64")


def _numbers(keys: Any, kind: str, ids: Any) -> np.ndarray:
    from ..store.keys import UnknownKey

    try:
        return keys.numbers(kind, ids)
    except UnknownKey as error:  # a recorded id the store no longer holds: rows must differ
        raise _Differs(kind) from error


class _SheetCodes:
    """One number per (file, SHA-256) and per column heading, shared by both sides."""

    def __init__(self, sheets: Mapping[int, tuple[str, str, tuple[str, ...]]]) -> None:
        import numpy as np

        self.pairs: dict[tuple[str, str], int] = {}
        self.names: dict[str, int] = {}
        ids = sorted(sheets)
        self.ids = np.array(ids, dtype=np.int64)
        self.pair_of_sheet = np.array(
            [self.pairs.setdefault(sheets[i][:2], len(self.pairs)) for i in ids], dtype=np.int64
        )
        self.width = np.array([len(sheets[i][2]) for i in ids], dtype=np.int64)
        self.offset = np.concatenate([[0], np.cumsum(self.width)]).astype(np.int64)
        flat = [self.names.setdefault(c, len(self.names)) for i in ids for c in sheets[i][2]]
        self.flat = np.array(flat + [-1], dtype=np.int64)

    def _where(self, sheet_ids: Any) -> np.ndarray:
        import pandas as pd

        where = pd.Index(self.ids).get_indexer(sheet_ids)
        if (where < 0).any():
            raise _Differs("sheet")  # a row naming no sheet: the text check names it
        return where

    def pairs_of(self, sheet_ids: Any) -> np.ndarray:
        return self.pair_of_sheet[self._where(sheet_ids)]

    def columns_of(self, sheet_ids: Any, columns: Any) -> np.ndarray:
        import numpy as np

        where = self._where(sheet_ids)
        if (columns >= self.width[where]).any():
            raise _Differs("column")  # beyond its sheet's columns
        return np.where(columns < 0, -1, self.flat[self.offset[where] + np.maximum(columns, 0)])

    def pair(self, file: Any, sha256: Any) -> int:
        found = self.pairs.get((file, sha256))
        if found is None:
            raise _Differs("sheet")
        return found

    def name(self, column: Any) -> int:
        if column is None:
            return -1
        found = self.names.get(column)
        if found is None:
            raise _Differs("column")
        return found


def _recorded(
    recorded: Any, keys: Mapping[str, Any], code: Mapping[str, int], sheets: _SheetCodes
) -> dict[str, Any]:
    import numpy as np

    data, n = recorded.data, _rows(recorded)
    exercise_keys = keys.get(recorded.exercise)
    if exercise_keys is None:
        raise _Differs("exercise")  # rows recorded for an exercise with none stored
    part: dict[str, Any] = {"exercise": np.full(n, code[recorded.exercise], dtype=np.int64)}
    for kind, table in (
        ("tender", "tenders"),
        ("criterion", "criteria"),
        ("evaluator", "evaluators"),
    ):
        part[kind] = _numbers(exercise_keys, kind, list(data[table]))[data[kind]]
    part["score"] = data["score"]
    part["row"] = data["row"]
    part["sheet"] = np.full(n, sheets.pair(recorded.file, recorded.sha256), dtype=np.int64)
    names = np.array([sheets.name(c) for c in data["columns"]] + [-1], dtype=np.int64)
    part["column"] = names[data["column"]]
    comment = np.full(n, None, dtype=object)
    for index, text in data["comments"]:
        comment[index] = text
    part["comment"] = comment
    part["gone"] = np.zeros(n, dtype=bool)
    return part


def _replaced(
    replaced: Mapping[tuple[str, str, str, str], tuple[int, Mapping[str, Any]]],
    keys: Mapping[str, Any],
    code: Mapping[str, int],
    sheets: _SheetCodes,
) -> dict[str, Any]:
    import numpy as np

    from .ledger import _ABSTAINED

    rows = []
    for (exercise, evaluator, tender, criterion), (_, new) in replaced.items():
        exercise_keys = keys.get(exercise)
        if exercise_keys is None:
            raise _Differs("exercise")
        score = new.get("score", _ABSTAINED)
        gone = score == _ABSTAINED
        if not gone and (type(score) is not int or type(new.get("row")) is not int):
            raise _Differs("score")  # a value the text check compares as it is
        rows.append(
            (
                code[exercise],
                _numbers(exercise_keys, "tender", [tender])[0],
                _numbers(exercise_keys, "criterion", [criterion])[0],
                _numbers(exercise_keys, "evaluator", [evaluator])[0],
                0 if gone else score,
                0 if gone else new["row"],
                -1 if gone else sheets.pair(new["file"], new["sha256"]),
                -1 if gone else sheets.name(new.get("column")),
                None if gone else new.get("comment"),
                gone,
            )
        )
    names = ("exercise", "tender", "criterion", "evaluator", "score", "row", "sheet", "column")
    part = {name: np.array([r[i] for r in rows], dtype=np.int64) for i, name in enumerate(names)}
    comment = np.empty(len(rows), dtype=object)
    comment[:] = [r[8] for r in rows]
    part["comment"] = comment
    part["gone"] = np.array([r[9] for r in rows], dtype=bool)
    return part


def _composite(want: Mapping[str, Any], have: Mapping[str, Any]) -> tuple[Any, Any]:
    """One int64 per (exercise, tender, criterion, evaluator) on both sides."""
    import numpy as np

    key_want = np.zeros(len(want["score"]), dtype=np.int64)
    key_have = np.zeros(len(have["score"]), dtype=np.int64)
    bound = 1
    for name in ("exercise", "tender", "criterion", "evaluator"):
        values = [v for v in (want[name], have[name]) if len(v)]
        if any(int(v.min()) < 0 for v in values):
            raise _Differs(name)  # a negative number is no stored key
        size = max((int(v.max()) for v in values), default=0) + 1
        if bound * size >= 2**62:
            raise _Differs(name)
        key_want = key_want * size + want[name]
        key_have = key_have * size + have[name]
        bound *= size
    return key_want, key_have
