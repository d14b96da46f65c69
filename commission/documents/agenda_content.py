"""What the moderation meeting's agenda says (issue 14), built as a :class:`~.content.Document`.

One document for the pack, a section per lot (each lot on a page of its own in the PDF, so a
lot's pages can be printed for its own meeting): the exercise, the lot and the date; how to read
it; how far each panel's members agree (Krippendorff's alpha per panel and criterion, with a
line in plain words); then every tender and criterion, divergent points first (largest gap
first), each with both panels' n, mean, median, range and standard deviation, the gap between
the panels, the outlying scores by anonymous evaluator id, and a blank line for the agreed
explanation. The words around the figures (title, lot titles, closing steps) are the
:class:`~commission.analysis.agenda.Agenda`'s; the figures are the same
:class:`~commission.analysis.spread.Spread` objects the agenda and the pack's CSVs come from.

Bidder names, ids and criterion names are text like any other: kept as written, escaped by each
renderer, in any script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..analysis.agenda import Agenda
from ..analysis.agreement import Agreement
from ..analysis.spread import PanelSpread, Spread, sd_display
from ..records import Exercise
from ..scoring import display
from . import content as c

#: The panels as the agenda names them.
PANEL_NAMES = {"community": "Community panel", "officer": "Officer panel"}
UNDEFINED = "undefined"
EXPLANATION_LABEL = "Agreed explanation"

HOW_TO_READ = (
    "This agenda is for the joint moderation meeting, where the community panel and the officer "
    "panel settle their scores together, as equals. Every figure comes from the independent "
    "round, which is now frozen and stays on record.",
)


def how_to_read(threshold: str) -> tuple[c.Text, ...]:
    return (
        c.text(
            "Points of divergence come first: a ",
            c.bold("divergent"),
            f" point is one where the two panels' means differ by {threshold} points or more.",
        ),
        c.text(
            "For each panel: ",
            c.bold("n"),
            " is how many members scored; the ",
            c.bold("mean"),
            " is their average and the ",
            c.bold("median"),
            " the middle score; the ",
            c.bold("range"),
            " runs from the lowest to the highest score; the ",
            c.bold("standard deviation"),
            " says how far scores typically sit from the mean (0: everyone agreed).",
        ),
        c.text(
            "The ",
            c.bold("gap"),
            " is the community panel's mean minus the officer panel's: above 0, the community "
            "panel scored higher.",
        ),
        c.text(
            c.bold("Outlying scores"),
            f" lie {threshold} points or more from their panel's mean (panels of three or more). "
            "Panel members are named by their anonymous evaluator id only.",
        ),
        c.text(
            "Write the panel's ",
            c.bold("agreed explanation"),
            " on the line under each point; it is recorded afterwards as a moderation note.",
        ),
    )


@dataclass(frozen=True)
class AgendaContext:
    """What the agenda needs besides its data: when the pack was made."""

    #: ``Prepared 2 December 2026 at 09:00 GMT`` (printed on every page).
    prepared: str = ""
    #: The file name of the other edition, named in each ("" for none).
    other_edition: str = ""


def alpha_text(alpha: Fraction | None) -> str:
    """Alpha as shown: rounded to two decimals, or ``undefined``."""
    return UNDEFINED if alpha is None else display(alpha)


def agreement_reading(found: Sequence[Agreement], names: Mapping[str, str]) -> str:
    """One line in plain words saying what the alpha table shows."""
    scale = (
        "Alpha is 1 when a panel's members scored every tender alike, 0 when they agree no "
        "better than chance, and below 0 when they disagree more than chance would."
    )
    defined = [a for a in found if a.alpha is not None]
    undefined = len(found) - len(defined)
    if not defined:
        return (
            f"{scale} Here it is undefined throughout: no tender was scored by two members of "
            "the same panel with any variation to measure."
        )
    low = min(defined, key=lambda a: (a.alpha, a.panel, a.criterion))
    panel = PANEL_NAMES.get(low.panel, low.panel).lower()
    where = f"{panel} on {names.get(low.criterion, low.criterion)}"
    tail = (
        f"; {undefined} {'is' if undefined == 1 else 'are'} undefined (too few shared scores, "
        "or all the same)"
        if undefined
        else ""
    )
    return (
        f"{scale} The lowest here is the {where} ({alpha_text(low.alpha)}){tail}. "
        "A diagnostic for the discussion, never a re-scoring."
    )


def agreement_section(found: Sequence[Agreement], names: Mapping[str, str]) -> c.Section:
    rows = tuple(
        (
            c.text(PANEL_NAMES.get(a.panel, a.panel)),
            c.text(names.get(a.criterion, a.criterion)),
            c.text(alpha_text(a.alpha)),
            c.text(str(a.units)),
        )
        for a in found
    )
    table = c.Table(
        caption="Krippendorff's alpha (interval) per panel and criterion",
        header=("Panel", "Criterion", "Alpha", "Tenders scored by two or more"),
        rows=rows,
        widths=(1.3, 2.2, 0.8, 1.4),
        numeric=frozenset({2, 3}),
    )
    return c.Section(
        "How far each panel agrees",
        (c.Paragraph(c.text(agreement_reading(found, names))), table),
        level=2,
        keep=True,
    )


def _range(panel: PanelSpread) -> str:
    if panel.low is None or panel.high is None:
        return "—"
    return f"{panel.low} to {panel.high}" if panel.low != panel.high else f"{panel.low}"


def panel_row(panel: PanelSpread) -> tuple[c.Text, ...]:
    abstained = f" ({panel.abstained} abstained)" if panel.abstained else ""
    return (
        c.text(PANEL_NAMES.get(panel.panel, panel.panel)),
        c.text(f"{panel.n}{abstained}"),
        c.text(display(panel.mean)),
        c.text(display(panel.median)),
        c.text(_range(panel)),
        c.text(sd_display(panel.variance)),
    )


def gap_words(spread: Spread, threshold: Fraction) -> list[c.Inline]:
    gap = spread.gap
    if gap is None:
        return ["Community–officer gap: none yet (one panel has no scores here)."]
    if spread.divergent:
        return [
            "Community–officer gap: ",
            c.bold(display(gap)),
            f", divergent ({display(threshold).removesuffix('.00')} points or more): discuss.",
        ]
    return ["Community–officer gap: ", c.bold(display(gap)), "."]


def outlier_words(spread: Spread) -> list[c.Inline]:
    if not spread.outliers:
        return ["Outlying scores: none."]
    parts: list[c.Inline] = ["Outlying scores: "]
    for index, o in enumerate(spread.outliers):
        if index:
            parts.append("; ")
        parts += [
            c.bold(o.evaluator),
            f" ({PANEL_NAMES.get(o.panel, o.panel).lower()}) scored {o.score}, "
            f"{display(o.distance)} from the panel mean {display(o.panel_mean)}",
        ]
    parts.append(".")
    return parts


def point_heading(spread: Spread, criterion: str) -> str:
    mark = "Divergent: " if spread.divergent else ""
    return f"{mark}{criterion}, tender {spread.tender} ({spread.bidder})"


def point_section(spread: Spread, names: Mapping[str, str], threshold: Fraction) -> c.Section:
    """One tender and criterion: its heading, both panels' figures, the gap and outlying
    scores, and the line for the agreed explanation — kept on one page."""
    criterion = names.get(spread.criterion, spread.criterion)
    table = c.Table(
        caption=f"Independent scores on {criterion}, tender {spread.tender}",
        header=("Panel", "n", "Mean", "Median", "Range", "Standard deviation"),
        rows=tuple(panel_row(p) for p in spread.panels),
        widths=(1.5, 0.9, 0.8, 0.8, 0.9, 1.1),
        numeric=frozenset({1, 2, 3, 4, 5}),
    )
    return c.Section(
        point_heading(spread, criterion),
        (
            table,
            c.Paragraph(c.text(*gap_words(spread, threshold), " ", *outlier_words(spread))),
            c.Paragraph(c.text(EXPLANATION_LABEL + ":"), role="write-in"),
        ),
        level=2,
        keep=True,
    )


def lot_section(
    exercise: Exercise,
    agenda: Agenda,
    lot: str,
    found: Sequence[Spread],
    agreement: Sequence[Agreement],
    context: AgendaContext,
    first: bool,
) -> c.Section:
    names = {k.id: k.name for k in exercise.criteria.criteria}
    threshold = exercise.divergence_threshold
    title = next((x.title for x in agenda.lots if x.lot == lot), lot)
    mine = [s for s in found if s.lot == lot]
    divergent = sum(1 for s in mine if s.divergent)
    outlying = sum(len(s.outliers) for s in mine)
    facts = [
        ("Exercise", c.text(exercise.title)),
        ("Lot", c.text(title if title == lot else f"{title} ({lot})")),
    ]
    if context.prepared:
        facts.append(("Date", c.text(context.prepared)))
    facts.append(
        (
            "To discuss",
            c.text(
                f"{c.plural(len(mine), 'point')} (a tender on a criterion), "
                f"{divergent} of them divergent; {c.plural(outlying, 'outlying score')}"
            ),
        )
    )
    blocks: list[c.Block] = [
        c.KeyValues(tuple(facts)),
        c.Section(
            "How to read this agenda",
            (
                *(c.Paragraph(c.text(p)) for p in HOW_TO_READ),
                c.Bullets(how_to_read(display(threshold).removesuffix(".00"))),
            ),
            level=2,
        ),
    ]
    if mine:
        blocks.append(agreement_section(agreement, names))
        blocks += [point_section(s, names, threshold) for s in mine]
    else:
        blocks.append(c.Paragraph(c.text("No independent scores in this lot yet.")))
    return c.Section(f"Lot {lot}: {title}", tuple(blocks), level=1, new_page=not first)


def build_agenda(
    exercise: Exercise,
    agenda: Agenda,
    found: Sequence[Spread],
    agreement: Mapping[str, Sequence[Agreement]],
    context: AgendaContext = AgendaContext(),
) -> c.Document:
    """The agenda of the moderation meeting, every lot of ``agenda`` a section of its own."""
    blocks: list[c.Block] = [
        lot_section(exercise, agenda, lot.lot, found, agreement.get(lot.lot, ()), context, i == 0)
        for i, lot in enumerate(agenda.lots)
    ]
    if agenda.closing:
        blocks.append(
            c.Section(
                "After the meeting",
                (c.Bullets(tuple(c.text(line) for line in agenda.closing)),),
                level=1,
            )
        )
    return c.Document(
        kind="agenda",
        title=agenda.title,
        heading=f"{exercise.authority} · {exercise.title} · moderation agenda",
        issued="",  # the date is in each lot's facts ("Issued" is a decision's word)
        provisional=False,
        blocks=tuple(blocks),
        meta_title=agenda.title,
        author=exercise.authority,
        subject=f"Agenda of the joint moderation meeting: {exercise.title}",
        keywords=("moderation", "agenda", exercise.id),
    )


__all__ = ["AgendaContext", "agreement_reading", "alpha_text", "build_agenda"]
