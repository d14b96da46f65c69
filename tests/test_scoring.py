"""The scoring rules of SPEC §6: hand-worked examples with the arithmetic written out, and
hypothesis properties that must hold for every exercise."""

from __future__ import annotations

import copy
from fractions import Fraction

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission import scoring
from commission.scoring import display, score

from .scoring_helpers import criteria_set, every_criterion, exercise, frame, tender


def test_equal_panel_weight_beats_headcount() -> None:
    # Four residents and one officer, one criterion on a 0-5 scale.
    # T1: residents 2,2,2,2 (mean 2), officer 5 -> combined (2 + 5) / 2 = 3.5 -> quality 70
    # T2: residents 3,3,3,3 (mean 3), officer 3 -> combined (3 + 3) / 2 = 3   -> quality 60
    # Pooled averaging would give T1 (4*2 + 5) / 5 = 2.6 and T2 3.0, so T2 would win: headcount
    # would let the larger panel outvote the officer. Equal panel weight ranks T1 first.
    ex = exercise(["C1", "C2", "C3", "C4"], ["O1"], criteria=criteria_set(["a"]))
    rows = [(c, "T1", "a", 2) for c in ("C1", "C2", "C3", "C4")] + [("O1", "T1", "a", 5)]
    rows += [(c, "T2", "a", 3) for c in ("C1", "C2", "C3", "C4")] + [("O1", "T2", "a", 3)]
    results = score(ex, [tender("T1"), tender("T2")], frame(rows))

    pooled = {
        t: sum(s for _, tt, _, s in rows if tt == t) / len([r for r in rows if r[1] == t])
        for t in ("T1", "T2")
    }
    assert pooled["T2"] > pooled["T1"]  # the trap equal weighting avoids

    t1, t2 = results.tender("T1"), results.tender("T2")
    assert t1.criteria[0].community_mean == 2 and t1.criteria[0].officer_mean == 5
    assert t1.criteria[0].combined == Fraction(7, 2)
    assert t1.quality_score == 70 and t2.quality_score == 60
    assert (t1.rank, t2.rank) == (1, 2)
    assert results.lot("main").recommended == ("T1",)
    assert results.to_dict()["weighting"] == {"community": 0.5, "officer": 0.5}


def test_minimum_failed_excludes_an_otherwise_strong_tender() -> None:
    # Criterion a has minimum 3. T1: a = (2 + 3) / 2 = 2.5 < 3 -> fails, although
    # its quality is 100 * (2.5/5 + 5/5) / 2 = 75. T2: 3 everywhere -> quality 60, passes.
    ex = exercise(criteria=criteria_set(["a", "b"], minimums={"a": 3}))
    rows = every_criterion("C1", "T1", [2, 5]) + every_criterion("O1", "T1", [3, 5])
    rows += every_criterion("C1", "T2", [3, 3]) + every_criterion("O1", "T2", [3, 3])
    results = score(ex, [tender("T1"), tender("T2")], frame(rows))
    t1, t2 = results.tender("T1"), results.tender("T2")
    assert t1.quality_score == 75
    assert t1.criterion("a").below_minimum is True
    assert t1.criterion("b").below_minimum is False
    assert t1.passed is False and t1.rank is None
    assert "below the minimum 3.00" in t1.failures[0]
    assert t2.passed is True and t2.rank == 1
    assert results.lot("main").outcome == "winner"


def test_price_weighting_ignores_cheapest_tender_that_fails_quality() -> None:
    # price_weight 20, quality_threshold 50, one criterion.
    # T1 £100,000, scores 1 and 1 -> quality 20 -> fails the threshold.
    # T2 £200,000, scores 4 and 4 -> quality 80; T3 £250,000, 5 and 5 -> quality 100.
    # Lowest price among PASSING tenders = £200,000 (T1 is cheaper but failed).
    # T2: price 20 * 200000/200000 = 20; total 0.8 * 80 + 20 = 84
    # T3: price 20 * 200000/250000 = 16; total 0.8 * 100 + 16 = 96
    ex = exercise(criteria=criteria_set(["a"]), price_weight=20, quality_threshold=50)
    tenders = [tender("T1", price=100000), tender("T2", price=200000), tender("T3", price=250000)]
    rows = [("C1", "T1", "a", 1), ("O1", "T1", "a", 1)]
    rows += [("C1", "T2", "a", 4), ("O1", "T2", "a", 4)]
    rows += [("C1", "T3", "a", 5), ("O1", "T3", "a", 5)]
    results = score(ex, tenders, frame(rows))
    t1, t2, t3 = (results.tender(t) for t in ("T1", "T2", "T3"))
    assert t1.passed is False and t1.quality_score == 20
    assert t1.price_score is None and t1.total_score is None  # takes no part in the price
    assert "below the quality threshold 50.00" in t1.failures[0]
    assert (t2.price_score, t2.total_score) == (20, 84)
    assert (t3.price_score, t3.total_score) == (16, 96)
    assert (t3.rank, t2.rank, t1.rank) == (1, 2, None)
    assert [t["tender"] for t in results.to_dict()["tenders"]] == ["T3", "T2", "T1"]


def test_incomplete_tender_gets_no_rank_and_says_what_is_missing() -> None:
    # Two residents needed per criterion. T2 has only C1 on criterion b.
    ex = exercise(["C1", "C2"], ["O1"], min_evaluators={"community": 2, "officer": 1})
    rows = []
    for t in ("T1", "T2"):
        rows += every_criterion("C1", t, [4, 4]) + every_criterion("O1", t, [4, 4])
    rows += every_criterion("C2", "T1", [3, 3]) + [("C2", "T2", "a", 5)]
    results = score(ex, [tender("T1"), tender("T2")], frame(rows))
    t1, t2 = results.tender("T1"), results.tender("T2")
    assert t1.status == "complete" and t1.rank == 1
    assert t2.status == "incomplete" and t2.rank is None
    assert t2.missing == ("b: community panel has 1 of 2 scores needed",)
    # Its scores are still shown, provisionally: a = (4.5 + 4) / 2, b = (4 + 4) / 2.
    assert t2.criterion("a").combined == Fraction(17, 4)
    lot = results.lot("main")
    assert lot.complete is False and lot.outcome == "incomplete"
    assert lot.recommended == ()  # an incomplete lot recommends nothing, as in the PDF


def test_tender_with_no_scores_from_one_panel_has_no_quality_score() -> None:
    ex = exercise()
    results = score(ex, [tender("T1")], frame(every_criterion("C1", "T1", [4, 4])))
    t1 = results.tender("T1")
    assert t1.quality_score is None and t1.passed is None and t1.total_score is None
    assert t1.criterion("a").combined is None and t1.criterion("a").divergent is None


def test_divergence_flags_the_gap_between_panels_at_the_threshold() -> None:
    # divergence threshold 2 scale points.
    # a: residents 1, 2 (mean 1.5) vs officer 4          -> gap 2.5 -> divergent
    # b: residents 3, 3 (mean 3)   vs officer 5          -> gap 2   -> divergent (>=)
    # c: residents 3, 3 (mean 3)   vs officers 4, 5 (4.5) -> gap 1.5 -> not divergent
    ids = ["a", "b", "c"]
    ex = exercise(["C1", "C2"], ["O1", "O2"], criteria=criteria_set(ids))
    rows = every_criterion("C1", "T1", [1, 3, 3], ids) + every_criterion("C2", "T1", [2, 3, 3], ids)
    rows += every_criterion("O1", "T1", [4, 5, 4], ids) + [("O2", "T1", "c", 5)]
    results = score(ex, [tender("T1")], frame(rows))
    flags = {c.criterion: c.divergent for c in results.tender("T1").criteria}
    assert flags == {"a": True, "b": True, "c": False}


def test_exact_tie_where_float_sums_differ() -> None:
    # Weights 0.1, 0.2, 0.7. T1 combined (1, 0, 1), T2 combined (0, 4, 0).
    # Exactly: 100 * (0.1*1/5 + 0.7*1/5) / 1 = 16 and 100 * (0.2*4/5) / 1 = 16 -> a tie.
    # Summed as floats the two come out as 15.999999999999998 and 16.0.
    ids = ["a", "b", "c"]
    weights = [0.1, 0.2, 0.7]
    ex = exercise(criteria=criteria_set(ids, weights=weights))
    rows = []
    for panel in ("C1", "O1"):
        rows += every_criterion(panel, "T1", [1, 0, 1], ids)
        rows += every_criterion(panel, "T2", [0, 4, 0], ids)

    def float_quality(values: list[int]) -> float:
        total = 0.0
        for w, v in zip(weights, values, strict=True):
            total += w * v / 5
        return 100 * total / sum(weights)

    assert float_quality([1, 0, 1]) != float_quality([0, 4, 0])
    results = score(ex, [tender("T1"), tender("T2")], frame(rows))
    t1, t2 = results.tender("T1"), results.tender("T2")
    assert t1.total_score == t2.total_score == 16
    assert (t1.rank, t2.rank) == (1, 1) and t1.tie and t2.tie
    assert results.lot("main").outcome == "tie"
    assert results.lot("main").recommended == ("T1", "T2")


def test_shared_rank_skips_the_next_place() -> None:
    ex = exercise(criteria=criteria_set(["a"]))
    rows = []
    for t, s in (("T1", 4), ("T2", 4), ("T3", 3)):
        rows += [("C1", t, "a", s), ("O1", t, "a", s)]
    results = score(ex, [tender(t) for t in ("T1", "T2", "T3")], frame(rows))
    assert [(t.tender, t.rank, t.tie) for t in results.tenders] == [
        ("T1", 1, True),
        ("T2", 1, True),
        ("T3", 3, False),
    ]


def test_lots_are_ranked_separately_and_price_compares_within_a_lot() -> None:
    ex = exercise(criteria=criteria_set(["a"]), lots=["east", "west"], price_weight=50)
    tenders = [tender("E1", "east", 100), tender("E2", "east", 200), tender("W1", "west", 400)]
    rows = []
    for t in ("E1", "E2", "W1"):
        rows += [("C1", t, "a", 5), ("O1", t, "a", 5)]
    results = score(ex, tenders, frame(rows))
    # W1 is the only passing tender of the west lot, so it is the lowest price there.
    assert results.tender("W1").price_score == 50 and results.tender("W1").rank == 1
    assert results.tender("E2").price_score == 25
    assert [lot.recommended for lot in results.lots] == [("E1",), ("W1",)]


def test_no_tender_passed() -> None:
    ex = exercise(criteria=criteria_set(["a"]), quality_threshold=90)
    rows = [("C1", "T1", "a", 2), ("O1", "T1", "a", 2)]
    results = score(ex, [tender("T1")], frame(rows))
    assert results.lot("main").outcome == "no-tender-passed"
    assert results.lot("main").recommended == ()


def test_display_rounds_half_up_exactly() -> None:
    assert display(Fraction(1, 3) * 100) == "33.33"
    assert display(Fraction(2, 3) * 100) == "66.67"
    assert display(Fraction(1005, 1000)) == "1.01"  # float 1.005 would round down to 1.00
    assert display(Fraction(0)) == "0.00"
    assert display(None) == "—"


# ----------------------------------------------------------------------------- properties

CRITERIA = ["a", "b", "c"]


@st.composite
def scored_exercises(draw: st.DrawFn) -> tuple:
    n_community = draw(st.integers(1, 4))
    n_officer = draw(st.integers(1, 3))
    n_tenders = draw(st.integers(1, 5))
    weights = draw(st.lists(st.integers(1, 9), min_size=3, max_size=3))
    price_weight = draw(st.sampled_from([0, 0, 20, 40]))
    threshold = draw(st.sampled_from([None, 30, 50]))
    community = [f"C{i}" for i in range(n_community)]
    officer = [f"O{i}" for i in range(n_officer)]
    tenders = [tender(f"T{i}", price=draw(st.integers(1, 10)) * 1000) for i in range(n_tenders)]
    rows = []
    for t in tenders:
        for e in community + officer:
            for c in CRITERIA:
                if draw(st.integers(0, 9)) > 0:  # now and then a score is left blank
                    rows.append((e, t.id, c, draw(st.integers(0, 5))))
    ex = exercise(
        community,
        officer,
        criteria=criteria_set(CRITERIA, weights=weights),
        price_weight=price_weight,
        quality_threshold=threshold,
    )
    return ex, tenders, rows


def _without_counts(document: dict) -> dict:
    document = copy.deepcopy(document)
    for t in document["tenders"]:
        for c in t["criteria"]:
            del c["community_n"], c["officer_n"]
    return document


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(scored_exercises(), st.sampled_from(["community", "officer"]))
def test_copying_a_panels_members_changes_no_result(case: tuple, panel: str) -> None:
    ex, tenders, rows = case
    before = score(ex, tenders, frame(rows))
    members = [e.id for e in ex.evaluators if e.panel == panel]
    copies = [(f"{e}-copy", t, c, s) for e, t, c, s in rows if e in members]
    community = [e.id for e in ex.evaluators if e.panel == "community"]
    officer = [e.id for e in ex.evaluators if e.panel == "officer"]
    if panel == "community":
        community += [f"{e}-copy" for e in members]
    else:
        officer += [f"{e}-copy" for e in members]
    bigger = exercise(
        community,
        officer,
        criteria=ex.criteria,
        price_weight=ex.price_weight,
        quality_threshold=ex.quality_threshold,
    )
    after = score(bigger, tenders, frame(rows + copies))
    assert _without_counts(after.to_dict()) == _without_counts(before.to_dict())


@PROPERTY_SETTINGS
@given(scored_exercises(), st.randoms(use_true_random=False))
def test_row_order_changes_no_result(case: tuple, random) -> None:
    ex, tenders, rows = case
    shuffled = rows[:]
    random.shuffle(shuffled)
    tenders_shuffled = tenders[:]
    random.shuffle(tenders_shuffled)
    assert (
        score(ex, tenders_shuffled, frame(shuffled)).to_dict()
        == score(ex, tenders, frame(rows)).to_dict()
    )


@PROPERTY_SETTINGS
@given(scored_exercises(), st.fractions(min_value=Fraction(1, 100), max_value=100))
def test_scaling_every_weight_changes_no_result(case: tuple, factor: Fraction) -> None:
    ex, tenders, rows = case
    if factor == 0:
        return
    scaled_set = criteria_set(
        CRITERIA, weights=[str(c.weight * factor) for c in ex.criteria.criteria]
    )
    # criteria_set parses weights from text; Fraction text "a/b" reads back exactly.
    scaled = exercise(
        [e.id for e in ex.evaluators if e.panel == "community"],
        [e.id for e in ex.evaluators if e.panel == "officer"],
        criteria=scaled_set,
        price_weight=ex.price_weight,
        quality_threshold=ex.quality_threshold,
    )
    assert (
        score(scaled, tenders, frame(rows)).to_dict() == score(ex, tenders, frame(rows)).to_dict()
    )


@PROPERTY_SETTINGS
@given(scored_exercises())
def test_scores_stay_in_bounds_and_ranks_follow_totals(case: tuple) -> None:
    ex, tenders, rows = case
    results = score(ex, tenders, frame(rows))
    for t in results.tenders:
        for value in (t.quality_score, t.total_score):
            assert value is None or 0 <= value <= 100
        if t.price_score is not None:
            assert t.passed and 0 < t.price_score <= ex.price_weight
        for c in t.criteria:
            for mean in (c.community_mean, c.officer_mean, c.combined):
                assert mean is None or 0 <= mean <= 5
    ranked = sorted((t for t in results.tenders if t.rank), key=lambda t: t.rank)
    for higher, lower in zip(ranked, ranked[1:], strict=False):
        assert higher.total_score >= lower.total_score
        assert (higher.rank == lower.rank) == (higher.total_score == lower.total_score)


@PROPERTY_SETTINGS
@given(st.lists(st.integers(0, 5), min_size=3, max_size=3), st.permutations([0, 1, 2]))
def test_tenders_built_to_tie_exactly_are_a_tie(values: list[int], order: list[int]) -> None:
    # Equal weights: the same combined scores on permuted criteria give exactly equal totals.
    ex = exercise(criteria=criteria_set(CRITERIA, weights=["0.1", "0.1", "0.1"]))
    rows = []
    for panel in ("C1", "O1"):
        rows += every_criterion(panel, "T1", values, CRITERIA)
        rows += every_criterion(panel, "T2", [values[i] for i in order], CRITERIA)
    results = score(ex, [tender("T1"), tender("T2")], frame(rows))
    t1, t2 = results.tender("T1"), results.tender("T2")
    assert t1.rank == t2.rank == 1 and t1.tie and t2.tie


def test_tally_rejects_scores_from_strangers() -> None:
    ex = exercise()
    bad = pd.DataFrame(
        {"evaluator": ["X"], "tender": ["T1"], "criterion": ["a"], "score": [3], "comment": [None]}
    )
    try:
        scoring.tally(bad, ex)
    except ValueError as error:
        assert "X" in str(error)
    else:  # pragma: no cover - the assertion above is the test
        raise AssertionError("a score from an unknown evaluator was tallied")
