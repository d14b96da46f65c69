"""The decision and the assessment summary as generic blocks, for the HTML edition.

Built from the same inputs as the PDFs (:class:`Results` and the lot for a decision; the
:class:`Exercise` and a :class:`SummaryJob` for a summary), with the same wording, in the same
order. When the documents get one content model for both editions, these two builders are what
it replaces: the renderer (:mod:`commission.documents.html`) only sees blocks.
"""

from __future__ import annotations

import hashlib
import re
from fractions import Fraction
from pathlib import Path

from ..model import Exercise
from ..scoring import (
    OUTCOME_INCOMPLETE,
    OUTCOME_NONE_PASSED,
    OUTCOME_TIE,
    OUTCOME_WINNER,
    Comment,
    Results,
    TenderResult,
    display,
)
from .blocks import (
    Bar,
    Block,
    Cell,
    Chart,
    Document,
    Heading,
    Items,
    Paragraph,
    Rich,
    Span,
    Table,
    ours,
    rich,
    theirs,
)
from .decision import EQUAL_WEIGHT_WORDING, NONE_PASSED_WORDING, TIE_WORDING, DecisionOptions
from .summary import SummaryJob, nearest_point


def anchor(*parts: str) -> str:
    """A fragment id from our own ids (untrusted characters replaced)."""
    text = "-".join(parts)
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "section"
    if cleaned != text:
        cleaned = f"{cleaned[:60]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return cleaned


def _result_word(t: TenderResult) -> str:
    if not t.complete:
        return "incomplete"
    return "pass" if t.passed else "fail"


def _joined(items: list[Rich], sep: str = ", ") -> Rich:
    out: list[Span] = []
    for i, item in enumerate(items):
        if i:
            out.append(ours(sep))
        out.extend(item)
    return tuple(out)


def _cell(*parts: object) -> Cell:
    return (rich(*(p if not isinstance(p, str) else ours(p) for p in parts)),)  # type: ignore[arg-type]


# --- the decision ----------------------------------------------------------------------------


def _decision_summary(results: Results, lot_id: str, provisional: bool) -> Rich:
    lot = results.lot(lot_id)
    exercise = results.exercise
    tenders = results.in_lot(lot_id)
    passed = sum(1 for t in tenders if t.passed and t.complete)
    incomplete = sum(1 for t in tenders if not t.complete)
    kind = "a PROVISIONAL decision" if provisional else "the decision"
    parts: list[Span] = [
        ours(f"This is {kind} of the community panel and the officer panel on "),
        theirs(lot.title),
        ours(" ("),
        theirs(lot.lot),
        ours(") of "),
        theirs(exercise.title),
        ours(
            f". {len(tenders)} tender{'s were' if len(tenders) != 1 else ' was'} assessed and "
            f"{passed} passed. "
        ),
    ]
    if incomplete:
        parts.append(
            ours(f"{incomplete} {'are' if incomplete != 1 else 'is'} not yet fully scored. ")
        )
    if lot.outcome == OUTCOME_WINNER:
        t = results.tender(lot.recommended[0])
        parts += [
            ours("Recommended: "),
            theirs(t.tender),
            ours(" ("),
            theirs(t.bidder),
            ours(f"), with a total score of {display(t.total_score)} out of 100. "),
        ]
    elif lot.outcome == OUTCOME_TIE:
        parts += [
            ours(f"First place is a {TIE_WORDING}: "),
            *_joined([(theirs(x),) for x in lot.recommended]),
            ours(". "),
        ]
    elif lot.outcome == OUTCOME_INCOMPLETE:
        parts.append(ours("No recommendation can be made until every tender is fully scored. "))
    else:
        parts.append(ours(f"Outcome: {NONE_PASSED_WORDING}. "))
    parts.append(ours("Both panels count equally, 50% each."))
    return tuple(parts)


def _recommendation(results: Results, lot_id: str) -> Rich:
    lot = results.lot(lot_id)
    if lot.outcome == OUTCOME_WINNER:
        t = results.tender(lot.recommended[0])
        return rich(
            ours("Recommended: ", strong=True),
            theirs(t.tender, strong=True),
            " (",
            theirs(t.bidder),
            f"), total score {display(t.total_score)}.",
        )
    if lot.outcome == OUTCOME_TIE:
        return rich(
            ours(f"First place is a {TIE_WORDING}.", strong=True),
            " Tenders ",
            *_joined([(theirs(x),) for x in lot.recommended]),
            " have exactly equal total scores.",
        )
    if lot.outcome == OUTCOME_NONE_PASSED:
        return rich(
            ours(f"Outcome: {NONE_PASSED_WORDING}.", strong=True), " No tender can be recommended."
        )
    return rich(
        ours("No recommendation yet:", strong=True), " the assessment of this lot is not complete."
    )


def _ranked_table(results: Results, lot_id: str) -> Table:
    rows = []
    for t in results.in_lot(lot_id):
        rows.append(
            (
                _cell(str(t.rank) if t.rank is not None else "—"),
                _cell(theirs(t.tender)),
                _cell(theirs(t.bidder)),
                _cell(display(t.quality_score)),
                _cell(display(t.price_score)),
                _cell(display(t.total_score)),
                _cell(_result_word(t)),
                _cell("tie" if t.tie else "no"),
            )
        )
    return Table(
        "Ranked tenders, highest total score first",
        ("Rank", "Tender", "Bidder", "Quality", "Price", "Total", "Result", "Tie"),
        tuple(rows),
        row_headers=False,
        numeric=(0, 3, 4, 5),
    )


def _method(exercise: Exercise) -> list[Block]:
    criteria = exercise.criteria.criteria
    total_weight = sum((c.weight for c in criteria), Fraction(0))
    out: list[Block] = [
        Heading(2, rich("How the tenders were scored"), "method"),
        Paragraph(rich(EQUAL_WEIGHT_WORDING)),
        Paragraph(
            rich(
                "For each criterion, every panel member scored each tender they had no conflict of "
                "interest with. We take the average (mean) of the community panel's scores and the "
                "average of the officer panel's scores; the combined score is halfway between the "
                "two. The quality score (0 to 100) adds up the combined scores, each as a share of "
                "its scale and weighted as the table below shows."
            )
        ),
    ]
    if exercise.price_weight:
        out.append(
            Paragraph(
                rich(
                    f"Price counts for {display(exercise.price_weight)}% of the total score and "
                    f"quality for {display(100 - exercise.price_weight)}%. The lowest price among "
                    f"tenders that passed gets the full price score; other tenders get a share in "
                    f"proportion."
                )
            )
        )
    else:
        out.append(Paragraph(rich("Price is not scored: the total score is the quality score.")))
    rows = []
    for c in criteria:
        share = 100 * c.weight / total_weight if total_weight else Fraction(0)
        rows.append(
            (
                _cell(theirs(c.name)),
                _cell(f"{display(share)}%"),
                _cell(f"{c.scale.min} to {c.scale.max}"),
                _cell(display(c.minimum) if c.minimum is not None else "none"),
            )
        )
    out.append(
        Table(
            "Criteria, their weights, scales and minimum scores",
            ("Criterion", "Weight (share of quality)", "Scale", "Minimum"),
            tuple(rows),
            numeric=(1, 3),
        )
    )
    scale = exercise.criteria.scale
    out.append(Heading(3, rich("What the scores mean"), "scale"))
    out.append(
        Table(
            "What each point of the scale means",
            ("Score", "Meaning"),
            tuple(
                (_cell(str(point)), _cell(theirs(scale.descriptors.get(point, ""))))
                for point in scale.points
            ),
            numeric=(),
        )
    )
    for c in criteria:
        if c.scale != scale:
            out.append(
                Table(
                    f"The scale of one criterion, {c.scale.min} to {c.scale.max}: "
                    f"{clean_caption(c.name)}",
                    ("Score", "Meaning"),
                    tuple(
                        (_cell(str(p)), _cell(theirs(c.scale.descriptors.get(p, ""))))
                        for p in c.scale.points
                    ),
                )
            )
    rules = []
    if any(c.minimum is not None for c in criteria):
        rules.append(
            "a tender fails when its combined score on a criterion is below that "
            "criterion's minimum"
        )
    if exercise.quality_threshold is not None:
        rules.append(
            f"a tender fails when its quality score is below {display(exercise.quality_threshold)}"
        )
    rules.append(
        "tenders that pass are ranked by total score, highest first; tenders with "
        "exactly equal totals share a rank and are marked as a tie, which is never "
        "broken silently"
    )
    rules.append(
        f"where the two panels' averages on a criterion differ by "
        f"{display(exercise.divergence_threshold)} points or more, the difference is "
        f"listed for the joint moderation meeting"
    )
    out.append(Heading(3, rich("Thresholds and ranking"), "thresholds"))
    out.append(Items(tuple(rich(f"{r[0].upper()}{r[1:]}.") for r in rules)))
    out.append(
        Paragraph(
            rich(
                "Scores are shown to two decimal places; every pass, rank and tie "
                "was decided on the exact figures."
            )
        )
    )
    return out


def clean_caption(text: str) -> str:
    from .text import clean

    return clean(text, keep_newlines=False)


def _panels(exercise: Exercise, name_evaluators: bool) -> list[Block]:
    out: list[Block] = [Heading(2, rich("Who was on the panels"), "panels")]
    items = []
    for panel in ("community", "officer"):
        members = [e for e in exercise.evaluators if e.panel == panel]
        need = exercise.min_evaluators.get(panel, 1)
        who = (
            ", ".join(f"{e.id} ({e.name})" if name_evaluators else e.id for e in members)
            or "nobody"
        )
        items.append(
            rich(
                ours(f"{panel.capitalize()} panel", strong=True),
                f": {len(members)} member{'s' if len(members) != 1 else ''} "
                f"({need} needed per criterion): ",
                theirs(who),
                ".",
            )
        )
    out.append(Items(tuple(items)))
    if not name_evaluators:
        out.append(
            Paragraph(
                rich("Panel members are shown by their panel reference, not by name."), "small"
            )
        )
    return out


def _divergence(results: Results, lot_id: str) -> list[Block]:
    exercise = results.exercise
    out: list[Block] = [Heading(2, rich("Points for the joint moderation meeting"), "moderation")]
    points = [(t, c) for t in results.in_lot(lot_id) for c in t.criteria if c.divergent]
    if not points:
        out.append(
            Paragraph(
                rich(
                    "The two panels' averages do not diverge on any criterion of "
                    "any tender in this lot."
                )
            )
        )
        return out
    items = []
    for t, c in points:
        gap = abs((c.community_mean or Fraction(0)) - (c.officer_mean or Fraction(0)))
        items.append(
            rich(
                theirs(t.tender),
                " (",
                theirs(t.bidder),
                "), ",
                theirs(exercise.criteria[c.criterion].name),
                f": community panel {display(c.community_mean)}, officer panel "
                f"{display(c.officer_mean)} — a difference of {display(gap)}.",
            )
        )
    out.append(Items(tuple(items)))
    return out


def _chart(exercise: Exercise, t: TenderResult, ident: str) -> Chart:
    scale_max = max(c.scale.max for c in exercise.criteria.criteria)
    bars = tuple(
        Bar(exercise.criteria[c.criterion].name, c.community_mean, c.officer_mean)
        for c in t.criteria
    )
    return Chart(
        f"The two panels' means for tender {clean_caption(t.tender)}, criterion by criterion",
        f"Horizontal bars on a scale of 0 to {scale_max}, a pair per criterion: the community "
        f"panel's mean as a solid bar, the officer panel's mean as a hatched bar. "
        + " ".join(
            f"{clean_caption(b.label)}: community {display(b.community)}, officer "
            f"{display(b.officer)}."
            for b in bars
        ),
        bars,
        scale_max,
        ident,
    )


def _tender(results: Results, t: TenderResult, options: DecisionOptions) -> list[Block]:
    exercise = results.exercise
    ident = anchor("tender", t.tender)
    out: list[Block] = [
        Heading(3, rich(theirs(t.tender), " — ", theirs(t.bidder)), ident),
        Paragraph(
            rich(
                f"Rank {t.rank if t.rank is not None else '—'}"
                f"{' (tie)' if t.tie else ''}; result: {_result_word(t)}; quality "
                f"{display(t.quality_score)}, total {display(t.total_score)}."
            )
        ),
    ]
    rows = []
    for c in t.criteria:
        criterion = exercise.criteria[c.criterion]
        notes = []
        if c.below_minimum:
            notes.append(f"below minimum {display(criterion.minimum)}")
        if c.divergent:
            notes.append("panels diverge")
        rows.append(
            (
                _cell(theirs(criterion.name)),
                _cell(f"{display(c.community_mean)} (n={c.community_n})"),
                _cell(f"{display(c.officer_mean)} (n={c.officer_n})"),
                _cell(display(c.combined)),
                _cell("; ".join(notes) or "none"),
            )
        )
    out.append(
        Table(
            f"Scores for tender {clean_caption(t.tender)} by criterion",
            ("Criterion", "Community mean", "Officer mean", "Combined", "Notes"),
            tuple(rows),
            numeric=(1, 2, 3),
        )
    )
    out.append(_chart(exercise, t, ident + "-chart"))
    if t.failures:
        out.append(Paragraph(rich(ours("Threshold failures", strong=True))))
        out.append(Items(tuple((theirs(f),) for f in t.failures)))
    if t.missing:
        out.append(Paragraph(rich(ours("Still missing", strong=True))))
        out.append(Items(tuple((theirs(m),) for m in t.missing)))
    comments = results.comments_on(t.tender)
    if comments:
        out.append(Paragraph(rich(ours("Panels' comments", strong=True))))
        names = {e.id: e.name for e in exercise.evaluators}
        items = []
        for m in comments:
            who = (
                f"{m.evaluator} ({names.get(m.evaluator, '')})"
                if options.name_evaluators
                else m.evaluator
            )
            criterion_name = (
                exercise.criteria[m.criterion].name
                if m.criterion in exercise.criteria.ids
                else m.criterion
            )
            items.append(
                rich(
                    theirs(criterion_name, em=True),
                    f", {m.panel} panel, ",
                    theirs(who),
                    f", score {m.score}: ",
                    theirs(m.text),
                )
            )
        out.append(Items(tuple(items)))
    return out


def _signoff() -> list[Block]:
    blank = _cell(" ")
    return [
        Heading(2, rich("Sign-off"), "sign-off"),
        Paragraph(
            rich(
                "We confirm that this decision records the scores of both panels, "
                "combined with equal weight."
            )
        ),
        Table(
            "Sign-off by a community panel member and an officer",
            ("Role", "Name", "Signature", "Date"),
            (
                (_cell("Community panel member"), blank, blank, blank),
                (_cell("Officer"), blank, blank, blank),
            ),
        ),
    ]


def decision_document(
    results: Results, lot_id: str, options: DecisionOptions | None = None, *, pdf_name: str = ""
) -> Document:
    """The decision for ``lot_id`` as blocks, as :func:`render_decision` lays it out."""
    options = options or DecisionOptions()
    exercise = results.exercise
    lot = results.lot(lot_id)
    blocks: list[Block] = []
    if options.provisional:
        blocks.append(Paragraph(rich("PROVISIONAL — this is not a final decision"), "banner"))
    blocks.append(Heading(1, rich("Panel decision: ", theirs(exercise.title)), "top"))
    blocks.append(Paragraph(rich(theirs(exercise.authority), " · Lot: ", theirs(lot.title))))
    blocks.append(Paragraph(_decision_summary(results, lot_id, options.provisional), "summary"))
    blocks.append(Heading(2, rich("Recommendation"), "recommendation"))
    blocks.append(Paragraph(_recommendation(results, lot_id)))
    blocks.append(Heading(2, rich("Ranked tenders"), "ranked"))
    blocks.append(_ranked_table(results, lot_id))
    blocks += _method(exercise)
    blocks += _panels(exercise, options.name_evaluators)
    blocks += _divergence(results, lot_id)
    blocks.append(Heading(2, rich("Each tender, criterion by criterion"), "tenders"))
    for t in results.in_lot(lot_id):
        blocks += _tender(results, t, options)
    blocks += _signoff()
    blocks.append(
        Paragraph(
            rich(
                f"Decision data SHA-256: {options.digest}. Check it against the stored scores "
                f"with: commission verify {pdf_name or 'FILE.pdf'}"
            ),
            "small",
        )
    )
    kind = "Provisional panel decision" if options.provisional else "Panel decision"
    footer = [("Decision data SHA-256", rich(options.digest or "—"))]
    if options.audit_head:
        footer.append(("Audit chain head", rich(options.audit_head)))
    if pdf_name:
        footer.append(("PDF edition", rich(pdf_name)))
    return Document(
        title=f"{kind}: {clean_caption(exercise.title)} — {clean_caption(lot.title)}",
        header=rich(
            theirs(exercise.authority), " · ", theirs(exercise.title), " · Lot: ", theirs(lot.title)
        ),
        blocks=tuple(blocks),
        provisional=options.provisional,
        footer=tuple(footer),
        author=clean_caption(exercise.authority),
        description=f"{kind} on lot {clean_caption(lot.lot)} of exercise "
        f"{clean_caption(exercise.id)}, community and officer panels weighted "
        f"equally",
        keywords=("panel decision", "co-production", exercise.id, lot.lot),
    )


# --- the assessment summary ------------------------------------------------------------------


def _score_sentence(t: TenderResult) -> Rich:
    if t.total_score is not None:
        price = f", price {display(t.price_score)}" if t.price_score is not None else ""
        return rich(
            "Total score: ",
            ours(display(t.total_score), strong=True),
            f" out of 100 (quality {display(t.quality_score)}{price}).",
        )
    if t.quality_score is not None:
        return rich(
            "Quality score: ",
            ours(display(t.quality_score), strong=True),
            " out of 100. A tender that does not pass is given no price score and no total score.",
        )
    return rich("No score yet: both panels must score every criterion first.")


def _outcome(job: SummaryJob) -> tuple[str, list[Rich]]:
    t = job.tender
    winners = [w for w, _ in job.winners]
    if not t.complete:
        return (
            "The assessment of your tender is not complete yet.",
            [(theirs(m),) for m in t.missing],
        )
    if t.rank == 1 and len(winners) == 1:
        return ("Your tender ranked first and is the panels' recommended tender.", [])
    if t.rank == 1:
        return (f"Your tender shares first place; the {TIE_WORDING}.", [])
    reasons: list[Rich] = [(theirs(f),) for f in t.failures]
    if t.passed and t.rank is not None:
        reasons.append(
            rich(
                f"Your tender passed and ranked {t.rank}{' (tie)' if t.tie else ''} "
                f"of {job.tenders_in_lot}; a higher-scoring tender was "
                f"recommended."
            )
        )
    for tender_id, total in job.winners:
        yours = (
            f"your tender scored {display(t.total_score)}"
            if t.total_score is not None
            else "your tender did not pass, so it was given no total score"
        )
        reasons.append(
            rich(
                "The recommended tender, ",
                theirs(tender_id),
                f", scored {display(total)}; {yours}.",
            )
        )
    if not job.winners:
        reasons.append(rich("No tender in this lot passed, so none was recommended."))
    return ("Your tender was not successful.", reasons)


def summary_document(exercise: Exercise, job: SummaryJob, *, pdf_name: str = "") -> Document:
    """The assessment summary of ``job`` as blocks, as :func:`render_summary` lays it out."""
    t = job.tender
    blocks: list[Block] = []
    if job.provisional:
        blocks.append(Paragraph(rich("PROVISIONAL — this is not a final decision"), "banner"))
    blocks.append(Heading(1, rich("Assessment summary"), "top"))
    blocks.append(
        Paragraph(
            rich(
                theirs(exercise.authority),
                " · ",
                theirs(exercise.title),
                " · Lot: ",
                theirs(job.lot_title),
            )
        )
    )
    blocks.append(
        Heading(2, rich("Tender ", theirs(t.tender), " from ", theirs(t.bidder)), "tender")
    )
    headline, reasons = _outcome(job)
    blocks.append(Paragraph(rich(headline + " ", *_score_sentence(t)), "summary"))
    if reasons:
        blocks.append(Heading(2, rich("Reasons"), "reasons"))
        blocks.append(Items(tuple(reasons)))
    blocks.append(Heading(2, rich("Scores and explanation, criterion by criterion"), "scores"))
    blocks.append(Paragraph(rich(EQUAL_WEIGHT_WORDING), "small"))
    by_criterion: dict[str, list[Comment]] = {}
    for m in job.comments:
        by_criterion.setdefault(m.criterion, []).append(m)
    rows = []
    for c in t.criteria:
        criterion = exercise.criteria[c.criterion]
        point = nearest_point(c.combined, criterion.scale.min, criterion.scale.max)
        lines: list[Rich] = []
        if point is not None:
            lines.append(
                rich(
                    f"Nearest scale point {point}: ",
                    theirs(criterion.scale.descriptors.get(point, "").rstrip(".")),
                    ".",
                )
            )
        lines.append(
            rich(
                f"Community panel {display(c.community_mean)}, officer panel "
                f"{display(c.officer_mean)}."
            )
        )
        if c.below_minimum:
            lines.append(rich(f"Below the minimum of {display(criterion.minimum)}."))
        for m in by_criterion.get(c.criterion, []):
            lines.append(rich(ours(f"{m.panel.capitalize()} panel:", em=True), " ", theirs(m.text)))
        rows.append(
            (
                _cell(theirs(criterion.name)),
                _cell(f"{display(c.combined)} of {criterion.scale.max}"),
                tuple(lines),
            )
        )
    blocks.append(
        Table(
            f"Scores and explanation for tender {clean_caption(t.tender)}",
            ("Criterion", "Score", "Explanation"),
            tuple(rows),
            numeric=(1,),
        )
    )
    blocks.append(
        Paragraph(
            rich(
                *_score_sentence(t),
                " Scores are shown to two decimal "
                "places; passes and ranks were decided on the exact figures.",
            )
        )
    )
    kind = "Provisional assessment summary" if job.provisional else "Assessment summary"
    footer = [("Decision data SHA-256", rich(job.digest or "—"))]
    if job.audit_head:
        footer.append(("Audit chain head", rich(job.audit_head)))
    if pdf_name:
        footer.append(("PDF edition", rich(pdf_name)))
    return Document(
        title=f"{kind}: tender {clean_caption(t.tender)} — {clean_caption(exercise.title)}",
        header=rich(
            theirs(exercise.authority),
            " · ",
            theirs(exercise.title),
            " · Tender ",
            theirs(t.tender),
        ),
        blocks=tuple(blocks),
        provisional=job.provisional,
        footer=tuple(footer),
        author=clean_caption(exercise.authority),
        description=f"{kind} for tender {clean_caption(t.tender)} in exercise "
        f"{clean_caption(exercise.id)}, lot {clean_caption(t.lot)}",
        keywords=("assessment summary", "Procurement Act 2023 s.50", exercise.id, t.lot, t.tender),
    )


__all__ = ["anchor", "decision_document", "summary_document", "write_decision_html"]


def write_decision_html(
    results: Results,
    lot_id: str,
    path: Path | str,
    options: DecisionOptions | None = None,
    *,
    pdf: bool = True,
) -> Path:
    """Write the HTML edition of the decision for ``lot_id`` (naming its PDF when ``pdf``)."""
    from .html import write_html

    target = Path(path)
    pdf_name = target.with_suffix(".pdf").name if pdf else ""
    return write_html(decision_document(results, lot_id, options, pdf_name=pdf_name), target)
