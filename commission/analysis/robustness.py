"""Would the winner change? Exact robustness of a lot's winner (SPEC §11, issue 14 point 5).

For a lot with a winner — complete, and a single tender ranked first by :mod:`commission.scoring`
— four questions, answered exactly in rational arithmetic, with no sampling:

**Community-panel weight.** With ``combined = w · community_mean + (1 − w) · officer_mean``
(see :mod:`commission.analysis.standings`), over which ``w`` in 0–100% (today 50%) is the same
tender still the single first? Every comparison the rules make is linear in ``w``: a combined
score against a minimum, a quality score against the threshold, and — while the set of passing
tenders, hence the lowest passing price, stays the same — one total against another. So the
weights where a tender passes or fails are found first (each the root of a linear equation);
between two of them every total is linear in ``w``, and the critical weights where the winner's
total meets a rival's are solved for exactly. The answer is the **maximal interval containing
50%** on which the winner is unchanged and unique; each end says whether it is included (at an
open end the winner ties or loses, at a closed end it still wins there and loses just beyond).
Beyond that interval the same tender may win again further on; that is not part of the range.
(Each tender's lines in ``w`` are worked out once, :class:`~.standings.LinesInW`; the walk out
from 50% visits the breakpoints in order and stops at the first change.)

**Price weight.** The same over price weight ``p`` in 0–100% at today's panel weights; ``None``
when the exercise has no price weighting (``price_weight`` 0), as the results JSON says. At
``p = 0`` rule 5 has no price score at all (totals are quality scores, tenders without a price
are ranked too), so 0% is judged on its own. This question is answered with
:func:`commission.scoring.score_tallies` itself, the exercise's price weight replaced.

**Leave one out.** Which evaluators, removed with all their scores, change the winner? "Changes"
means the lot's outcome is no longer this same single winner: another tender is first, there is
a tie for first, no tender passes, or the lot becomes incomplete (too few scores left for
``min_evaluators``). Evaluators who scored nothing in the lot change nothing and are not listed.
Only the tenders the evaluator scored are scored again (the tests check every answer against
:func:`commission.score` on the remaining score rows).

**Smallest change.** Over every tender of the lot (winner and rivals, passing or failing), every
criterion and each panel: move that panel's mean on that criterion of that tender by ``delta``
(the mean staying within the criterion's scale), everything else as scored. The smallest
``|delta|`` after which the winner is no longer the same single first, with its sign (negative:
the mean falls). ``inclusive`` is True when a change of exactly ``delta`` already changes the
winner (usually a tie at that point), False when the winner still holds at ``delta`` and changes
for any larger change in that direction (a pass/fail line the tender sits exactly on). Equal
sizes are settled by: inclusive first, then tender, criterion (the set's order), panel
(community first), and a fall before a rise. ``None`` when no such change within the scale
changes the winner. A mean of several integer scores cannot take every value; this is the change
to the mean itself, as the question asks, not to any one score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import scoring
from ..records import PANELS, Exercise, Tender
from .outcomes import Robustness, SmallestChange, WeightRange
from .standings import HALF, LinesInW, LotModel, Override, Standing

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Robustness",
    "SmallestChange",
    "WeightRange",
    "lot_robustness",
    "lot_tallies",
    "robustness_by_lot",
]

Totals = Mapping[str, Fraction]


# -- the public entry points ---------------------------------------------------------------


def lot_tallies(
    exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame
) -> dict[tuple[str, str, str], tuple[int, int]]:
    """Each panel's exact (sum, count) per (tender, criterion, panel) for the given tenders,
    by :func:`commission.scoring.tally`."""
    ids = {t.id for t in tenders}
    if scores is None or len(scores) == 0:
        return {}
    chosen = scores[scores["tender"].isin(ids)]
    if len(chosen) == 0:
        return {}
    table = scoring.tally(chosen, exercise)
    return {
        (t, c, p): (int(total), int(count))
        for t, c, p, total, count in zip(
            table["tender"],
            table["criterion"],
            table["panel"],
            table["total"],
            table["count"],
            strict=True,
        )
    }


def lot_robustness(
    exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame
) -> Robustness | None:
    """The robustness of one lot's winner; ``tenders`` are that lot's tenders and ``scores`` the
    score frame (rows for other tenders are ignored). None when the lot has no winner."""
    tender_list = sorted(tenders, key=lambda t: t.id)
    lots = {t.lot for t in tender_list}
    if len(lots) != 1:
        return None
    lot = lots.pop()
    tallies = lot_tallies(exercise, tender_list, scores)
    outcome = _outcome(exercise, tender_list, tallies, lot)
    if outcome is None:
        return None
    winner = outcome
    model = LotModel(exercise, tender_list, tallies)
    return Robustness(
        lot=lot,
        winner=winner,
        community_weight_range=_community_weight_range(model, winner),
        price_weight_range=_price_weight_range(exercise, tender_list, tallies, lot, winner),
        leave_one_out=_leave_one_out(exercise, tender_list, scores, tallies, winner, model),
        smallest_change=_smallest_change(model, winner),
    )


def robustness_by_lot(
    exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame
) -> dict[str, Robustness]:
    """:func:`lot_robustness` for every lot with a winner, in the exercise's lot order."""
    by_lot: dict[str, list[Tender]] = defaultdict(list)
    for tender in tenders:
        by_lot[tender.lot].append(tender)
    found: dict[str, Robustness] = {}
    for lot in exercise.lot_ids:
        if by_lot.get(lot):
            result = lot_robustness(exercise, by_lot[lot], scores)
            if result is not None:
                found[lot] = result
    return found


# -- outcome by the project's own rules ------------------------------------------------------


def _outcome(
    exercise: Exercise,
    tenders: Sequence[Tender],
    tallies: Mapping[tuple[str, str, str], tuple[int, int]],
    lot: str,
) -> str | None:
    """The lot's single winner by :func:`commission.scoring.score_tallies`, or None."""
    result = scoring.score_tallies(exercise, tenders, _panel_tallies(tallies)).lot(lot)
    if result.outcome == scoring.OUTCOME_WINNER and len(result.recommended) == 1:
        return result.recommended[0]
    return None


def _panel_tallies(
    tallies: Mapping[tuple[str, str, str], tuple[int, int]],
) -> dict[tuple[str, str, str], scoring.PanelTally]:
    return {k: scoring.PanelTally(t, n) for k, (t, n) in tallies.items() if n}


# -- the interval walk ----------------------------------------------------------------------


def _good(totals: Totals, winner: str) -> bool:
    """The winner is ranked and strictly ahead of every other ranked tender."""
    if winner not in totals:
        return False
    mine = totals[winner]
    return all(total < mine for key, total in totals.items() if key != winner)


def _walk_up(
    start: Fraction,
    structural: Sequence[Fraction],
    end: Fraction,
    totals_at: Callable[[Fraction], Totals],
    winner: str,
) -> tuple[Fraction, bool]:
    """How far above ``start`` (where the winner is good) it stays good: ``(hi, included)``.

    ``structural`` holds every point where the set of ranked tenders or the lowest passing price
    may change; strictly between two of them every total is a linear function of the parameter,
    read off from two points inside. The first point where the winner's lead over a rival
    reaches zero is solved for exactly.
    """
    if start >= end:
        return end, True
    pos = start
    points = sorted({s for s in structural if start < s < end} | {end})
    for nxt in points:
        a = pos + (nxt - pos) / 3
        b = pos + 2 * (nxt - pos) / 3
        at_a, at_b = totals_at(a), totals_at(b)
        if at_a.keys() != at_b.keys():  # pragma: no cover - a structural point was missed
            raise AssertionError(f"ranked tenders change between {a} and {b}")
        if winner not in at_a:
            return pos, True
        limit = nxt
        for key in at_a:
            if key == winner:
                continue
            lead_a = at_a[winner] - at_a[key]
            slope = (at_b[winner] - at_b[key] - lead_a) / (b - a)
            lead_at_pos = lead_a + (pos - a) * slope
            if lead_at_pos < 0 or (lead_at_pos == 0 and slope <= 0):
                return pos, True  # the rival is level or ahead just above pos
            if slope < 0:
                limit = min(limit, a - lead_a / slope)
        if limit < nxt:
            return limit, False
        if not _good(totals_at(nxt), winner):
            return nxt, False
        pos = nxt
    return end, True


def _stable(
    start: Fraction,
    low: Fraction,
    high: Fraction,
    structural: Sequence[Fraction],
    totals_at: Callable[[Fraction], Totals],
    winner: str,
) -> tuple[Fraction, bool, Fraction, bool]:
    """The maximal interval around ``start`` within [low, high] where the winner stays good."""
    hi, hi_in = _walk_up(start, structural, high, totals_at, winner)
    # Downwards is the same walk on the mirrored parameter.
    neg_lo, lo_in = _walk_up(
        -start, [-s for s in structural], -low, lambda x: totals_at(-x), winner
    )
    return -neg_lo, lo_in, hi, hi_in


def _ranked_totals(standings: Iterable[Standing]) -> dict[str, Fraction]:
    return {s.tender: s.total for s in standings if s.ranked and s.total is not None}


# -- community-panel weight -----------------------------------------------------------------


def _community_weight_range(model: LotModel, winner: str) -> WeightRange:
    lines = LinesInW(model)
    lo, lo_in, hi, hi_in = _stable(
        HALF, Fraction(0), Fraction(1), sorted(lines.breakpoints), lines.ranked_totals, winner
    )
    return WeightRange(100 * lo, 100 * hi, lo_in, hi_in)


# -- price weight -------------------------------------------------------------------------


def _price_weight_range(
    exercise: Exercise,
    tenders: Sequence[Tender],
    tallies: Mapping[tuple[str, str, str], tuple[int, int]],
    lot: str,
    winner: str,
) -> WeightRange | None:
    if exercise.price_weight == 0:
        return None
    panel_tallies = _panel_tallies(tallies)

    def totals_at(p: Fraction) -> Totals:
        # The project's own rules with the price weight replaced: pass/fail does not depend on
        # it, and for p > 0 every total is linear in p.
        results = scoring.score_tallies(replace(exercise, price_weight=p), tenders, panel_tallies)
        return {
            t.tender: t.total_score
            for t in results.in_lot(lot)
            if t.rank is not None and t.total_score is not None
        }

    lo, lo_in, hi, hi_in = _stable(
        exercise.price_weight, Fraction(0), Fraction(100), [], totals_at, winner
    )
    return WeightRange(lo, hi, lo_in, hi_in)


# -- leave one out --------------------------------------------------------------------------


def _leave_one_out(
    exercise: Exercise,
    tenders: Sequence[Tender],
    scores: pd.DataFrame,
    tallies: Mapping[tuple[str, str, str], tuple[int, int]],
    winner: str,
    model: LotModel,
) -> tuple[str, ...]:
    if scores is None or len(scores) == 0:
        return ()
    chosen = scores[scores["tender"].isin({t.id for t in tenders})]
    panel_of = exercise.panel_of()
    given: dict[str, dict[tuple[str, str, str], list[int]]] = defaultdict(dict)
    for evaluator, tender, criterion, value in zip(
        chosen["evaluator"].tolist(),
        chosen["tender"].tolist(),
        chosen["criterion"].tolist(),
        chosen["score"].tolist(),
        strict=True,
    ):
        key = (tender, criterion, panel_of[evaluator])
        cell = given[evaluator].setdefault(key, [0, 0])
        cell[0] += int(value)
        cell[1] += 1
    base = _Base.of(model)
    changed = []
    for evaluator in exercise.evaluators:
        own = given.get(evaluator.id)
        if own and not _still_wins_without(model, base, tallies, own, winner):
            changed.append(evaluator.id)
    return tuple(changed)


def _still_wins_without(
    model: LotModel,
    base: _Base,
    tallies: Mapping[tuple[str, str, str], tuple[int, int]],
    own: Mapping[tuple[str, str, str], Sequence[int]],
    winner: str,
) -> bool:
    """Is the winner still the single first with one evaluator's scores (``own``: their sum
    and count per cell) taken away? Only the tenders they scored are scored again; the rest
    are read from the base unless the lowest passing price moves."""
    exercise = model.exercise
    ids = exercise.criteria.ids
    changed_means: dict[int, dict[tuple[int, str], Fraction | None]] = defaultdict(dict)
    for (tender, criterion, panel), (total, count) in own.items():
        before_total, before_count = tallies[(tender, criterion, panel)]
        left = before_count - count
        if left < exercise.min_evaluators.get(panel, 1):
            return False  # the tender, so the lot, becomes incomplete: no winner
        mean = Fraction(before_total - total, left) if left else None
        changed_means[model.index[tender]][(ids.index(criterion), panel)] = mean
    judged = dict[int, tuple[Fraction | None, bool | None]]()
    for i, means in changed_means.items():
        entry = model.entries[i]
        community, officer = list(entry.community), list(entry.officer)
        for (j, panel), mean in means.items():
            (community if panel == "community" else officer)[j] = mean
        rescored = replace(entry, community=tuple(community), officer=tuple(officer))
        judged[i] = model.quality_and_pass(rescored, HALF)
    p = exercise.price_weight
    lowest = base.lowest
    if p:
        prices = [next((c for c, k in base.cheapest if k not in judged), None)]
        prices += [model.entries[i].tender.price for i, (_, ok) in judged.items() if ok]
        found = [c for c in prices if c]
        lowest = min(found) if found else None
    if lowest != base.lowest:
        every = list(base.judged)
        for i, value in judged.items():
            every[i] = value
        return _good(_ranked_totals(model.priced(every, p)), winner)
    totals: dict[str, Fraction] = {}
    for i, (q, passed) in judged.items():
        price = model.entries[i].tender.price
        if not (passed and q is not None):
            continue
        if not p:
            totals[model.entries[i].tender.id] = q
        elif lowest is not None and price:
            totals[model.entries[i].tender.id] = (100 - p) / 100 * q + p * lowest / price
    rescored_ids = {model.entries[i].tender.id for i in judged}
    if winner not in rescored_ids:
        winner_total = base.standings[model.index[winner]].total
        assert winner_total is not None
        totals[winner] = winner_total
    best = next((t for t, k in base.ranked if k not in rescored_ids and k != winner), None)
    if best is not None:
        totals[_BEST_OTHER] = best
    return _good(totals, winner)


# -- smallest change to one panel's mean ----------------------------------------------------

_BEST_OTHER = "\x00best-other"


def _smallest_change(model: LotModel, winner: str) -> SmallestChange | None:
    at_base = _Base.of(model)
    order = {c: j for j, c in enumerate(model.exercise.criteria.ids)}
    candidates: list[tuple[Any, SmallestChange]] = []
    p = model.exercise.price_weight
    keep = (100 - p) / 100 if p else Fraction(1)
    winner_total = at_base.standings[model.index[winner]].total
    assert winner_total is not None
    runner_up = next((t for t, k in at_base.ranked if k != winner), None)
    # The winner and the nearest rivals first, so a small change is found early and the rest
    # can be passed over (see _cannot_beat); the answer does not depend on this order.
    search = sorted(
        range(len(model.entries)),
        key=lambda i: (
            model.entries[i].tender.id != winner,
            -(at_base.standings[i].total or 0) if at_base.standings[i].ranked else 1,
        ),
    )
    best: Fraction | None = None
    for i in search:
        entry = model.entries[i]
        tender = entry.tender.id
        standing = at_base.standings[i]
        for j, criterion in enumerate(model.criteria):
            for panel in PANELS:
                mean = (entry.community if panel == "community" else entry.officer)[j]
                if mean is None:
                    continue
                structural = _pass_points_in_delta(model, at_base.judged[i], i, j)
                if best is not None and not any(abs(x) <= best for x in structural):
                    # No pass line within reach: the tender's total moves by at most
                    # best · (1/2) · factor · quality share, and the price scores not at all.
                    reach = best * HALF * model.factors[j] * keep
                    if tender == winner:
                        if runner_up is None or winner_total - reach > runner_up:
                            continue
                    elif not standing.ranked or (
                        standing.total is not None and standing.total + reach < winner_total
                    ):
                        continue

                def totals_at(
                    delta: Fraction,
                    i: int = i,
                    criterion: str = criterion.id,
                    panel: str = panel,
                    mean: Fraction = mean,
                ) -> Totals:
                    return _perturbed(
                        model,
                        at_base,
                        winner,
                        i,
                        Override(model.entries[i].tender.id, criterion, panel, mean + delta),
                    )

                low = criterion.scale.min - mean
                high = criterion.scale.max - mean
                lo, lo_in, hi, hi_in = _stable(
                    Fraction(0), low, high, structural, totals_at, winner
                )
                for delta, included, bound, rising in (
                    (hi, hi_in, high, True),
                    (lo, lo_in, low, False),
                ):
                    if included and delta == bound:
                        continue  # the winner holds all the way to the end of the scale
                    change = SmallestChange(
                        tender, criterion.id, panel, delta, not included, mean, rising
                    )
                    key = (
                        abs(delta),
                        included,
                        i,
                        order[criterion.id],
                        PANELS.index(panel),
                        rising,
                    )
                    candidates.append((key, change))
                    best = abs(delta) if best is None else min(best, abs(delta))
    if not candidates:
        return None
    return min(candidates, key=lambda pair: pair[0])[1]


def _pass_points_in_delta(
    model: LotModel, judged: tuple[Fraction | None, bool | None], i: int, j: int
) -> list[Fraction]:
    """The changes to one panel's mean on criterion j of tender i where that tender's combined
    score meets the minimum or its quality meets the threshold (each panel carries half)."""
    entry = model.entries[i]
    criterion = model.criteria[j]
    points: list[Fraction] = []
    combined = model.combined(entry, HALF)[j]
    if combined is not None and criterion.minimum is not None:
        points.append(2 * (criterion.minimum - combined))
    quality = judged[0]
    threshold = model.exercise.quality_threshold
    if quality is not None and threshold is not None:
        points.append(2 * (threshold - quality) / model.factors[j])
    return points


@dataclass(frozen=True)
class _Base:
    """The lot as scored, kept for the many small changes of leave-one-out and the
    smallest-change search."""

    judged: tuple[tuple[Fraction | None, bool | None], ...]
    standings: tuple[Standing, ...]
    #: The ranking: (total, tender), highest first.
    ranked: tuple[tuple[Fraction, str], ...]
    lowest: Fraction | None
    #: The passing prices: (price, tender index), lowest first.
    cheapest: tuple[tuple[Fraction, int], ...]

    @classmethod
    def of(cls, model: LotModel) -> _Base:
        p = model.exercise.price_weight
        judged = tuple(model.quality_and_pass(e, HALF) for e in model.entries)
        standings = model.priced(judged, p)
        ranked = sorted(
            ((s.total, s.tender) for s in standings if s.ranked and s.total is not None),
            reverse=True,
        )
        cheapest = sorted(
            (price, i)
            for i, (entry, (_, passed)) in enumerate(zip(model.entries, judged, strict=True))
            if passed and (price := entry.tender.price)
        )
        return cls(
            judged,
            standings,
            tuple(ranked),
            model.lowest_price(judged) if p else None,
            tuple(cheapest),
        )


def _perturbed(model: LotModel, base: _Base, winner: str, i: int, override: Override) -> Totals:
    """The totals that matter to the winner with one mean overridden: the winner's, the changed
    tender's, and the best of the rest. The rest only move when the lowest passing price does,
    which needs the changed tender to cross a pass line at a price at or below the others'
    lowest; otherwise they are read from the base ranking."""
    entry = model.entries[i]
    tender = entry.tender.id
    judged_i = model.quality_and_pass(entry, HALF, override)
    q, passed = judged_i
    p = model.exercise.price_weight
    price = entry.tender.price
    lowest = base.lowest
    found: dict[str, Fraction] = {}
    if p and passed != base.judged[i][1]:
        others = [c for c in (next((c for c, k in base.cheapest if k != i), None),) if c]
        if passed and price:
            others.append(price)
        lowest = min(others) if others else None
    if lowest != base.lowest:
        judged = list(base.judged)
        judged[i] = judged_i
        full = _ranked_totals(model.priced(judged, p))
        found.update((key, full[key]) for key in (winner, tender) if key in full)
        rest = [total for key, total in full.items() if key not in (winner, tender)]
        if rest:
            found[_BEST_OTHER] = max(rest)
        return found
    total: Fraction | None = q
    if p:
        if passed and lowest is not None and price and q is not None:
            total = (100 - p) / 100 * q + p * lowest / price
        else:
            total = None
    if winner != tender:
        winner_total = base.standings[model.index[winner]].total
        assert winner_total is not None
        found[winner] = winner_total
    if entry.complete and passed and total is not None:
        found[tender] = total
    for best, key in base.ranked:
        if key not in (winner, tender):
            found[_BEST_OTHER] = best
            break
    return found
