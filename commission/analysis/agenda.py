"""The moderation meeting's agenda as plain data: sections of rows, ready for any renderer.

Built from the pack's figures (:mod:`commission.analysis.spread`): per lot, the divergent points
first (largest gap first), then the outlying scores, then every other tender and criterion. No
layout, no PDF or HTML here: a document renderer turns :meth:`Agenda.to_dict` into pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..records import Exercise
from ..scoring.results import display
from .spread import Spread


@dataclass(frozen=True)
class Section:
    """A heading, a sentence saying what the rows are, the column names and the rows."""

    heading: str
    lead: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "lead": self.lead,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }


@dataclass(frozen=True)
class LotAgenda:
    lot: str
    title: str
    sections: tuple[Section, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "lot": self.lot,
            "title": self.title,
            "sections": [s.to_dict() for s in self.sections],
        }


@dataclass(frozen=True)
class Agenda:
    exercise: str
    title: str
    lots: tuple[LotAgenda, ...]
    closing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "title": self.title,
            "lots": [lot.to_dict() for lot in self.lots],
            "closing": list(self.closing),
        }


_POINT_COLUMNS = ("tender", "bidder", "criterion", "community mean", "officer mean", "gap")
_OUTLIER_COLUMNS = ("tender", "criterion", "panel", "evaluator", "score", "panel mean")
_ALL_COLUMNS = (
    "tender",
    "criterion",
    "community n",
    "community mean",
    "community median",
    "community range",
    "community sd",
    "officer n",
    "officer mean",
    "officer median",
    "officer range",
    "officer sd",
)


def agenda(exercise: Exercise, lots: Sequence[str], found: Sequence[Spread]) -> Agenda:
    """The agenda of the moderation meeting for these lots."""
    names = {c.id: c.name for c in exercise.criteria.criteria}
    titles = {lot.id: lot.title for lot in exercise.lots}
    threshold = display(exercise.divergence_threshold)
    parts = []
    for lot in lots:
        mine = [s for s in found if s.lot == lot]
        points = tuple(
            (
                s.tender,
                s.bidder,
                names[s.criterion],
                display(s.panels[0].mean),
                display(s.panels[1].mean),
                display(s.gap),
            )
            for s in mine
            if s.divergent
        )
        outliers = tuple(
            (o.tender, names[o.criterion], o.panel, o.evaluator, o.score, display(o.panel_mean))
            for s in mine
            for o in s.outliers
        )
        every = tuple(
            (s.tender, names[s.criterion])
            + tuple(
                v
                for p in s.panels
                for v in (
                    p.n,
                    display(p.mean),
                    display(p.median),
                    "—" if p.range is None else p.range,
                    _sd(p.variance),
                )
            )
            for s in mine
        )
        sections = (
            Section(
                "Points of divergence",
                f"Where the community and officer panels' means differ by {threshold} points or "
                "more: discuss these first.",
                _POINT_COLUMNS,
                points,
            ),
            Section(
                "Outlying scores",
                f"Scores {threshold} points or more from their panel's mean (panels of three "
                "or more): the panel member may explain or revise them.",
                _OUTLIER_COLUMNS,
                outliers,
            ),
            Section(
                "Every tender and criterion",
                "Each panel's independent scores: how many, mean, median, range and standard "
                "deviation.",
                _ALL_COLUMNS,
                every,
            ),
        )
        parts.append(LotAgenda(lot, titles.get(lot, lot), sections))
    closing = (
        "Each panel member revises their own scores on their pre-filled moderation sheet, "
        "giving a reason for every score they change; unchanged rows change nothing.",
        "The agreed explanation for each tender and criterion discussed is recorded as a "
        "moderation note (tender, criterion, note).",
        "The independent scores stay on record beside the moderated ones.",
    )
    return Agenda(exercise.id, f"Moderation meeting: {exercise.title}", tuple(parts), closing)


def _sd(variance: Any) -> str:
    from .spread import sd_display

    return sd_display(variance)
