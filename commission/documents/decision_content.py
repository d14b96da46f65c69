"""What a panel decision says (SPEC §8), built from :class:`Results` as a :class:`Document`.

The decision is written for a resident as much as for the council: bid prices appear as money
beside the price points they earned, a sentence says when price decided the lot, declared
conflicts of interest are listed with how they change the panels' counts. Once a lot has a
moderated round, the moderation record (:mod:`.decision_moderation`) takes the place of the
panels' divergence points; without one, a final decision shows the disagreements as not
moderated. Abstentions, the agreed moderation notes and "How robust is this result?" come from
the :class:`~.decision_moderation.LotRecord` the application layer gathers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from ..records import Exercise
from ..scoring import (
    OUTCOME_INCOMPLETE,
    OUTCOME_NONE_PASSED,
    OUTCOME_TIE,
    OUTCOME_WINNER,
    Results,
    TenderResult,
    display,
)
from . import content as c
from .decision_method import method
from .decision_moderation import (
    LotRecord,
    abstained_cell,
    abstentions_section,
    independent_combined,
    moderation_or_divergence,
    notes_on,
    record_sections,
    was_moderated,
)

TIE_WORDING = "tie — to be resolved by the panel"
NONE_PASSED_WORDING = "no tender passed"
EQUAL_WEIGHT_WORDING = (
    "The community panel and the officer panel carry equal weight: each counts for half (50%) of "
    "every combined score, whatever the number of people on each panel."
)
NOT_MODERATED_WORDING = (
    "These differences were not moderated: the toolkit holds no record of a moderation meeting, "
    "so each combined score is the plain average of the two panels as they scored."
)


@dataclass(frozen=True)
class Price:
    amount: Fraction | None
    currency: str | None = "GBP"


@dataclass(frozen=True)
class DecisionContext:
    """What the decision needs besides the results: how and when it is issued, and prices."""

    provisional: bool = False
    name_evaluators: bool = False
    digest: str = ""
    audit_head: str = ""
    issued: str = ""
    #: tender id → the bid price as the bidder gave it.
    prices: Mapping[str, Price] = field(default_factory=dict)
    info_json: str = ""
    #: The moderation record, abstentions, notes and robustness (None: results alone).
    record: LotRecord | None = None


def _pct(value: Fraction) -> str:
    """A percentage weight without needless decimals: 20, 12.50."""
    return display(value).removesuffix(".00")


def result_word(t: TenderResult) -> str:
    if not t.complete:
        return "incomplete"
    return "pass" if t.passed else "fail"


def lowest_price(
    results: Results, lot_id: str, prices: Mapping[str, Price]
) -> tuple[str, Price] | None:
    """The lowest price among the lot's passing tenders (SPEC §6 rule 5), with its tender."""
    found = [
        (p.amount, t.tender, p)
        for t in results.in_lot(lot_id)
        if t.passed and (p := prices.get(t.tender)) is not None and p.amount is not None
    ]
    if not found:
        return None
    _, tender, price = min(found, key=lambda item: (item[0], item[1]))
    return tender, price


def quality_points(exercise: Exercise, t: TenderResult) -> Fraction | None:
    """The quality score's part of the total: (100 − price weight)% of it."""
    if t.quality_score is None:
        return None
    return t.quality_score * (100 - exercise.price_weight) / 100


def price_cell(exercise: Exercise, t: TenderResult, price: Price | None) -> str:
    """``£420,000: 18.71 of 20 points`` (or why there are no price points). The bundled fonts
    have no arrow, so a colon joins the money to its points."""
    money = c.money(price.amount, price.currency) if price and price.amount is not None else "—"
    if not exercise.price_weight:
        return f"{money} (price not scored)" if price and price.amount is not None else "—"
    if t.price_score is None:
        return (
            f"{money}: no price points (did not pass)"
            if t.passed is False
            else f"{money}: no price points yet"
        )
    return f"{money}: {c.points(t.price_score, exercise.price_weight)} points"


def arithmetic(exercise: Exercise, t: TenderResult, price: Price | None) -> str:
    """The total, shown so it visibly adds up."""
    if t.quality_score is None:
        return "No quality score yet: both panels must score every criterion first."
    if not exercise.price_weight:
        return f"Total = quality score = {display(t.quality_score)} of 100 (price is not scored)."
    share = _pct(100 - exercise.price_weight)
    if t.total_score is None:
        return (
            f"Quality score {display(t.quality_score)} of 100. A tender that does not pass "
            f"is given no price points and no total."
        )
    return (
        f"Total = {share}% of the quality score {display(t.quality_score)} "
        f"({display(quality_points(exercise, t))} points) + price points "
        f"{display(t.price_score)} ({c.money(price.amount, price.currency) if price else ''}) "
        f"= {display(t.total_score)} of 100."
    )


def price_decided(results: Results, lot_id: str) -> str | None:
    """A sentence when a tender with lower quality won on price, or None."""
    lot = results.lot(lot_id)
    if lot.outcome != OUTCOME_WINNER or not results.exercise.price_weight:
        return None
    winner = results.tender(lot.recommended[0])
    if winner.quality_score is None:
        return None
    better = [
        t
        for t in results.in_lot(lot_id)
        if t.tender != winner.tender
        and t.complete
        and t.passed
        and t.quality_score is not None
        and t.quality_score > winner.quality_score
    ]
    if not better:
        return None
    best = max(better, key=lambda t: (t.quality_score, t.tender))
    return (
        f"{winner.tender} is recommended: {best.tender} scored higher on quality "
        f"({display(best.quality_score)} vs {display(winner.quality_score)}), but "
        f"{winner.tender}'s lower price gave it the higher total "
        f"({display(winner.total_score)} vs {display(best.total_score)})."
    )


def recommendation(results: Results, lot_id: str) -> c.Text:
    lot = results.lot(lot_id)
    if lot.outcome == OUTCOME_WINNER:
        t = results.tender(lot.recommended[0])
        return c.text(
            c.bold(f"Recommended: {t.tender}"),
            f" ({t.bidder}), total score {display(t.total_score)}.",
        )
    if lot.outcome == OUTCOME_TIE:
        return c.text(
            c.bold(f"First place is a {TIE_WORDING}."),
            f" Tenders {', '.join(lot.recommended)} have exactly equal total scores.",
        )
    if lot.outcome == OUTCOME_NONE_PASSED:
        return c.text(c.bold(f"Outcome: {NONE_PASSED_WORDING}."), " No tender can be recommended.")
    return c.text(c.bold("No recommendation yet:"), " the assessment of this lot is not complete.")


def lead(results: Results, lot_id: str, provisional: bool) -> str:
    lot = results.lot(lot_id)
    tenders = results.in_lot(lot_id)
    passed = sum(1 for t in tenders if t.passed and t.complete)
    incomplete = sum(1 for t in tenders if not t.complete)
    kind = "a PROVISIONAL decision" if provisional else "the decision"
    parts = [
        f"This is {kind} of the community panel and the officer panel on {lot.title} "
        f"({lot.lot}) of {results.exercise.title}.",
        f"{len(tenders)} tender{'s were' if len(tenders) != 1 else ' was'} assessed and "
        f"{passed} passed.",
    ]
    if incomplete:
        parts.append(f"{incomplete} {'are' if incomplete != 1 else 'is'} not yet fully scored.")
    if lot.outcome == OUTCOME_WINNER:
        t = results.tender(lot.recommended[0])
        parts.append(
            f"Recommended: {t.tender} ({t.bidder}), with a total score of "
            f"{display(t.total_score)} out of 100."
        )
    elif lot.outcome == OUTCOME_TIE:
        parts.append(f"First place is a {TIE_WORDING}: {', '.join(lot.recommended)}.")
    elif lot.outcome == OUTCOME_INCOMPLETE:
        parts.append("No recommendation can be made until every tender is fully scored.")
    else:
        parts.append(f"Outcome: {NONE_PASSED_WORDING}.")
    parts.append("Both panels count equally, 50% each.")
    return " ".join(parts)


def about(
    exercise: Exercise,
    lot_title: str,
    issued: str,
    provisional: bool,
    extra: Sequence[tuple[str, str]] = (),
) -> c.KeyValues:
    items: list[tuple[str, c.Text]] = [
        ("Authority", c.text(exercise.authority)),
        ("Exercise", c.text(f"{exercise.title} ({exercise.id})")),
        ("Lot", c.text(lot_title)),
    ]
    items += [(key, c.text(value)) for key, value in extra]
    if exercise.service:
        items.append(("Service", c.text(exercise.service)))
    if exercise.term:
        items.append(("Contract term", c.text(exercise.term)))
    items.append(("Status", c.text(c.bold("PROVISIONAL") if provisional else "Final")))
    if issued:
        items.append(("Issued", c.text(issued.removeprefix("Issued "))))
    return c.KeyValues(tuple(items))


def panels(
    results: Results, lot_id: str, name_evaluators: bool, record: LotRecord | None = None
) -> c.Section:
    exercise = results.exercise
    blocks: list[c.Block] = []
    for panel in ("community", "officer"):
        members = [e for e in exercise.evaluators if e.panel == panel]
        need = exercise.min_evaluators.get(panel, 1)
        who = (
            ", ".join(f"{e.id} ({e.name})" if name_evaluators else e.id for e in members)
            or "nobody"
        )
        blocks.append(
            c.Paragraph(
                c.text(
                    c.bold(f"{panel.capitalize()} panel"),
                    f": {c.plural(len(members), 'member')} ({need} needed per criterion): {who}.",
                )
            )
        )
    if not name_evaluators:
        blocks.append(
            c.Paragraph(
                c.text("Panel members are shown by their panel reference, not by name."), "small"
            )
        )
    in_lot = {t.tender: t for t in results.in_lot(lot_id)}
    declared = []
    for e in exercise.evaluators:
        for tender_id in sorted(e.conflicts & set(in_lot)):
            t = in_lot[tender_id]
            size = sum(1 for m in exercise.evaluators if m.panel == e.panel)
            counts = sorted(
                {(cr.community_n if e.panel == "community" else cr.officer_n) for cr in t.criteria}
            )
            shown = "–".join(str(n) for n in (counts[0], counts[-1]) if counts) if counts else "0"
            if counts and counts[0] == counts[-1]:
                shown = str(counts[0])
            who = f"{e.id} ({e.name})" if name_evaluators else e.id
            declared.append(
                c.text(
                    f"{who}, {e.panel} panel, declared a conflict of interest with {tender_id} and "
                    f"did not score it: {tender_id}'s {e.panel} panel averages are over {shown} "
                    f"of the panel's {size} members."
                )
            )
    blocks.append(
        c.Section(
            "Declared conflicts of interest",
            (
                c.Bullets(tuple(declared))
                if declared
                else c.Paragraph(
                    c.text(
                        "No panel member declared a conflict of interest with a tender in this lot."
                    )
                ),
            ),
            level=2,
        )
    )
    if record is not None:
        abstained = abstentions_section(results, lot_id, record, name_evaluators)
        if abstained is not None:
            blocks.append(abstained)
    return c.Section("Who was on the panels", tuple(blocks))


def divergence_items(results: Results, lot_id: str, not_moderated: bool) -> list[c.Text]:
    """One line per divergent criterion of a tender in the lot, each marked "not moderated"
    when ``not_moderated`` (a final decision with no moderation record)."""
    exercise = results.exercise
    items = []
    for t in results.in_lot(lot_id):
        for cr in t.criteria:
            if not cr.divergent:
                continue
            gap = abs((cr.community_mean or Fraction(0)) - (cr.officer_mean or Fraction(0)))
            items.append(
                c.text(
                    f"{t.tender} ({t.bidder}), {exercise.criteria[cr.criterion].name}: community "
                    f"panel {display(cr.community_mean)}, officer panel "
                    f"{display(cr.officer_mean)} — a difference of {display(gap)}"
                    + (" (not moderated)" if not_moderated else "")
                    + "."
                )
            )
    return items


def divergence(results: Results, lot_id: str, provisional: bool) -> c.Section:
    items = divergence_items(results, lot_id, not_moderated=not provisional)
    found = bool(items)
    if provisional:
        heading = "Points for the joint moderation meeting"
        blocks: list[c.Block] = []
    else:
        heading = "Where the panels diverged (not moderated)"
        blocks = [c.Paragraph(c.text(NOT_MODERATED_WORDING))] if found else []
    if not found:
        blocks.append(
            c.Paragraph(
                c.text(
                    "The two panels' averages do not diverge on any "
                    "criterion of any tender in this lot."
                )
            )
        )
    else:
        blocks.append(c.Bullets(tuple(items)))
    return c.Section(heading, tuple(blocks))


def ranked(results: Results, lot_id: str, prices: Mapping[str, Price]) -> c.Table:
    exercise = results.exercise
    rows = []
    for t in results.in_lot(lot_id):
        rank = "—" if t.rank is None else f"{t.rank}{' (tie)' if t.tie else ''}"
        rows.append(
            (
                c.text(rank),
                c.text(t.tender),
                c.text(t.bidder),
                c.text(display(t.quality_score)),
                c.text(price_cell(exercise, t, prices.get(t.tender))),
                c.text(display(t.total_score)),
                c.text(result_word(t)),
            )
        )
    price_head = (
        f"Bid price: price points (of {_pct(exercise.price_weight)})"
        if exercise.price_weight
        else "Bid price"
    )
    return c.Table(
        "Quality is out of 100 and counts for "
        f"{_pct(100 - exercise.price_weight)}% of the total; the total is out of 100.",
        ("Rank", "Tender", "Bidder", "Quality (of 100)", price_head, "Total", "Result"),
        tuple(rows),
        widths=(38, 46, 118, 52, 150, 46, 50),
        numeric=frozenset({3, 5}),
    )


def criterion_table(
    exercise: Exercise,
    t: TenderResult,
    results: Results | None = None,
    record: LotRecord | None = None,
) -> c.Table:
    """Each criterion's panel means (with n, and abstentions), combined score and notes; for
    a moderated tender, the combined score of the independent round beside it."""
    total_weight = sum((cr.weight for cr in exercise.criteria.criteria), Fraction(0))
    before = record is not None and t.tender in record.independent and was_moderated(results, t)
    rows = []
    for cr in t.criteria:
        criterion = exercise.criteria[cr.criterion]
        notes = []
        if cr.below_minimum:
            notes.append(f"below minimum {display(criterion.minimum)}")
        if cr.divergent:
            notes.append("panels diverge")
        share = 100 * criterion.weight / total_weight if total_weight else Fraction(0)
        row = (
            c.text(criterion.name),
            c.text(f"{display(share)}%"),
            c.text(
                f"{display(cr.community_mean)} (n={cr.community_n}"
                + abstained_cell(results, t.tender, cr.criterion, "community")
                + ")"
            ),
            c.text(
                f"{display(cr.officer_mean)} (n={cr.officer_n}"
                + abstained_cell(results, t.tender, cr.criterion, "officer")
                + ")"
            ),
            c.text(f"{display(cr.combined)} of {criterion.scale.max}"),
        )
        if before:
            row += (c.text(display(independent_combined(record, t.tender, cr.criterion))),)
        rows.append(row + (c.text("; ".join(notes)),))
    if before:
        return c.Table(
            "Combined scores after moderation, beside the independent round's.",
            (
                "Criterion",
                "Weight",
                "Community mean",
                "Officer mean",
                "Combined",
                "Before moderation",
                "Notes",
            ),
            tuple(rows),
            widths=(112, 42, 76, 72, 58, 80, 70),
            numeric=frozenset({1, 2, 3, 4, 5}),
        )
    return c.Table(
        "",
        ("Criterion", "Weight", "Community mean", "Officer mean", "Combined", "Notes"),
        tuple(rows),
        widths=(140, 50, 80, 75, 65, 100),
        numeric=frozenset({1, 2, 3, 4}),
    )


def chart(exercise: Exercise, t: TenderResult) -> c.Chart:
    scale_max = max(cr.scale.max for cr in exercise.criteria.criteria)
    return c.Chart(
        f"The two panels' means for {t.tender}, criterion by criterion (scale 0 to "
        f"{scale_max}); the same figures are in the table above.",
        tuple(
            c.Bar(exercise.criteria[cr.criterion].name, cr.community_mean, cr.officer_mean)
            for cr in t.criteria
        ),
        scale_max,
    )


def tender_section(results: Results, t: TenderResult, context: DecisionContext) -> c.Section:
    exercise = results.exercise
    rank = "—" if t.rank is None else str(t.rank)
    blocks: list[c.Block] = [
        c.Paragraph(
            c.text(
                f"Rank {rank}{' (tie)' if t.tie else ''}; result: {result_word(t)}; "
                f"bid price {price_cell(exercise, t, context.prices.get(t.tender))}."
            )
        ),
        c.Paragraph(c.text(arithmetic(exercise, t, context.prices.get(t.tender)))),
        criterion_table(exercise, t, results, context.record),
        chart(exercise, t),
    ]
    if t.failures:
        blocks.append(c.Paragraph(c.text(c.bold("Threshold failures"))))
        blocks.append(c.Bullets(tuple(c.text(f) for f in t.failures)))
    if t.missing:
        blocks.append(c.Paragraph(c.text(c.bold("Still missing"))))
        blocks.append(c.Bullets(tuple(c.text(m) for m in t.missing)))
    comments = results.comments_on(t.tender)
    notes = notes_on(t, context.record)
    explained = {m.criterion for m in comments} | {criterion for criterion, _ in notes}
    bare = [
        exercise.criteria[cr.criterion].name for cr in t.criteria if cr.criterion not in explained
    ]
    if bare and not context.provisional:
        blocks.append(
            c.Paragraph(
                c.text(
                    c.bold("Warning: "),
                    f"no panel comment explains {t.tender}'s score on {'; '.join(bare)}. The "
                    "assessment summary can then give only the scale's wording, while reg 31 "
                    "of the Procurement Regulations 2024 asks for an explanation by reference "
                    "to the tender.",
                ),
                "warning",
            )
        )
    if notes:
        blocks.append(c.Paragraph(c.text(c.bold("Explanations agreed at moderation"))))
        for criterion_id, note in notes:
            blocks.append(
                c.Paragraph(c.text(c.italic(exercise.criteria[criterion_id].name), ": ", note))
            )
    if comments:
        blocks.append(c.Paragraph(c.text(c.bold("Panels' comments"))))
        names = {e.id: e.name for e in exercise.evaluators}
        for m in comments:
            who = (
                f"{m.evaluator} ({names.get(m.evaluator, '')})"
                if context.name_evaluators
                else m.evaluator
            )
            criterion = (
                exercise.criteria[m.criterion].name
                if m.criterion in exercise.criteria.ids
                else m.criterion
            )
            blocks.append(
                c.Paragraph(
                    c.text(
                        c.italic(criterion), f", {m.panel} panel, {who}, score {m.score}: ", m.text
                    ),
                    "small",
                )
            )
    return c.Section(f"{t.tender} — {t.bidder}", tuple(blocks), level=2, keep=True)


def build_decision(results: Results, lot_id: str, context: DecisionContext) -> c.Document:
    """The decision for ``lot_id`` as a :class:`Document`."""
    exercise = results.exercise
    lot = results.lot(lot_id)
    why = price_decided(results, lot_id)
    blocks: list[c.Block] = [
        about(exercise, lot.title, context.issued, context.provisional),
        c.Paragraph(c.text(lead(results, lot_id, context.provisional)), "lead"),
        c.Section(
            "Recommendation",
            tuple(
                [c.Paragraph(recommendation(results, lot_id))]
                + ([c.Paragraph(c.text(why))] if why else [])
            ),
        ),
        c.Section("Ranked tenders", (ranked(results, lot_id, context.prices),)),
        *record_sections(results, lot_id, context),
        method(exercise, results, lot_id, context.prices),
        panels(results, lot_id, context.name_evaluators, context.record),
        *moderation_or_divergence(results, lot_id, context),
        c.Section(
            "Each tender, criterion by criterion",
            tuple(tender_section(results, t, context) for t in results.in_lot(lot_id)),
        ),
        c.SignOff(
            "We confirm that this decision records the scores of both panels, combined "
            "with equal weight.",
            ("Community panel member", "Officer"),
        ),
        c.Paragraph(
            c.text(
                f"{context.issued}. Decision data SHA-256: {context.digest}. Check "
                f"this file against the audit trail and the stored scores with: "
                f"commission verify FILE.pdf"
            ),
            "small",
        ),
    ]
    kind = "Provisional panel decision" if context.provisional else "Panel decision"
    return c.Document(
        kind="decision",
        title=f"Panel decision: {exercise.title}",
        heading=f"{exercise.authority} · {exercise.title} · Lot: {lot.title}",
        issued=context.issued,
        provisional=context.provisional,
        blocks=tuple(blocks),
        digest=context.digest,
        audit_head=context.audit_head,
        meta_title=f"{kind}: {exercise.title} — {lot.title}",
        author=exercise.authority,
        subject=f"{kind} on lot {lot.lot} of exercise {exercise.id}, community and officer "
        f"panels weighted equally",
        keywords=tuple(
            ["panel decision", "co-production", exercise.id, lot.lot, f"sha256:{context.digest}"]
            + (["PROVISIONAL"] if context.provisional else [])
        ),
        extra_info=(("CommissionDecision", context.info_json),) if context.info_json else (),
    )
