"""Robustness of a lot's winner (issue 14 point 5): hand-worked examples with the arithmetic
written out, and hypothesis properties on random small exercises, each confirmed by re-scoring
with the project's own rules (:mod:`commission.scoring`, :func:`commission.score`)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import commission
from commission import scoring
from commission.analysis.robustness import (
    Robustness,
    SmallestChange,
    WeightRange,
    lot_robustness,
    lot_tallies,
    robustness_by_lot,
)
from commission.analysis.standings import LinesInW, LotModel, Override
from commission.analysis.wording import robustness_sentences
from commission.records import CriteriaSet, Exercise, Scale, Tender

from .scoring_helpers import criteria_set, exercise, frame, tender

TINY = Fraction(1, 10**18)  # far closer than any two critical points of a small exercise


# -- an independent oracle: any community weight through commission.scoring itself --------------


def _scaled_for_weight(exercise_: Exercise, w: Fraction) -> tuple[Exercise, int, int]:
    """An exercise whose plain 50/50 scoring equals the original at community weight w.

    With w = a/b: multiply every community score by 2a and every officer score by 2(b − a);
    then (2a·cm + 2(b − a)·om) / 2 = b · (w·cm + (1 − w)·om). Multiply every scale and minimum
    by b too, and the quality scores (hence totals, passes and ranks) are those at weight w.
    """
    a, b = w.numerator, w.denominator
    criteria = exercise_.criteria
    scaled = CriteriaSet(
        id=criteria.id,
        title=criteria.title,
        scale=Scale(criteria.scale.min * b, criteria.scale.max * b),
        criteria=tuple(
            replace(
                c,
                scale=Scale(c.scale.min * b, c.scale.max * b),
                minimum=None if c.minimum is None else c.minimum * b,
            )
            for c in criteria.criteria
        ),
    )
    return replace(exercise_, criteria=scaled), 2 * a, 2 * (b - a)


def scored_at(
    exercise_: Exercise,
    tenders: list[Tender],
    tallies: dict[tuple[str, str, str], tuple[int, int]],
    w: Fraction = Fraction(1, 2),
    p: Fraction | None = None,
    override: Override | None = None,
) -> scoring.Results:
    """commission.scoring's results at community weight w, price weight p, one mean replaced."""
    tallies = dict(tallies)
    if override is not None:
        key = (override.tender, override.criterion, override.panel)
        _, count = tallies[key]
        # mean a/b over `count` scores: total a·count over b·count scores (completeness kept).
        m = override.mean
        tallies[key] = (m.numerator * count, m.denominator * count)
    scaled, k_c, k_o = _scaled_for_weight(exercise_, Fraction(w))
    if p is not None:
        scaled = replace(scaled, price_weight=Fraction(p))
    panel = {
        key: scoring.PanelTally(total * (k_c if key[2] == "community" else k_o), count)
        for key, (total, count) in tallies.items()
    }
    return scoring.score_tallies(scaled, tenders, panel)


def first(results: scoring.Results, lot: str = "main") -> tuple[str, ...]:
    outcome = results.lot(lot)
    return outcome.recommended if outcome.complete else ()


# -- hand-worked examples -------------------------------------------------------------------


def test_three_tenders_one_criterion_by_hand() -> None:
    # One criterion on 0-5, no minimum: quality = 100 · combined / 5 = 20 · combined.
    # T1: community 4, officer 2 -> combined(w) = 2 + 2w      (3    at w = 1/2)
    # T2: community 2, officer 3.5 (3 and 4) -> 3.5 - 1.5w    (2.75 at w = 1/2)
    # T3: community 5, officer 0 -> 5w                          (2.5  at w = 1/2)
    # T1 meets T2 where 2 + 2w = 3.5 - 1.5w: w = 3/7; it meets T3 where 2 + 2w = 5w: w = 2/3.
    # So T1 is first exactly on the open interval (3/7, 2/3): 42.857...% to 66.666...%.
    ex = exercise(["C1"], ["O1", "O2"], criteria=criteria_set(["a"]))
    rows = [("C1", "T1", "a", 4), ("O1", "T1", "a", 2), ("O2", "T1", "a", 2)]
    rows += [("C1", "T2", "a", 2), ("O1", "T2", "a", 3), ("O2", "T2", "a", 4)]
    rows += [("C1", "T3", "a", 5), ("O1", "T3", "a", 0), ("O2", "T3", "a", 0)]
    tenders = [tender("T1"), tender("T2"), tender("T3")]
    result = lot_robustness(ex, tenders, frame(rows))
    assert result is not None and result.winner == "T1"
    assert result.community_weight_range == WeightRange(
        Fraction(300, 7), Fraction(200, 3), False, False
    )
    assert result.price_weight_range is None  # no price weighting
    # C1 is the whole community panel: without C1 the lot is incomplete. Without O1 the
    # officer means are T1 2, T2 4, T3 0: T2 (3) beats T1 (3)? No: T1 (4+2)/2 = 3 and T2
    # (2+4)/2 = 3 tie for first. Without O2: T1 3, T2 (2+3)/2 = 2.5, T3 2.5: T1 still wins.
    assert result.leave_one_out == ("C1", "O1")
    # T1 leads T2 by 0.25 combined; one panel's mean moves the combined score by half its
    # change, so 0.5 closes the gap (a tie). Equal sizes: T1 first, community first, a fall first.
    assert result.smallest_change == SmallestChange(
        "T1", "a", "community", Fraction(-1, 2), True, Fraction(4), False
    )
    doc = result.to_dict()
    assert doc["community_weight_range"] == [300 / 7, 200 / 3]
    assert doc["exact"]["community_weight_range"] == ["300/7", "200/3"]
    assert doc["included"]["community_weight_range"] == [False, False]
    assert doc["price_weight_range"] is None
    assert doc["leave_one_out"] == ["C1", "O1"]
    assert doc["smallest_change"] == {
        "tender": "T1",
        "criterion": "a",
        "panel": "community",
        "delta": -0.5,
    }
    assert doc["exact"]["smallest_change"] == {"delta": "-1/2", "mean": "4", "direction": "fall"}


def test_price_weighting_by_hand() -> None:
    # price_weight 20, one criterion. T1: 3 and 3 -> quality 60, price 100.
    # T2: community 2, officer 3 -> combined 3 - w (2.5, quality 50 at w = 1/2), price 80.
    # Lowest passing price 80. Total(p) = (100 - p)/100 · quality + p · 80 / price:
    #   T1: 0.6(100 - p) + 0.8p = 60 + 0.2p;  T2: 0.5(100 - p) + p = 50 + 0.5p.
    # They meet at p = 100/3, so T1 is first for p in [0, 100/3) (at 0: quality alone, 60 > 50).
    # In w at p = 20: T1 = 0.8 · 60 + 16 = 64; T2 = 0.8 · 20(3 - w) + 20 = 68 - 16w.
    # T1 ahead iff 64 > 68 - 16w, i.e. w > 1/4: the range is (25%, 100%].
    ex = exercise(criteria=criteria_set(["a"]), price_weight=20)
    rows = [("C1", "T1", "a", 3), ("O1", "T1", "a", 3), ("C1", "T2", "a", 2), ("O1", "T2", "a", 3)]
    tenders = [tender("T1", price=100), tender("T2", price=80)]
    result = lot_robustness(ex, tenders, frame(rows))
    assert result is not None and result.winner == "T1"
    assert result.community_weight_range == WeightRange(Fraction(25), Fraction(100), False, True)
    assert result.price_weight_range == WeightRange(Fraction(0), Fraction(100, 3), True, False)
    # T1's total moves by 0.8 · 20 · δ/2 = 8δ for a change δ to one panel's mean: the 4-point
    # lead closes at δ = -1/2.
    assert result.smallest_change == SmallestChange(
        "T1", "a", "community", Fraction(-1, 2), True, Fraction(3), False
    )
    assert Fraction(30) in result.price_weight_range
    assert Fraction(100, 3) not in result.price_weight_range


def test_pass_lines_move_with_the_community_weight() -> None:
    # Two criteria, a has minimum 3. quality = 10 · (combined_a + combined_b).
    # T1: a community 3, officer 4 -> 4 - w (passes while 4 - w >= 3: always); b 3, 3.
    #     quality 10 · (7 - w) = 65 at w = 1/2.
    # T2: a community 5, officer 2 -> 2 + 3w (passes only when w >= 1/3); b 4, 4.
    #     quality 10 · (6 + 3w) = 75 at w = 1/2: T2 wins at 50%.
    # Below w = 1/3 T2 fails its minimum, and T1 is first; at w = 1/3 exactly, combined_a = 3
    # is not below the minimum, so T2 still passes (quality 70 vs T1 66.67) and wins.
    # T1 never catches T2 above 1/3 (7 - w < 6 + 3w iff w > 1/4). Range [33.33...%, 100%].
    ex = exercise(criteria=criteria_set(["a", "b"], minimums={"a": 3}))
    rows = [("C1", "T1", "a", 3), ("O1", "T1", "a", 4), ("C1", "T1", "b", 3), ("O1", "T1", "b", 3)]
    rows += [("C1", "T2", "a", 5), ("O1", "T2", "a", 2), ("C1", "T2", "b", 4), ("O1", "T2", "b", 4)]
    tenders = [tender("T1"), tender("T2")]
    result = lot_robustness(ex, tenders, frame(rows))
    assert result is not None and result.winner == "T2"
    assert result.community_weight_range == WeightRange(Fraction(100, 3), Fraction(100), True, True)
    tallies = lot_tallies(ex, tenders, frame(rows))
    assert first(scored_at(ex, tenders, tallies, Fraction(1, 3))) == ("T2",)
    assert first(scored_at(ex, tenders, tallies, Fraction(1, 3) - Fraction(1, 1000))) == ("T1",)
    # T2's combined a is 3.5, half a point above the minimum: its community mean falling by
    # more than 1 (combined 3 is still a pass) fails it; T1 then wins. Rivals need more.
    assert result.smallest_change == SmallestChange(
        "T2", "a", "community", Fraction(-1), False, Fraction(5), False
    )


def test_leaving_out_an_evaluator_can_move_the_lowest_price() -> None:
    # price_weight 22, one criterion with minimum 2.5. Community C1 scores T1 and T2; C2 and C3
    # score only T3. T1: 4 and 4 -> quality 80, £100. T2: 3 and 4 -> 70, £60.
    # T3: community (5 + 1)/2 = 3, officer 2 -> combined 2.5, on the minimum: passes, £50.
    # Lowest passing price 50: T1 = 0.78 · 80 + 22 · 50/100 = 73.4; T2 = 54.6 + 18.33 = 72.93;
    # T3 = 0.78 · 50 + 22 = 61. T1 wins.
    # Without C2, T3's combined is (1 + 2)/2 = 1.5: it fails, the lowest passing price becomes
    # 60, and T1 = 62.4 + 13.2 = 75.6 falls behind T2 = 54.6 + 22 = 76.6.
    ex = exercise(
        ["C1", "C2", "C3"],
        ["O1"],
        criteria=criteria_set(["a"], minimums={"a": 2.5}),
        price_weight=22,
    )
    rows = [("C1", "T1", "a", 4), ("O1", "T1", "a", 4), ("C1", "T2", "a", 3), ("O1", "T2", "a", 4)]
    rows += [("C2", "T3", "a", 5), ("C3", "T3", "a", 1), ("O1", "T3", "a", 2)]
    tenders = [tender("T1", price=100), tender("T2", price=60), tender("T3", price=50)]
    scores = frame(rows)
    result = lot_robustness(ex, tenders, scores)
    assert result is not None and result.winner == "T1"
    without_c2 = commission.score(ex, tenders, scores[scores["evaluator"] != "C2"])
    assert without_c2.tender("T3").passed is False
    assert without_c2.tender("T2").total_score == Fraction(766, 10)
    assert without_c2.lot("main").recommended == ("T2",)
    # C1 and O1: T1 and T2 left unscored by a panel (incomplete). C3: T3 rises to 3.5 and wins.
    assert result.leave_one_out == ("C1", "C2", "C3", "O1")
    # T3 sits on its minimum: any fall in either panel's mean fails it, which moves the lowest
    # passing price to 60 and puts T2 first, as above. So the smallest change is "any fall".
    assert result.smallest_change == SmallestChange(
        "T3", "a", "community", Fraction(0), False, Fraction(3), False
    )


def test_no_winner_no_robustness() -> None:
    ex = exercise(criteria=criteria_set(["a"]))
    rows = [("C1", "T1", "a", 3), ("O1", "T1", "a", 3), ("C1", "T2", "a", 3), ("O1", "T2", "a", 3)]
    assert lot_robustness(ex, [tender("T1"), tender("T2")], frame(rows)) is None  # a tie
    assert lot_robustness(ex, [tender("T1")], frame(rows[:1])) is None  # incomplete
    assert robustness_by_lot(ex, [tender("T1"), tender("T2")], frame(rows)) == {}


def test_lone_tender_without_lines_cannot_be_moved() -> None:
    rows = [("C1", "T1", "a", 2), ("O1", "T1", "a", 4), ("C2", "T1", "a", 1)]
    ex = exercise(["C1", "C2"], ["O1"], criteria=criteria_set(["a"]))
    result = lot_robustness(ex, [tender("T1")], frame(rows))
    assert result is not None
    assert result.community_weight_range == WeightRange(Fraction(0), Fraction(100), True, True)
    assert result.smallest_change is None
    assert result.leave_one_out == ("O1",)  # the only officer: the lot would be incomplete
    sentences = robustness_sentences(result, ex, {"T1": "Bidder T1"})
    assert sentences == (
        "T1 (Bidder T1) stays first whatever weight the community panel's scores are given, "
        "from 0% to 100% (today 50%, the officer panel carrying the rest).",
        "This exercise gives price no weight, so price cannot change the result.",
        "Leaving out the scores of evaluator O1 alone would change the winner.",
        "No change to one panel's mean score on one criterion, anywhere on the scale, would "
        "change the winner.",
    )


def test_sentences_in_plain_words() -> None:
    ex = exercise(criteria=criteria_set(["a"]), price_weight=20)
    rows = [("C1", "T1", "a", 3), ("O1", "T1", "a", 3), ("C1", "T2", "a", 2), ("O1", "T2", "a", 3)]
    result = lot_robustness(ex, [tender("T1", price=100), tender("T2", price=80)], frame(rows))
    assert result is not None
    assert robustness_sentences(result, ex) == (
        "T1 stays first for any community-panel weight from just above 25.00% to 100.00% "
        "(today 50%, the officer panel carrying the rest).",
        "It stays first for any price weight from 0.00% to just below 33.33% (today 20%).",
        "Leaving out the scores of any one of evaluators C1 or O1 would change the winner.",
        "The smallest change that would alter the result is the community panel's mean score "
        "for T1 on Criterion a falling by 0.50 points, from 3.00 to 2.50.",
    )
    on_the_line = replace(
        result,
        smallest_change=SmallestChange(
            "T2", "a", "officer", Fraction(0), False, Fraction(3), False
        ),
    )
    assert robustness_sentences(on_the_line, ex)[3] == (
        "The result rests on a line: any fall in the officer panel's mean score for T2 on "
        "Criterion a (now 3.00) would change it."
    )
    knife_edge = replace(
        result, community_weight_range=WeightRange(Fraction(50), Fraction(50), True, True)
    )
    assert robustness_sentences(knife_edge, ex)[0] == (
        "T1 is first only at exactly 50% each: any shift of weight between the panels would "
        "change the result."
    )
    beyond = replace(
        result,
        smallest_change=SmallestChange("T2", "a", "officer", Fraction(1), False, Fraction(3), True),
    )
    assert robustness_sentences(beyond, ex)[3].endswith(
        "rising by more than 1.00 points, from 3.00 to 4.00."
    )


def test_lots_are_separate() -> None:
    ex = exercise(criteria=criteria_set(["a"]), lots=("east", "west"))
    rows = [("C1", "E1", "a", 4), ("O1", "E1", "a", 4), ("C1", "E2", "a", 3), ("O1", "E2", "a", 3)]
    rows += [("C1", "W1", "a", 1), ("O1", "W1", "a", 1)]
    tenders = [tender("E1", "east"), tender("E2", "east"), tender("W1", "west")]
    found = robustness_by_lot(ex, tenders, frame(rows))
    assert list(found) == ["east", "west"]
    assert found["east"].winner == "E1" and found["west"].winner == "W1"
    assert isinstance(found["east"], Robustness)


# -- random small exercises -----------------------------------------------------------------


@st.composite
def lots(draw: st.DrawFn) -> tuple[Exercise, list[Tender], pd.DataFrame]:
    ids = ["a", "b", "c"][: draw(st.integers(1, 3))]
    weights = [draw(st.integers(1, 3)) for _ in ids]
    minimums = {c: draw(st.sampled_from([1, 2, 2.5, 3])) for c in ids if draw(st.booleans())}
    threshold = draw(st.sampled_from([None, None, 30, 45, 55]))
    price_weight = draw(st.sampled_from([0, 0, 10, 20, 40, 70, 100]))
    community = [f"C{i}" for i in range(1, draw(st.integers(1, 3)) + 1)]
    officer = [f"O{i}" for i in range(1, draw(st.integers(1, 2)) + 1)]
    n_tenders = draw(st.integers(1, 4))
    tender_ids = [f"T{i}" for i in range(1, n_tenders + 1)]
    ex = exercise(
        community,
        officer,
        criteria=criteria_set(ids, weights=weights, minimums=minimums),
        price_weight=price_weight,
        quality_threshold=threshold,
        # Two community scores needed sometimes: then leaving one out can leave a gap.
        min_evaluators={"community": draw(st.integers(1, len(community))), "officer": 1},
    )
    tenders = [tender(t, price=draw(st.integers(50, 200)) * 1000) for t in tender_ids]
    rows = [
        (e, t, c, draw(st.integers(0, 5)))
        for e in community + officer
        for t in tender_ids
        for c in ids
        if draw(st.integers(0, 9)) > 0 or e in ("C1", "O1")  # others sometimes leave gaps
    ]
    return ex, tenders, frame(rows)


FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(lots(), st.fractions(0, 1, max_denominator=1000), st.sampled_from([None, 0, 15, 50, 100]))
def test_generalised_rules_equal_the_project_rules(
    case: tuple[Exercise, list[Tender], pd.DataFrame], w: Fraction, p: int | None
) -> None:
    ex, tenders, scores = case
    model = LotModel(ex, tenders, lot_tallies(ex, tenders, scores))
    # At 50/50 against commission.scoring directly, at the exercise's or another price weight.
    direct = scoring.score(
        ex if p is None else replace(ex, price_weight=Fraction(p)), tenders, scores
    )
    mine = {
        s.tender: s for s in model.standings(Fraction(1, 2), None if p is None else Fraction(p))
    }
    for t in direct.tenders:
        s = mine[t.tender]
        assert (s.quality, s.passed, s.total) == (t.quality_score, t.passed, t.total_score)
        assert s.ranked == (t.rank is not None)
    assert model.first(Fraction(1, 2), None if p is None else Fraction(p)) == first(direct)
    # At any community weight against commission.scoring on the rescaled exercise.
    oracle = scored_at(ex, tenders, lot_tallies(ex, tenders, scores), w, p)
    mine = {s.tender: s for s in model.standings(w, None if p is None else Fraction(p))}
    for t in oracle.tenders:
        s = mine[t.tender]
        assert (s.quality, s.passed, s.total) == (t.quality_score, t.passed, t.total_score)
    assert model.first(w, None if p is None else Fraction(p)) == first(oracle)
    # The precomputed lines in w give the same ranked totals.
    lines = LinesInW(model, None if p is None else Fraction(p))
    ranked = {s.tender: s.total for s in mine.values() if s.ranked}
    assert lines.ranked_totals(w) == ranked


def _check_range(span: WeightRange, winner: str, exactly: object, nearby: object) -> None:
    """Just inside each end keeps the winner, just outside changes it.

    ``exactly`` and ``nearby`` map a percent to the first tender(s): ``exactly`` is used at the
    ends and the middle, ``nearby`` a hair (1e-18 percent) away from the ends, where the
    rescaled oracle's integers would be too large for the project's int64 tallies.
    """
    at, near = exactly, nearby  # type: ignore[assignment]
    assert span.lo <= span.hi
    for x in (span.lo, span.hi, (span.lo + span.hi) / 2):
        assert (at(x) == (winner,)) == (x in span), x
    for x in (span.lo + TINY, span.hi - TINY):
        if span.lo < x < span.hi:
            assert near(x) == (winner,), x
    if span.lo > 0 and span.lo_included:
        assert near(span.lo - TINY) != (winner,)
    if span.hi < 100 and span.hi_included:
        assert near(span.hi + TINY) != (winner,)


@FAST
@given(lots())
def test_weight_ranges_hold_just_inside_and_break_just_outside(
    case: tuple[Exercise, list[Tender], pd.DataFrame],
) -> None:
    ex, tenders, scores = case
    result = lot_robustness(ex, tenders, scores)
    outcome = scoring.score(ex, tenders, scores).lot("main")
    if outcome.outcome != scoring.OUTCOME_WINNER:
        assert result is None
        return
    assert result is not None and result.winner == outcome.recommended[0]
    tallies = lot_tallies(ex, tenders, scores)
    model = LotModel(ex, tenders, tallies)
    span = result.community_weight_range
    assert Fraction(50) in span
    _check_range(
        span,
        result.winner,
        lambda x: first(scored_at(ex, tenders, tallies, x / 100)),
        lambda x: model.first(x / 100),
    )
    if ex.price_weight == 0:
        assert result.price_weight_range is None
        return
    prices = result.price_weight_range
    assert prices is not None and ex.price_weight in prices

    def by_price(x: Fraction) -> tuple[str, ...]:
        return first(scoring.score(replace(ex, price_weight=x), tenders, scores))

    _check_range(prices, result.winner, by_price, by_price)


@FAST
@given(lots())
def test_leave_one_out_by_rescoring_without_the_evaluator(
    case: tuple[Exercise, list[Tender], pd.DataFrame],
) -> None:
    ex, tenders, scores = case
    result = lot_robustness(ex, tenders, scores)
    if result is None:
        return
    changed = []
    for evaluator in ex.evaluators:
        rest = scores[scores["evaluator"] != evaluator.id]
        if len(rest) == len(scores):
            continue
        outcome = commission.score(ex, tenders, rest).lot("main")
        if not (
            outcome.outcome == scoring.OUTCOME_WINNER and outcome.recommended == (result.winner,)
        ):
            changed.append(evaluator.id)
    assert result.leave_one_out == tuple(changed)


@FAST
@given(lots())
def test_smallest_change_applied_changes_the_winner_and_nothing_smaller_does(
    case: tuple[Exercise, list[Tender], pd.DataFrame],
) -> None:
    ex, tenders, scores = case
    result = lot_robustness(ex, tenders, scores)
    if result is None:
        return
    tallies = lot_tallies(ex, tenders, scores)
    model = LotModel(ex, tenders, tallies)
    winner = result.winner
    change = result.smallest_change

    def first_with(
        tender_id: str, criterion: str, panel: str, delta: Fraction, exactly: bool = True
    ) -> tuple[str, ...]:
        mean = model.means(tender_id, criterion, panel)
        assert mean is not None
        override = Override(tender_id, criterion, panel, mean + delta)
        if exactly:  # applied to the tallies and re-scored by commission.scoring
            return first(scored_at(ex, tenders, tallies, override=override))
        return model.first(override=override)  # a hair away: too fine for int64 tallies

    if change is not None:
        scale = ex.criteria[change.criterion].scale
        assert scale.min <= change.mean + change.delta <= scale.max
        assert change.mean == model.means(change.tender, change.criterion, change.panel)
        assert (change.delta > 0) == change.rising or change.delta == 0
        where = (change.tender, change.criterion, change.panel)
        step = TINY if change.rising else -TINY
        if change.inclusive:
            assert first_with(*where, change.delta) != (winner,)
            if change.delta != 0:
                assert first_with(*where, change.delta - step, exactly=False) == (winner,)
                assert first_with(*where, change.delta * Fraction(99, 100)) == (winner,)
        else:
            assert first_with(*where, change.delta) == (winner,)
            assert first_with(*where, change.delta + step, exactly=False) != (winner,)
    # No single mean moved by less than the reported size changes the winner (on a grid of
    # sizes, both ways, everywhere); with no reported change, nothing on the scale does.
    for t in tenders:
        for criterion in ex.criteria.criteria:
            for panel in ("community", "officer"):
                mean = model.means(t.id, criterion.id, panel)
                if mean is None:
                    continue
                if change is None:
                    sizes = [Fraction(k, 4) for k in range(1, 4 * criterion.scale.max + 1)]
                else:
                    sizes = [abs(change.delta) * Fraction(k, 8) for k in range(1, 8)]
                for size in sizes:
                    for delta in (size, -size):
                        if criterion.scale.min <= mean + delta <= criterion.scale.max:
                            override = Override(t.id, criterion.id, panel, mean + delta)
                            assert model.first(override=override) == (winner,), (t.id, delta)
