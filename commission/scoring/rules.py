"""The scoring rules of SPEC §6 over a tally grid: pure, exact, no files, no database, no clock.

With ``cs, cn`` the community panel's sum and count of scores on one tender and criterion and
``os, on`` the officer panel's, the combined score is ``(cs/cn + os/on) / 2 = (cs·on + os·cn) /
(2·cn·on)``: equal weight per panel whatever its headcount. Comparisons with a minimum or the
divergence threshold cross-multiply integers, so no rounding can move a tender across a line;
quality, price and total scores are exact :class:`~fractions.Fraction` values.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..records import Criterion, Exercise, Tender
from .results import (
    OUTCOME_INCOMPLETE,
    OUTCOME_NONE_PASSED,
    OUTCOME_TIE,
    OUTCOME_WINNER,
    Comment,
    CriterionResult,
    LotResult,
    Results,
    TenderResult,
    display,
)
from .tally import TallyGrid

#: ``CriterionResult`` from one tuple of fields, without a Python-level call per criterion.
_new_criterion_result = functools.partial(tuple.__new__, CriterionResult)


@dataclass(frozen=True)
class _Criteria:
    """Rules 1, 2, 4 (minimums) and 8 over the grid: one row per tender, one column per
    criterion, each a plain nested list of Python ints and bools."""

    numerator: list[list[int]]  # combined = numerator / denominator
    denominator: list[list[int]]
    below: list[list[bool]]
    rows: list[tuple[CriterionResult, ...]]
    computable: list[bool]  # both panels scored every criterion
    community_n: list[list[int]]
    officer_n: list[list[int]]


@dataclass(frozen=True)
class _Quality:
    """Rules 3 and 4 per tender: quality score, pass, and why it failed."""

    score: list[Fraction | None]
    passed: list[bool | None]
    failures: list[tuple[str, ...]]


def score_grid(
    exercise: Exercise, tenders: Sequence[Tender], grid: TallyGrid, comments: Sequence[Comment]
) -> Results:
    """Rules 1–8 over the whole grid at once; ``tenders`` in the grid's tender order."""
    criteria = _criteria(exercise, grid)
    quality = _quality(exercise, criteria)
    complete = _complete(exercise, criteria)
    by_lot: dict[str, list[int]] = defaultdict(list)
    for i, tender in enumerate(tenders):
        by_lot[tender.lot].append(i)
    unknown_lots = set(by_lot) - set(exercise.lot_ids)
    if unknown_lots:
        raise ValueError(f"tenders name lots the exercise lacks: {', '.join(sorted(unknown_lots))}")
    results: list[TenderResult] = []
    lots: list[LotResult] = []
    for lot in exercise.lots:
        lot_results = _lot(
            exercise, lot.id, tenders, by_lot.get(lot.id, []), criteria, quality, complete
        )
        results.extend(lot_results)
        lots.append(_lot_outcome(lot.id, lot.title, lot_results))
    return Results(exercise, tuple(results), tuple(lots), comments)


def _criteria(exercise: Exercise, grid: TallyGrid) -> _Criteria:
    """Combined scores, minimums and divergence for every tender and criterion."""
    import numpy as np

    criteria = exercise.criteria.criteria
    # Python integers wherever int64 could overflow in the cross-multiplications below.
    totals, counts = grid.totals, grid.counts
    largest = max(int(np.abs(totals).max(initial=0)), 1) * max(int(counts.max(initial=0)), 1) ** 2
    d = exercise.divergence_threshold
    constants = [2, d.numerator, d.denominator]
    for c in criteria:
        if c.minimum is not None:
            constants += [c.minimum.numerator, c.minimum.denominator]
    if largest * max(constants) * 4 > 2**62:
        totals, counts = totals.astype(object), counts.astype(object)
    cs, os_, cn, on = totals[0], totals[1], counts[0], counts[1]
    both = (cn > 0) & (on > 0)
    numerator = cs * on + os_ * cn
    denominator = 2 * cn * on
    below = np.zeros(both.shape, dtype=bool)
    for j, criterion in enumerate(criteria):
        if criterion.minimum is not None:
            m = criterion.minimum
            below[:, j] = both[:, j] & (
                numerator[:, j] * m.denominator < m.numerator * denominator[:, j]
            )
    divergent = both & (abs(cs * on - os_ * cn) * d.denominator >= d.numerator * cn * on)
    # Flags are None where a panel has not scored: there is nothing to compare yet.
    nothing = np.full(both.shape, None, dtype=object)
    ids = [c.id for c in criteria]
    fields = (
        cs.tolist(),
        cn.tolist(),
        os_.tolist(),
        on.tolist(),
        np.where(both, below, nothing).tolist(),
        np.where(both, divergent, nothing).tolist(),
    )
    rows = [
        tuple(map(_new_criterion_result, zip(ids, *(f[i] for f in fields), strict=True)))
        for i in range(len(grid.tender_ids))
    ]
    return _Criteria(
        numerator.tolist(),
        denominator.tolist(),
        below.tolist(),
        rows,
        both.all(axis=1).tolist(),
        fields[1],
        fields[3],
    )


def _quality(exercise: Exercise, found: _Criteria) -> _Quality:
    """quality = 100 · Σ_c k_c · combined_c with k_c = weight_c / scale_max_c / Σ weight."""
    criteria = exercise.criteria.criteria
    total_weight = sum((c.weight for c in criteria), Fraction(0))
    factors = [100 * c.weight / c.scale.max / total_weight for c in criteria]
    k_num = [f.numerator for f in factors]
    k_den = [f.denominator for f in factors]
    threshold = exercise.quality_threshold
    scores: list[Fraction | None] = []
    passed: list[bool | None] = []
    failures: list[tuple[str, ...]] = []
    for nums, dens, flags, computable in zip(
        found.numerator, found.denominator, found.below, found.computable, strict=True
    ):
        q: Fraction | None = None
        if computable:
            qn, qd = 0, 1
            for a, b, n, d in zip(k_num, k_den, nums, dens, strict=True):
                qn, qd = qn * b * d + a * n * qd, qd * b * d
            q = Fraction(qn, qd)
        reasons: tuple[str, ...] = ()
        if any(flags) or (q is not None and threshold is not None and q < threshold):
            reasons = _failures(criteria, nums, dens, flags, q, threshold)
        scores.append(q)
        failures.append(reasons)
        passed.append(None if q is None and not reasons else not reasons)
    return _Quality(scores, passed, failures)


def _complete(exercise: Exercise, found: _Criteria) -> list[bool]:
    """Rule 6: every criterion has at least ``min_evaluators`` scores from each panel."""
    need_c, need_o = _needed(exercise)
    return [
        all(c >= need_c for c in community) and all(o >= need_o for o in officer)
        for community, officer in zip(found.community_n, found.officer_n, strict=True)
    ]


def _needed(exercise: Exercise) -> tuple[int, int]:
    return exercise.min_evaluators.get("community", 1), exercise.min_evaluators.get("officer", 1)


def _lot(
    exercise: Exercise,
    lot_id: str,
    tenders: Sequence[Tender],
    members: Sequence[int],
    criteria: _Criteria,
    quality: _Quality,
    complete: Sequence[bool],
) -> list[TenderResult]:
    """Rules 5 and 7 within one lot: price and total scores, ranks and ties, in result order."""
    price_scores, totals = _prices(exercise, tenders, members, quality)
    ranks, ties = _rank(
        [
            (total, tenders[i].id)
            for i in members
            if complete[i] and quality.passed[i] and (total := totals[i]) is not None
        ]
    )
    # Ranked tenders by rank, then unranked ones; within each, by tender id (README: output order).
    ordered = sorted(
        members,
        key=lambda i: (tenders[i].id not in ranks, ranks.get(tenders[i].id, 0), tenders[i].id),
    )
    ids = exercise.criteria.ids
    need_c, need_o = _needed(exercise)
    return [
        TenderResult(
            tender=tenders[i].id,
            lot=lot_id,
            bidder=tenders[i].bidder,
            status="complete" if complete[i] else "incomplete",
            passed=quality.passed[i],
            rank=ranks.get(tenders[i].id),
            tie=tenders[i].id in ties,
            quality_score=quality.score[i],
            price_score=price_scores[i],
            total_score=totals[i],
            criteria=criteria.rows[i],
            failures=quality.failures[i],
            missing=()
            if complete[i]
            else _missing(ids, criteria.community_n[i], criteria.officer_n[i], need_c, need_o),
        )
        for i in ordered
    ]


def _prices(
    exercise: Exercise, tenders: Sequence[Tender], members: Sequence[int], quality: _Quality
) -> tuple[dict[int, Fraction | None], dict[int, Fraction | None]]:
    """Rule 5: price and total scores of a lot's tenders."""
    weight = exercise.price_weight
    if weight == 0:
        return dict.fromkeys(members), {i: quality.score[i] for i in members}
    # The lowest price among the lot's passing tenders (a provisional pass counts). A failed
    # tender takes no part: against a passing price it could score above the price weight.
    prices = [p for i in members if quality.passed[i] and (p := tenders[i].price)]
    lowest = min(prices) if prices else None
    price_scores: dict[int, Fraction | None] = {}
    totals: dict[int, Fraction | None] = {}
    for i in members:
        price, q = tenders[i].price, quality.score[i]
        if quality.passed[i] and lowest is not None and price and q is not None:
            price_scores[i], totals[i] = price_and_total(weight, lowest, price, q)
        else:
            price_scores[i] = totals[i] = None
    return price_scores, totals


def price_and_total(
    weight: Fraction, lowest: Fraction, price: Fraction, quality: Fraction
) -> tuple[Fraction, Fraction]:
    """Rule 5: ``p × lowest / price`` and ``(100 − p)/100 × quality + price score``."""
    price_score = weight * lowest / price
    return price_score, (100 - weight) / 100 * quality + price_score


def _failures(
    criteria: Sequence[Criterion],
    numerators: Sequence[int],
    denominators: Sequence[int],
    below: Sequence[bool],
    quality: Fraction | None,
    threshold: Fraction | None,
) -> tuple[str, ...]:
    """Why a tender failed, in words a bidder can read (rule 4)."""
    reasons = [
        f"{criterion.name}: combined score {display(Fraction(numerators[j], denominators[j]))} "
        f"is below the minimum {display(criterion.minimum)}"
        for j, criterion in enumerate(criteria)
        if below[j]
    ]
    if quality is not None and threshold is not None and quality < threshold:
        reasons.append(
            f"quality score {display(quality)} is below the quality threshold {display(threshold)}"
        )
    return tuple(reasons)


def _missing(
    ids: Sequence[str], community: Sequence[int], officer: Sequence[int], need_c: int, need_o: int
) -> tuple[str, ...]:
    """What a tender still needs before it is complete (rule 6)."""
    missing = []
    for j, criterion_id in enumerate(ids):
        for panel, have, needed in (
            ("community", community[j], need_c),
            ("officer", officer[j], need_o),
        ):
            if have < needed:
                missing.append(
                    f"{criterion_id}: {panel} panel has {have} of {needed} "
                    f"score{'s' if needed != 1 else ''} needed"
                )
    return tuple(missing)


def _rank(eligible: Sequence[tuple[Fraction, str]]) -> tuple[dict[str, int], set[str]]:
    """Rule 7: rank by exact total, highest first; exactly equal totals share a rank.

    Sorting compares floats first, for speed, and stays exact: ``float()`` of a Fraction is
    correctly rounded and so monotonic, hence a larger float means a larger total, and only
    totals whose floats are equal are put in order by exact comparison.
    """
    keyed = sorted((-float(total), tender_id, total) for total, tender_id in eligible)
    approximate = [(total, tender_id) for _, tender_id, total in keyed]
    ordered: list[tuple[Fraction, str]] = []
    start = 0
    while start < len(keyed):
        end = start + 1
        while end < len(keyed) and keyed[end][0] == keyed[start][0]:
            end += 1
        run = approximate[start:end]
        if len(run) > 1:
            run.sort(key=lambda pair: (-pair[0], pair[1]))
        ordered.extend(run)
        start = end
    ranks: dict[str, int] = {}
    ties: set[str] = set()
    rank, previous = 0, None
    for place, (total, tender_id) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = place, total
        ranks[tender_id] = rank
    for k in range(1, len(ordered)):
        if ordered[k][0] == ordered[k - 1][0]:
            ties.update((ordered[k][1], ordered[k - 1][1]))
    return ranks, ties


def _lot_outcome(lot_id: str, title: str, results: Sequence[TenderResult]) -> LotResult:
    complete = all(r.complete for r in results)
    # An incomplete lot recommends nothing: a tender still being scored could yet come first.
    first = tuple(r.tender for r in results if r.rank == 1) if complete else ()
    if not complete:
        outcome = OUTCOME_INCOMPLETE
    elif len(first) > 1:
        outcome = OUTCOME_TIE
    elif first:
        outcome = OUTCOME_WINNER
    else:
        outcome = OUTCOME_NONE_PASSED
    return LotResult(lot_id, title, complete, outcome, first)
