"""The moderation pack's figures (SPEC §11): per tender and criterion, each panel's spread of
independent scores, the gap between the panels, and the scores that stand apart.

Exact first, rounded for people last: means, medians and variances are :class:`Fraction`;
the standard deviation is the square root of the exact variance, correctly rounded half up to
two decimals with integer square roots (no float on the way). Definitions:

* the standard deviation is the population one (divide by n): the panel *is* the population;
* the gap is ``community mean − officer mean``; it is divergent when its size reaches the
  exercise's ``divergence_threshold`` (SPEC §6 rule 8);
* a score is outlying when it lies at least ``divergence_threshold`` from its panel's mean, in a
  panel of three or more (in a panel of two, neither score stands apart from the other).

Pure: checked records and a score frame in, rows out; no files, no database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..records import PANELS, Exercise, Tender
from ..scoring.results import display, ratio_text

if TYPE_CHECKING:
    import pandas as pd

#: Panels smaller than this have no outlying scores.
OUTLIER_PANEL = 3


@dataclass(frozen=True)
class PanelSpread:
    """One panel's independent scores on one tender and criterion."""

    panel: str
    scores: tuple[tuple[str, int], ...]  # (evaluator, score), by evaluator
    abstained: int = 0

    @property
    def n(self) -> int:
        return len(self.scores)

    @property
    def values(self) -> list[int]:
        return sorted(s for _, s in self.scores)

    @property
    def mean(self) -> Fraction | None:
        return Fraction(sum(self.values), self.n) if self.n else None

    @property
    def median(self) -> Fraction | None:
        v = self.values
        if not v:
            return None
        mid = len(v) // 2
        return Fraction(v[mid]) if len(v) % 2 else Fraction(v[mid - 1] + v[mid], 2)

    @property
    def low(self) -> int | None:
        return self.values[0] if self.n else None

    @property
    def high(self) -> int | None:
        return self.values[-1] if self.n else None

    @property
    def range(self) -> int | None:
        return self.values[-1] - self.values[0] if self.n else None

    @property
    def variance(self) -> Fraction | None:
        mean = self.mean
        if mean is None:
            return None
        return sum(((s - mean) ** 2 for s in self.values), Fraction(0)) / self.n


@dataclass(frozen=True)
class Outlier:
    tender: str
    criterion: str
    panel: str
    evaluator: str
    score: int
    panel_mean: Fraction

    @property
    def distance(self) -> Fraction:
        return abs(self.score - self.panel_mean)


@dataclass(frozen=True)
class Spread:
    """One tender and criterion: both panels, the gap and the outlying scores."""

    tender: str
    lot: str
    bidder: str
    criterion: str
    panels: tuple[PanelSpread, PanelSpread]
    divergent: bool
    outliers: tuple[Outlier, ...]

    @property
    def gap(self) -> Fraction | None:
        community, officer = (p.mean for p in self.panels)
        if community is None or officer is None:
            return None
        return community - officer

    def row(self) -> dict[str, Any]:
        """The CSV row: rounded for people, with the exact gap and variances beside them."""
        row: dict[str, Any] = {
            "lot": self.lot,
            "tender": self.tender,
            "bidder": self.bidder,
            "criterion": self.criterion,
            "divergent": "yes" if self.divergent else "no",
            "gap": display(self.gap),
            "gap_exact": ratio_text(self.gap),
        }
        for p in self.panels:
            row.update(
                {
                    f"{p.panel}_n": p.n,
                    f"{p.panel}_abstained": p.abstained,
                    f"{p.panel}_mean": display(p.mean),
                    f"{p.panel}_median": display(p.median),
                    f"{p.panel}_min": "" if p.low is None else p.low,
                    f"{p.panel}_max": "" if p.high is None else p.high,
                    f"{p.panel}_range": "" if p.range is None else p.range,
                    f"{p.panel}_sd": sd_display(p.variance),
                    f"{p.panel}_variance_exact": ratio_text(p.variance),
                }
            )
        row["outliers"] = "; ".join(
            f"{o.evaluator} ({o.panel}) {o.score}, {display(o.distance)} from the panel mean"
            for o in self.outliers
        )
        return row


def sd_display(variance: Fraction | None, places: int = 2) -> str:
    """√variance rounded half up to ``places`` decimals, exactly: with ``y = variance·10^(2p)``,
    ``round(√y) = (isqrt(⌊4y⌋) + 1) // 2``, since ⌊(t + 1)/2⌋ depends only on ⌊t⌋."""
    if variance is None:
        return "—"
    scaled = variance * 10 ** (2 * places)
    whole = (math.isqrt(math.floor(4 * scaled)) + 1) // 2
    return display(Fraction(whole, 10**places), places)


def spreads(
    exercise: Exercise,
    tenders: Sequence[Tender],
    scores: pd.DataFrame,
    abstentions: pd.DataFrame | None = None,
) -> list[Spread]:
    """Every tender and criterion of ``tenders`` with scores or abstentions: divergent points
    first (largest gap first), then the rest by lot, tender and criterion order."""
    panel_of = exercise.panel_of()
    by_key: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
    for e, t, c, s in zip(
        scores["evaluator"], scores["tender"], scores["criterion"], scores["score"], strict=True
    ):
        by_key[(str(t), str(c), panel_of[str(e)])].append((str(e), int(s)))
    abstained: dict[tuple[str, str, str], int] = defaultdict(int)
    if abstentions is not None and len(abstentions):
        for e, t, c in zip(
            abstentions["evaluator"], abstentions["tender"], abstentions["criterion"], strict=True
        ):
            abstained[(str(t), str(c), panel_of[str(e)])] += 1
    threshold = exercise.divergence_threshold
    found = []
    for tender in sorted(tenders, key=lambda t: (t.lot, t.id)):
        for criterion in exercise.criteria.ids:
            keys = [(tender.id, criterion, p) for p in PANELS]
            if not any(by_key.get(k) or abstained.get(k) for k in keys):
                continue
            panels = tuple(
                PanelSpread(p, tuple(sorted(by_key.get(k, ()))), abstained.get(k, 0))
                for p, k in zip(PANELS, keys, strict=True)
            )
            spread = Spread(
                tender.id,
                tender.lot,
                tender.bidder,
                criterion,
                panels,  # type: ignore[arg-type]
                divergent=False,
                outliers=_outliers(tender.id, criterion, panels, threshold),
            )
            gap = spread.gap
            divergent = gap is not None and abs(gap) >= threshold
            found.append(
                Spread(
                    spread.tender,
                    spread.lot,
                    spread.bidder,
                    criterion,
                    spread.panels,
                    divergent,
                    spread.outliers,
                )
            )
    order = {c: i for i, c in enumerate(exercise.criteria.ids)}
    return sorted(
        found,
        key=lambda s: (
            not s.divergent,
            -(abs(s.gap) if s.divergent and s.gap is not None else 0),
            s.lot,
            s.tender,
            order[s.criterion],
        ),
    )


def _outliers(
    tender: str, criterion: str, panels: Sequence[PanelSpread], threshold: Fraction
) -> tuple[Outlier, ...]:
    found = []
    for panel in panels:
        mean = panel.mean
        if panel.n < OUTLIER_PANEL or mean is None:
            continue
        for evaluator, score in panel.scores:
            if abs(score - mean) >= threshold:
                found.append(Outlier(tender, criterion, panel.panel, evaluator, score, mean))
    return tuple(found)
