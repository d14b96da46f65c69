"""Write the sample score sheets in examples/sheets/ for examples/exercise.json.

Run from the repository root: ``python examples/make_sheets.py``. The numbers are fixed, so the
sheets come out byte for byte the same each time. They are designed so that the demo shows every
part of a decision:

* East lot: T-001 is a clear winner (about 20 quality points ahead).
* West lot: T-010 falls below the quality threshold of 50.
* T-009 "innovation" is divergent: the community panel scores it about 5, the officers about 2.
* Every tender is complete: at least two community and one officer score per criterion.
* No two tenders of a lot have the same quality score.

Each sheet is saved the way a panel member's spreadsheet program would save it:

* ``community-long.csv``: long layout, UTF-8 without BOM, comma, LF (R1 to R4);
* ``R5-wide.xlsx``: wide XLSX, criterion names as headers, comment columns (R5);
* ``R6-wide-semicolon.csv``: wide, semicolon, UTF-8 with BOM, CRLF, as Excel in a European
  locale saves it, criterion ids as headers, east lot only (R6);
* ``officers-wide.csv``: wide, comma, an evaluator column (OF1 to OF3; OF1 declared a conflict
  with T-007 and leaves it out).
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path

OUT = Path(__file__).resolve().parent / "sheets"

CRITERIA = ["local-assets", "local-insights", "collaboration", "innovation", "long-term"]
NAMES = {
    "local-assets": "Recognising local assets",
    "local-insights": "Applying local insights",
    "collaboration": "Working collaboratively",
    "innovation": "Innovating",
    "long-term": "Taking a long-term view",
}
EAST = [f"T-{i:03d}" for i in range(1, 7)]
WEST = [f"T-{i:03d}" for i in range(7, 13)]
TENDERS = EAST + WEST
COMMUNITY = ["R1", "R2", "R3", "R4", "R5", "R6"]
OFFICERS = ["OF1", "OF2", "OF3"]
CONFLICTS = {("OF1", "T-007"), ("R3", "T-002")}

# Where each panel's scores centre, per tender, in the order of CRITERIA.
COMMUNITY_BASE = {
    "T-001": [5, 4, 5, 4, 4],
    "T-002": [3, 3, 3, 3, 3],
    "T-003": [4, 3, 3, 2, 3],
    "T-004": [2, 3, 3, 3, 2],
    "T-005": [3, 2, 3, 3, 3],
    "T-006": [3, 3, 4, 3, 3],
    "T-007": [4, 4, 3, 4, 3],
    "T-008": [3, 3, 3, 3, 4],
    "T-009": [4, 4, 4, 5, 3],  # residents love its new idea ...
    "T-010": [2, 2, 1, 2, 2],
    "T-011": [3, 4, 3, 3, 3],
    "T-012": [4, 3, 4, 3, 4],
}
OFFICER_BASE = {
    "T-001": [4, 4, 5, 4, 4],
    "T-002": [3, 4, 3, 3, 3],
    "T-003": [3, 3, 3, 3, 3],
    "T-004": [3, 3, 2, 3, 3],
    "T-005": [3, 3, 3, 2, 3],
    "T-006": [4, 3, 3, 3, 3],
    "T-007": [4, 3, 4, 3, 4],
    "T-008": [3, 3, 3, 4, 3],
    "T-009": [3, 3, 4, 2, 3],  # ... officers think it is a risk nobody has costed
    "T-010": [2, 1, 2, 2, 2],
    "T-011": [3, 3, 3, 3, 3],
    "T-012": [3, 4, 3, 3, 4],
}
# A fixed spread of opinion around the panel's centre, averaging close to zero.
SPREAD = [0, 0, 1, 0, -1, 0, 1, 0, -1, 0, 0, 1, -1]

COMMUNITY_COMMENTS = {
    ("R1", "T-001", "local-assets"): "Builds on the mosque food bank and the allotments.",
    ("R1", "T-003", "long-term"): "Good for two years, then what?",
    ("R2", "T-001", "collaboration"): "Users sit on the board. Real shared decisions.",
    ("R2", "T-010", "collaboration"): "Residents only asked at the end.",
    ("R4", "T-009", "innovation"): "Peer-led night café is exactly what we asked for.",
    ("R4", "T-007", "local-insights"): "Clearly listened to carers.",
    # residents write in the languages of the area
    ("R1", "T-002", "local-assets"): "Świetne wykorzystanie lokalnych zasobów, zwłaszcza "
    "ogrodów działkowych.",
    ("R2", "T-006", "collaboration"): "Cynnig cryf, ond mae angen mwy o fanylion am gydweithio.",
    ("R3", "T-008", "local-insights"): "مقامی لوگوں کی آواز کو اچھی طرح شامل کیا گیا ہے۔",
    ("R4", "T-012", "long-term"): "স্থানীয় মানুষের অভিজ্ঞতা ভালোভাবে কাজে লাগানো হয়েছে।",
}
R5_COMMENTS = {
    ("T-001", "local-insights"): "Co-designed with the youth forum.",
    ("T-009", "innovation"): "Bold, and people like me would use it.",
    ("T-010", "local-assets"): "Ignores the community centre on our doorstep.",
}
R6_COMMENTS = {
    ("T-001", "long-term"): "Legacy plan hands the hub to residents; strong.",
    ("T-004", "local-assets"): "Generic, could be anywhere",
}
OFFICER_COMMENTS = {
    ("OF2", "T-009", "innovation"): "Untested model; no risk-sharing or exit plan costed.",
    ("OF3", "T-010", "local-insights"): "No evidence of engagement.",
    ("OF1", "T-001", "collaboration"): "Governance shared with users from day one.",
}


def score(evaluator: str, tender: str, criterion: str) -> int:
    panel_base = OFFICER_BASE if evaluator.startswith("OF") else COMMUNITY_BASE
    e = (COMMUNITY + OFFICERS).index(evaluator)
    t = TENDERS.index(tender)
    c = CRITERIA.index(criterion)
    base = panel_base[tender][c]
    return max(0, min(5, base + SPREAD[(5 * e + 3 * t + c) % len(SPREAD)]))


def may_score(evaluator: str, tender: str) -> bool:
    return (evaluator, tender) not in CONFLICTS


def csv_text(rows: list[list[object]], delimiter: str = ",", newline: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def community_long() -> list[list[object]]:
    rows: list[list[object]] = [["evaluator", "tender", "criterion", "score", "comment"]]
    for evaluator in ["R1", "R2", "R3", "R4"]:
        for tender in TENDERS:
            if not may_score(evaluator, tender):
                continue
            for criterion in CRITERIA:
                comment = COMMUNITY_COMMENTS.get((evaluator, tender, criterion), "")
                rows.append(
                    [evaluator, tender, criterion, score(evaluator, tender, criterion), comment]
                )
    return rows


def wide(
    evaluator_ids: list[str],
    tenders: list[str],
    headers: dict[str, str],
    comments: dict[tuple[str, str, str], str],
    comment_columns: bool = True,
) -> list[list[object]]:
    header: list[object] = ["evaluator", "tender"]
    for criterion in CRITERIA:
        header.append(headers[criterion])
        if comment_columns:
            header.append(f"{headers[criterion]} comment")
    rows = [header]
    for evaluator in evaluator_ids:
        for tender in tenders:
            if not may_score(evaluator, tender):
                continue
            row: list[object] = [evaluator, tender]
            for criterion in CRITERIA:
                row.append(score(evaluator, tender, criterion))
                if comment_columns:
                    row.append(comments.get((evaluator, tender, criterion), ""))
            rows.append(row)
    return rows


def write_all(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "community-long.csv").write_bytes(csv_text(community_long()).encode("utf-8"))

    ids = {c: c for c in CRITERIA}
    r6 = wide(["R6"], EAST, ids, {("R6", t, c): v for (t, c), v in R6_COMMENTS.items()})
    (out / "R6-wide-semicolon.csv").write_bytes(
        b"\xef\xbb\xbf" + csv_text(r6, delimiter=";", newline="\r\n").encode("utf-8")
    )

    officers = wide(OFFICERS, TENDERS, ids, OFFICER_COMMENTS)
    (out / "officers-wide.csv").write_bytes(csv_text(officers).encode("utf-8"))

    from openpyxl import Workbook
    from openpyxl.styles import Font

    r5 = wide(["R5"], TENDERS, NAMES, {("R5", t, c): v for (t, c), v in R5_COMMENTS.items()})
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Scores"
    for row in r5:
        sheet.append([None if value == "" else value for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    from datetime import datetime

    workbook.properties.created = datetime(2027, 1, 15, 9, 0, 0)
    workbook.properties.creator = "R5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    (out / "R5-wide.xlsx").write_bytes(_steady_zip(buffer.getvalue()))


def _steady_zip(data: bytes) -> bytes:
    """The XLSX with fixed zip timestamps and save time, so reruns give the same bytes."""
    import re
    import zipfile

    steady = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(steady, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2027-01-15T09:00:00Z", content
                )
            target.writestr(
                zipfile.ZipInfo(item.filename, (2027, 1, 15, 9, 0, 0)),
                content,
                zipfile.ZIP_DEFLATED,
            )
    return steady.getvalue()


def summary() -> dict[str, Fraction]:
    """Quality score per tender, by the rules of SPEC §6 with equal weights and no price."""
    quality: dict[str, Fraction] = {}
    for tender in TENDERS:
        total = Fraction(0)
        for criterion in CRITERIA:
            community = [
                score(e, tender, criterion)
                for e in COMMUNITY
                if may_score(e, tender) and not (e == "R6" and tender in WEST)
            ]
            officer = [score(e, tender, criterion) for e in OFFICERS if may_score(e, tender)]
            c_mean = Fraction(sum(community), len(community))
            o_mean = Fraction(sum(officer), len(officer))
            if abs(c_mean - o_mean) >= 2:
                print(
                    f"  divergent: {tender} {criterion} community {float(c_mean):.2f} "
                    f"officer {float(o_mean):.2f}"
                )
            total += (c_mean + o_mean) / 2
        quality[tender] = 100 * total / 5 / len(CRITERIA)
    return quality


if __name__ == "__main__":
    write_all()
    quality = summary()
    for lot, tenders in (("east", EAST), ("west", WEST)):
        ranked = sorted(tenders, key=lambda t: quality[t], reverse=True)
        print(lot + ": " + ", ".join(f"{t} {float(quality[t]):.2f}" for t in ranked))
    print(f"wrote {', '.join(sorted(p.name for p in OUT.iterdir()))} in {OUT}")
