"""The decision's and summary's method section: criteria and weights, the scale, the panels,
the minimums and quality threshold, the price formula (SPEC §6), as :class:`Section` content."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from ..records import Exercise
from ..scoring import Results, display
from . import content as c

if TYPE_CHECKING:
    from .decision_content import Price


def method(
    exercise: Exercise,
    results: Results | None = None,
    lot_id: str | None = None,
    prices: Mapping[str, Price] | None = None,
) -> c.Section:
    """How the tenders were scored: criteria and weights, scale, panels, thresholds, price."""
    from .decision_content import EQUAL_WEIGHT_WORDING, _pct, lowest_price

    criteria = exercise.criteria.criteria
    total_weight = sum((cr.weight for cr in criteria), Fraction(0))
    blocks: list[c.Block] = [
        c.Paragraph(c.text(EQUAL_WEIGHT_WORDING)),
        c.Paragraph(
            c.text(
                "For each criterion, every panel member scored each tender they had no conflict of "
                "interest with. We take the average (mean) of the community panel's scores and the "
                "average of the officer panel's scores; the combined score is halfway between the "
                "two. The quality score (0 to 100) adds up the combined scores, each as a share of "
                "its scale and weighted as the table below shows."
            )
        ),
    ]
    rows = []
    for cr in criteria:
        share = 100 * cr.weight / total_weight if total_weight else Fraction(0)
        rows.append(
            (
                c.text(cr.name),
                c.text(f"{display(share)}%"),
                c.text(f"{cr.scale.min} to {cr.scale.max}"),
                c.text(display(cr.minimum) if cr.minimum is not None else "none"),
            )
        )
    blocks.append(
        c.Table(
            "The award criteria and their weights.",
            ("Criterion", "Weight (share of quality)", "Scale", "Minimum"),
            tuple(rows),
            widths=(200, 120, 80, 90),
            numeric=frozenset({1, 3}),
        )
    )
    scale = exercise.criteria.scale
    meaning = [c.text(c.bold(str(p)), f" — {scale.descriptors.get(p, '')}") for p in scale.points]
    blocks.append(c.Section("What the scores mean", (c.Bullets(tuple(meaning)),), level=2))
    for cr in criteria:
        if cr.scale != scale:
            own = [
                c.text(c.bold(str(p)), f" — {cr.scale.descriptors.get(p, '')}")
                for p in cr.scale.points
            ]
            blocks.append(
                c.Paragraph(
                    c.text(f"{cr.name} uses its own scale, {cr.scale.min} to {cr.scale.max}:"),
                    "small",
                )
            )
            blocks.append(c.Bullets(tuple(own)))

    price_blocks: list[c.Block] = []
    if exercise.price_weight:
        p = _pct(exercise.price_weight)
        q = _pct(100 - exercise.price_weight)
        price_blocks.append(
            c.Paragraph(
                c.text(
                    f"Price counts for {p}% of the total score and quality for {q}%. "
                    f"Price points = {p} × the lowest price among the tenders of the lot "
                    f"that passed ÷ "
                    f"the tender's price, so the lowest passing price gets all {p} points. "
                    f"Total = {q}% of the quality score + price points."
                )
            )
        )
        if results is not None and lot_id is not None:
            low = lowest_price(results, lot_id, prices or {})
            if low is not None:
                price_blocks.append(
                    c.Paragraph(
                        c.text(
                            f"In this lot the lowest price among passing tenders is "
                            f"{c.money(low[1].amount, low[1].currency)} ({low[0]})."
                        )
                    )
                )
    else:
        price_blocks.append(
            c.Paragraph(c.text("Price is not scored: the total score is the quality score."))
        )
    blocks.append(c.Section("Price", tuple(price_blocks), level=2))

    rules: list[c.Text] = []
    if any(cr.minimum is not None for cr in criteria):
        rules.append(
            c.text(
                "A tender fails when its combined score on a criterion is below "
                "that criterion's minimum."
            )
        )
    if exercise.quality_threshold is not None:
        rules.append(
            c.text(
                f"A tender fails when its quality score is below the quality "
                f"threshold of {display(exercise.quality_threshold)}."
            )
        )
    rules.append(
        c.text(
            "Tenders that pass are ranked by total score, highest first; tenders with "
            "exactly equal totals share a rank and are marked as a tie, which is "
            "never broken silently."
        )
    )
    rules.append(
        c.text(
            f"Where the two panels' averages on a criterion differ by "
            f"{display(exercise.divergence_threshold)} points or more, the "
            f"difference is listed for the joint moderation meeting."
        )
    )
    blocks.append(
        c.Section(
            "Thresholds and ranking",
            (
                c.Bullets(tuple(rules)),
                c.Paragraph(
                    c.text(
                        "Scores are shown to two decimal places; every pass, rank and tie "
                        "was decided on the exact figures."
                    )
                ),
            ),
            level=2,
        )
    )
    if exercise.criteria_url:
        blocks.append(
            c.Paragraph(c.text(f"The full method is published at {exercise.criteria_url}."))
        )
    return c.Section("How the tenders were scored", tuple(blocks))
