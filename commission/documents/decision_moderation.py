"""What a decision says beyond one round's results (issue 14): the moderation record, the
abstentions and "How robust is this result?", as :class:`Section` content.

A :class:`LotRecord` is gathered by the application layer (``app/decision_inputs.py``) and
handed to the decision builder; nothing here reads the database. Once a lot has a moderated
round (the independent round frozen for the joint meeting), the decision's "points for the
joint moderation meeting" give way to the record: every revised score with its reason, each
tender's independent and moderated totals, and whether the ranking (and the winner) changed.
Reasons, notes and abstention reasons are untrusted text: they go into the content as plain
text, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from ..scoring import OUTCOME_WINNER, LotResult, Results, TenderResult, display
from . import content as c

if TYPE_CHECKING:
    from ..analysis import Robustness
    from ..records import Exercise
    from .decision_content import DecisionContext


@dataclass(frozen=True)
class Change:
    """One moderated row beside the independent one it replaced (None: not scored there)."""

    evaluator: str
    tender: str
    criterion: str
    independent: int | None
    independent_abstained: bool
    moderated: int | None
    moderated_abstained: bool
    reason: str | None

    @property
    def changed(self) -> bool:
        return (self.independent, self.independent_abstained) != (
            self.moderated,
            self.moderated_abstained,
        )


@dataclass(frozen=True)
class Abstention:
    """An evaluator who looked and declined to score, in the round that counts."""

    evaluator: str
    tender: str
    criterion: str
    round: str
    reason: str | None


@dataclass(frozen=True)
class LotRecord:
    """Everything one lot's decision says besides its results."""

    #: Whether the lot has a moderated round (frozen for moderation, or moderated scores).
    moderated: bool = False
    changes: tuple[Change, ...] = ()
    #: The lot's independent-round result and tenders (exact), when it was moderated.
    independent_lot: LotResult | None = None
    independent: Mapping[str, TenderResult] = field(default_factory=dict)
    abstentions: tuple[Abstention, ...] = ()
    #: The winner's robustness (None: no single winner, or the figures disagree).
    robustness: Robustness | None = None
    #: (tender, criterion) → the explanation the panels agreed at moderation.
    notes: Mapping[tuple[str, str], str] = field(default_factory=dict)


def who(evaluator: str, names: Mapping[str, str], name_evaluators: bool) -> str:
    """An evaluator as the decision shows them: the panel reference, named only on request."""
    if name_evaluators and names.get(evaluator):
        return f"{evaluator} ({names[evaluator]})"
    return evaluator


def _score(value: int | None, abstained: bool) -> str:
    if abstained:
        return "abstained"
    return "not scored" if value is None else str(value)


def _delta(change: Change) -> str:
    if change.independent is None or change.moderated is None:
        return "—"
    step = change.moderated - change.independent
    return f"+{step}" if step > 0 else str(step)


def _rank(t: TenderResult | None) -> str:
    if t is None:
        return "—"
    if t.rank is not None:
        return f"{t.rank}{' (tie)' if t.tie else ''}"
    if not t.complete:
        return "— (incomplete)"
    return "— (fail)"


def _total_change(before: TenderResult | None, after: TenderResult) -> str:
    if before is None or before.total_score is None or after.total_score is None:
        return "—"
    step = after.total_score - before.total_score
    if not step:
        return "no change"
    return f"+{display(step)}" if step > 0 else f"-{display(-step)}"


def _first_words(lot: LotResult | None, by_id: Mapping[str, TenderResult]) -> str:
    """Who was first, in words: ``T-001 (Bidder) with 72.00``, a tie, or no winner."""
    if lot is None:
        return "no tender"
    if lot.outcome == OUTCOME_WINNER:
        t = by_id.get(lot.recommended[0])
        if t is None:
            return lot.recommended[0]
        return f"{t.tender} ({t.bidder}) with a total of {display(t.total_score)}"
    if lot.recommended:
        return f"a tie between {', '.join(lot.recommended)}"
    return "no tender (none could be recommended)"


def ranking_sentence(results: Results, lot_id: str, record: LotRecord) -> c.Text:
    """Whether the moderation changed the ranking, and the winner."""
    now = results.lot(lot_id)
    before = record.independent_lot
    tenders = results.in_lot(lot_id)
    after_by_id = {t.tender: t for t in tenders}
    moved = [
        (t.tender, _rank(record.independent.get(t.tender)), _rank(t))
        for t in tenders
        if (record.independent.get(t.tender) is None)
        or (record.independent[t.tender].rank, record.independent[t.tender].tie) != (t.rank, t.tie)
    ]
    was = _first_words(before, record.independent)
    is_now = _first_words(now, after_by_id)
    if before is None or (before.outcome, before.recommended) != (now.outcome, now.recommended):
        return c.text(
            c.bold("The moderation changed the result."),
            f" Before it, first was {was}; after it, first is {is_now}.",
        )
    if moved:
        shifts = "; ".join(f"{tender} from {a} to {b}" for tender, a, b in moved)
        return c.text(
            c.bold("The moderation changed the ranking but not the result:"),
            f" first is still {is_now}. Ranks that moved: {shifts}.",
        )
    return c.text(
        c.bold("The moderation did not change the ranking:"),
        f" every tender keeps its rank, and first is still {is_now}.",
    )


def criterion_name(exercise: Exercise, criterion: str) -> str:
    """The criterion's name, or its id where the exercise does not know it."""
    return exercise.criteria[criterion].name if criterion in exercise.criteria.ids else criterion


def changes_table(results: Results, changes: list[Change], name_evaluators: bool) -> c.Table:
    exercise = results.exercise
    names = {e.id: e.name for e in exercise.evaluators}
    panel_of = {e.id: e.panel for e in exercise.evaluators}
    rows = []
    for ch in changes:
        criterion = criterion_name(exercise, ch.criterion)
        rows.append(
            (
                c.text(ch.tender),
                c.text(criterion),
                c.text(
                    f"{who(ch.evaluator, names, name_evaluators)}, "
                    f"{panel_of.get(ch.evaluator, '')} panel"
                ),
                c.text(_score(ch.independent, ch.independent_abstained)),
                c.text(_score(ch.moderated, ch.moderated_abstained)),
                c.text(_delta(ch)),
                c.text(ch.reason or "no reason recorded"),
            )
        )
    return c.Table(
        "Every score revised at moderation: the independent score (before), the moderated "
        "score (after), the change and the reason the panel member gave.",
        ("Tender", "Criterion", "Panel member", "Before", "After", "Change", "Reason"),
        tuple(rows),
        widths=(44, 88, 78, 44, 58, 48, 150),
        numeric=frozenset({3, 4, 5}),
    )


def totals_table(results: Results, lot_id: str, record: LotRecord) -> c.Table:
    rows = []
    for t in results.in_lot(lot_id):
        before = record.independent.get(t.tender)
        rows.append(
            (
                c.text(t.tender),
                c.text(t.bidder),
                c.text(display(before.total_score if before else None)),
                c.text(_rank(before)),
                c.text(display(t.total_score)),
                c.text(_rank(t)),
                c.text(_total_change(before, t)),
            )
        )
    return c.Table(
        "Each tender's total score (out of 100) and rank from the independent scores alone "
        "(before) and after moderation.",
        (
            "Tender",
            "Bidder",
            "Total before",
            "Rank before",
            "Total after",
            "Rank after",
            "Change",
        ),
        tuple(rows),
        widths=(44, 128, 56, 64, 56, 64, 62),
        numeric=frozenset({2, 4, 6}),
    )


def moderation_section(
    results: Results, lot_id: str, record: LotRecord, name_evaluators: bool
) -> c.Section:
    """The moderation record, in place of the points for the joint moderation meeting."""
    from .decision_content import divergence_items

    in_lot = {t.tender for t in results.in_lot(lot_id)}
    changes = [ch for ch in record.changes if ch.tender in in_lot and ch.changed]
    blocks: list[c.Block] = []
    if changes:
        revised = c.plural(len(changes), "score")
        tenders = c.plural(len({ch.tender for ch in changes}), "tender")
        blocks.append(
            c.Paragraph(
                c.text(
                    "After scoring independently, the panels met to moderate. "
                    f"{revised} on {tenders} {'was' if len(changes) == 1 else 'were'} revised "
                    "in the moderated round, each with the reason the panel member gave. Each "
                    "panel member's latest score counts; the independent scores are kept, and "
                    "every change is in the audit trail."
                )
            )
        )
        blocks.append(
            c.Section(
                "What changed, and why",
                (changes_table(results, changes, name_evaluators),),
                level=2,
                keep=True,
            )
        )
    else:
        blocks.append(
            c.Paragraph(
                c.text(
                    "The independent round of this lot was frozen for the joint moderation "
                    "meeting. No score has been revised in the moderated round, so the "
                    "independent scores stand."
                )
            )
        )
    blocks.append(
        c.Section(
            "Totals before and after moderation",
            (
                totals_table(results, lot_id, record),
                c.Paragraph(ranking_sentence(results, lot_id, record)),
            ),
            level=2,
            keep=True,
        )
    )
    still = divergence_items(results, lot_id, not_moderated=False)
    blocks.append(
        c.Section(
            "Where the panels still diverge",
            (c.Bullets(tuple(still)),)
            if still
            else (
                c.Paragraph(
                    c.text(
                        "After moderation the two panels' averages do not diverge on any "
                        "criterion of any tender in this lot."
                    )
                ),
            ),
            level=2,
        )
    )
    return c.Section("Moderation record", tuple(blocks))


def abstentions_section(
    results: Results, lot_id: str, record: LotRecord, name_evaluators: bool
) -> c.Section | None:
    """Who abstained, where and why (panel references unless members are named)."""
    exercise = results.exercise
    in_lot = {t.tender for t in results.in_lot(lot_id)}
    found = [a for a in record.abstentions if a.tender in in_lot]
    if not found:
        return None
    names = {e.id: e.name for e in exercise.evaluators}
    panel_of = {e.id: e.panel for e in exercise.evaluators}
    items = []
    for a in found:
        criterion = criterion_name(exercise, a.criterion)
        items.append(
            c.text(
                f"{who(a.evaluator, names, name_evaluators)}, {panel_of.get(a.evaluator, '')} "
                f"panel, abstained on {a.tender}, {criterion} ({a.round} round)",
                ": " if a.reason else ".",
                a.reason,
                "." if a.reason and not a.reason.rstrip().endswith((".", "!", "?")) else "",
            )
        )
    return c.Section(
        "Abstentions",
        (
            c.Paragraph(
                c.text(
                    "An abstention records that a panel member looked at a tender and declined "
                    "to score it. It is not a score: it is not counted in the panel's n or in "
                    "its mean."
                )
            ),
            c.Bullets(tuple(items)),
        ),
        level=2,
    )


def robustness_section(results: Results, lot_id: str, record: LotRecord) -> c.Section:
    """ "How robust is this result?" in plain words (:func:`analysis.robustness_sentences`)."""
    lot = results.lot(lot_id)
    robustness = record.robustness
    if (
        lot.outcome != OUTCOME_WINNER
        or robustness is None
        or (robustness.winner != lot.recommended[0])
    ):
        return c.Section(
            "How robust is this result?",
            (
                c.Paragraph(
                    c.text(
                        "This lot has no single recommended tender, so there is no winner "
                        "whose robustness could be tested."
                    )
                ),
            ),
        )
    from ..analysis import robustness_sentences

    bidders = {t.tender: t.bidder for t in results.in_lot(lot_id)}
    sentences = robustness_sentences(robustness, results.exercise, bidders)
    return c.Section(
        "How robust is this result?",
        (
            c.Paragraph(
                c.text(
                    "Would the recommended tender still be first if the method or the scores "
                    "were a little different? Worked out exactly from the scores, with no "
                    "sampling:"
                )
            ),
            c.Bullets(tuple(c.text(s) for s in sentences)),
            c.Paragraph(
                c.text(
                    "These checks are a diagnostic for the panels: they change no score and "
                    "no rank."
                ),
                "small",
            ),
        ),
    )


def abstained_cell(results: Results, tender: str, criterion: str, panel: str) -> str:
    """``, 1 abstained`` after a panel's n when members abstained (else nothing)."""
    extra = results.round_extras.get(tender)
    if not extra:
        return ""
    count = int(extra.get("criteria", {}).get(criterion, {}).get(f"{panel}_abstained", 0))
    return f", {count} abstained" if count else ""


def independent_combined(record: LotRecord | None, tender: str, criterion: str) -> Fraction | None:
    t = record.independent.get(tender) if record is not None else None
    if t is None:
        return None
    return t.criterion(criterion).combined


def record_sections(results: Results, lot_id: str, context: DecisionContext) -> list[c.Block]:
    """ "How robust is this result?", when the record was gathered."""
    if context.record is None:
        return []
    return [robustness_section(results, lot_id, context.record)]


def moderation_or_divergence(
    results: Results, lot_id: str, context: DecisionContext
) -> list[c.Block]:
    """The moderation record once the lot has a moderated round, else the divergence points."""
    record = context.record
    if record is not None and record.moderated:
        return [moderation_section(results, lot_id, record, context.name_evaluators)]
    from .decision_content import divergence

    return [divergence(results, lot_id, context.provisional)]


def notes_on(t: TenderResult, record: LotRecord | None) -> list[tuple[str, str]]:
    """The moderation notes on ``t``, in the criteria's order: (criterion id, note)."""
    if record is None or not record.notes:
        return []
    return [
        (cr.criterion, note)
        for cr in t.criteria
        if (note := record.notes.get((t.tender, cr.criterion)))
    ]


def was_moderated(results: Results | None, t: TenderResult) -> bool:
    """Whether any of the tender's scores is in the moderated round."""
    extra = results.round_extras.get(t.tender) if results is not None else None
    return bool(extra) and extra.get("round") == "moderated"
