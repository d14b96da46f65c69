"""Issue 16, item 1: every CSV the toolkit prints or writes is safe to open in a spreadsheet.

The bidder name ``Brightside CIC\\r=HYPERLINK(...)`` once came out of ``tenders list``,
``results``, ``score`` and ``validate`` with a bare CR unquoted; LibreOffice started a new row at
it and evaluated the formula. Here each CSV output is converted by LibreOffice headless (where
``soffice`` is installed) and no cell of the result may be a formula.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from commission.cli.output import to_csv
from commission.csv_safe import escape_formula, format_row
from tests.store_helpers import EXAMPLES, TENDERS, cli, loaded

HOSTILE = 'Brightside CIC\r=HYPERLINK("http://evil.example/";"click")'
CELLS = [
    HOSTILE,
    "=1+1",
    " =1+1",
    "\x01=1+1",
    "\t=1+1",
    "\r=1+1",
    "+SUM(A1)",
    "-2+3",
    "@SUM(A1)",
    'a "quoted" name, with a comma',
    "two\nlines",
]


def test_formula_cells_are_neutralised_and_numbers_stay_numbers() -> None:
    for cell in ("=1+1", " =1+1", "\x01=1+1", "\t=1+1", "\r=1+1", "+SUM(A1)", "-2+3", "@x"):
        assert escape_formula(cell) == "'" + cell
    for number in (-5, "-5", "+3", "2.50", "-1e3", 7):
        assert escape_formula(number) == number
    assert escape_formula("Eastside Neighbours CIC") == "Eastside Neighbours CIC"
    assert format_row([-5, "-5", None, True]) == "-5,-5,,true\n"


def test_cr_lf_quote_and_delimiter_are_always_quoted() -> None:
    line = format_row(["a\rb", "c\nd", 'e"f', "g,h", "plain"])
    assert line == '"a\rb","c\nd","e""f","g,h",plain\n'
    # read back by a CSV reader: the same cells, one row
    back = list(csv.reader(io.StringIO(to_csv([{"name": HOSTILE}]), newline="")))
    assert back == [["name"], [HOSTILE]]


# --------------------------------------------------------------------------------------------
# LibreOffice: the real test of "evaluates no formula"

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it"
)


def formulas_after_libreoffice(csv_file: Path, work: Path) -> list[tuple[str, object]]:
    """Every formula cell LibreOffice makes of ``csv_file`` (converted to XLSX), with its value."""
    import openpyxl

    out = work / "converted"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{work / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--infilter=CSV:44,34,76,1",
            "--outdir",
            str(out),
            str(csv_file),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = out / (csv_file.stem + ".xlsx")
    workbook = openpyxl.load_workbook(converted)
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or str(cell.value or "").startswith("="):
                    found.append((cell.coordinate, cell.value))
    return found


@needs_soffice
def test_libreoffice_sees_the_test_itself_work(tmp_path: Path) -> None:
    # The check can fail: the old writer's output does evaluate the formula.
    old = io.StringIO()
    csv.writer(old, lineterminator="\n").writerows([["bidder"], [HOSTILE], ["=1+1"]])
    (tmp_path / "old.csv").write_text(old.getvalue(), encoding="utf-8")
    assert formulas_after_libreoffice(tmp_path / "old.csv", tmp_path)


@needs_soffice
def test_every_csv_output_opens_in_libreoffice_without_a_formula(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from commission.store.db import make_engine

    url = f"sqlite:///{tmp_path / 'commission.db'}"
    loaded(url, scores=True)
    # A database written before bidder names were checked for control characters.
    engine = make_engine(url)
    with engine.begin() as connection:
        first = connection.execute(text("SELECT id FROM tenders ORDER BY id")).scalar()
        connection.execute(
            text("UPDATE tenders SET bidder = :b WHERE id = :id"), {"b": HOSTILE, "id": first}
        )
    engine.dispose()

    outputs: dict[str, str] = {}
    for name, args in {
        "tenders-list": ("tenders", "list", "--format", "csv"),
        "results": ("results", "--format", "csv"),
        "audit": ("audit", "--format", "csv"),
    }.items():
        result = cli(url, *args)
        assert result.exit_code == 0, result.output
        outputs[name] = result.stdout
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    assert quoted in outputs["tenders-list"]
    assert quoted in outputs["results"]

    # validate: a bidder name with a CR is refused, and the refusal's CSV carries the value
    tender = json.loads(TENDERS[0].read_text(encoding="utf-8"))
    tender["bidder"]["name"] = HOSTILE[:36]
    hostile_file = tmp_path / "hostile.json"
    hostile_file.write_text(json.dumps(tender), encoding="utf-8")
    result = cli(url, "validate", "--format", "csv", hostile_file)
    assert result.exit_code == 1
    assert "\r=HYPERLINK" in result.stdout
    outputs["validate"] = result.stdout

    # score (files only): validation now refuses the name, so let it through as an older
    # version would have, to test the CSV writer itself
    import dataclasses

    from commission.inputs import tenders as submissions

    real = submissions.read_tenders

    def hostile_tenders(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        return [dataclasses.replace(found[0], bidder=HOSTILE), *found[1:]]

    monkeypatch.setattr(submissions, "read_tenders", hostile_tenders)
    result = cli(
        url,
        "score",
        "--exercise",
        EXAMPLES / "exercise.json",
        "--tenders",
        EXAMPLES / "tenders",
        "--scores",
        *sorted((EXAMPLES / "sheets").iterdir()),
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert quoted in result.stdout
    outputs["score"] = result.stdout
    outputs["library"] = to_csv([{"cell": c} for c in CELLS])

    sheet = tmp_path / "sheet-R1.csv"
    assert cli(url, "sheet", "--evaluator", "R1", "-o", sheet).exit_code == 0
    assert quoted in sheet.read_bytes().decode("utf-8-sig")

    files = [sheet]
    for name, body in outputs.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(body, encoding="utf-8", newline="")
        files.append(path)
    for path in files:
        assert formulas_after_libreoffice(path, tmp_path) == [], path.name
