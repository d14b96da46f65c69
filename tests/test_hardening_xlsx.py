"""Issue 16, item 3: an XLSX sheet's declared and real dimensions are checked before calamine
allocates a grid, so a dimension bomb is a clear error naming the sheet and cell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from commission.inputs.exercise import load_exercise
from commission.inputs.sheet_bounds import MAX_CELLS, MAX_COLUMNS, check_xlsx
from commission.inputs.sheets import read_sheet
from tests.hostile_inputs import dimension_bomb
from tests.store_helpers import EXAMPLES, EXERCISE, cli, loaded, snapshot

SAMPLE = load_exercise(EXERCISE)


@pytest.mark.parametrize(
    ("cell", "limit"),
    [
        ("XFD1048576", f"more than {MAX_COLUMNS:,} columns"),
        (
            "CV1048576",
            f"a range of 104,857,600 cells from A1, more than the limit of {MAX_CELLS:,}"[:60],
        ),
    ],
)
def test_scores_import_refuses_a_dimension_bomb_naming_sheet_and_cell(
    db_url: str, tmp_path: Path, cell: str, limit: str
) -> None:
    loaded(db_url)
    bomb = dimension_bomb(tmp_path / "bomb.xlsx", cell)
    assert bomb.stat().st_size < 5_000
    before = snapshot(db_url)
    result = cli(db_url, "scores", "import", bomb)
    assert result.exit_code == 1
    assert f"bomb.xlsx: sheet 'Scores' has a cell at {cell}: {limit}" in result.output
    assert f"more than the limit of {MAX_CELLS:,}" in result.output or "columns" in limit
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert snapshot(db_url) == before


def test_a_declared_dimension_too_large_is_refused(tmp_path: Path) -> None:
    bomb = dimension_bomb(tmp_path / "declared.xlsx", "B2", dimension="A1:ZZ1048576")
    (problem,) = check_xlsx(bomb, "declared.xlsx")
    assert problem.type == "sheet-too-large"
    assert problem.message.startswith("sheet 'Scores' declares ZZ1048576: ")


def test_the_sheet_calamine_reads_is_the_one_checked_and_named(tmp_path: Path) -> None:
    bomb = dimension_bomb(tmp_path / "other.xlsx", "XFD1048576", sheet="Sheet & Co")
    (problem,) = check_xlsx(bomb, "other.xlsx")
    assert "sheet 'Sheet & Co' has a cell at XFD1048576" in problem.message


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    bomb = dimension_bomb(tmp_path / "zip.xlsx", "B2")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * 200_000_000 + b"</sst>")
    assert bomb.stat().st_size < 1_000_000
    frame, problems = read_sheet(bomb, exercise=SAMPLE)
    assert frame.empty
    (problem,) = problems
    assert problem.type == "sheet-too-large"
    assert "xl/sharedStrings.xml expands" in problem.message
    assert "zip bomb" in problem.message


def test_ordinary_sheets_pass_the_guard(tmp_path: Path) -> None:
    assert check_xlsx(EXAMPLES / "sheets" / "R5-wide.xlsx", "R5-wide.xlsx") == []
    small = dimension_bomb(tmp_path / "small.xlsx", "N1000", dimension="A1:N1000")
    assert check_xlsx(small, "small.xlsx") == []
    # a file that is no ZIP archive is left to the reader, which says what it is
    fake = tmp_path / "fake.xlsx"
    fake.write_text("evaluator,tender\n", encoding="utf-8")
    assert check_xlsx(fake, "fake.xlsx") == []
    frame, problems = read_sheet(fake, exercise=SAMPLE)
    assert [p.type for p in problems] == ["format-error"]


def test_a_nearly_empty_range_inside_the_size_caps_is_refused(tmp_path: Path) -> None:
    # 10 columns x 1,000,000 rows is inside MAX_CELLS, but two cells hold anything: reading it
    # once took 25 s and 750 MB for a 1.5 KB file
    bomb = dimension_bomb(tmp_path / "sparse.xlsx", "J1000000")
    (problem,) = check_xlsx(bomb, "sparse.xlsx")
    assert problem.message.startswith(
        "sheet 'Scores' reaches J1000000 but holds only 2 cells: a range of 10,000,000 mostly "
        "empty cells from A1"
    )


def test_formatted_empty_rows_far_below_are_no_bomb(tmp_path: Path) -> None:
    sheet = dimension_bomb(tmp_path / "styled.xlsx", "B2")
    with zipfile.ZipFile(sheet) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="1048576" s="1" customFormat="1"/></sheetData>'
    )
    with zipfile.ZipFile(sheet, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert check_xlsx(sheet, "styled.xlsx") == []
