"""Who is first in a lot at any community-panel weight and price weight: SPEC §6 generalised.

The toolkit's rules (:mod:`commission.scoring`) fix the community panel's weight at one half.
To ask how robust a winner is, the rules are read with that weight as a parameter ``w``
(0 ≤ w ≤ 1) and the price weight as a parameter ``p`` (percent, 0 ≤ p ≤ 100):

* ``combined(t,c) = w · community_mean + (1 − w) · officer_mean`` — still undefined until both
  panels have scored, at every ``w``, as rule 2 says;
* quality, the minimums, the quality threshold, the lowest passing price, price and total scores,
  completeness and ranking are exactly rules 3–7, applied to that combined score;
* ``p = 0`` means no price weighting (rule 5's "otherwise"): totals are quality scores.

At ``w = 1/2`` and ``p`` = the exercise's price weight this is exactly
:func:`commission.scoring.score_tallies` (the tests check it on random exercises). Everything is
exact (:class:`fractions.Fraction`).

One panel's mean on one criterion of one tender may also be overridden (``Override``), for the
"smallest change that would change the winner" question of :mod:`commission.analysis.robustness`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from ..records import PANELS, Criterion, Exercise, Tender

__all__ = ["LinesInW", "LotModel", "Override", "Standing", "first_of"]

HALF = Fraction(1, 2)


class Override(NamedTuple):
    """Panel ``panel``'s mean on ``criterion`` of ``tender`` read as ``mean`` instead."""

    tender: str
    criterion: str
    panel: str
    mean: Fraction


@dataclass(frozen=True)
class Standing:
    """One tender at one (w, p): its quality, pass and total, and whether it is ranked."""

    tender: str
    quality: Fraction | None
    passed: bool | None
    total: Fraction | None
    ranked: bool


@dataclass(frozen=True)
class _Entry:
    tender: Tender
    #: Per criterion (the set's order): each panel's exact mean, None where it has no score.
    community: tuple[Fraction | None, ...]
    officer: tuple[Fraction | None, ...]
    complete: bool


class LotModel:
    """One lot's exact per-panel means, ready to be scored at any (w, p).

    ``tallies`` maps ``(tender, criterion, panel)`` to ``(total, count)`` — the exact integer
    sum and number of the panel's scores (what :func:`commission.scoring.tally` gives).
    """

    def __init__(
        self,
        exercise: Exercise,
        tenders: Iterable[Tender],
        tallies: Mapping[tuple[str, str, str], tuple[int, int]],
    ) -> None:
        self.exercise = exercise
        self.criteria: tuple[Criterion, ...] = exercise.criteria.criteria
        total_weight = sum((c.weight for c in self.criteria), Fraction(0))
        #: quality = Σ_c factor_c · combined_c (rule 3).
        self.factors = tuple(100 * c.weight / c.scale.max / total_weight for c in self.criteria)
        need_c = exercise.min_evaluators.get("community", 1)
        need_o = exercise.min_evaluators.get("officer", 1)
        entries: list[_Entry] = []
        for tender in sorted(tenders, key=lambda t: t.id):
            means: dict[str, list[Fraction | None]] = {p: [] for p in PANELS}
            complete = True
            for criterion in self.criteria:
                for panel, need in (("community", need_c), ("officer", need_o)):
                    total, count = tallies.get((tender.id, criterion.id, panel), (0, 0))
                    means[panel].append(Fraction(total, count) if count else None)
                    complete = complete and count >= need
            entries.append(
                _Entry(tender, tuple(means["community"]), tuple(means["officer"]), complete)
            )
        self.entries: tuple[_Entry, ...] = tuple(entries)
        self.index = {e.tender.id: i for i, e in enumerate(self.entries)}
        #: Every tender of the lot complete (rule 6): needed for any final outcome.
        self.complete = all(e.complete for e in self.entries)

    @property
    def tender_ids(self) -> tuple[str, ...]:
        return tuple(e.tender.id for e in self.entries)

    def means(self, tender: str, criterion: str, panel: str) -> Fraction | None:
        entry = self.entries[self.index[tender]]
        j = self.exercise.criteria.ids.index(criterion)
        return (entry.community if panel == "community" else entry.officer)[j]

    # -- rules 2-4 for one tender ------------------------------------------------------------

    def combined(
        self, entry: _Entry, w: Fraction, override: Override | None = None
    ) -> list[Fraction | None]:
        community, officer = list(entry.community), list(entry.officer)
        if override is not None and override.tender == entry.tender.id:
            j = self.exercise.criteria.ids.index(override.criterion)
            if override.panel == "community":
                community[j] = override.mean
            else:
                officer[j] = override.mean
        return [
            None if cm is None or om is None else w * cm + (1 - w) * om
            for cm, om in zip(community, officer, strict=True)
        ]

    def quality_and_pass(
        self, entry: _Entry, w: Fraction, override: Override | None = None
    ) -> tuple[Fraction | None, bool | None]:
        combined = self.combined(entry, w, override)
        below = any(
            c is not None and criterion.minimum is not None and c < criterion.minimum
            for c, criterion in zip(combined, self.criteria, strict=True)
        )
        quality: Fraction | None = None
        if all(c is not None for c in combined):
            quality = sum(
                (k * c for k, c in zip(self.factors, combined, strict=True) if c is not None),
                Fraction(0),
            )
        threshold = self.exercise.quality_threshold
        fails = below or (quality is not None and threshold is not None and quality < threshold)
        passed = None if quality is None and not fails else not fails
        return quality, passed

    # -- rules 5-7 over the lot --------------------------------------------------------------

    def standings(
        self, w: Fraction = HALF, p: Fraction | None = None, override: Override | None = None
    ) -> tuple[Standing, ...]:
        """Every tender of the lot at community weight ``w`` and price weight ``p`` (percent;
        the exercise's own when None)."""
        p = self.exercise.price_weight if p is None else Fraction(p)
        judged = [self.quality_and_pass(e, w, override) for e in self.entries]
        return self.priced(judged, p)

    def priced(
        self, judged: Sequence[tuple[Fraction | None, bool | None]], p: Fraction
    ) -> tuple[Standing, ...]:
        """Rule 5 and the ranked set from each tender's (quality, passed)."""
        totals: list[Fraction | None]
        if p == 0:
            totals = [q for q, _ in judged]
        else:
            lowest = self.lowest_price(judged)
            keep = (100 - p) / 100
            totals = []
            for entry, (q, passed) in zip(self.entries, judged, strict=True):
                price = entry.tender.price
                if passed and lowest is not None and price and q is not None:
                    totals.append(keep * q + p * lowest / price)
                else:
                    totals.append(None)
        return tuple(
            Standing(
                tender=entry.tender.id,
                quality=q,
                passed=passed,
                total=total,
                ranked=bool(entry.complete and passed and total is not None),
            )
            for entry, (q, passed), total in zip(self.entries, judged, totals, strict=True)
        )

    def lowest_price(
        self, judged: Sequence[tuple[Fraction | None, bool | None]]
    ) -> Fraction | None:
        prices = [
            price
            for entry, (_, passed) in zip(self.entries, judged, strict=True)
            if passed and (price := entry.tender.price)
        ]
        return min(prices) if prices else None

    def first(
        self, w: Fraction = HALF, p: Fraction | None = None, override: Override | None = None
    ) -> tuple[str, ...]:
        """The tender(s) ranked first at (w, p): one for a winner, several for a tie, none when
        no tender is ranked. Empty as well while the lot is incomplete (no final outcome)."""
        if not self.complete:
            return ()
        return first_of(self.standings(w, p, override))


def first_of(standings: Iterable[Standing]) -> tuple[str, ...]:
    ranked = [(s.total, s.tender) for s in standings if s.ranked and s.total is not None]
    if not ranked:
        return ()
    best = max(total for total, _ in ranked)
    return tuple(sorted(t for total, t in ranked if total == best))


class LinesInW:
    """The same rules at any community weight ``w``, with each tender's lines worked out once.

    Every combined score and quality score is a linear function of ``w``, so each tender's
    quality is ``q0 + w · q1`` and it passes exactly on one closed interval of ``w`` (the
    intersection of "combined ≥ minimum" for each criterion and "quality ≥ threshold", each a
    half-line), possibly empty. Scoring the lot at any ``w`` is then a handful of operations per
    tender. :meth:`ranked_totals` equals the ranked totals of :meth:`LotModel.standings` (tested).
    """

    def __init__(self, model: LotModel, p: Fraction | None = None) -> None:
        self.model = model
        self.p = model.exercise.price_weight if p is None else Fraction(p)
        threshold = model.exercise.quality_threshold
        #: Per tender: (q0, q1, lowest w passing, highest w passing), None if it never passes.
        self.lines: list[tuple[Fraction, Fraction, Fraction, Fraction] | None] = []
        #: Every w in (0, 1) where some tender starts or stops passing.
        self.breakpoints: set[Fraction] = set()
        for entry in model.entries:
            if any(
                cm is None or om is None
                for cm, om in zip(entry.community, entry.officer, strict=True)
            ):
                self.lines.append(None)  # no quality score at any weight: never passes
                continue
            q0 = q1 = Fraction(0)
            low, high = Fraction(0), Fraction(1)
            for k, criterion, cm, om in zip(
                model.factors, model.criteria, entry.community, entry.officer, strict=True
            ):
                assert cm is not None and om is not None
                q0 += k * om
                q1 += k * (cm - om)
                if criterion.minimum is not None:
                    low, high = _at_least(low, high, om - criterion.minimum, cm - om)
                    if cm != om:
                        self.breakpoints.add((criterion.minimum - om) / (cm - om))
            if threshold is not None:
                low, high = _at_least(low, high, q0 - threshold, q1)
                if q1:
                    self.breakpoints.add((threshold - q0) / q1)
            self.lines.append((q0, q1, low, high) if low <= high else None)
        self.breakpoints = {w for w in self.breakpoints if 0 < w < 1}

    def ranked_totals(self, w: Fraction) -> dict[str, Fraction]:
        model, p = self.model, self.p
        quality: list[Fraction | None] = []
        for line in self.lines:
            if line is not None and line[2] <= w <= line[3]:
                quality.append(line[0] + w * line[1])
            else:
                quality.append(None)  # fails (or has no quality score) at this weight
        found: dict[str, Fraction] = {}
        if p == 0:
            for entry, q in zip(model.entries, quality, strict=True):
                if q is not None and entry.complete:
                    found[entry.tender.id] = q
            return found
        prices = [
            price
            for entry, q in zip(model.entries, quality, strict=True)
            if q is not None and (price := entry.tender.price)
        ]
        if not prices:
            return found
        lowest = min(prices)
        keep = (100 - p) / 100
        for entry, q in zip(model.entries, quality, strict=True):
            price = entry.tender.price
            if q is not None and price and entry.complete:
                found[entry.tender.id] = keep * q + p * lowest / price
        return found


def _at_least(
    low: Fraction, high: Fraction, alpha: Fraction, beta: Fraction
) -> tuple[Fraction, Fraction]:
    """Narrow [low, high] to where ``alpha + beta · w ≥ 0``."""
    if beta > 0:
        return max(low, -alpha / beta), high
    if beta < 0:
        return low, min(high, -alpha / beta)
    return (low, high) if alpha >= 0 else (Fraction(1), Fraction(0))
