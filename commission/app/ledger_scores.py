"""The stored score rows compared with the trail's as text, each difference named: what
``audit --verify`` does when :mod:`.ledger_codes` could not prove the rows equal by number
(:func:`.ledger.compare` calls :func:`check_scores`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .ledger import (
    _ABSTAINED,
    _KEY,
    _VALUES,
    MAX_LISTED,
    Expected,
    _differs,
    _Found,
    _missing,
    _show,
    _unrecorded,
)
from .payload import as_objects

if TYPE_CHECKING:
    import pandas as pd


def _known_scores(expected: Expected) -> pd.DataFrame:
    """The score rows the trail records, replacements applied, with the entry of each."""
    import pandas as pd

    columns = [*_KEY, *_VALUES, "seq"]
    frames = list(expected.parts)
    if expected.replaced:
        import numpy as np

        # a score replaced by an abstention leaves the scores table (the abstention is kept
        # with the rounds): its row is a tombstone, dropped once the latest row per key is known
        grid = np.array(
            [
                (*key, new.get("score", _ABSTAINED), new["comment"], new["file"], new["row"])
                + (new.get("column"), new["sha256"], seq)
                for key, (seq, new) in expected.replaced.items()
            ],
            dtype=object,
        )
        frames.append(
            pd.DataFrame(as_objects({name: grid[:, i] for i, name in enumerate(columns)}))
        )
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _latest(known: pd.DataFrame, keys: Any) -> tuple[pd.DataFrame, Any]:
    """One row per key, the last written winning: a replacement, or a row imported again after
    it was deleted (frames are in entry order, replacements last)."""
    import numpy as np

    _, first = np.unique(keys[::-1], return_index=True)
    if len(first) == len(keys):
        return known, keys
    keep = np.sort(len(keys) - 1 - first)
    return known.iloc[keep].reset_index(drop=True), keys[keep]


def _keys(known: pd.DataFrame, stored: pd.DataFrame) -> tuple[Any, Any, Any]:
    """One dense integer per (exercise, evaluator, tender, criterion), shared by both sides,
    and the exercises seen."""
    import numpy as np
    import pandas as pd

    composite = np.zeros(len(known) + len(stored), dtype=np.int64)
    bound = 1
    for name in _KEY:
        values = np.concatenate(
            [known[name].to_numpy(dtype=object), stored[name].to_numpy(dtype=object)]
        )
        codes, uniques = pd.factorize(values)
        if name == "exercise":
            exercises = uniques
        if bound * max(len(uniques), 1) >= 2**62:
            # made dense again only when the product of the columns' sizes could overflow
            composite, seen = pd.factorize(composite)
            bound = len(seen)
        composite = composite * len(uniques) + codes
        bound *= max(len(uniques), 1)
    return composite[: len(known)], composite[len(known) :], exercises


def _unequal(want: Any, have: Any) -> Any:
    """Elementwise ``want != have``; integers compared as int64 when both sides are integers."""
    import numpy as np
    from pandas.api.types import infer_dtype

    if want.dtype == np.int64:
        if infer_dtype(have, skipna=False) == "integer":
            return want != np.asarray(have, dtype=np.int64)
        # a value stored as text, a fraction or NULL behind the toolkit's back
        return want.astype(object) != have
    return want != have


def _objects(column: pd.Series) -> Any:
    """The column as Python objects, every missing value None (pandas may hold them as NaN)."""
    if column.dtype == object or column.dtype.kind in "iu":
        # read from the database or decoded from a payload: None is already None
        return column.to_numpy()
    values = column.to_numpy(dtype=object, copy=True)
    values[column.isna().to_numpy()] = None
    return values


def check_scores(expected: Expected, stored: pd.DataFrame, found: _Found) -> list[str]:
    import numpy as np
    import pandas as pd

    known = _known_scores(expected)
    k_known, k_stored, exercises = _keys(known, stored)
    several = len(set(exercises) | set(expected.exercises)) > 1
    if len(expected.parts) > 1 or expected.replaced:
        known, k_known = _latest(known, k_known)
        gone = (known["score"] == _ABSTAINED).to_numpy(dtype=bool)
        if gone.any():
            known, k_known = known[~gone].reset_index(drop=True), k_known[~gone]
    _, i_known, i_stored = np.intersect1d(
        k_known, k_stored, assume_unique=True, return_indices=True
    )
    if len(i_known) == len(known):
        # every recorded row is stored: line the stored rows up with the recorded ones, so
        # only one side is gathered per column
        order = np.empty(len(known), dtype=np.int64)
        order[i_known] = i_stored
        i_known, i_stored = np.arange(len(known)), order

    def name(row: Any) -> str:
        what = f"score {row.evaluator} / {row.tender} / {row.criterion}"
        return f"{what} of exercise {row.exercise}" if several else what

    mismatches = []
    aligned = len(i_known) == len(known)
    for column in _VALUES:
        want = _objects(known[column])
        want = want if aligned else want[i_known]
        have = _objects(stored[column])[i_stored]
        bad = np.flatnonzero(_unequal(want, have))
        if len(bad):
            mismatches.append(
                stored.iloc[i_stored[bad]][_KEY]
                .assign(field=column, have=have[bad], want=want[bad])
                .assign(entry=known["seq"].to_numpy()[i_known[bad]])
            )
    if mismatches:
        table = pd.concat(mismatches, ignore_index=True).sort_values([*_KEY[1:], "field"])
        for row in table.head(MAX_LISTED).itertuples(index=False):
            found.add(_differs(name(row), row.field, row.have, row.want, int(row.entry)))
        found.total += max(0, len(table) - MAX_LISTED)

    gone = np.ones(len(known), dtype=bool)
    gone[i_known] = False
    table = known[gone].sort_values(_KEY[1:])
    for row in table.head(MAX_LISTED).itertuples(index=False):
        found.add(_missing(f"{name(row)} ({_show(row.score)})", int(row.seq)))
    found.total += max(0, len(table) - MAX_LISTED)

    extra = np.ones(len(stored), dtype=bool)
    extra[i_stored] = False
    unchecked = stored["exercise"].isin(list(expected.unrecorded))
    table = stored[extra & ~unchecked.to_numpy()].sort_values(_KEY[1:])
    for row in table.head(MAX_LISTED).itertuples(index=False):
        found.add(_unrecorded(f"{name(row)} ({_show(row.score)})"))
    found.total += max(0, len(table) - MAX_LISTED)
    return _unrecorded_limits(expected, known, stored, extra & unchecked.to_numpy(), found)


def _unrecorded_limits(
    expected: Expected, known: pd.DataFrame, stored: pd.DataFrame, unchecked: Any, found: _Found
) -> list[str]:
    """For imports made before entries recorded their rows: the count, and what is unproven."""
    limits = []
    for exercise, imports in sorted(expected.unrecorded.items()):
        added = sum(n for _, n in imports)
        recorded = sum(int((p["exercise"] == exercise).sum()) for p in expected.parts)
        have = int((stored["exercise"] == exercise).sum())
        seqs = ", ".join(str(seq) for seq, _ in imports)
        if have != added + recorded:
            found.add(
                Problem(
                    "row-count",
                    f"exercise {exercise} has {have} scores in the database; the audit trail "
                    f"accounts for {added + recorded}",
                    path="scores",
                    value=have,
                    fix="rows were added or deleted outside commission: restore from a backup",
                )
            )
        limits.append(
            f"exercise {exercise}: {'entry' if len(imports) == 1 else 'entries'} {seqs} "
            f"{'was' if len(imports) == 1 else 'were'} written before the audit trail recorded "
            f"score rows; their {added} rows are counted, but "
            f"{int((unchecked & (stored['exercise'] == exercise).to_numpy()).sum())} stored "
            "scores cannot be checked value by value"
        )
    return limits
