"""The panel decision for one lot (SPEC §8), laid out from :class:`Results` alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..model import Exercise
from ..scoring import (
    OUTCOME_INCOMPLETE,
    OUTCOME_NONE_PASSED,
    OUTCOME_TIE,
    OUTCOME_WINNER,
    Results,
    TenderResult,
    display,
)
from .charts import Bar, panel_chart
from .layout import INFO_KEY, Metadata, PageFurniture, build, edition_note, styles, table_style
from .layout import paragraph as Paragraph
from .text import markup, plain

TIE_WORDING = "tie — to be resolved by the panel"
NONE_PASSED_WORDING = "no tender passed"
EQUAL_WEIGHT_WORDING = (
    "The community panel and the officer panel carry equal weight: each counts for half (50%) of "
    "every combined score, whatever the number of people on each panel."
)


@dataclass(frozen=True)
class DecisionOptions:
    provisional: bool = False
    name_evaluators: bool = False
    digest: str = ""
    audit_head: str = ""
    #: Compact decision data (JSON text) stored in the PDF's document information.
    info_json: str = ""
    #: The file name of the HTML edition, named in the PDF ("" for none).
    html_name: str = ""


def _result_word(t: TenderResult) -> str:
    if not t.complete:
        return "incomplete"
    return "pass" if t.passed else "fail"


def method_story(exercise: Exercise, st: dict[str, Any]) -> list[Any]:
    """The method statement: criteria, weights, scales, thresholds, equal panel weight."""
    from reportlab.platypus import KeepTogether, Table

    story: list[Any] = [Paragraph("How the tenders were scored", st["h1"])]
    criteria = exercise.criteria.criteria
    total_weight = sum((c.weight for c in criteria), Fraction(0))
    story.append(Paragraph(EQUAL_WEIGHT_WORDING, st["body"]))
    story.append(Paragraph(
        "For each criterion, every panel member scored each tender they had no conflict of "
        "interest with. We take the average (mean) of the community panel's scores and the "
        "average of the officer panel's scores; the combined score is halfway between the two. "
        "The quality score (0 to 100) adds up the combined scores, each as a share of its scale "
        "and weighted as the table below shows.", st["body"]))
    if exercise.price_weight:
        story.append(Paragraph(
            f"Price counts for {display(exercise.price_weight)}% of the total score and quality "
            f"for {display(100 - exercise.price_weight)}%. The lowest price among tenders that "
            f"passed gets the full price score; other tenders get a share in proportion.",
            st["body"]))
    else:
        story.append(Paragraph("Price is not scored: the total score is the quality score.",
                               st["body"]))
    rows: list[list[Any]] = [[Paragraph(h, st["cellbold"]) for h in
                              ("Criterion", "Weight (share of quality)", "Scale", "Minimum")]]
    for c in criteria:
        share = 100 * c.weight / total_weight if total_weight else Fraction(0)
        rows.append([
            Paragraph(markup(c.name), st["cell"]),
            Paragraph(f"{display(share)}%", st["cell"]),
            Paragraph(f"{c.scale.min} to {c.scale.max}", st["cell"]),
            Paragraph(display(c.minimum) if c.minimum is not None else "none", st["cell"]),
        ])
    story.append(Table(rows, colWidths=[200, 120, 80, 90], repeatRows=1, style=table_style(),
                       spaceAfter=6))
    scale = exercise.criteria.scale
    # The scale's descriptors are read together: never split across pages.
    meanings: list[Any] = [Paragraph("What the scores mean", st["h2"])]
    for point in scale.points:
        words = scale.descriptors.get(point, "")
        meanings.append(Paragraph(f"<b>{point}</b> — {markup(words)}", st["small"]))
    story.append(KeepTogether(meanings))
    for c in criteria:
        if c.scale != scale:
            story.append(Paragraph(f"{markup(c.name)} uses its own scale, {c.scale.min} to "
                                   f"{c.scale.max}:", st["small"]))
            for point in c.scale.points:
                story.append(Paragraph(
                    f"<b>{point}</b> — {markup(c.scale.descriptors.get(point, ''))}",
                    st["small"]))
    rules = []
    minimums = [c for c in criteria if c.minimum is not None]
    if minimums:
        rules.append("a tender fails when its combined score on a criterion is below that "
                     "criterion's minimum")
    if exercise.quality_threshold is not None:
        rules.append(f"a tender fails when its quality score is below "
                     f"{display(exercise.quality_threshold)}")
    rules.append("tenders that pass are ranked by total score, highest first; tenders with "
                 "exactly equal totals share a rank and are marked as a tie, which is never "
                 "broken silently")
    rules.append(f"where the two panels' averages on a criterion differ by "
                 f"{display(exercise.divergence_threshold)} points or more, the difference is "
                 f"listed for the joint moderation meeting")
    story.append(Paragraph("Thresholds and ranking", st["h2"]))
    for rule in rules:
        story.append(Paragraph(f"• {rule[0].upper()}{rule[1:]}.", st["body"]))
    story.append(Paragraph("Scores are shown to two decimal places; every pass, rank and tie "
                           "was decided on the exact figures.", st["body"]))
    return story


def panels_story(exercise: Exercise, name_evaluators: bool, st: dict[str, Any]) -> list[Any]:

    story: list[Any] = [Paragraph("Who was on the panels", st["h1"])]
    for panel in ("community", "officer"):
        members = [e for e in exercise.evaluators if e.panel == panel]
        need = exercise.min_evaluators.get(panel, 1)
        who = ", ".join(
            f"{e.id} ({e.name})" if name_evaluators else e.id for e in members
        ) or "nobody"
        story.append(Paragraph(
            f"<b>{panel.capitalize()} panel</b>: {len(members)} member"
            f"{'s' if len(members) != 1 else ''} ({need} needed per criterion): "
            f"{markup(who, newlines=False)}.", st["body"]))
    if not name_evaluators:
        story.append(Paragraph("Panel members are shown by their panel reference, not by name.",
                               st["small"]))
    return story


def ranked_table(results: Results, lot_id: str, st: dict[str, Any]) -> Any:
    from reportlab.platypus import Table

    header = ["Rank", "Tender", "Bidder", "Quality", "Price", "Total", "Result", "Tie"]
    rows: list[list[Any]] = [[Paragraph(h, st["cellbold"]) for h in header]]
    for t in results.in_lot(lot_id):
        rows.append([
            Paragraph(str(t.rank) if t.rank is not None else "—", st["cell"]),
            Paragraph(markup(t.tender), st["cell"]),
            Paragraph(markup(t.bidder), st["cell"]),
            Paragraph(display(t.quality_score), st["cell"]),
            Paragraph(display(t.price_score), st["cell"]),
            Paragraph(display(t.total_score), st["cell"]),
            Paragraph(_result_word(t), st["cell"]),
            Paragraph("tie" if t.tie else "", st["cell"]),
        ])
    return Table(rows, colWidths=[34, 56, 160, 50, 45, 50, 68, 28], repeatRows=1,
                 style=table_style(), spaceAfter=6)


def criterion_table(exercise: Exercise, t: TenderResult, st: dict[str, Any]) -> Any:
    from reportlab.platypus import Table

    header = ["Criterion", "Community mean", "Officer mean", "Combined", "Notes"]
    rows: list[list[Any]] = [[Paragraph(h, st["cellbold"]) for h in header]]
    for c in t.criteria:
        criterion = exercise.criteria[c.criterion]
        notes = []
        if c.below_minimum:
            notes.append(f"below minimum {display(criterion.minimum)}")
        if c.divergent:
            notes.append("panels diverge")
        rows.append([
            Paragraph(markup(criterion.name), st["cell"]),
            Paragraph(f"{display(c.community_mean)} (n={c.community_n})", st["cell"]),
            Paragraph(f"{display(c.officer_mean)} (n={c.officer_n})", st["cell"]),
            Paragraph(display(c.combined), st["cell"]),
            Paragraph("; ".join(notes), st["cell"]),
        ])
    return Table(rows, colWidths=[165, 95, 90, 65, 96], repeatRows=1, style=table_style(),
                 spaceAfter=10)


def tender_story(results: Results, t: TenderResult, options: DecisionOptions,
                 st: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import KeepTogether

    exercise = results.exercise
    head: list[Any] = [
        Paragraph(f"{markup(t.tender)} — {markup(t.bidder)}", st["h2"]),
        Paragraph(
            f"Rank {t.rank if t.rank is not None else '—'}{' (tie)' if t.tie else ''}; "
            f"result: {_result_word(t)}; quality {display(t.quality_score)}, "
            f"total {display(t.total_score)}.", st["body"]),
        criterion_table(exercise, t, st),
    ]
    scale_max = max(c.scale.max for c in exercise.criteria.criteria)
    head.append(panel_chart(
        [Bar(exercise.criteria[c.criterion].name, c.community_mean, c.officer_mean)
         for c in t.criteria], scale_max))
    # The table and its chart stay on one page (a criteria set too long for a page splits).
    story: list[Any] = [KeepTogether(head)]
    if t.failures:
        story.append(Paragraph("<b>Threshold failures</b>", st["body"]))
        story += [Paragraph(f"• {markup(f)}", st["body"]) for f in t.failures]
    if t.missing:
        story.append(Paragraph("<b>Still missing</b>", st["body"]))
        story += [Paragraph(f"• {markup(m)}", st["body"]) for m in t.missing]
    comments = results.comments_on(t.tender)
    if comments:
        story.append(Paragraph("<b>Panels' comments</b>", st["body"]))
        names = {e.id: e.name for e in exercise.evaluators}
        for m in comments:
            who = f"{m.evaluator} ({names.get(m.evaluator, '')})" if options.name_evaluators \
                else m.evaluator
            criterion = exercise.criteria[m.criterion].name if m.criterion in \
                exercise.criteria.ids else m.criterion
            story.append(Paragraph(
                f"<i>{markup(criterion)}</i>, {m.panel} panel, {markup(who)}, score {m.score}: "
                f"{markup(m.text)}", st["small"]))
    return story


def divergence_story(results: Results, lot_id: str, st: dict[str, Any]) -> list[Any]:

    exercise = results.exercise
    story: list[Any] = [Paragraph("Points for the joint moderation meeting", st["h1"])]
    points = [(t, c) for t in results.in_lot(lot_id) for c in t.criteria if c.divergent]
    if not points:
        story.append(Paragraph("The two panels' averages do not diverge on any criterion of any "
                               "tender in this lot.", st["body"]))
    for t, c in points:
        gap = abs((c.community_mean or Fraction(0)) - (c.officer_mean or Fraction(0)))
        story.append(Paragraph(
            f"• {markup(t.tender)} ({markup(t.bidder)}), "
            f"{markup(exercise.criteria[c.criterion].name)}: "
            f"community panel {display(c.community_mean)}, officer panel "
            f"{display(c.officer_mean)} — a difference of {display(gap)}.", st["body"]))
    return story


def signoff_story(st: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import KeepTogether, Spacer, Table

    def block(role: str) -> list[Any]:
        return [Paragraph(f"<b>{role}</b>", st["body"]), Spacer(1, 14),
                Paragraph("Name: ______________________________", st["body"]), Spacer(1, 14),
                Paragraph("Signature: __________________________", st["body"]), Spacer(1, 14),
                Paragraph("Date: _______________________________", st["body"])]

    table = Table([[block("Community panel member"), block("Officer")]], colWidths=[255, 255],
                  style=table_style(header_rows=0), spaceAfter=10)
    return [KeepTogether([Paragraph("Sign-off", st["h1"]), Paragraph(
        "We confirm that this decision records the scores of both panels, combined with equal "
        "weight.", st["body"]), table])]


def plain_summary(results: Results, lot_id: str, provisional: bool) -> str:
    lot = results.lot(lot_id)
    tenders = results.in_lot(lot_id)
    passed = sum(1 for t in tenders if t.passed and t.complete)
    incomplete = sum(1 for t in tenders if not t.complete)
    kind = "a PROVISIONAL decision" if provisional else "the decision"
    parts = [
        f"This is {kind} of the community panel and the officer panel on "
        f"{plain(lot.title)} ({plain(lot.lot)}) of {plain(results.exercise.title)}.",
        f"{len(tenders)} tender{'s were' if len(tenders) != 1 else ' was'} assessed and "
        f"{passed} passed.",
    ]
    if incomplete:
        parts.append(f"{incomplete} {'are' if incomplete != 1 else 'is'} not yet fully scored.")
    parts.append(_summary_outcome(results, lot_id))
    parts.append("Both panels count equally, 50% each.")
    return " ".join(parts)


def _summary_outcome(results: Results, lot_id: str) -> str:
    lot = results.lot(lot_id)
    if lot.outcome == OUTCOME_WINNER:
        t = results.tender(lot.recommended[0])
        return (f"Recommended: {markup(t.tender)} ({markup(t.bidder)}), with a total score of "
                f"{display(t.total_score)} out of 100.")
    if lot.outcome == OUTCOME_TIE:
        return (f"First place is a {TIE_WORDING}: "
                f"{', '.join(markup(x) for x in lot.recommended)}.")
    if lot.outcome == OUTCOME_INCOMPLETE:
        return "No recommendation can be made until every tender is fully scored."
    return f"Outcome: {NONE_PASSED_WORDING}."


def render_decision(results: Results, lot_id: str, path: Path | str,
                    options: DecisionOptions = DecisionOptions()) -> Path:
    """Write the decision PDF for ``lot_id`` to ``path``."""
    from reportlab.platypus import CondPageBreak, KeepTogether

    st = styles()
    exercise = results.exercise
    lot = results.lot(lot_id)
    story: list[Any] = []
    if options.provisional:
        story.append(Paragraph("PROVISIONAL — this is not a final decision", st["banner"]))
    story.append(Paragraph(f"Panel decision: {markup(exercise.title)}", st["title"]))
    story.append(Paragraph(f"{markup(exercise.authority)} · Lot: {markup(lot.title)}",
                           st["body"]))
    story.append(Paragraph(plain_summary(results, lot_id, options.provisional), st["summary"]))
    if options.html_name:
        story.append(Paragraph(edition_note(options.html_name), st["small"]))
    story.append(Paragraph("Recommendation", st["h1"]))
    story.append(Paragraph(recommendation_markup(results, lot_id), st["body"]))
    story.append(Paragraph("Ranked tenders", st["h1"]))
    story.append(ranked_table(results, lot_id, st))
    story += method_story(exercise, st)
    story += panels_story(exercise, options.name_evaluators, st)
    story += divergence_story(results, lot_id, st)
    # A new page for the tenders only when little of this one is left (not a blank half page).
    story.append(CondPageBreak(260))
    heading = Paragraph("Each tender, criterion by criterion", st["h1"])
    for n, t in enumerate(results.in_lot(lot_id)):
        part = tender_story(results, t, options, st)
        if n == 0:  # the section heading goes with the first tender's table and chart
            part = [KeepTogether([heading, *part[0]._content]), *part[1:]]
        story += part
    if not results.in_lot(lot_id):
        story.append(heading)
    story += signoff_story(st)
    story.append(Paragraph(
        f"Decision data SHA-256: {plain(options.digest)}. Check it against the stored scores "
        f"with: commission verify FILE.pdf", st["small"]))

    kind = "Provisional panel decision" if options.provisional else "Panel decision"
    meta = Metadata(
        title=f"{kind}: {exercise.title} — {lot.title}",
        author=exercise.authority,
        subject=f"{kind} on lot {lot.lot} of exercise {exercise.id}, community and officer "
                f"panels weighted equally",
        keywords=["panel decision", "co-production", exercise.id, lot.lot,
                  f"sha256:{options.digest}"] + (["PROVISIONAL"] if options.provisional else []),
        extra={INFO_KEY: options.info_json} if options.info_json else {},
    )
    heading = f"{exercise.authority} · {exercise.title} · Lot: {lot.title}"
    furniture = PageFurniture(heading, options.digest, options.audit_head, options.provisional)
    build(path, story, furniture, meta)
    return Path(path)


def recommendation_markup(results: Results, lot_id: str) -> str:
    lot = results.lot(lot_id)
    if lot.outcome == OUTCOME_WINNER:
        t = results.tender(lot.recommended[0])
        return (f"<b>Recommended: {markup(t.tender)}</b> ({markup(t.bidder)}), total score "
                f"{display(t.total_score)}.")
    if lot.outcome == OUTCOME_TIE:
        return (f"<b>First place is a {TIE_WORDING}.</b> Tenders "
                f"{', '.join(markup(x) for x in lot.recommended)} have exactly equal total "
                f"scores.")
    if lot.outcome == OUTCOME_NONE_PASSED:
        return f"<b>Outcome: {NONE_PASSED_WORDING}.</b> No tender can be recommended."
    return "<b>No recommendation yet:</b> the assessment of this lot is not complete."


def lots_of(results: Results, lot: str | None) -> Sequence[str]:
    return [lot] if lot else [r.lot for r in results.lots]
