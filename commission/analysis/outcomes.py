"""What robustness gives: a weight range, the smallest change, and a lot's answer, with the
``robustness`` object of ``results --format json`` (see :mod:`commission.analysis.robustness`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..scoring import ratio_text as ratio


@dataclass(frozen=True)
class WeightRange:
    """A range of a weight in percent, ``lo`` to ``hi``, each end included or not."""

    lo: Fraction
    hi: Fraction
    lo_included: bool
    hi_included: bool

    def __contains__(self, percent: object) -> bool:
        if not isinstance(percent, int | Fraction):
            return False
        above = percent > self.lo or (self.lo_included and percent == self.lo)
        below = percent < self.hi or (self.hi_included and percent == self.hi)
        return above and below


@dataclass(frozen=True)
class SmallestChange:
    tender: str
    criterion: str
    panel: str
    #: Signed change to the panel's mean (scale points); negative when the mean falls.
    delta: Fraction
    #: True: a change of exactly ``delta`` changes the winner; False: any change beyond it does.
    inclusive: bool
    #: The panel's mean as scored, before the change.
    mean: Fraction
    #: True when the mean rises (kept apart from ``delta``, which may be 0 at a pass line).
    rising: bool


@dataclass(frozen=True)
class Robustness:
    lot: str
    winner: str
    #: Percent of the combined score carried by the community panel (today 50).
    community_weight_range: WeightRange
    #: Percent price weight; None when the exercise has no price weighting.
    price_weight_range: WeightRange | None
    leave_one_out: tuple[str, ...]
    smallest_change: SmallestChange | None

    def to_dict(self) -> dict[str, Any]:
        """The ``robustness`` object of a lot in ``results --format json`` (issue 14)."""
        cw, pw, sc = self.community_weight_range, self.price_weight_range, self.smallest_change
        return {
            "winner": self.winner,
            "community_weight_range": [float(cw.lo), float(cw.hi)],
            "price_weight_range": None if pw is None else [float(pw.lo), float(pw.hi)],
            "leave_one_out": list(self.leave_one_out),
            "smallest_change": None
            if sc is None
            else {
                "tender": sc.tender,
                "criterion": sc.criterion,
                "panel": sc.panel,
                "delta": float(sc.delta),
            },
            "included": {
                "community_weight_range": [cw.lo_included, cw.hi_included],
                "price_weight_range": None if pw is None else [pw.lo_included, pw.hi_included],
                "smallest_change": None if sc is None else sc.inclusive,
            },
            "exact": {
                "community_weight_range": [ratio(cw.lo), ratio(cw.hi)],
                "price_weight_range": None if pw is None else [ratio(pw.lo), ratio(pw.hi)],
                "smallest_change": None
                if sc is None
                else {
                    "delta": ratio(sc.delta),
                    "mean": ratio(sc.mean),
                    # the sign of a zero delta: "fall" or "rise" just off a pass line
                    "direction": "rise" if sc.rising else "fall",
                },
            },
        }
