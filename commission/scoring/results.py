"""What scoring gives: per criterion, per tender and per lot, exact, with their projections
for programs (``to_dict``, the JSON of SPEC §7) and for people (:func:`display`)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from ..records import PANELS, Exercise

if TYPE_CHECKING:
    import pandas as pd

#: The two panels carry equal weight whatever their headcount (SPEC §1).
PANEL_WEIGHT = Fraction(1, 2)

OUTCOME_WINNER = "winner"
OUTCOME_TIE = "tie"
OUTCOME_NONE_PASSED = "no-tender-passed"
OUTCOME_INCOMPLETE = "incomplete"


class CriterionResult(NamedTuple):
    """One criterion of one tender: each panel's exact sum and count, and the flags of SPEC §6.

    Means are derived, never stored rounded: ``community_mean`` is ``community_total /
    community_n`` as an exact :class:`Fraction`, and ``combined`` gives each panel half.
    """

    criterion: str
    community_total: int
    community_n: int
    officer_total: int
    officer_n: int
    below_minimum: bool | None
    divergent: bool | None

    @property
    def community_mean(self) -> Fraction | None:
        return Fraction(self.community_total, self.community_n) if self.community_n else None

    @property
    def officer_mean(self) -> Fraction | None:
        return Fraction(self.officer_total, self.officer_n) if self.officer_n else None

    @property
    def combined(self) -> Fraction | None:
        """(community mean + officer mean) / 2: equal weight whatever the headcount."""
        if not (self.community_n and self.officer_n):
            return None
        return Fraction(
            self.community_total * self.officer_n + self.officer_total * self.community_n,
            2 * self.community_n * self.officer_n,
        )

    def to_dict(self) -> dict[str, Any]:
        # int / int is correctly rounded, the same float as float(Fraction(...)), but cheaper.
        cn, on = self.community_n, self.officer_n
        both = cn and on
        return {
            "criterion": self.criterion,
            "community_mean": self.community_total / cn if cn else None,
            "officer_mean": self.officer_total / on if on else None,
            "combined": (self.community_total * on + self.officer_total * cn) / (2 * cn * on)
            if both
            else None,
            "community_n": cn,
            "officer_n": on,
            "below_minimum": self.below_minimum,
            "divergent": self.divergent,
        }


@dataclass(frozen=True)
class TenderResult:
    tender: str
    lot: str
    bidder: str
    status: str
    passed: bool | None
    rank: int | None
    tie: bool
    quality_score: Fraction | None
    price_score: Fraction | None
    total_score: Fraction | None
    criteria: tuple[CriterionResult, ...]
    #: Why the tender failed, in words a bidder can read (SPEC §6 rule 4).
    failures: tuple[str, ...] = ()
    #: What is still missing before the tender is complete (SPEC §6 rule 6).
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def criterion(self, criterion_id: str) -> CriterionResult:
        for result in self.criteria:
            if result.criterion == criterion_id:
                return result
        raise KeyError(criterion_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tender": self.tender,
            "lot": self.lot,
            "bidder": self.bidder,
            "status": self.status,
            "passed": self.passed,
            "rank": self.rank,
            "tie": self.tie,
            "quality_score": _float(self.quality_score),
            "price_score": _float(self.price_score),
            "total_score": _float(self.total_score),
            "exact": {
                "quality_score": ratio_text(self.quality_score),
                "price_score": ratio_text(self.price_score),
                "total_score": ratio_text(self.total_score),
            },
            "criteria": [c.to_dict() for c in self.criteria],
        }


@dataclass(frozen=True)
class LotResult:
    lot: str
    title: str
    complete: bool
    outcome: str
    #: The tender(s) ranked first: one for a winner, several for a tie, none otherwise.
    recommended: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "lot": self.lot,
            "title": self.title,
            "complete": self.complete,
            "outcome": self.outcome,
            "recommended": list(self.recommended),
        }


class Comment(NamedTuple):
    """A panel member's comment on one score, as written (untrusted text)."""

    tender: str
    criterion: str
    evaluator: str
    panel: str
    score: int
    text: str


@dataclass(frozen=True)
class Results:
    exercise: Exercise
    tenders: tuple[TenderResult, ...]
    lots: tuple[LotResult, ...]
    #: Every comment, in document order. From a score frame it is read on first use: JSON
    #: output never needs it, documents do.
    comments: Sequence[Comment] = field(default=(), repr=False)
    #: Per lot, further JSON the lot carries (``agreement`` and ``robustness`` with analysis).
    lot_extras: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)
    #: Per tender, its rounds and abstentions (:func:`commission.scoring.rounds.with_rounds`).
    round_extras: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)

    def tender(self, tender_id: str) -> TenderResult:
        for result in self.tenders:
            if result.tender == tender_id:
                return result
        raise KeyError(tender_id)

    def lot(self, lot_id: str) -> LotResult:
        for result in self.lots:
            if result.lot == lot_id:
                return result
        raise KeyError(lot_id)

    def in_lot(self, lot_id: str) -> list[TenderResult]:
        return [t for t in self.tenders if t.lot == lot_id]

    def comments_on(self, tender_id: str) -> list[Comment]:
        return list(self._comments_by_tender.get(tender_id, ()))

    @functools.cached_property
    def _comments_by_tender(self) -> dict[str, list[Comment]]:
        grouped: dict[str, list[Comment]] = defaultdict(list)
        for comment in self.comments:
            grouped[comment.tender].append(comment)
        return grouped

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of SPEC §7, valid against ``schemas/results.schema.json``."""
        from .rounds import round_json

        extras = self.round_extras
        return {
            "exercise": self.exercise.id,
            "weighting": {panel: float(PANEL_WEIGHT) for panel in PANELS},
            "lots": [{**lot.to_dict(), **self.lot_extras.get(lot.lot, {})} for lot in self.lots],
            "tenders": [round_json(t.to_dict(), extras.get(t.tender)) for t in self.tenders],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per tender; each criterion's combined score as ``combined:<id>``."""
        import pandas as pd

        rows = []
        for t in self.tenders:
            row: dict[str, Any] = {
                "tender": t.tender,
                "lot": t.lot,
                "bidder": t.bidder,
                "status": t.status,
                "passed": t.passed,
                "rank": t.rank,
                "tie": t.tie,
                "quality_score": _float(t.quality_score),
                "price_score": _float(t.price_score),
                "total_score": _float(t.total_score),
            }
            for c in t.criteria:
                row[f"combined:{c.criterion}"] = _float(c.combined)
                row[f"divergent:{c.criterion}"] = c.divergent
            rows.append(row)
        frame = pd.DataFrame(rows)
        if not rows:
            return pd.DataFrame(columns=["tender", "lot", "bidder", "status", "passed", "rank"])
        return frame.astype({"rank": "Int64"})


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def ratio_text(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def display(value: Fraction | None, places: int = 2) -> str:
    """A score as people read it: ``73.33``. Exact half-up rounding of the rational."""
    if value is None:
        return "—"
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    whole = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
    text = str(whole).rjust(places + 1, "0")
    out = f"{text[:-places]}.{text[-places:]}" if places else text
    return f"-{out}" if sign < 0 and whole else out
