"""The assessment summary for one tender's bidder (Procurement Act 2023 s.50, reg 31).

Per criterion: the score and an explanation (what the nearest point of the scale means, and the
panels' comments, without naming panel members); the total; and for an unsuccessful tender the
reasons and the recommended tender's score for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..model import Exercise
from ..scoring import Comment, TenderResult, display
from .decision import EQUAL_WEIGHT_WORDING, TIE_WORDING
from .fonts import SANS, SANS_BOLD
from .layout import Metadata, PageFurniture, build, edition_note, styles, table_style
from .layout import paragraph as Paragraph
from .text import markup


@dataclass(frozen=True)
class SummaryJob:
    """Everything one assessment summary needs, small enough to send to a render worker."""

    tender: TenderResult
    comments: tuple[Comment, ...]
    #: (tender id, total score) of the tender(s) ranked first in the lot.
    winners: tuple[tuple[str, Fraction | None], ...]
    lot_title: str
    tenders_in_lot: int
    path: str
    digest: str = ""
    audit_head: str = ""
    provisional: bool = False
    #: Where the HTML edition goes ("" for none), and whether the PDF is written at all.
    html_path: str = ""
    pdf: bool = True


def nearest_point(value: Fraction | None, low: int, high: int) -> int | None:
    if value is None:
        return None
    point = int((value * 2 + 1) // 2)  # half up
    return max(low, min(high, point))


def outcome_text(job: SummaryJob) -> tuple[str, list[str]]:
    """The outcome for this bidder in one sentence, and the reasons when unsuccessful."""
    t = job.tender
    winners = [w for w, _ in job.winners]
    if not t.complete:
        return ("The assessment of your tender is not complete yet.", [markup(m) for m in
                                                                       t.missing])
    if t.rank == 1 and len(winners) == 1:
        return ("Your tender ranked first and is the panels' recommended tender.", [])
    if t.rank == 1:
        return (f"Your tender shares first place; the {TIE_WORDING}.", [])
    reasons = [markup(f) for f in t.failures]
    if t.passed and t.rank is not None:
        reasons.append(f"Your tender passed and ranked {t.rank}{' (tie)' if t.tie else ''} of "
                       f"{job.tenders_in_lot}; a higher-scoring tender was recommended.")
    for tender_id, total in job.winners:
        yours = (f"your tender scored {display(t.total_score)}" if t.total_score is not None
                 else "your tender did not pass, so it was given no total score")
        reasons.append(f"The recommended tender, {markup(tender_id)}, scored "
                       f"{display(total)}; {yours}.")
    if not job.winners:
        reasons.append("No tender in this lot passed, so none was recommended.")
    return ("Your tender was not successful.", reasons)


def score_sentence(t: TenderResult) -> str:
    """The tender's scores in one sentence; a tender with no total says why it has none."""
    if t.total_score is not None:
        price = f", price {display(t.price_score)}" if t.price_score is not None else ""
        return (f"Total score: <b>{display(t.total_score)}</b> out of 100 "
                f"(quality {display(t.quality_score)}{price}).")
    if t.quality_score is not None:
        return (f"Quality score: <b>{display(t.quality_score)}</b> out of 100. A tender that "
                f"does not pass is given no price score and no total score.")
    return "No score yet: both panels must score every criterion first."


def summary_story(exercise: Exercise, job: SummaryJob) -> list[Any]:
    from reportlab.platypus import Table

    st = styles()
    t = job.tender
    story: list[Any] = []
    if job.provisional:
        story.append(Paragraph("PROVISIONAL — this is not a final decision", st["banner"]))
    story.append(Paragraph("Assessment summary", st["title"]))
    story.append(Paragraph(
        f"{markup(exercise.authority)} · {markup(exercise.title)} · Lot: {markup(job.lot_title)}",
        st["body"]))
    story.append(Paragraph(f"Tender {markup(t.tender)} from {markup(t.bidder)}", st["h2"]))
    headline, reasons = outcome_text(job)
    story.append(Paragraph(f"{headline} {score_sentence(t)}", st["summary"]))
    if reasons:
        story.append(Paragraph("Reasons", st["h1"]))
        story += [Paragraph(f"• {r}", st["body"]) for r in reasons]
    story.append(Paragraph("Scores and explanation, criterion by criterion", st["h1"]))
    story.append(Paragraph(EQUAL_WEIGHT_WORDING, st["small"]))
    if job.html_path:
        story.append(Paragraph(edition_note(Path(job.html_path).name), st["small"]))
    # Our own short words (the header, "3.40 of 5") are table strings drawn in the cell
    # font; only text that may need wrapping or another script is a Paragraph.
    rows: list[list[Any]] = [["Criterion", "Score", "Explanation"]]
    by_criterion: dict[str, list[Comment]] = {}
    for m in job.comments:
        by_criterion.setdefault(m.criterion, []).append(m)
    for c in t.criteria:
        criterion = exercise.criteria[c.criterion]
        point = nearest_point(c.combined, criterion.scale.min, criterion.scale.max)
        lines = []
        if point is not None:
            lines.append(f"Nearest scale point {point}: "
                         f"{markup(criterion.scale.descriptors.get(point, '').rstrip('.'))}.")
        lines.append(f"Community panel {display(c.community_mean)}, officer panel "
                     f"{display(c.officer_mean)}.")
        if c.below_minimum:
            lines.append(f"Below the minimum of {display(criterion.minimum)}.")
        for m in by_criterion.get(c.criterion, []):
            lines.append(f"<i>{m.panel.capitalize()} panel:</i> {markup(m.text)}")
        rows.append([
            Paragraph(markup(criterion.name), st["cell"]),
            f"{display(c.combined)} of {criterion.scale.max}",
            [Paragraph(line, st["cell"]) for line in lines],
        ])
    cell = st["cell"]
    # (a row may split across pages: one 20,000-character answer is taller than a page)
    story.append(Table(rows, colWidths=[130, 60, 321], repeatRows=1, splitInRow=1,
                       spaceAfter=8, style=table_style(extra=(
        ("FONT", (0, 0), (-1, 0), SANS_BOLD, cell.fontSize, cell.leading),
        ("FONT", (1, 1), (1, -1), SANS, cell.fontSize, cell.leading),
    ))))
    story.append(Paragraph(
        f"{score_sentence(t)} Scores are shown to two decimal places; passes and ranks were "
        f"decided on the exact figures.", st["body"]))
    return story


def render_summary(exercise: Exercise, job: SummaryJob) -> Path:
    t = job.tender
    kind = "Provisional assessment summary" if job.provisional else "Assessment summary"
    meta = Metadata(
        title=f"{kind}: tender {t.tender}",
        author=exercise.authority,
        subject=f"{kind} for tender {t.tender} in exercise {exercise.id}, lot {t.lot}",
        keywords=["assessment summary", "Procurement Act 2023 s.50", exercise.id, t.lot, t.tender,
                  f"sha256:{job.digest}"] + (["PROVISIONAL"] if job.provisional else []),
    )
    heading = f"{exercise.authority} · {exercise.title} · Tender {t.tender}"
    furniture = PageFurniture(heading, job.digest, job.audit_head, job.provisional)
    build(job.path, summary_story(exercise, job), furniture, meta)
    return Path(job.path)
