"""Krippendorff's alpha, interval metric, computed exactly (issue 14 point 4): Krippendorff's
own worked example, and the ``krippendorff`` package on generated data."""

from __future__ import annotations

import math
from fractions import Fraction

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.analysis.agreement import (
    Agreement,
    agreement_by_lot,
    interval_alpha,
    lot_agreement,
)
from commission.scoring import display

from .scoring_helpers import criteria_set, exercise, frame, tender

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: four observers
# A-D, twelve units, values 1-5, None where an observer gave no value. Published: nominal
# alpha 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
N = None
WORKED = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
}


def _package(matrix: list[list[int | None]]) -> float:
    """The krippendorff package's interval alpha of a coders × units matrix."""
    data = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))


def test_krippendorffs_worked_example_exactly() -> None:
    units = [[WORKED[o][u] for o in "ABCD"] for u in range(12)]
    alpha = interval_alpha(units)
    # Pairable values: unit 12 has one value only, so n = 40 values over 11 units, with
    # S1 = Σv = 100 and S2 = Σv² = 306, hence n·S2 − S1² = 2240; within the units,
    # Σ_u (m_u·S2_u − S1_u²)/(m_u − 1) = 26/3. alpha = 1 − (n − 1)·(26/3)/2240 = 951/1120.
    assert alpha == Fraction(951, 1120)
    assert display(alpha, 3) == "0.849"  # the published interval alpha
    assert math.isclose(float(alpha), _package(list(WORKED.values())), abs_tol=1e-12)


def test_worked_example_through_a_score_frame() -> None:
    # The four observers as the community panel, the twelve units as a lot's tenders.
    ex = exercise(["A", "B", "C", "D"], ["O1"], criteria=criteria_set(["a"]))
    tenders = [tender(f"T{u + 1:02d}") for u in range(12)]
    rows = [
        (o, f"T{u + 1:02d}", "a", v)
        for o, values in WORKED.items()
        for u, v in enumerate(values)
        if v is not None
    ]
    rows.append(("O1", "T01", "a", 3))  # one officer score: nothing to agree with
    found = lot_agreement(ex, tenders, frame(rows))
    assert [(a.panel, a.criterion) for a in found] == [("community", "a"), ("officer", "a")]
    community, officer = found
    assert community == Agreement("main", "community", "a", Fraction(951, 1120), 11, 40)
    assert officer.alpha is None and officer.units == 0
    assert community.to_dict() == {
        "panel": "community",
        "criterion": "a",
        "alpha": 951 / 1120,
        "exact": {"alpha": "951/1120"},
    }
    assert officer.to_dict() == {
        "panel": "officer",
        "criterion": "a",
        "alpha": None,
        "exact": {"alpha": None},
    }


def test_undefined_where_there_is_nothing_to_measure() -> None:
    assert interval_alpha([]) is None
    assert interval_alpha([[3], [4, None]]) is None  # no unit with two values
    assert interval_alpha([[3, 3], [3, 3, 3]]) is None  # no variation at all: D_e = 0
    assert interval_alpha([[1, 1], [5, 5]]) == 1  # perfect agreement
    # Two units that disagree as much as the data allows: D_o = D_e... and beyond.
    assert interval_alpha([[1, 5], [5, 1]]) == Fraction(-1, 2)


def test_lots_and_other_tenders_are_kept_apart() -> None:
    ex = exercise(["C1", "C2"], ["O1", "O2"], criteria=criteria_set(["a", "b"]), lots=("e", "w"))
    rows = [
        ("C1", "E1", "a", 1),
        ("C2", "E1", "a", 2),
        ("C1", "E2", "a", 4),
        ("C2", "E2", "a", 4),
        ("C1", "W1", "a", 0),
        ("C2", "W1", "a", 5),
        ("O1", "E1", "b", 2),
        ("O2", "E1", "b", 3),
    ]
    tenders = [tender("E1", "e"), tender("E2", "e"), tender("W1", "w")]
    found = agreement_by_lot(ex, tenders, frame(rows))
    assert list(found) == ["e", "w"]
    east = {(a.panel, a.criterion): a for a in found["e"]}
    assert east[("community", "a")].alpha == interval_alpha([[1, 2], [4, 4]])
    assert east[("community", "a")].lot == "e"
    # One tender scored 2 and 3: the only variation is within it, D_o = D_e, alpha = 0.
    assert east[("officer", "b")].alpha == 0
    assert east[("officer", "a")].alpha is None and east[("community", "b")].alpha is None
    west = {(a.panel, a.criterion): a for a in found["w"]}
    assert west[("community", "a")].alpha == 0  # the single pair 0, 5 likewise
    assert west[("community", "a")].values == 2
    with pytest.raises(ValueError, match="more than once"):
        lot_agreement(ex, tenders[:2], frame(rows + [("C1", "E1", "a", 3)]))
    with pytest.raises(ValueError, match="not in the exercise"):
        lot_agreement(ex, tenders[:2], frame([("X9", "E1", "a", 3)]))


matrices = st.integers(2, 5).flatmap(
    lambda coders: st.integers(1, 8).flatmap(
        lambda units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(matrices)
def test_equals_the_krippendorff_package(matrix: list[list[int | None]]) -> None:
    units = [list(column) for column in zip(*matrix, strict=True)]
    alpha = interval_alpha(units)
    pairable = [v for unit in units if sum(x is not None for x in unit) >= 2 for v in unit]
    values = [v for v in pairable if v is not None]
    if alpha is None:
        assert len(values) < 2 or len(set(values)) == 1
        return
    assert abs(float(alpha) - _package(matrix)) <= 1e-12


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_score_frames_equal_the_package(data: st.DataObject) -> None:
    community = [f"C{i}" for i in range(1, data.draw(st.integers(1, 4)) + 1)]
    officer = [f"O{i}" for i in range(1, data.draw(st.integers(1, 4)) + 1)]
    tender_ids = [f"T{i}" for i in range(1, data.draw(st.integers(1, 6)) + 1)]
    ex = exercise(community, officer, criteria=criteria_set(["a", "b"]))
    rows = [
        (e, t, c, data.draw(st.integers(0, 5)))
        for e in community + officer
        for t in tender_ids
        for c in ("a", "b")
        if data.draw(st.booleans())
    ]
    scores = frame(rows).sample(frac=1, random_state=0)  # row order must not matter
    found = lot_agreement(ex, [tender(t) for t in tender_ids], scores)
    assert len(found) == 4
    for a in found:
        members = community if a.panel == "community" else officer
        given_ = {(e, t): s for e, t, c, s in rows if c == a.criterion and e in members}
        matrix = [[given_.get((e, t)) for t in tender_ids] for e in members]
        if a.alpha is None:
            continue
        assert abs(float(a.alpha) - _package(matrix)) <= 1e-12


def test_empty_frame() -> None:
    ex = exercise(criteria=criteria_set(["a"]))
    found = lot_agreement(ex, [tender("T1")], pd.DataFrame())
    assert [a.alpha for a in found] == [None, None]
