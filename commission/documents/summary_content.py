"""What an assessment summary says (Procurement Act 2023 s.50, Procurement Regulations 2024
reg 31), built as a :class:`Document`.

In the regulation's order, in plain words: who the bidder is; the award criteria with their
weights, the scale and what each score means, the equal weight of the two panels, minimums,
the quality threshold and the price formula with the lowest price and this tender's price; each
criterion's score and its explanation by reference to the tender (the panels' comments; where a
criterion has none, the summary says so and a final one warns); the total with its arithmetic;
for an unsuccessful tender the most advantageous tender's scores, explanations and total and why
this tender was not it; for a tie, who it is tied with; the issue date, the authority's contact
and the standstill statement. Panel members are never named to a bidder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from ..records import Exercise
from ..scoring import Comment, TenderResult, display
from . import content as c
from .decision_content import (
    EQUAL_WEIGHT_WORDING,
    TIE_WORDING,
    Price,
    _pct,
    about,
    arithmetic,
    price_cell,
    quality_points,
)
from .decision_method import method
from .summary_moderation import Moderated, moderation_of, rounds_paragraph

if TYPE_CHECKING:
    from .summary import SummaryJob


@dataclass(frozen=True)
class BidderDetails:
    """What the summary prints about the bidder, from the submission."""

    name: str
    identifier: str | None = None
    address: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Leader:
    """The most advantageous tender of the lot, as an unsuccessful bidder is told of it."""

    result: TenderResult
    comments: tuple[Comment, ...] = ()
    price: Price | None = None
    moderated: Moderated | None = None


def _money(price: Price | None) -> str:
    return c.money(price.amount, price.currency) if price is not None else "no price"


def nearest_point(value: Fraction | None, low: int, high: int) -> int | None:
    if value is None:
        return None
    point = int((value * 2 + 1) // 2)  # half up
    return max(low, min(high, point))


def criterion_points(exercise: Exercise, t: TenderResult, criterion_id: str) -> Fraction | None:
    """What one criterion adds to the quality score (out of 100)."""
    criteria = exercise.criteria.criteria
    total_weight = sum((cr.weight for cr in criteria), Fraction(0))
    criterion = exercise.criteria[criterion_id]
    combined = t.criterion(criterion_id).combined
    if combined is None or not total_weight:
        return None
    return 100 * criterion.weight * combined / criterion.scale.max / total_weight


def _winner_ids(job: SummaryJob) -> list[str]:
    return [w for w, _ in job.winners]


def headline(job: SummaryJob) -> str:
    t = job.tender
    winners = _winner_ids(job)
    if not t.complete:
        return "The assessment of your tender is not complete yet."
    if not job.lot_complete:
        if t.rank == 1:
            return (
                "Your tender ranks first so far; no tender can be recommended until every "
                "tender in this lot is fully scored."
            )
        return "No tender can be recommended yet: the assessment of this lot is not complete."
    if t.rank == 1 and len(winners) == 1:
        return "Your tender ranked first and is the panels' recommended tender."
    if t.rank == 1:
        return f"Your tender shares first place; the {TIE_WORDING}."
    return "Your tender was not successful."


def score_sentence(exercise: Exercise, t: TenderResult) -> str:
    if t.total_score is not None:
        if exercise.price_weight:
            return (
                f"Total score: {display(t.total_score)} out of 100 = quality "
                f"{display(quality_points(exercise, t))} points + price "
                f"{display(t.price_score)} points."
            )
        return f"Total score: {display(t.total_score)} out of 100 (the quality score)."
    if t.quality_score is not None:
        return (
            f"Quality score: {display(t.quality_score)} out of 100. A tender that does not "
            f"pass is given no price points and no total score."
        )
    return "No score yet: both panels must score every criterion first."


def reasons(exercise: Exercise, job: SummaryJob) -> list[c.Text]:
    """Why this tender was not the most advantageous one: criteria, quality, price, by how
    much; or the failed minimum or threshold; or who it is tied with."""
    t = job.tender
    out: list[c.Text] = []
    if not t.complete:
        return [c.text(m) for m in t.missing]
    if not job.lot_complete:
        so_far = [c.text(f"Your tender does not pass so far: {f}.") for f in t.failures]
        if t.passed and t.rank is not None:
            so_far.append(
                c.text(
                    f"Your tender passes and ranks {t.rank}{' (tie)' if t.tie else ''} of "
                    f"{job.tenders_in_lot} so far."
                )
            )
        return so_far
    if job.tied_with:
        place = "first place" if t.rank == 1 else f"rank {t.rank}"
        out.append(
            c.text(
                f"Your tender is tied for {place} with "
                f"{', '.join(job.tied_with)}: the totals are exactly equal"
                + (f", and the {TIE_WORDING}." if t.rank == 1 else ".")
            )
        )
    if t.rank == 1:
        return out
    for failure in t.failures:
        out.append(
            c.text(
                f"Your tender did not pass: {failure}. A tender that does not pass "
                f"cannot be ranked or recommended."
            )
        )
    if t.passed and t.rank is not None:
        out.append(
            c.text(
                f"Your tender passed and ranked {t.rank}"
                f"{' (tie)' if t.tie else ''} of {job.tenders_in_lot}."
            )
        )
    if not job.winners:
        out.append(c.text("No tender in this lot passed, so none was recommended."))
    if not job.leaders:  # only the winners' ids and totals are known
        for tender_id, total in job.winners:
            out.append(
                c.text(
                    f"The most advantageous tender, {tender_id}, scored "
                    f"{display(total)}; "
                    + (
                        f"your tender scored {display(t.total_score)}"
                        if t.total_score is not None
                        else "your tender did not pass, so it was given no total score"
                    )
                    + "."
                )
            )
    for leader in job.leaders:
        w = leader.result
        out.append(
            c.text(
                f"The most advantageous tender, {w.tender} ({w.bidder}), scored "
                f"{display(w.total_score)}; "
                + (
                    f"your tender scored {display(t.total_score)}"
                    if t.total_score is not None
                    else "your tender did not pass, so it was given no total score"
                )
                + "."
            )
        )
        lower, higher = [], []
        for cr in t.criteria:
            mine, theirs = cr.combined, w.criterion(cr.criterion).combined
            if mine is None or theirs is None or mine == theirs:
                continue
            name = exercise.criteria[cr.criterion].name
            gap = display(abs(mine - theirs))
            if mine < theirs:
                lower.append(f"{name} {display(mine)} against {display(theirs)} ({gap} lower)")
            else:
                higher.append(f"{name} {display(mine)} against {display(theirs)} ({gap} higher)")
        if lower:
            out.append(c.text("Criteria where your tender scored lower: " + "; ".join(lower) + "."))
        if higher:
            out.append(
                c.text("Criteria where your tender scored higher: " + "; ".join(higher) + ".")
            )
        if t.quality_score is not None and w.quality_score is not None:
            diff = t.quality_score - w.quality_score
            word = "lower" if diff < 0 else "higher" if diff > 0 else "the same"
            out.append(
                c.text(
                    f"Quality: {display(t.quality_score)} against {display(w.quality_score)}"
                    + (f" ({display(abs(diff))} {word})." if diff else " (the same).")
                )
            )
        if exercise.price_weight and t.price_score is not None and w.price_score is not None:
            out.append(
                c.text(
                    f"Price: your {_money(job.price)} earned {display(t.price_score)} price "
                    f"points against {display(w.price_score)} for {_money(leader.price)}."
                )
            )
            if (
                t.quality_score is not None
                and w.quality_score is not None
                and t.quality_score >= w.quality_score
            ):
                out.append(
                    c.text(
                        f"Your tender scored at least as well on quality, but "
                        f"{w.tender}'s lower price gave it the higher total."
                    )
                )
            elif t.price_score > w.price_score:
                out.append(
                    c.text(
                        "Your lower price earned more price points, but not enough "
                        "to make up the difference in quality."
                    )
                )
            elif t.price_score < w.price_score:
                out.append(
                    c.text(
                        f"{w.tender} scored higher on quality and its lower price "
                        f"earned more price points."
                    )
                )
            else:
                out.append(c.text("The difference is in the quality score."))
    return out


def how_assessed(exercise: Exercise, job: SummaryJob) -> c.Section:
    section = method(exercise)
    extra: list[c.Block] = []
    if exercise.price_weight:
        p = _pct(exercise.price_weight)
        lines = []
        if job.lowest is not None:
            tender, low = job.lowest
            lines.append(
                f"The lowest price among the passing tenders of this lot is "
                f"{c.money(low.amount, low.currency)} ({tender})."
            )
        if job.price is not None and job.price.amount is not None:
            lines.append(f"Your price is {c.money(job.price.amount, job.price.currency)}.")
            if job.lowest is not None and job.tender.price_score is not None:
                low = job.lowest[1]
                lines.append(
                    f"Your price points = {p} × {c.money(low.amount, low.currency)} ÷ "
                    f"{c.money(job.price.amount, job.price.currency)} = "
                    f"{display(job.tender.price_score)} of {p}."
                )
            elif job.tender.passed is False:
                lines.append("Your tender did not pass, so it was given no price points.")
        if lines:
            extra.append(c.Paragraph(c.text(" ".join(lines))))
    return c.Section("How tenders were assessed", section.blocks + tuple(extra))


def scores_table(exercise: Exercise, t: TenderResult) -> c.Table:
    total_weight = sum((cr.weight for cr in exercise.criteria.criteria), Fraction(0))
    rows = []
    for cr in t.criteria:
        criterion = exercise.criteria[cr.criterion]
        share = 100 * criterion.weight / total_weight if total_weight else Fraction(0)
        rows.append(
            (
                c.text(criterion.name),
                c.text(f"{display(share)}%"),
                c.text(display(cr.community_mean)),
                c.text(display(cr.officer_mean)),
                c.text(f"{display(cr.combined)} of {criterion.scale.max}"),
                c.text(display(criterion_points(exercise, t, cr.criterion))),
            )
        )
    rows.append(
        (
            c.text(c.bold("Quality score")),
            c.text("100%"),
            c.text(""),
            c.text(""),
            c.text(""),
            c.text(c.bold(display(t.quality_score))),
        )
    )
    return c.Table(
        "Quality points = weight × combined score ÷ the top of the scale; they add up to the "
        "quality score (out of 100).",
        ("Criterion", "Weight", "Community panel", "Officer panel", "Combined", "Quality points"),
        tuple(rows),
        widths=(150, 50, 70, 70, 70, 70),
        numeric=frozenset({1, 2, 3, 4, 5}),
    )


def explanation(
    exercise: Exercise,
    t: TenderResult,
    comments: Sequence[Comment],
    provisional: bool,
    yours: bool = True,
    moderated: Moderated | None = None,
) -> list[c.Block]:
    """Each criterion's score with its explanation: the scale point, the explanation the panels
    agreed at moderation where there is one, and the panels' comments."""
    by_criterion: dict[str, list[Comment]] = {}
    for m in comments:
        by_criterion.setdefault(m.criterion, []).append(m)
    sections: list[c.Block] = []
    for cr in t.criteria:
        criterion = exercise.criteria[cr.criterion]
        point = nearest_point(cr.combined, criterion.scale.min, criterion.scale.max)
        blocks: list[c.Block] = []
        said = f"Score {display(cr.combined)} of {criterion.scale.max}"
        if point is not None:
            said += (
                f"; nearest scale point {point}: "
                f"{criterion.scale.descriptors.get(point, '').rstrip('.')}"
            )
        said += (
            f". Community panel {display(cr.community_mean)}, officer panel "
            f"{display(cr.officer_mean)}."
        )
        if cr.below_minimum:
            said += f" Below the minimum of {display(criterion.minimum)}."
        blocks.append(c.Paragraph(c.text(said)))
        blocks += moderation_of(moderated, cr.combined, cr.criterion)
        found = by_criterion.get(cr.criterion, [])
        for m in found:
            blocks.append(
                c.Paragraph(c.text(c.italic(f"{m.panel.capitalize()} panel:"), " ", m.text))
            )
        # an explanation agreed at moderation is the explanation reg 31 asks for
        if not found and not (moderated is not None and moderated.note(cr.criterion)):
            whose = "your tender" if yours else "this tender"
            blocks.append(
                c.Paragraph(
                    c.text(
                        f"The panels wrote no comments on this criterion for {whose}: the score is "
                        f"explained only by the scale above."
                    )
                )
            )
            if not provisional and yours:
                blocks.append(
                    c.Paragraph(
                        c.text(
                            c.bold("Warning: "),
                            "no explanation by reference to your tender is "
                            "recorded for this criterion, which reg 31 of the Procurement "
                            "Regulations 2024 asks for. You may ask the contact below for it.",
                        ),
                        "warning",
                    )
                )
        sections.append(c.Section(criterion.name, tuple(blocks), level=2))
    return sections


def leader_section(exercise: Exercise, job: SummaryJob, leader: Leader) -> c.Section:
    w = leader.result
    t = job.tender
    rows = []
    for cr in w.criteria:
        mine = (
            t.criterion(cr.criterion).combined
            if cr.criterion in {x.criterion for x in t.criteria}
            else None
        )
        rows.append(
            (
                c.text(exercise.criteria[cr.criterion].name),
                c.text(display(cr.combined)),
                c.text(display(mine)),
                c.text(display(criterion_points(exercise, w, cr.criterion))),
            )
        )
    blocks: list[c.Block] = [
        c.KeyValues(
            (
                ("Tender", c.text(w.tender)),
                ("Bidder", c.text(w.bidder)),
                ("Bid price", c.text(price_cell(exercise, w, leader.price))),
                ("Total", c.text(arithmetic(exercise, w, leader.price))),
            )
        ),
        c.Table(
            f"{w.tender}'s combined score on each criterion beside yours.",
            ("Criterion", f"{w.tender}", "Your tender", f"{w.tender} quality points"),
            tuple(rows),
            widths=(190, 90, 90, 110),
            numeric=frozenset({1, 2, 3}),
        ),
        c.Section(
            f"Explanation of {w.tender}'s scores",
            tuple(
                explanation(
                    exercise,
                    w,
                    leader.comments,
                    job.provisional,
                    yours=False,
                    moderated=leader.moderated,
                )
            ),
            level=2,
        ),
    ]
    return c.Section(f"The most advantageous tender: {w.tender}", tuple(blocks))


def standstill(exercise: Exercise, job: SummaryJob) -> c.Section:
    days = exercise.standstill_days
    statement = (
        f"Standstill: the authority will not enter into the contract before the end of a "
        f"standstill period of {days} working days, which begins on the day the contract award "
        f"notice is published (Procurement Act 2023 s.51). During the standstill period you "
        f"may raise any concern about this decision with the contact below."
    )
    blocks: list[c.Block] = []
    if job.provisional:
        blocks.append(
            c.Paragraph(
                c.text(
                    c.bold("This summary is provisional."),
                    " No award decision has been made yet; the final "
                    "summary will be sent with the award notice.",
                )
            )
        )
    blocks.append(c.Paragraph(c.text(statement)))
    contact = exercise.contact
    if contact is not None:
        blocks.append(
            c.KeyValues(
                tuple(
                    [("Contact", c.text(contact.name))]
                    + [
                        (label, c.text(value))
                        for label, value in (
                            ("Email", contact.email),
                            ("Telephone", contact.telephone),
                            ("Address", contact.address),
                            ("Web", contact.url),
                        )
                        if value
                    ]
                )
            )
        )
    else:
        blocks.append(
            c.Paragraph(
                c.text(f"The exercise names no contact for bidders: write to {exercise.authority}.")
            )
        )
    if job.issued:
        blocks.append(c.Paragraph(c.text(f"{job.issued}.")))
    return c.Section("Standstill period and contact", tuple(blocks))


def build_summary(exercise: Exercise, job: SummaryJob) -> c.Document:
    """The assessment summary for one tender's bidder."""
    t = job.tender
    bidder = job.bidder or BidderDetails(t.bidder)
    extra = [("Tender", t.tender), ("Bidder", bidder.name)]
    if bidder.identifier:
        extra.append(("Bidder identifier", bidder.identifier))
    if bidder.address:
        extra.append(("Bidder address", bidder.address))
    if bidder.email:
        extra.append(("Bidder contact", bidder.email))
    if exercise.price_weight or (job.price and job.price.amount is not None):
        extra.append(("Bid price", price_cell(exercise, t, job.price)))
    blocks: list[c.Block] = [
        about(exercise, job.lot_title, job.issued, job.provisional, extra),
        c.Paragraph(c.text(headline(job), " ", score_sentence(exercise, t)), "lead"),
    ]
    found = reasons(exercise, job)
    if found:
        title = "Why your tender was not the most advantageous tender" if t.rank != 1 else "Tie"
        blocks.append(c.Section(title, (c.Bullets(tuple(found)),)))
    blocks.append(how_assessed(exercise, job))
    blocks.append(
        c.Section(
            "Your scores",
            (
                c.Paragraph(c.text(EQUAL_WEIGHT_WORDING), "small"),
                scores_table(exercise, t),
                c.Paragraph(c.text(arithmetic(exercise, t, job.price))),
                *rounds_paragraph(t, job.moderated),
                c.Paragraph(
                    c.text(
                        "Scores are shown to two decimal places; passes and ranks were "
                        "decided on the exact figures, so rounded parts may differ from the "
                        "rounded total by 0.01."
                    ),
                    "small",
                ),
            ),
            keep=True,
        )
    )
    blocks.append(
        c.Section(
            "Explanation, criterion by criterion",
            tuple(explanation(exercise, t, job.comments, job.provisional, moderated=job.moderated)),
        )
    )
    if t.rank != 1:
        for leader in job.leaders:
            blocks.append(leader_section(exercise, job, leader))
    blocks.append(standstill(exercise, job))
    kind = "Provisional assessment summary" if job.provisional else "Assessment summary"
    return c.Document(
        kind="summary",
        title="Assessment summary",
        heading=f"{exercise.authority} · {exercise.title} · Tender {t.tender}",
        issued=job.issued,
        provisional=job.provisional,
        blocks=tuple(blocks),
        digest=job.digest,
        audit_head=job.audit_head,
        meta_title=f"{kind}: tender {t.tender}",
        author=exercise.authority,
        subject=f"{kind} for tender {t.tender} in exercise {exercise.id}, lot {t.lot}",
        keywords=tuple(
            [
                "assessment summary",
                "Procurement Act 2023 s.50",
                exercise.id,
                t.lot,
                t.tender,
                f"sha256:{job.digest}",
            ]
            + (["PROVISIONAL"] if job.provisional else [])
        ),
        extra_info=(("CommissionDecision", job.info_json),) if job.info_json else (),
    )
