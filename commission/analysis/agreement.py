"""How far the members of one panel agree: Krippendorff's alpha, interval metric, exactly.

For one panel and one criterion over a lot, the *units* are the lot's tenders, the *coders* are
the panel's evaluators and the *values* are their integer scores; a tender an evaluator did not
score (not asked, a declared conflict, not yet done) is a missing value. Alpha is computed in
exact rational arithmetic (:class:`fractions.Fraction`) from Krippendorff's coincidence form:

* only *pairable* values count: those of tenders that at least two members of the panel scored;
  ``n`` is their number, ``m_u`` the number of them on tender ``u``;
* observed disagreement ``D_o = 1/n · Σ_u 1/(m_u − 1) · Σ_{i≠j in u} (v_i − v_j)²``;
* expected disagreement ``D_e = 1/(n(n − 1)) · Σ_{i≠j over all pairable values} (v_i − v_j)²``;
* ``alpha = 1 − D_o / D_e``.

Alpha is **undefined** (``None``) when there are fewer than two pairable values (no tender was
scored by two members of the panel) or when ``D_e`` is zero (every pairable score is the same
value, so there is no variation whose agreement could be measured). That is Krippendorff's own
reading: alpha needs variation in the data. The ``krippendorff`` package gives NaN or an error
there; the toolkit says "undefined" instead of inventing a 1.

Alpha is a diagnostic for the moderation meeting, never an automatic re-scoring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..records import PANELS, Exercise, Tender
from ..scoring import ratio_text as ratio

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Agreement", "agreement_by_lot", "interval_alpha", "lot_agreement"]


@dataclass(frozen=True)
class Agreement:
    """Krippendorff's alpha (interval) of one panel on one criterion over one lot."""

    lot: str
    panel: str
    criterion: str
    #: Exact alpha; None where undefined (see the module's notes).
    alpha: Fraction | None
    #: Tenders at least two members of the panel scored (the pairable units).
    units: int
    #: Scores on those tenders (the pairable values, ``n``).
    values: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "panel": self.panel,
            "criterion": self.criterion,
            "alpha": None if self.alpha is None else float(self.alpha),
            "exact": {"alpha": ratio(self.alpha)},
        }


def interval_alpha(units: Iterable[Iterable[int | Fraction | None]]) -> Fraction | None:
    """Krippendorff's alpha, interval metric, exactly, of values grouped by unit.

    Each item of ``units`` is one unit's values (one per coder who coded it; ``None`` for a
    missing value is allowed and skipped). Returns None where alpha is undefined: fewer than two
    pairable values, or no variation among them.
    """
    n = 0
    total = Fraction(0)
    total_sq = Fraction(0)
    # Σ_u (m_u·S2_u − S1_u²) / (m_u − 1): each unit's within-unit squared differences, halved.
    within = Fraction(0)
    for unit in units:
        values = [Fraction(v) for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        s1 = sum(values, Fraction(0))
        s2 = sum((v * v for v in values), Fraction(0))
        within += (m * s2 - s1 * s1) / (m - 1)
        n += m
        total += s1
        total_sq += s2
    if n < 2:
        return None
    # Σ_{i≠j} (v_i − v_j)² = 2(n·S2 − S1²) over all pairable values.
    spread = n * total_sq - total * total
    if spread == 0:
        return None
    # D_o / D_e = (2/n · within) / (2·spread / (n(n − 1))) = (n − 1) · within / spread.
    return 1 - (n - 1) * within / spread


def lot_agreement(
    exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame
) -> tuple[Agreement, ...]:
    """Alpha per criterion (in the set's order) and panel (community, then officer) over the
    given tenders — one lot's. ``scores`` is the score frame of docs/ARCHITECTURE.md; rows for
    other tenders are ignored. Raises ValueError on a score from an evaluator the exercise lacks
    or a repeated (evaluator, tender, criterion)."""
    tender_list = list(tenders)
    lots = {t.lot for t in tender_list}
    if len(lots) > 1:
        raise ValueError(f"tenders from several lots given: {', '.join(sorted(lots))}")
    lot = lots.pop() if lots else (exercise.lot_ids[0] if exercise.lots else "")
    cells = _cells(exercise, {t.id for t in tender_list}, scores)
    found: list[Agreement] = []
    for criterion in exercise.criteria.ids:
        for panel in PANELS:
            by_tender = cells.get((panel, criterion), {})
            units = [list(v.values()) for v in by_tender.values()]
            pairable = [u for u in units if len(u) >= 2]
            found.append(
                Agreement(
                    lot=lot,
                    panel=panel,
                    criterion=criterion,
                    alpha=interval_alpha(pairable),
                    units=len(pairable),
                    values=sum(len(u) for u in pairable),
                )
            )
    return tuple(found)


def agreement_by_lot(
    exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame
) -> dict[str, tuple[Agreement, ...]]:
    """:func:`lot_agreement` for every lot of the exercise, in the exercise's lot order."""
    by_lot: dict[str, list[Tender]] = defaultdict(list)
    for tender in tenders:
        by_lot[tender.lot].append(tender)
    found: dict[str, tuple[Agreement, ...]] = {}
    for lot in exercise.lot_ids:
        rows = lot_agreement(exercise, by_lot.get(lot, []), scores)
        found[lot] = tuple(
            Agreement(lot, a.panel, a.criterion, a.alpha, a.units, a.values) for a in rows
        )
    return found


def _cells(
    exercise: Exercise, tender_ids: set[str], scores: pd.DataFrame
) -> Mapping[tuple[str, str], Mapping[str, Mapping[str, int]]]:
    """(panel, criterion) → tender → evaluator → score, for the given tenders."""
    panel_of = exercise.panel_of()
    cells: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    if scores is None or len(scores) == 0:
        return cells
    chosen = scores[scores["tender"].isin(tender_ids)]
    for evaluator, tender, criterion, value in zip(
        chosen["evaluator"].tolist(),
        chosen["tender"].tolist(),
        chosen["criterion"].tolist(),
        chosen["score"].tolist(),
        strict=True,
    ):
        panel = panel_of.get(evaluator)
        if panel is None:
            raise ValueError(f"a score from evaluator {evaluator}, who is not in the exercise")
        unit = cells[(panel, criterion)][tender]
        if evaluator in unit:
            raise ValueError(
                f"evaluator {evaluator} scored tender {tender} on {criterion} more than once"
            )
        unit[evaluator] = int(value)
    return cells
