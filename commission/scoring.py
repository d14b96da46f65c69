"""The scoring rules of SPEC §6, as a pure function: no files, no database, no clock.

Everything that decides a pass, a rank or a tie is computed in exact rational arithmetic
(:class:`fractions.Fraction`) from exact integer aggregates — the sum and the count of each panel's
scores per tender and criterion. Floats appear only at the edge, in :meth:`Results.to_dict` and
:meth:`Results.to_frame`, and rounding to two decimals only where a person reads a number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .model import PANELS, Exercise, Tender

if TYPE_CHECKING:
    import pandas as pd

#: The two panels carry equal weight whatever their headcount (SPEC §1).
PANEL_WEIGHT = Fraction(1, 2)

OUTCOME_WINNER = "winner"
OUTCOME_TIE = "tie"
OUTCOME_NONE_PASSED = "no-tender-passed"
OUTCOME_INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    community_mean: Fraction | None
    officer_mean: Fraction | None
    combined: Fraction | None
    community_n: int
    officer_n: int
    below_minimum: bool | None
    divergent: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "community_mean": _float(self.community_mean),
            "officer_mean": _float(self.officer_mean),
            "combined": _float(self.combined),
            "community_n": self.community_n,
            "officer_n": self.officer_n,
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
                "quality_score": _ratio(self.quality_score),
                "price_score": _ratio(self.price_score),
                "total_score": _ratio(self.total_score),
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


@dataclass(frozen=True)
class Comment:
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
    comments: tuple[Comment, ...] = field(default=(), repr=False)

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
        return [c for c in self.comments if c.tender == tender_id]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of SPEC §7, valid against ``schemas/results.schema.json``."""
        return {
            "exercise": self.exercise.id,
            "weighting": {panel: float(PANEL_WEIGHT) for panel in PANELS},
            "lots": [lot.to_dict() for lot in self.lots],
            "tenders": [t.to_dict() for t in self.tenders],
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

    def criteria_frame(self) -> pd.DataFrame:
        """One row per tender and criterion, with both panels' means."""
        import pandas as pd

        return pd.DataFrame(
            [{"tender": t.tender, "lot": t.lot, **c.to_dict()} for t in self.tenders for c in t.criteria]
        )


@dataclass(frozen=True)
class PanelTally:
    """Exact aggregates of one panel's scores on one tender and criterion."""

    total: int = 0
    count: int = 0

    @property
    def mean(self) -> Fraction | None:
        return Fraction(self.total, self.count) if self.count else None


Tallies = Mapping[tuple[str, str, str], PanelTally]


def tally(scores: pd.DataFrame, exercise: Exercise) -> dict[tuple[str, str, str], PanelTally]:
    """Sum and count each panel's scores per (tender, criterion, panel), as exact integers."""
    if scores is None or len(scores) == 0:
        return {}
    panel = scores["evaluator"].map(exercise.panel_of())
    if panel.isna().any():
        unknown = sorted(set(scores.loc[panel.isna(), "evaluator"]))
        raise ValueError(f"scores from evaluators not in the exercise: {', '.join(unknown[:5])}")
    grouped = (
        scores.assign(panel=panel)
        .groupby(["tender", "criterion", "panel"], sort=False, observed=True)["score"]
        .agg(["sum", "count"])
    )
    return {
        (str(t), str(c), str(p)): PanelTally(int(s), int(n))
        for (t, c, p), s, n in zip(
            grouped.index, grouped["sum"].tolist(), grouped["count"].tolist(), strict=True
        )
    }


def score(exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame) -> Results:
    """Apply SPEC §6 to checked records. ``scores`` is the score frame of ARCHITECTURE.md."""
    return score_tallies(exercise, tenders, tally(scores, exercise), _comments(scores, exercise))


def score_tallies(
    exercise: Exercise,
    tenders: Iterable[Tender],
    tallies: Tallies,
    comments: Sequence[Comment] = (),
) -> Results:
    """SPEC §6 from exact per-panel aggregates; the store computes these in SQL."""
    tender_list = sorted(tenders, key=lambda t: t.id)
    assessed = {t.id: _assess(exercise, t, tallies) for t in tender_list}

    by_lot: dict[str, list[Tender]] = defaultdict(list)
    for tender in tender_list:
        by_lot[tender.lot].append(tender)

    results: list[TenderResult] = []
    lots: list[LotResult] = []
    for lot in exercise.lots:
        members = by_lot.get(lot.id, [])
        priced = _price(exercise, members, assessed)
        ranked = _rank(priced)
        ordered = sorted(
            priced,
            key=lambda r: (r.rank is None, r.rank or 0, -(r.total_score or 0), r.tender),
        )
        results.extend(ranked.get(r.tender, r) for r in ordered)
        lots.append(_lot_outcome(lot.id, lot.title, [ranked.get(r.tender, r) for r in ordered]))
    return Results(exercise, tuple(results), tuple(lots), tuple(comments))


def _assess(exercise: Exercise, tender: Tender, tallies: Tallies) -> TenderResult:
    """Means, combined scores, quality, minimums and completeness for one tender (rules 1–4, 6, 8)."""
    criteria: list[CriterionResult] = []
    failures: list[str] = []
    missing: list[str] = []
    weighted = Fraction(0)
    total_weight = Fraction(0)
    computable = True
    for criterion in exercise.criteria.criteria:
        community = tallies.get((tender.id, criterion.id, "community"), PanelTally())
        officer = tallies.get((tender.id, criterion.id, "officer"), PanelTally())
        c_mean, o_mean = community.mean, officer.mean
        combined = None
        if c_mean is not None and o_mean is not None:
            combined = PANEL_WEIGHT * c_mean + PANEL_WEIGHT * o_mean
        below = None
        if combined is not None:
            below = criterion.minimum is not None and combined < criterion.minimum
            if below:
                failures.append(
                    f"{criterion.name}: combined score {_show(combined)} is below the minimum "
                    f"{_show(criterion.minimum)}"
                )
        divergent = None
        if c_mean is not None and o_mean is not None:
            divergent = abs(c_mean - o_mean) >= exercise.divergence_threshold
        for panel, panel_tally in (("community", community), ("officer", officer)):
            needed = exercise.min_evaluators.get(panel, 1)
            if panel_tally.count < needed:
                missing.append(
                    f"{criterion.id}: {panel} panel has {panel_tally.count} of {needed} "
                    f"score{'s' if needed != 1 else ''} needed"
                )
        if combined is None:
            computable = False
        else:
            weighted += criterion.weight * combined / criterion.scale.max
        total_weight += criterion.weight
        criteria.append(
            CriterionResult(
                criterion.id,
                c_mean,
                o_mean,
                combined,
                community.count,
                officer.count,
                below,
                divergent,
            )
        )

    quality = 100 * weighted / total_weight if computable and total_weight else None
    passed: bool | None = None
    if quality is not None:
        threshold = exercise.quality_threshold
        if threshold is not None and quality < threshold:
            failures.append(
                f"quality score {_show(quality)} is below the quality threshold {_show(threshold)}"
            )
        passed = not failures
    elif failures:
        passed = False
    return TenderResult(
        tender=tender.id,
        lot=tender.lot,
        bidder=tender.bidder,
        status="incomplete" if missing else "complete",
        passed=passed,
        rank=None,
        tie=False,
        quality_score=quality,
        price_score=None,
        total_score=quality if exercise.price_weight == 0 else None,
        criteria=tuple(criteria),
        failures=tuple(failures),
        missing=tuple(missing),
    )


def _price(
    exercise: Exercise, members: list[Tender], assessed: Mapping[str, TenderResult]
) -> list[TenderResult]:
    """Rule 5: price score against the lowest price among the lot's passing tenders.

    Passing includes a provisional pass of an incomplete tender, so a provisional decision shows
    the price scores the final one will have if the remaining scores do not change the passes.
    """
    weight = exercise.price_weight
    if weight == 0:
        return [assessed[t.id] for t in members]
    passing_prices = [t.price for t in members if assessed[t.id].passed and t.price is not None]
    lowest = min(passing_prices) if passing_prices else None
    priced = []
    for tender in members:
        result = assessed[tender.id]
        price_score = total = None
        # A failed tender takes no part in the price comparison: measured against the lowest
        # *passing* price it could score above the price weight, which would mean nothing.
        if result.passed and lowest is not None and tender.price:
            price_score = weight * lowest / tender.price
            total = (100 - weight) / 100 * result.quality_score + price_score  # type: ignore[operator]
        priced.append(_replace(result, price_score=price_score, total_score=total))
    return priced


def _rank(results: Sequence[TenderResult]) -> dict[str, TenderResult]:
    """Rule 7: rank passing, complete tenders by exact total; exact equals share a rank."""
    eligible = [
        r for r in results if r.complete and r.passed and r.total_score is not None
    ]
    eligible.sort(key=lambda r: (-r.total_score, r.tender))  # type: ignore[operator]
    counts: dict[Fraction, int] = defaultdict(int)
    for r in eligible:
        counts[r.total_score] += 1  # type: ignore[index]
    ranked: dict[str, TenderResult] = {}
    rank = 0
    previous: Fraction | None = None
    for position, r in enumerate(eligible, start=1):
        if r.total_score != previous:
            rank, previous = position, r.total_score
        ranked[r.tender] = _replace(r, rank=rank, tie=counts[r.total_score] > 1)  # type: ignore[index]
    return ranked


def _lot_outcome(lot_id: str, title: str, results: Sequence[TenderResult]) -> LotResult:
    complete = all(r.complete for r in results)
    first = tuple(r.tender for r in results if r.rank == 1)
    if not complete:
        outcome = OUTCOME_INCOMPLETE
    elif len(first) > 1:
        outcome = OUTCOME_TIE
    elif first:
        outcome = OUTCOME_WINNER
    else:
        outcome = OUTCOME_NONE_PASSED
    return LotResult(lot_id, title, complete, outcome, first)


def _comments(scores: pd.DataFrame, exercise: Exercise) -> tuple[Comment, ...]:
    if scores is None or len(scores) == 0 or "comment" not in scores.columns:
        return ()
    panel_of = exercise.panel_of()
    with_text = scores[scores["comment"].notna()]
    with_text = with_text[with_text["comment"].astype(str).str.strip() != ""]
    if with_text.empty:
        return ()
    order = {c: i for i, c in enumerate(exercise.criteria.ids)}
    comments = [
        Comment(str(t), str(c), str(e), panel_of.get(str(e), ""), int(s), str(text).strip())
        for t, c, e, s, text in zip(
            with_text["tender"],
            with_text["criterion"],
            with_text["evaluator"],
            with_text["score"],
            with_text["comment"],
            strict=True,
        )
    ]
    comments.sort(key=lambda m: (m.tender, order.get(m.criterion, 99), m.panel, m.evaluator))
    return tuple(comments)


def _replace(result: TenderResult, **changes: Any) -> TenderResult:
    from dataclasses import replace

    return replace(result, **changes)


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _ratio(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _show(value: Fraction | None) -> str:
    """Two decimals for people (SPEC §6 rule 9), rounding half away from zero."""
    return display(value)


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
