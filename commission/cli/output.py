"""Rendering rows for people and programs: ``--format table|csv|json``.

CSV written here is opened by panel members in Excel and LibreOffice: every text cell goes through
:func:`commission.csvsafe.escape_formula`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..csvsafe import escape_formula

FORMATS = ("table", "csv", "json")


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape_formula(value)


def to_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A plain fixed-width table; cells are shown as text, never interpreted."""
    columns = list(columns or (rows[0].keys() if rows else []))
    cells = [[_table_cell(row.get(column)) for column in columns] for row in rows]
    widths = [
        max([len(column)] + [len(r[i]) for r in cells]) for i, column in enumerate(columns)
    ]
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
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


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
