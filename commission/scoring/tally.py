"""One tally: each panel's exact integer sum and count of scores per tender and criterion.

A score frame is tallied here with ``numpy.bincount`` over integer codes; the store tallies the
same rows in SQL (``Repository.tallies``), and ``tests/test_one_tally.py`` proves the two equal.
Both become one :class:`TallyGrid`, which is all the rules of SPEC §6 read.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..records import PANELS, Exercise
from .results import Comment

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class PanelTally:
    """Exact aggregates of one panel's scores on one tender and criterion."""

    total: int = 0
    count: int = 0

    @property
    def mean(self) -> Fraction | None:
        return Fraction(self.total, self.count) if self.count else None


Tallies = Mapping[tuple[str, str, str], PanelTally]

_new_comment = functools.partial(tuple.__new__, Comment)

_PANEL_INDEX = {panel: i for i, panel in enumerate(PANELS)}


@dataclass(frozen=True)
class TallyGrid:
    """Each panel's exact sum and count of scores, as arrays over (panel, tender, criterion).

    ``totals[0]`` is the community panel, ``totals[1]`` the officer panel; tenders and criteria
    are in the order of ``tender_ids`` and ``criterion_ids``. Cells nobody scored hold 0 and 0.
    """

    tender_ids: tuple[str, ...]
    criterion_ids: tuple[str, ...]
    totals: Any  # numpy int64 array, shape (2, tenders, criteria)
    counts: Any


def tally(scores: pd.DataFrame, exercise: Exercise) -> pd.DataFrame:
    """Sum and count each panel's scores per tender and criterion, as exact integers.

    Returns one row per (tender, criterion, panel) that has scores, with ``total`` and ``count``.
    """
    import pandas as pd

    tender_ids = tuple(sorted(set(scores["tender"]))) if len(scores) else ()
    grid = grid_from_frame(scores, exercise, tender_ids)
    panel, tender, criterion = (a.ravel() for a in _indices(grid.counts.shape))
    counts = grid.counts.ravel()
    keep = counts > 0
    return pd.DataFrame(
        {
            "tender": [grid.tender_ids[i] for i in tender[keep]],
            "criterion": [grid.criterion_ids[i] for i in criterion[keep]],
            "panel": [PANELS[i] for i in panel[keep]],
            "total": grid.totals.ravel()[keep],
            "count": counts[keep],
        }
    )


def _indices(shape: tuple[int, ...]) -> tuple[Any, ...]:
    import numpy as np

    return tuple(np.indices(shape))


def grid_from_frame(
    scores: pd.DataFrame, exercise: Exercise, tender_ids: Sequence[str]
) -> TallyGrid:
    """The tally grid of a score frame: integer codes and ``bincount``, no per-row Python."""
    import numpy as np
    import pandas as pd

    criterion_ids = exercise.criteria.ids
    shape = (len(PANELS), len(tender_ids), len(criterion_ids))
    if scores is None or len(scores) == 0:
        return TallyGrid(
            tuple(tender_ids), criterion_ids, np.zeros(shape, "int64"), np.zeros(shape, "int64")
        )
    evaluator_codes, evaluators = pd.factorize(scores["evaluator"], sort=False)
    panel_of = exercise.panel_of()
    unknown = [e for e in evaluators if e not in panel_of]
    if unknown:
        raise ValueError(
            f"scores from evaluators not in the exercise: {', '.join(map(str, unknown[:5]))}"
        )
    panel_codes = np.array([_PANEL_INDEX[panel_of[e]] for e in evaluators], dtype="int64")
    tender_codes = _positions(scores["tender"], tender_ids)
    criterion_codes = _positions(scores["criterion"], criterion_ids)
    known = (tender_codes >= 0) & (criterion_codes >= 0)
    if not known.all():
        raise ValueError("scores for tenders or criteria not in the exercise")
    cell = (panel_codes[evaluator_codes] * shape[1] + tender_codes) * shape[2] + criterion_codes
    size = shape[0] * shape[1] * shape[2]
    values = scores["score"].to_numpy(dtype="int64")
    counts = np.bincount(cell, minlength=size)
    # bincount sums in float64, exact while every partial sum stays below 2**53.
    if np.abs(values).sum(dtype="float64") < 2.0**53:
        totals = np.rint(np.bincount(cell, weights=values, minlength=size)).astype("int64")
    else:  # pragma: no cover - more than a quadrillion score points
        totals = np.zeros(size, dtype="int64")
        np.add.at(totals, cell, values)
    return TallyGrid(tuple(tender_ids), criterion_ids, totals.reshape(shape), counts.reshape(shape))


def _positions(column: pd.Series, ids: Sequence[str]) -> Any:
    """Each row's position in ``ids`` (-1 when absent): hash the column once, then look up only
    its distinct values."""
    import pandas as pd

    codes, distinct = pd.factorize(column, sort=False)
    return pd.Index(ids).get_indexer(distinct)[codes]


def grid_from_tallies(
    tallies: Tallies | pd.DataFrame, exercise: Exercise, tender_ids: Sequence[str]
) -> TallyGrid:
    """The tally grid of aggregates computed elsewhere (the store's SQL ``SUM``/``COUNT``)."""
    import numpy as np
    import pandas as pd

    criterion_ids = exercise.criteria.ids
    shape = (len(PANELS), len(tender_ids), len(criterion_ids))
    totals = np.zeros(shape, dtype="int64")
    counts = np.zeros(shape, dtype="int64")
    if isinstance(tallies, pd.DataFrame):
        frame = tallies
    else:
        frame = pd.DataFrame(
            [(t, c, p, v.total, v.count) for (t, c, p), v in tallies.items()],
            columns=["tender", "criterion", "panel", "total", "count"],
        )
    if len(frame):
        t = pd.Index(tender_ids).get_indexer(frame["tender"])
        c = pd.Index(criterion_ids).get_indexer(frame["criterion"])
        p = pd.Index(PANELS).get_indexer(frame["panel"])
        keep = (t >= 0) & (c >= 0) & (p >= 0)
        np.add.at(totals, (p[keep], t[keep], c[keep]), frame["total"].to_numpy("int64")[keep])
        np.add.at(counts, (p[keep], t[keep], c[keep]), frame["count"].to_numpy("int64")[keep])
    return TallyGrid(tuple(tender_ids), criterion_ids, totals, counts)


@contextlib.contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Results are tens of thousands of small immutable objects and no reference cycles; the
    cyclic collector would otherwise re-scan them all several times while they are built (the
    store uses this too while it reads them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LazyComments(Sequence[Comment]):
    """The comments of a score frame, worked out the first time anyone reads them."""

    def __init__(self, scores: pd.DataFrame, exercise: Exercise) -> None:
        has_text = scores is not None and len(scores) and "comment" in scores.columns
        # Keep only the commented rows (a copy), not the whole frame.
        self._rows = scores[scores["comment"].notna().to_numpy()] if has_text else None
        self._exercise = exercise

    @functools.cached_property
    def _items(self) -> tuple[Comment, ...]:
        return comments(self._rows, self._exercise)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[Comment]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def comments(scores: pd.DataFrame | None, exercise: Exercise) -> tuple[Comment, ...]:
    """The comments of a score frame, in the order the documents show them: by tender, then
    criterion (in the set's order), panel and evaluator. Selected and sorted by pandas."""
    if scores is None or len(scores) == 0 or "comment" not in scores.columns:
        return ()
    text = scores["comment"]
    present = text.notna().to_numpy()
    if not present.any():
        return ()
    chosen = scores.loc[present, ["tender", "criterion", "evaluator", "score"]]
    stripped = text[present].astype(str).str.strip()
    keep = (stripped != "").to_numpy()
    if not keep.any():
        return ()
    chosen = chosen[keep].assign(
        text=stripped[keep],
        panel=chosen["evaluator"][keep].map(exercise.panel_of()).fillna(""),
        order=chosen["criterion"][keep]
        .map({c: i for i, c in enumerate(exercise.criteria.ids)})
        .fillna(99),
    )
    chosen = chosen.sort_values(["tender", "order", "panel", "evaluator"], kind="stable")
    return tuple(
        map(
            _new_comment,
            zip(
                chosen["tender"].astype(str).tolist(),
                chosen["criterion"].astype(str).tolist(),
                chosen["evaluator"].astype(str).tolist(),
                chosen["panel"].astype(str).tolist(),
                chosen["score"].astype("int64").tolist(),
                chosen["text"].tolist(),
                strict=True,
            ),
        )
    )
