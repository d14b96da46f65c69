"""The scoring rules of SPEC §6, as a pure function: no files, no database, no clock.

Everything that decides a pass, a rank or a tie is computed in exact rational arithmetic
(:class:`fractions.Fraction`) from exact integer aggregates — the sum and the count of each panel's
scores per tender and criterion. Floats appear only at the edge, in :meth:`Results.to_dict` and
:meth:`Results.to_frame`, and rounding to two decimals only where a person reads a number.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from .model import PANELS, Criterion, Exercise, Tender

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
            [
                {"tender": t.tender, "lot": t.lot, **c.to_dict()}
                for t in self.tenders
                for c in t.criteria
            ]
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

#: ``CriterionResult`` from one tuple of fields, without a Python-level call per criterion.
_new_criterion_result = functools.partial(tuple.__new__, CriterionResult)
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
    grid = _grid_from_frame(scores, exercise, tender_ids)
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


def _grid_from_frame(
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


def _grid_from_tallies(
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


def score(exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame) -> Results:
    """Apply SPEC §6 to checked records. ``scores`` is the score frame of ARCHITECTURE.md."""
    tender_list = sorted(tenders, key=lambda t: t.id)
    grid = _grid_from_frame(scores, exercise, [t.id for t in tender_list])
    with no_gc_pauses():
        return _score_grid(exercise, tender_list, grid, _LazyComments(scores, exercise))


def score_tallies(
    exercise: Exercise,
    tenders: Iterable[Tender],
    tallies: Tallies | pd.DataFrame,
    comments: Sequence[Comment] = (),
) -> Results:
    """SPEC §6 from exact per-panel aggregates: a mapping ``(tender, criterion, panel)`` →
    :class:`PanelTally`, or a DataFrame with columns tender, criterion, panel, total, count."""
    tender_list = sorted(tenders, key=lambda t: t.id)
    grid = _grid_from_tallies(tallies, exercise, [t.id for t in tender_list])
    with no_gc_pauses():
        return _score_grid(exercise, tender_list, grid, tuple(comments))


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


def _score_grid(
    exercise: Exercise, tenders: Sequence[Tender], grid: TallyGrid, comments: Sequence[Comment]
) -> Results:
    """Rules 1–8 over the whole grid at once, in exact integer arithmetic.

    With ``cs, cn`` the community panel's sum and count and ``os, on`` the officer panel's, the
    combined score is ``(cs/cn + os/on) / 2 = (cs·on + os·cn) / (2·cn·on)``. Comparisons with a
    minimum or the divergence threshold are made by cross-multiplying integers, so no rounding
    can move a tender across a line.
    """
    import numpy as np

    criteria = exercise.criteria.criteria
    totals, counts = grid.totals, grid.counts
    # Python integers if int64 could overflow in the cross-multiplications below.
    largest = max(int(np.abs(totals).max(initial=0)), 1) * max(int(counts.max(initial=0)), 1) ** 2
    bound = max([2] + [c.minimum.denominator for c in criteria if c.minimum is not None])
    if largest * bound * exercise.divergence_threshold.numerator * 4 > 2**62:
        totals, counts = totals.astype(object), counts.astype(object)
    cs, os_ = totals[0], totals[1]
    cn, on = counts[0], counts[1]
    both = (cn > 0) & (on > 0)
    numerator = cs * on + os_ * cn  # combined = numerator / denominator
    denominator = 2 * cn * on

    below = np.zeros(both.shape, dtype=bool)
    for j, criterion in enumerate(criteria):
        if criterion.minimum is not None:
            m = criterion.minimum
            below[:, j] = both[:, j] & (
                numerator[:, j] * m.denominator < m.numerator * denominator[:, j]
            )
    d = exercise.divergence_threshold
    divergent = both & (abs(cs * on - os_ * cn) * d.denominator >= d.numerator * cn * on)

    need_c = exercise.min_evaluators.get("community", 1)
    need_o = exercise.min_evaluators.get("officer", 1)
    short = (cn < need_c) | (on < need_o)
    complete = ~short.any(axis=1)
    computable = both.all(axis=1)

    # quality = 100 · Σ_c k_c · combined_c with k_c = weight_c / scale_max_c / Σ weight.
    total_weight = sum((c.weight for c in criteria), Fraction(0))
    factors = [100 * c.weight / c.scale.max / total_weight for c in criteria]
    k_num = [f.numerator for f in factors]
    k_den = [f.denominator for f in factors]
    num_rows, den_rows = numerator.tolist(), denominator.tolist()
    cs_rows, cn_rows, os_rows, on_rows = cs.tolist(), cn.tolist(), os_.tolist(), on.tolist()
    below_rows = below.tolist()
    # Flags are None where a panel has not scored: there is nothing to compare yet.
    nothing = np.full(both.shape, None, dtype=object)
    below_shown = np.where(both, below, nothing).tolist()
    divergent_shown = np.where(both, divergent, nothing).tolist()
    threshold = exercise.quality_threshold

    n_criteria = len(criteria)
    quality: list[Fraction | None] = []
    passed: list[bool | None] = []
    failures: list[tuple[str, ...]] = []
    criterion_rows: list[tuple[CriterionResult, ...]] = []
    ids = [c.id for c in criteria]
    # Where every criterion of a tender has the same denominator (every evaluator scored every
    # criterion: the usual case), the quality numerator is one integer dot product per tender.
    common = math.lcm(*k_den)
    share = [n * (common // d) for n, d in zip(k_num, k_den, strict=True)]
    same_den = (denominator == denominator[:, :1]).all(axis=1) & computable
    quick_num = quick_den = None
    if same_den.any() and numerator.dtype != object:
        bound = int(np.abs(numerator).max(initial=0)) * sum(share) * n_criteria
        if bound < 2**62 and int(denominator.max(initial=0)) * common < 2**62:
            quick_num = (numerator @ np.array(share, dtype="int64")).tolist()
            quick_den = (denominator[:, 0] * common).tolist()
    same_rows = same_den.tolist()
    for i in range(len(tenders)):
        nums, dens, flags = num_rows[i], den_rows[i], below_rows[i]
        q: Fraction | None = None
        if quick_num is not None and same_rows[i]:
            q = Fraction(quick_num[i], quick_den[i])  # type: ignore[index]
        elif computable[i]:
            qn, qd = 0, 1
            for j in range(n_criteria):
                a, b = k_num[j] * nums[j], k_den[j] * dens[j]
                qn, qd = qn * b + a * qd, qd * b
            q = Fraction(qn, qd)
        reasons: tuple[str, ...] = ()
        if any(flags) or (
            q is not None
            and threshold is not None
            # q < threshold, cross-multiplied (Fractions are kept in lowest terms, den > 0)
            and q.numerator * threshold.denominator < threshold.numerator * q.denominator
        ):
            reasons = _failures(criteria, nums, dens, flags, q, threshold)
        quality.append(q)
        failures.append(reasons)
        passed.append(None if q is None and not reasons else not reasons)
        criterion_rows.append(
            tuple(
                map(
                    _new_criterion_result,
                    zip(
                        ids,
                        cs_rows[i],
                        cn_rows[i],
                        os_rows[i],
                        on_rows[i],
                        below_shown[i],
                        divergent_shown[i],
                        strict=True,
                    ),
                )
            )
        )

    by_lot: dict[str, list[int]] = defaultdict(list)
    for i, tender in enumerate(tenders):
        by_lot[tender.lot].append(i)
    unknown_lots = set(by_lot) - set(exercise.lot_ids)
    if unknown_lots:
        raise ValueError(f"tenders name lots the exercise lacks: {', '.join(sorted(unknown_lots))}")

    weight = exercise.price_weight
    results: list[TenderResult] = []
    lots: list[LotResult] = []
    for lot in exercise.lots:
        members = by_lot.get(lot.id, [])
        price_scores: dict[int, Fraction | None] = {}
        totals_: dict[int, Fraction | None] = {}
        if weight == 0:
            for i in members:
                price_scores[i], totals_[i] = None, quality[i]
        else:
            # Rule 5: the lowest price among the lot's passing tenders (a provisional pass
            # counts). A failed tender takes no part: against a passing price it could score
            # above the price weight, which would mean nothing.
            prices = [p for i in members if passed[i] and (p := tenders[i].price)]
            lowest = min(prices) if prices else None
            for i in members:
                price, q = tenders[i].price, quality[i]
                if passed[i] and lowest is not None and price and q is not None:
                    price_scores[i], totals_[i] = _price_and_total(weight, lowest, price, q)
                else:
                    price_scores[i] = totals_[i] = None
        ranks, ties = _rank(
            [
                (total, tenders[i].id)
                for i in members
                if complete[i] and passed[i] and (total := totals_[i]) is not None
            ]
        )
        approximate = {i: float(t) for i in members if (t := totals_[i]) is not None}
        ordered = sorted(
            members,
            key=lambda i: (
                tenders[i].id not in ranks,
                ranks.get(tenders[i].id, 0),
                -(approximate[i] if i in approximate else 0.0),  # unranked: display only
                tenders[i].id,
            ),
        )
        lot_results = [
            TenderResult(
                tender=tenders[i].id,
                lot=lot.id,
                bidder=tenders[i].bidder,
                status="complete" if complete[i] else "incomplete",
                passed=passed[i],
                rank=ranks.get(tenders[i].id),
                tie=tenders[i].id in ties,
                quality_score=quality[i],
                price_score=price_scores[i],
                total_score=totals_[i],
                criteria=criterion_rows[i],
                failures=failures[i],
                missing=()
                if complete[i]
                else _missing(ids, cn_rows[i], on_rows[i], need_c, need_o),
            )
            for i in ordered
        ]
        results.extend(lot_results)
        lots.append(_lot_outcome(lot.id, lot.title, lot_results))
    return Results(exercise, tuple(results), tuple(lots), comments)


@functools.cache
def _quality_share(weight: Fraction) -> Fraction:
    return 100 - weight


def _price_and_total(
    weight: Fraction, lowest: Fraction, price: Fraction, quality: Fraction
) -> tuple[Fraction, Fraction]:
    """Rule 5: ``p × lowest / price`` and ``(100 − p)/100 × quality + price score``.

    Written out over numerators and denominators so each is one exact Fraction, not a chain.
    """
    price_n = weight.numerator * lowest.numerator * price.denominator
    price_d = weight.denominator * lowest.denominator * price.numerator
    keep = _quality_share(weight)  # in percent
    quality_n = keep.numerator * quality.numerator
    quality_d = keep.denominator * 100 * quality.denominator
    return Fraction(price_n, price_d), Fraction(
        quality_n * price_d + price_n * quality_d, quality_d * price_d
    )


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
        f"{criterion.name}: combined score {_show(Fraction(numerators[j], denominators[j]))} is "
        f"below the minimum {_show(criterion.minimum)}"
        for j, criterion in enumerate(criteria)
        if below[j]
    ]
    if quality is not None and threshold is not None and quality < threshold:
        reasons.append(
            f"quality score {_show(quality)} is below the quality threshold {_show(threshold)}"
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


class _LazyComments(Sequence[Comment]):
    """The comments of a score frame, worked out the first time anyone reads them."""

    def __init__(self, scores: pd.DataFrame, exercise: Exercise) -> None:
        has_text = scores is not None and len(scores) and "comment" in scores.columns
        # Keep only the commented rows (a copy), not the whole frame.
        self._rows = scores[scores["comment"].notna().to_numpy()] if has_text else None
        self._exercise = exercise

    @functools.cached_property
    def _items(self) -> tuple[Comment, ...]:
        return _comments(self._rows, self._exercise)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[Comment]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _comments(scores: pd.DataFrame, exercise: Exercise) -> tuple[Comment, ...]:
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


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _ratio(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


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
