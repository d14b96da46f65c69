"""Rounds and abstentions in results (SPEC §5, §6, §11): what the JSON carries beside the
latest round's scores, and what a tender's missing scores say when an abstention is the cause.

Results are always computed from one view of the scores (each evaluator's latest round, or the
independent round alone); :func:`with_rounds` adds, per tender, the round its scores are in and
its independent-round quality, total and rank, and, per criterion, each panel's abstentions and
the independent-round means and combined score. Pure: no files, no database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .results import Results, TenderResult

INDEPENDENT = "independent"
MODERATED = "moderated"

#: Per (tender, criterion, panel): how many evaluators abstained.
Abstained = Mapping[tuple[str, str, str], int]


def with_rounds(
    found: Results,
    *,
    abstained: Abstained,
    independent: Results | None = None,
    moderated: frozenset[str] | set[str] = frozenset(),
) -> Results:
    """``found`` with its rounds and abstentions: missing-score messages name abstentions, and
    each tender's JSON carries ``round`` and ``independent`` (from ``independent``, or from
    ``found`` itself when that is round one)."""
    tenders = tuple(_explained(t, abstained) for t in found.tenders)
    round_one = {t.tender: t for t in (independent or found).tenders}
    extras: dict[str, dict[str, Any]] = {}
    for tender in tenders:
        first = round_one.get(tender.tender)
        extras[tender.tender] = {
            "round": MODERATED if tender.tender in moderated else INDEPENDENT,
            "independent": _tender_part(first),
            "criteria": {
                c.criterion: {
                    "community_abstained": int(
                        abstained.get((tender.tender, c.criterion, "community"), 0)
                    ),
                    "officer_abstained": int(
                        abstained.get((tender.tender, c.criterion, "officer"), 0)
                    ),
                    "independent": _criterion_part(first, c.criterion),
                }
                for c in tender.criteria
            },
        }
    return dataclasses.replace(found, tenders=tenders, round_extras=extras)


def abstained_counts(frame: Any) -> dict[tuple[str, str, str], int]:
    """Abstentions per (tender, criterion, panel) from a frame with those columns and
    ``abstained`` (the store's round tally)."""
    if frame is None or not len(frame):
        return {}
    chosen = frame[frame["abstained"] > 0]
    return {
        (str(t), str(c), str(p)): int(n)
        for t, c, p, n in zip(
            chosen["tender"], chosen["criterion"], chosen["panel"], chosen["abstained"], strict=True
        )
    }


def abstained_in_frame(marked: Any, exercise: Any) -> dict[tuple[str, str, str], int]:
    """Abstentions per (tender, criterion, panel) in a marked score frame (``abstain`` column)."""
    if marked is None or not len(marked) or "abstain" not in marked:
        return {}
    panel_of = exercise.panel_of()
    counts: dict[tuple[str, str, str], int] = {}
    chosen = marked[marked["abstain"].to_numpy(dtype=bool)]
    for e, t, c in zip(chosen["evaluator"], chosen["tender"], chosen["criterion"], strict=True):
        key = (str(t), str(c), panel_of[str(e)])
        counts[key] = counts.get(key, 0) + 1
    return counts


def round_json(tender: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """A tender's JSON with its round fields; with no rounds recorded, round one is the only
    one: the independent figures are the tender's own and nobody abstained."""
    if extra is None:
        tender["round"] = INDEPENDENT
        tender["independent"] = {
            "quality_score": tender["quality_score"],
            "total_score": tender["total_score"],
            "rank": tender["rank"],
        }
        for c in tender["criteria"]:
            c["community_abstained"] = 0
            c["officer_abstained"] = 0
            c["independent"] = {
                "community_mean": c["community_mean"],
                "officer_mean": c["officer_mean"],
                "combined": c["combined"],
            }
        return tender
    tender["round"] = extra["round"]
    tender["independent"] = extra["independent"]
    by_criterion = extra["criteria"]
    for c in tender["criteria"]:
        c.update(by_criterion.get(c["criterion"], {}))
    return tender


def _explained(tender: TenderResult, abstained: Abstained) -> TenderResult:
    """Rule 6's message with the abstentions that leave a panel short named."""
    if not tender.missing:
        return tender
    lines = list(tender.missing)
    changed = False
    for c in tender.criteria:
        for panel in ("community", "officer"):
            count = int(abstained.get((tender.tender, c.criterion, panel), 0))
            if not count:
                continue
            prefix = f"{c.criterion}: {panel} panel has "
            for i, line in enumerate(lines):
                if line.startswith(prefix) and "abstained" not in line:
                    lines[i] = (
                        f"{line} ({count} abstained: an abstention is not a score, so another "
                        f"panel member must score it)"
                    )
                    changed = True
    return dataclasses.replace(tender, missing=tuple(lines)) if changed else tender


def _tender_part(tender: TenderResult | None) -> dict[str, Any]:
    if tender is None:
        return {"quality_score": None, "total_score": None, "rank": None}
    return {
        "quality_score": _float(tender.quality_score),
        "total_score": _float(tender.total_score),
        "rank": tender.rank,
    }


def _criterion_part(tender: TenderResult | None, criterion: str) -> dict[str, Any]:
    if tender is None:
        return {"community_mean": None, "officer_mean": None, "combined": None}
    part = tender.criterion(criterion).to_dict()
    return {k: part[k] for k in ("community_mean", "officer_mean", "combined")}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
