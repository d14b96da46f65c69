"""The decision's data in canonical form, and its SHA-256 digest.

The digest covers what the decision decides: the exercise, the lot, the method (criteria, weights,
minimums, scales, thresholds, the panels' equal weight), every tender's status, pass, rank, tie and
exact scores (rationals written as ``n/d``), and the panels' comments. ``commission verify``
recomputes it from the store. A compact summary (each tender's rank, pass, tie and exact total)
rides in the PDF's metadata so that verify can say *what* changed, not only that something did.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from typing import Any

from ..scoring import PANEL_WEIGHT, Results
from ..scoring import ratio_text as _ratio

#: Bump when the canonical form changes, so old PDFs are not compared with a new recipe.
DIGEST_VERSION = 2


def _canonical_order(t: Any) -> tuple[bool, int, float, str]:
    """The order of tenders in the digest, fixed at version 1 (rank, then unranked by total),
    so decisions issued before unranked tenders were listed by id still verify."""
    return (
        t.rank is None,
        t.rank or 0,
        -(float(t.total_score) if t.total_score is not None else 0.0),
        t.tender,
    )


def decision_data(results: Results, lot_id: str, provisional: bool = False) -> dict[str, Any]:
    """Everything the decision for ``lot_id`` decides, as JSON-ready data; a provisional and a
    final decision of the same scores differ (version 2 on)."""
    exercise = results.exercise
    lot = results.lot(lot_id)
    tenders = sorted(results.in_lot(lot_id), key=_canonical_order)
    return {
        "version": DIGEST_VERSION,
        "exercise": exercise.id,
        "lot": lot_id,
        "provisional": bool(provisional),
        "method": {
            "panel_weight": _ratio(PANEL_WEIGHT),
            "price_weight": _ratio(exercise.price_weight),
            "quality_threshold": _ratio(exercise.quality_threshold),
            "divergence_threshold": _ratio(exercise.divergence_threshold),
            "min_evaluators": dict(sorted(exercise.min_evaluators.items())),
            "criteria": [
                {
                    "id": c.id,
                    "weight": _ratio(c.weight),
                    "minimum": _ratio(c.minimum),
                    "scale": [c.scale.min, c.scale.max],
                }
                for c in exercise.criteria.criteria
            ],
        },
        "outcome": lot.outcome,
        "recommended": list(lot.recommended),
        "tenders": [
            {
                "tender": t.tender,
                "bidder": t.bidder,
                "status": t.status,
                "passed": t.passed,
                "rank": t.rank,
                "tie": t.tie,
                "quality": _ratio(t.quality_score),
                "price": _ratio(t.price_score),
                "total": _ratio(t.total_score),
                "criteria": [
                    [
                        c.criterion,
                        _ratio(c.community_mean),
                        _ratio(c.officer_mean),
                        c.community_n,
                        c.officer_n,
                    ]
                    for c in t.criteria
                ],
                "comments": [
                    [m.criterion, m.panel, m.evaluator, m.score, m.text]
                    for m in results.comments_on(t.tender)
                ],
            }
            for t in tenders
        ],
    }


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def compact(
    data: dict[str, Any], *, digest_hex: str, provisional: bool | None = None
) -> dict[str, Any]:
    """What the PDF's metadata carries: the digest and enough to say which tender changed."""
    if provisional is None:
        provisional = bool(data.get("provisional"))
    return {
        "version": data["version"],
        "exercise": data["exercise"],
        "lot": data["lot"],
        "digest": digest_hex,
        "provisional": provisional,
        "outcome": data["outcome"],
        "recommended": data["recommended"],
        "tenders": {
            t["tender"]: [
                t["status"],
                t["passed"],
                t["rank"],
                t["tie"],
                t["total"],
                hashlib.sha256(canonical(t)).hexdigest()[:16],
            ]
            for t in data["tenders"]
        },
        "method": hashlib.sha256(canonical(data["method"])).hexdigest()[:16],
    }


#: ``scope`` of compact data that holds only the tenders its document names.
NAMED = "named"


def named_only(small: dict[str, Any], named: set[str], **extra: Any) -> dict[str, Any]:
    """Compact data for an assessment summary: the digest of the whole lot's decision, but the
    figures of only the tenders the summary itself names (its own, the recommended ones, those
    tied with it, the lowest price). A bidder's file must not carry every competitor's rank and
    exact total; it stays verifiable, since the digest covers the whole lot."""
    tenders = {k: v for k, v in small["tenders"].items() if k in named}
    return {**small, "tenders": tenders, "scope": NAMED, **extra}


def differences(recorded: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Plain sentences saying how the stored data's decision differs from the recorded one.
    Where the recorded data names only some tenders (a summary's), only those are compared."""
    if recorded.get("scope") == NAMED:
        shown = recorded.get("tenders", {})
        now = {**now, "tenders": {k: v for k, v in now.get("tenders", {}).items() if k in shown}}
    changes: list[str] = []
    if recorded.get("method") != now.get("method"):
        changes.append("the method (criteria, weights, minimums or thresholds) has changed")
    if recorded.get("outcome") != now.get("outcome") or recorded.get("recommended") != now.get(
        "recommended"
    ):
        changes.append(
            f"the outcome was {recorded.get('outcome')} "
            f"({', '.join(recorded.get('recommended') or []) or 'none'}), now "
            f"{now.get('outcome')} ({', '.join(now.get('recommended') or []) or 'none'})"
        )
    old, new = recorded.get("tenders", {}), now.get("tenders", {})
    fields = ("status", "passed", "rank", "tie", "total score")
    for tender in sorted(set(old) | set(new)):
        if tender not in new:
            changes.append(f"{tender}: no longer in the lot")
            continue
        if tender not in old:
            changes.append(f"{tender}: new in the lot")
            continue
        before, after = old[tender], new[tender]
        said = False
        for name, a, b in zip(fields, before[:5], after[:5], strict=True):
            if a != b:
                changes.append(f"{tender}: {name} was {_show(a)}, now {_show(b)}")
                said = True
        if not said and before[5] != after[5]:
            changes.append(f"{tender}: criterion scores or comments changed")
    return changes


def _show(value: Any) -> str:
    if isinstance(value, str) and "/" in value:
        from ..scoring import display

        num, den = value.split("/")
        return display(Fraction(int(num), int(den)))
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return f"{int(value)}.00"
    return "none" if value is None else str(value).lower()
