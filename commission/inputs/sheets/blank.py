"""Blank score sheets for panel members: CSV (UTF-8 with BOM) or XLSX with a guide sheet."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ...csv_safe import escape_formula, write_rows
from ...errors import NotFound, Problem, Usage
from ...records import Exercise, Tender
from ..problems import did_you_mean
from .common import tender_map

# --------------------------------------------------------------------------------------------
# blank sheets


def write_blank_sheet(
    path: str | os.PathLike[str],
    *,
    exercise: Exercise,
    tenders: Iterable[Tender] | Mapping[str, Tender],
    evaluator_id: str,
    force: bool = False,
) -> int:
    """Write the blank wide score sheet for one panel member; the number of tenders listed.

    One row per tender the evaluator may score (declared conflicts left out), by lot then id,
    with columns ``evaluator, tender, lot, bidder`` and per criterion its score column then its
    comment column. CSV is written as UTF-8 with a byte-order mark so Excel shows accents right;
    XLSX adds a "Guide" sheet (criteria, questions, guidance, scale) and whole-number validation
    on the score cells. Text is escaped against formula injection. An existing file is not
    overwritten without ``force``, and a symbolic link at ``path`` is never followed.
    """
    try:
        member = exercise.evaluator(evaluator_id)
    except KeyError:
        raise NotFound(
            f"no evaluator '{evaluator_id}' in exercise {exercise.id}",
            [
                Problem(
                    type="unknown-evaluator",
                    message=f"unknown evaluator '{evaluator_id}'",
                    value=evaluator_id,
                    fix=did_you_mean(
                        evaluator_id, [e.id for e in exercise.evaluators], "the evaluators"
                    ),
                )
            ],
        ) from None
    lot_order = {lot: i for i, lot in enumerate(exercise.lot_ids)}
    listed = sorted(
        (t for t in tender_map(tenders).values() if t.id not in member.conflicts),
        key=lambda t: (lot_order.get(t.lot, len(lot_order)), t.lot, t.id),
    )
    header = ["evaluator", "tender", "lot", "bidder"]
    for criterion in exercise.criteria.criteria:
        header += [criterion.id, f"{criterion.id} comment"]
    body = [
        [member.id, t.id, t.lot, t.bidder] + [""] * (2 * len(exercise.criteria.criteria))
        for t in listed
    ]
    target = Path(path)
    suffix = target.suffix.lower()
    from ...safe_write import open_new, write_new

    if suffix == ".xlsx":
        with write_new(target, force=force) as temporary:
            _write_blank_xlsx(temporary, exercise, member.id, header, body)
    elif suffix in ("", ".csv", ".txt"):
        with open_new(target, force=force, encoding="utf-8-sig", newline="") as out:
            write_rows(out, [header, *body], lineterminator="\r\n")
    else:
        raise Usage(f"cannot write a score sheet as '{suffix}': name a .csv or .xlsx file")
    return len(listed)


def _write_blank_xlsx(
    target: Path, exercise: Exercise, evaluator_id: str, header: list[str], body: list[list[str]]
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Scores"

    def put(ws: Any, row: int, col: int, value: str) -> Any:
        cell = ws.cell(row=row, column=col)
        cell.value = escape_formula(value)
        cell.data_type = "s"  # text, never a formula, whatever it says
        return cell

    for col, name in enumerate(header, start=1):
        put(sheet, 1, col, name).font = Font(bold=True)
    for r, values in enumerate(body, start=2):
        for col, value in enumerate(values, start=1):
            if value != "":
                put(sheet, r, col, value)
    sheet.freeze_panes = "C2"
    widths = {"evaluator": 10, "tender": 12, "lot": 10, "bidder": 30}
    for col, name in enumerate(header, start=1):
        comment_column = name.endswith(" comment")
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(
            name, 40 if comment_column else max(12, len(name) + 2)
        )
    last = len(body) + 1
    if body:
        for offset, criterion in enumerate(exercise.criteria.criteria):
            col = get_column_letter(5 + 2 * offset)
            scale = criterion.scale
            check = DataValidation(
                type="whole",
                operator="between",
                formula1=str(scale.min),
                formula2=str(scale.max),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not a score",
                error=f"Score {criterion.name} with a whole number from {scale.min} to "
                f"{scale.max}, or leave it blank.",
                showInputMessage=True,
                promptTitle=criterion.name[:32],
                prompt=f"A whole number from {scale.min} to {scale.max}"[:255],
            )
            sheet.add_data_validation(check)
            check.add(f"{col}2:{col}{last}")

    guide = workbook.create_sheet("Guide")
    put(guide, 1, 1, f"Score sheet for {evaluator_id}: {exercise.title}").font = Font(
        bold=True, size=13
    )
    put(
        guide,
        2,
        1,
        "Give each tender a whole number for each criterion on the Scores sheet. "
        "Leave a cell blank if you did not score it. Do not change the column headings.",
    )
    row = 4
    for col, label in enumerate(
        ("criterion", "name", "question for bidders", "guidance for scorers", "scale"), start=1
    ):
        put(guide, row, col, label).font = Font(bold=True)
    for criterion in exercise.criteria.criteria:
        row += 1
        scale = criterion.scale
        points = "\n".join(
            f"{point} = {scale.descriptors.get(point, '')}".rstrip(" =") for point in scale.points
        )
        cells = (criterion.id, criterion.name, criterion.question, criterion.guidance, points)
        for col, value in enumerate(cells, start=1):
            put(guide, row, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (16, 28, 50, 50, 40), strict=True):
        guide.column_dimensions[letter].width = width
    workbook.save(target)
