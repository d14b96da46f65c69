"""The moderation pack's figures: exact spread per panel, the rounded standard deviation, the
gap with divergent points first, outlying scores, and the agenda as data."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, getcontext
from fractions import Fraction

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from commission.analysis.agenda import agenda
from commission.analysis.spread import PanelSpread, sd_display, spreads
from commission.inputs.exercise import load_exercise
from commission.inputs.tenders import read_tenders

from .store_helpers import EXERCISE, TENDERS


@given(st.fractions(min_value=0, max_value=10_000, max_denominator=10_000))
def test_the_standard_deviation_is_correctly_rounded(variance: Fraction) -> None:
    getcontext().prec = 60
    root = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
    expected = root.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert sd_display(variance) == f"{expected:.2f}"


def test_panel_spread_is_exact() -> None:
    panel = PanelSpread("community", (("R1", 1), ("R2", 2), ("R3", 2), ("R4", 5)))
    assert panel.mean == Fraction(5, 2)
    assert panel.median == 2
    assert (panel.low, panel.high, panel.range) == (1, 5, 4)
    assert panel.variance == Fraction(9, 4)  # ((1.5)² + 0.5² + 0.5² + 2.5²) / 4
    assert sd_display(panel.variance) == "1.50"
    assert PanelSpread("officer", ()).mean is None


def _scores(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["evaluator", "tender", "criterion", "score"])


def test_divergent_points_come_first_and_outliers_stand_apart() -> None:
    exercise = load_exercise(EXERCISE)  # divergence threshold 2
    tenders = read_tenders(TENDERS, exercise)
    rows = [
        # T-002 local-assets: community 5, 5, 5 vs officers 1 — divergent by 4
        ("R1", "T-002", "local-assets", 5),
        ("R2", "T-002", "local-assets", 5),
        ("R4", "T-002", "local-assets", 5),
        ("OF1", "T-002", "local-assets", 1),
        # T-001 innovation: community 4, 4, 4, 0 — R5 lies 3 from the mean of 3
        ("R1", "T-001", "innovation", 4),
        ("R2", "T-001", "innovation", 4),
        ("R4", "T-001", "innovation", 4),
        ("R5", "T-001", "innovation", 0),
        ("OF1", "T-001", "innovation", 3),
        # T-001 local-assets: close, and a panel of two has no outlier
        ("R1", "T-001", "local-assets", 1),
        ("R2", "T-001", "local-assets", 5),
        ("OF1", "T-001", "local-assets", 3),
    ]
    abstained = pd.DataFrame(
        [("R6", "T-001", "local-assets", "conflict")],
        columns=["evaluator", "tender", "criterion", "comment"],
    )
    found = spreads(exercise, tenders, _scores(rows), abstained)
    assert [(s.tender, s.criterion, s.divergent) for s in found] == [
        ("T-002", "local-assets", True),
        ("T-001", "local-assets", False),
        ("T-001", "innovation", False),
    ]
    assert found[0].gap == 4
    (outlier,) = found[2].outliers
    assert (outlier.evaluator, outlier.score, outlier.panel_mean) == ("R5", 0, 3)
    assert found[1].outliers == ()
    assert found[1].panels[0].abstained == 1 and found[1].panels[0].n == 2
    row = found[0].row()
    assert row["community_mean"] == "5.00" and row["officer_n"] == 1 and row["gap"] == "4.00"
    assert row["community_sd"] == "0.00" and row["divergent"] == "yes"

    plan = agenda(exercise, ["east"], found).to_dict()
    (east,) = plan["lots"]
    points, outliers, every = east["sections"]
    bidder = {t.id: t.bidder for t in tenders}["T-002"]
    name = exercise.criteria["local-assets"].name
    assert points["rows"] == [["T-002", bidder, name, "5.00", "1.00", "4.00"]]
    assert outliers["rows"][0][3] == "R5"
    assert len(every["rows"]) == 3
