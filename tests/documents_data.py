"""Hand-made exercises and results for the document tests (no store, no files)."""

from __future__ import annotations

from fractions import Fraction

from commission.records import CriteriaSet, Criterion, Evaluator, Exercise, Lot, Scale, Tender
from commission.scoring import Comment, PanelTally, Results, score_tallies

DESCRIPTORS = {
    0: "No response or unacceptable",
    1: "Poor",
    2: "Weak",
    3: "Satisfactory",
    4: "Good",
    5: "Excellent",
}
CRITERIA = [
    ("local-assets", "Recognising local assets"),
    ("local-insights", "Applying local insights"),
    ("collaboration", "Working collaboratively"),
    ("innovation", "Innovating"),
    ("long-term", "Taking a long-term view"),
]

NASTY_NAMES = [
    "<b>Bold Bidder</b>",
    '<img src="/etc/passwd"/> Ltd',
    "<font color=red>Red</font> CIC",
    "R&D Partners",
    "Price<Total Co-op",
]
MULTILINGUAL = {
    "polish": "Spółdzielnia Łódź żółć gęślą jaźń",
    "welsh": "Cymdeithas Gŵyl y Dŷ Ŵyn Ŷd",
    "urdu": "پاکستان کمیونٹی سینٹر",
    "bengali": "বাংলাদেশ কমিউনিটি সেন্টার",
}


def exercise(
    *,
    lots: tuple[Lot, ...] = (Lot("main", "Main lot"),),
    minimum: int | None = 2,
    community: int = 3,
    officer: int = 2,
    quality_threshold: Fraction | None = Fraction(40),
    price_weight: Fraction = Fraction(0),
) -> Exercise:
    scale = Scale(0, 5, DESCRIPTORS)
    criteria = tuple(
        Criterion(
            cid,
            name,
            f"Question about {name}?",
            "Guidance",
            Fraction(1),
            scale,
            Fraction(minimum) if minimum is not None else None,
        )
        for cid, name in CRITERIA
    )
    evaluators = tuple(
        [Evaluator(f"R{i}", f"Resident {i}", "community") for i in range(1, community + 1)]
        + [Evaluator(f"OF{i}", f"Officer {i}", "officer") for i in range(1, officer + 1)]
    )
    return Exercise(
        id="wellbeing-hubs-2027",
        title="Community Wellbeing Hubs",
        authority="Example Metropolitan District Council",
        criteria=CriteriaSet("co-production", "Co-production", scale, criteria),
        lots=lots,
        evaluators=evaluators,
        price_weight=price_weight,
        quality_threshold=quality_threshold,
        divergence_threshold=Fraction(2),
        min_evaluators={"community": 1, "officer": 1},
    )


def tallies_for(
    ex: Exercise, scores: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]
) -> dict[tuple[str, str, str], PanelTally]:
    """scores: tender → (community scores per criterion, officer scores per criterion).
    Each panel's score is given to every one of its members, so means equal the given value."""
    n_c = sum(1 for e in ex.evaluators if e.panel == "community")
    n_o = sum(1 for e in ex.evaluators if e.panel == "officer")
    out = {}
    for tender, (comm, off) in scores.items():
        for cid, c, o in zip(ex.criteria.ids, comm, off, strict=True):
            if c >= 0:
                out[(tender, cid, "community")] = PanelTally(c * n_c, n_c)
            if o >= 0:
                out[(tender, cid, "officer")] = PanelTally(o * n_o, n_o)
    return out


def results(
    names: dict[str, str] | None = None,
    scores: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] | None = None,
    comments: list[Comment] | None = None,
    **kw: object,
) -> Results:
    ex = exercise(**kw)  # type: ignore[arg-type]
    names = names or {
        "T-001": "Eastside Neighbours CIC",
        "T-002": "Westfield Trust",
        "T-003": "Northern Co-op",
    }
    scores = scores or {
        "T-001": ((4, 4, 5, 3, 4), (4, 3, 4, 3, 4)),
        "T-002": ((3, 3, 3, 3, 3), (3, 3, 3, 3, 3)),
        "T-003": ((5, 1, 2, 2, 2), (1, 1, 2, 2, 2)),
    }
    tenders = [Tender(tid, ex.lots[0].id, name, None, None) for tid, name in names.items()]
    return score_tallies(ex, tenders, tallies_for(ex, scores), comments or [])
