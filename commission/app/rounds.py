"""Results with rounds and abstentions: the store's view of each evaluator's latest round (or
the independent round alone), with the other round's figures beside it (SPEC §6, §11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Problem, Usage

if TYPE_CHECKING:
    import pandas as pd

    from ..records import Exercise, Tender
    from ..scoring import Results
    from ..store.repository import Repository

#: What ``results`` may be asked for: each evaluator's latest round, or round one alone.
ROUND_VIEWS = ("latest", "independent", "moderated")


def view_of(round_view: str | None) -> str:
    """The store's view for a round name (``moderated`` is the latest round)."""
    if round_view is None or round_view in ("latest", "moderated"):
        return "latest"
    if round_view == "independent":
        return "independent"
    raise Usage(
        f"unknown round '{round_view}': choose independent, moderated or latest",
        [Problem("unknown-round", "unknown round", value=round_view)],
    )


@dataclass
class RoundReading:
    """What one snapshot read for results with rounds."""

    tallies: pd.DataFrame
    abstained: dict[tuple[str, str, str], int]
    comments: Any
    independent: pd.DataFrame | None
    moderated: set[str]
    frame: pd.DataFrame | None


def read_rounds(repo: Repository, exercise: Exercise, view: str, *, analysis: bool) -> RoundReading:
    """Everything results need from a store that holds moderated scores or abstentions."""
    from .. import scoring
    from ..scoring.rounds import abstained_counts

    seen = repo.round_tallies(exercise.id, view)
    tallies = seen[seen["count"] > 0].drop(columns="abstained").reset_index(drop=True)
    first = None
    if view == "latest":
        one = repo.round_tallies(exercise.id, "independent")
        first = one[one["count"] > 0].drop(columns="abstained").reset_index(drop=True)
    frame = None
    if analysis:
        frame = repo.round_score_frame(exercise.id, view).drop(columns=["round", "reason"])
    return RoundReading(
        tallies=tallies,
        abstained=abstained_counts(seen),
        comments=scoring.comments(repo.round_commented(exercise.id, view), exercise),
        independent=first,
        moderated=repo.moderated_tenders(exercise.id) if view == "latest" else set(),
        frame=frame,
    )


def scored_rounds(exercise: Exercise, tenders: Sequence[Tender], read: RoundReading) -> Results:
    """SPEC §6 over the view's tallies, with the rounds and abstentions beside them."""
    from .. import scoring
    from ..scoring.rounds import with_rounds

    found = scoring.score_tallies(exercise, tenders, read.tallies, read.comments)
    first = (
        scoring.score_tallies(exercise, tenders, read.independent)
        if read.independent is not None
        else None
    )
    return with_rounds(found, abstained=read.abstained, independent=first, moderated=read.moderated)
