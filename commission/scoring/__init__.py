"""Scoring (SPEC §6): one tally of the scores, the rules over it, and the results.

Everything that decides a pass, a rank or a tie is computed in exact rational arithmetic from
exact integer aggregates — the sum and the count of each panel's scores per tender and
criterion. Floats appear only at the edge, in :meth:`Results.to_dict` and
:meth:`Results.to_frame`, and rounding to two decimals only where a person reads a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..records import Exercise, Tender
from .results import (
    OUTCOME_INCOMPLETE,
    OUTCOME_NONE_PASSED,
    OUTCOME_TIE,
    OUTCOME_WINNER,
    PANEL_WEIGHT,
    Comment,
    CriterionResult,
    LotResult,
    Results,
    TenderResult,
    display,
    ratio_text,
)
from .tally import (
    LazyComments,
    PanelTally,
    Tallies,
    TallyGrid,
    comments,
    grid_from_frame,
    grid_from_tallies,
    no_gc_pauses,
    tally,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OUTCOME_INCOMPLETE",
    "OUTCOME_NONE_PASSED",
    "OUTCOME_TIE",
    "OUTCOME_WINNER",
    "PANEL_WEIGHT",
    "Comment",
    "CriterionResult",
    "LotResult",
    "PanelTally",
    "Results",
    "TallyGrid",
    "TenderResult",
    "comments",
    "display",
    "no_gc_pauses",
    "ratio_text",
    "score",
    "score_tallies",
    "tally",
]


def score(exercise: Exercise, tenders: Iterable[Tender], scores: pd.DataFrame) -> Results:
    """Apply SPEC §6 to checked records. ``scores`` is the score frame of ARCHITECTURE.md."""
    from .rules import score_grid

    tender_list = sorted(tenders, key=lambda t: t.id)
    grid = grid_from_frame(scores, exercise, [t.id for t in tender_list])
    with no_gc_pauses():
        return score_grid(exercise, tender_list, grid, LazyComments(scores, exercise))


def score_tallies(
    exercise: Exercise,
    tenders: Iterable[Tender],
    tallies: Tallies | pd.DataFrame,
    comments: Sequence[Comment] = (),
) -> Results:
    """SPEC §6 from exact per-panel aggregates: a mapping ``(tender, criterion, panel)`` →
    :class:`PanelTally`, or a DataFrame with columns tender, criterion, panel, total, count."""
    from .rules import score_grid

    tender_list = sorted(tenders, key=lambda t: t.id)
    grid = grid_from_tallies(tallies, exercise, [t.id for t in tender_list])
    if not isinstance(comments, LazyComments):
        comments = tuple(comments)
    with no_gc_pauses():
        return score_grid(exercise, tender_list, grid, comments)
