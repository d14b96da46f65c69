"""Small exercises built straight from the records, for the scoring tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import pandas as pd

from commission.records import (
    CriteriaSet,
    Criterion,
    Evaluator,
    Exercise,
    Lot,
    Scale,
    Tender,
)

SCALE = Scale(0, 5, {i: f"point {i}" for i in range(6)})


def criteria_set(
    ids: Sequence[str] = ("a", "b"),
    weights: Sequence[object] | None = None,
    minimums: dict[str, object] | None = None,
) -> CriteriaSet:
    weights = weights or [1] * len(ids)
    minimums = minimums or {}
    return CriteriaSet(
        id="test",
        title="Test set",
        scale=SCALE,
        criteria=tuple(
            Criterion(
                id=c,
                name=f"Criterion {c}",
                question="?",
                guidance="",
                weight=Fraction(str(w)),
                scale=SCALE,
                minimum=Fraction(str(minimums[c])) if c in minimums else None,
            )
            for c, w in zip(ids, weights, strict=True)
        ),
    )


def exercise(
    community: Iterable[str] = ("C1",),
    officer: Iterable[str] = ("O1",),
    *,
    criteria: CriteriaSet | None = None,
    lots: Sequence[str] = ("main",),
    price_weight: object = 0,
    quality_threshold: object | None = None,
    divergence_threshold: object = 2,
    min_evaluators: dict[str, int] | None = None,
    conflicts: dict[str, Iterable[str]] | None = None,
) -> Exercise:
    conflicts = conflicts or {}
    evaluators = tuple(
        Evaluator(e, f"Person {e}", panel, frozenset(conflicts.get(e, ())))
        for panel, members in (("community", community), ("officer", officer))
        for e in members
    )
    return Exercise(
        id="ex",
        title="Exercise",
        authority="Council",
        criteria=criteria or criteria_set(),
        lots=tuple(Lot(lot, lot.title()) for lot in lots),
        evaluators=evaluators,
        price_weight=Fraction(str(price_weight)),
        quality_threshold=None if quality_threshold is None else Fraction(str(quality_threshold)),
        divergence_threshold=Fraction(str(divergence_threshold)),
        min_evaluators=min_evaluators or {"community": 1, "officer": 1},
    )


def tender(tender_id: str, lot: str = "main", price: object | None = None) -> Tender:
    return Tender(
        id=tender_id,
        lot=lot,
        bidder=f"Bidder {tender_id}",
        price=None if price is None else Fraction(str(price)),
        currency=None if price is None else "GBP",
    )


def frame(rows: Iterable[tuple[str, str, str, int]]) -> pd.DataFrame:
    """Score rows (evaluator, tender, criterion, score) as the score frame."""
    data = list(rows)
    return pd.DataFrame(
        {
            "evaluator": pd.Series([r[0] for r in data], dtype=object),
            "tender": pd.Series([r[1] for r in data], dtype=object),
            "criterion": pd.Series([r[2] for r in data], dtype=object),
            "score": pd.Series([r[3] for r in data], dtype="int64"),
            "comment": pd.Series([None] * len(data), dtype=object),
        }
    )


def every_criterion(
    evaluator: str, tender_id: str, scores: Sequence[int], ids: Sequence[str] = ("a", "b")
) -> list[tuple[str, str, str, int]]:
    return [(evaluator, tender_id, c, s) for c, s in zip(ids, scores, strict=True)]
