"""Rendering rows for people and programs: ``--format table|csv|json``.

CSV written here is opened by panel members in Excel and LibreOffice: every text cell goes through
:func:`commission.csv_safe.escape_formula`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..csv_safe import escape_formula, format_row

FORMATS = ("table", "csv", "json")
__all__ = ["FORMATS", "escape_formula", "render", "to_csv", "to_json", "to_table"]


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))
    # one writer for every CSV: see commission.csv_safe
    return format_row(columns) + "".join(
        format_row(row.get(column) for column in columns) for row in rows
    )


def to_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A plain fixed-width table; cells are shown as text, never interpreted."""
    columns = list(columns or (rows[0].keys() if rows else []))
    cells = [[_table_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column)] + [len(r[i]) for r in cells]) for i, column in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def _table_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    # Control characters in untrusted text must not move the terminal's cursor.
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def to_json(document: Any) -> str:
    from ..exactjson import dumps

    return dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render(
    fmt: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[str] | None = None,
    document: Any = None,
) -> str:
    """``rows`` for table and csv; ``document`` (default: the rows) for json."""
    if fmt == "json":
        return to_json(rows if document is None else document)
    if fmt == "csv":
        return to_csv(rows, columns)
    return to_table(rows, columns)


def results_rows(results: Any) -> list[dict[str, Any]]:
    """The rows of ``commission results`` / ``commission score`` for table and csv output."""
    from ..scoring import display

    rows: list[dict[str, Any]] = []
    for t in results.tenders:
        row: dict[str, Any] = {
            "lot": t.lot,
            "rank": t.rank,
            "tie": t.tie,
            "tender": t.tender,
            "bidder": t.bidder,
            "status": t.status,
            "passed": t.passed,
            "quality": display(t.quality_score) if t.quality_score is not None else None,
            "price": display(t.price_score) if t.price_score is not None else None,
            "total": display(t.total_score) if t.total_score is not None else None,
        }
        row["divergent"] = ", ".join(c.criterion for c in t.criteria if c.divergent) or None
        row["reason"] = "; ".join(reasons(results.exercise, t)) or None
        extra = getattr(results, "round_extras", {}).get(t.tender)
        if extra is not None:  # rounds or abstentions are stored: show them
            row["round"] = extra["round"]
            row["abstained"] = (
                ", ".join(
                    f"{c} ({n['community_abstained'] + n['officer_abstained']})"
                    for c, n in extra["criteria"].items()
                    if n["community_abstained"] + n["officer_abstained"]
                )
                or None
            )
        rows.append(row)
    return rows


def reasons(exercise: Any, t: Any) -> list[str]:
    """Why a tender failed or is incomplete, short enough for a table cell (SPEC §6 rules 4, 6):
    ``collaboration 1.50 below minimum 2.00``, ``quality 36.67 below threshold 40``,
    ``incomplete: 1 of 2 officer scores on innovation``."""
    from ..scoring import display

    found = []
    minimums = {c.id: c.minimum for c in exercise.criteria.criteria}
    for c in t.criteria:
        if c.below_minimum:
            found.append(
                f"{c.criterion} {display(c.combined)} below minimum "
                f"{display(minimums[c.criterion])}"
            )
    threshold, quality = exercise.quality_threshold, t.quality_score
    if threshold is not None and quality is not None and quality < threshold:
        shown = str(threshold.numerator) if threshold.denominator == 1 else display(threshold)
        found.append(f"quality {display(quality)} below threshold {shown}")
    # One phrase per gap, the criteria that share it named together.
    gaps: dict[tuple[str, int, int], list[str]] = {}
    for c in t.criteria:
        for panel, have in (("community", c.community_n), ("officer", c.officer_n)):
            need = exercise.min_evaluators.get(panel, 1)
            if have < need:
                gaps.setdefault((panel, have, need), []).append(c.criterion)
    for (panel, have, need), ids in gaps.items():
        on = "every criterion" if len(ids) == len(t.criteria) > 1 else ", ".join(ids)
        scores = "score" if need == 1 else "scores"
        found.append(f"incomplete: {have} of {need} {panel} {scores} on {on}")
    return found
