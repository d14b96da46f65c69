"""Diagnostics over a scored lot (SPEC §11): how far each panel agrees, and how robust the
winner is. Pure functions over checked records and the score frame; no files, no database.

* :func:`lot_agreement` / :func:`agreement_by_lot` — Krippendorff's alpha (interval), exactly,
  per criterion and panel;
* :func:`lot_robustness` / :func:`robustness_by_lot` — the community-panel and price weight
  ranges over which the winner stays first, leave-one-out, and the smallest change to one
  panel's mean that would change the winner;
* :func:`robustness_sentences` — the decision's "How robust is this result?" in plain words.
"""

from __future__ import annotations

from .agreement import Agreement, agreement_by_lot, interval_alpha, lot_agreement
from .robustness import (
    Robustness,
    SmallestChange,
    WeightRange,
    lot_robustness,
    lot_tallies,
    robustness_by_lot,
)
from .wording import robustness_sentences

__all__ = [
    "Agreement",
    "Robustness",
    "SmallestChange",
    "WeightRange",
    "agreement_by_lot",
    "interval_alpha",
    "lot_agreement",
    "lot_robustness",
    "lot_tallies",
    "robustness_by_lot",
    "robustness_sentences",
]
