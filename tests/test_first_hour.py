"""Issue 15, point 4: the first hour, smooth. Each paper cut a commissioner meets, through the
command line (click's CliRunner): the new message or behaviour, and the exit status."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner, Result

from .store_helpers import EXERCISE, SHEETS, TENDERS, cli, loaded, long_sheet

EXERCISE_ID = "wellbeing-hubs-2027"


def run(*args: Any, env: dict[str, str] | None = None) -> Result:
    """The command line with no ``--db``: the default database (or the environment's)."""
    from commission.cli import cli as group

    return CliRunner().invoke(group, [str(a) for a in args], env=env)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder with no COMMISSION_DB: the default database is commission.db."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMMISSION_DB", raising=False)
    return tmp_path


def _bad_lot_tender(folder: Path) -> Path:
    doc = json.loads(TENDERS[0].read_text(encoding="utf-8"))
    doc["lot"] = "north"  # schema-valid text, but the stored exercise has lots east and west
    del doc["responses"]["innovation"]  # and an answer missing
    path = folder / "T-001.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# -- --db takes a plain path or a URL; errors show the resolved path ---------------------------


def test_db_takes_a_plain_path(in_tmp: Path) -> None:
    result = run("--db", "commission.db", "init", EXERCISE)
    assert result.exit_code == 0, result.output
    assert (in_tmp / "commission.db").exists()
    absolute = in_tmp / "other.db"
    assert run("--db", absolute, "init", EXERCISE).exit_code == 0
    listed = run("--db", absolute, "tenders", "list")
    assert listed.exit_code == 0, listed.output
    # A plain path and the URL name the same database.
    assert (
        run("--db", f"sqlite:///{absolute}".replace("///", "////"), "tenders", "list").exit_code
        == 0
    )


def test_a_missing_database_shows_the_resolved_path(in_tmp: Path) -> None:
    result = run("--db", "nowhere/c.db", "results")
    assert result.exit_code == 1
    assert f"no database at {in_tmp / 'nowhere' / 'c.db'}" in result.output
    assert "commission init" in result.output


def test_an_absolute_path_with_three_slashes_resolves_as_the_hint_says(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "c.db"
    assert run("--db", elsewhere, "init", EXERCISE).exit_code == 0
    three = f"sqlite://{elsewhere}"  # sqlite:///tmp/...: relative to this folder
    result = run("--db", three, "results")
    assert result.exit_code == 1
    # The resolved path is shown, and the database the user meant is pointed out.
    assert f"no database at {in_tmp}{elsewhere}" in result.output
    assert f"sqlite:///{elsewhere}" in result.output  # four slashes: sqlite:////tmp/...
    assert run("--db", f"sqlite:///{elsewhere}", "results").exit_code == 0
    help_text = run("--help").output
    assert "four slashes" in help_text and "PATH|URL" in help_text


def test_an_unknown_url_says_what_a_database_may_be(in_tmp: Path) -> None:
    result = run("--db", "mysql://u@h/db", "results")
    assert result.exit_code == 2 and "SQLite or PostgreSQL" in result.output
    result = run("--db", "sqlite:", "results")
    assert result.exit_code == 2
    assert "file path such as commission.db" in result.output


def test_an_unopenable_database_names_the_resolved_path(in_tmp: Path) -> None:
    (in_tmp / "folder.db").mkdir()
    result = run("--db", "folder.db", "init", EXERCISE)
    assert result.exit_code == 1
    assert str(in_tmp / "folder.db") in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_database_names_its_resolved_path(in_tmp: Path) -> None:
    (in_tmp / "notes.db").write_text("these are my notes, not a database\n" * 10)
    result = run("--db", "notes.db", "results")
    assert result.exit_code == 1
    assert f"{in_tmp / 'notes.db'} is not a commission database" in result.output
    assert "name the right file with --db" in result.output and "Traceback" not in result.output


# -- validate checks against the stored exercise ------------------------------------------------


def test_validate_checks_against_the_default_database(in_tmp: Path) -> None:
    bad = _bad_lot_tender(in_tmp)
    # No database here: the schema alone, and this tender is schema-valid.
    assert run("validate", bad).exit_code == 0
    assert run("init", EXERCISE).exit_code == 0  # the default commission.db
    result = run("validate", bad)
    assert result.exit_code == 1, result.output
    assert "north" in result.output and "innovation" in result.output
    assert f"checking against exercise {EXERCISE_ID}" in result.output
    assert run("validate", *TENDERS).exit_code == 0


def test_validate_checks_against_the_named_database(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    result = cli(db_url, "validate", "--format", "json", _bad_lot_tender(tmp_path))
    assert result.exit_code == 1
    report = json.loads(result.output)
    found = {(p["type"], p["path"]) for p in report["errors"]}
    assert found == {("unknown-lot", "lot"), ("missing-response", "responses/innovation")}


def test_validate_with_a_database_that_is_not_there_says_so(in_tmp: Path) -> None:
    result = run("--db", "missing.db", "validate", *TENDERS)
    assert result.exit_code == 0
    assert f"no database at {in_tmp / 'missing.db'}" in result.stderr
    assert "the tender schema alone" in result.stderr


# -- --exercise takes an id or a file everywhere ------------------------------------------------


def test_validate_exercise_takes_an_id_or_a_file(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    bad = _bad_lot_tender(tmp_path)
    by_id = cli(sqlite_url, "validate", "--exercise", EXERCISE_ID, bad)
    by_file = cli(sqlite_url, "validate", "--exercise", EXERCISE, bad)
    assert by_id.exit_code == by_file.exit_code == 1
    assert by_id.output == by_file.output
    unknown = cli(sqlite_url, "validate", "--exercise", "youth-2026", bad)
    assert unknown.exit_code == 1
    assert "no exercise 'youth-2026'" in unknown.output and EXERCISE_ID in unknown.output
    assert "does not exist" not in unknown.output


def test_schema_and_score_take_an_id_or_a_file(sqlite_url: str) -> None:
    loaded(sqlite_url)
    by_id = cli(sqlite_url, "schema", "--exercise", EXERCISE_ID)
    by_file = cli(sqlite_url, "schema", "--exercise", EXERCISE)
    assert by_id.exit_code == by_file.exit_code == 0 and by_id.output == by_file.output
    args = ["--tenders", TENDERS[0].parent, "--scores", *SHEETS, "--format", "json"]
    scored_by_id = cli(sqlite_url, "score", "--exercise", EXERCISE_ID, *args)
    scored_by_file = cli(sqlite_url, "score", "--exercise", EXERCISE, *args)
    assert scored_by_id.exit_code == scored_by_file.exit_code == 0, scored_by_id.output
    assert json.loads(scored_by_id.output) == json.loads(scored_by_file.output)


def test_store_commands_take_an_exercise_file_for_its_id(sqlite_url: str) -> None:
    loaded(sqlite_url, scores=True)
    by_file = cli(sqlite_url, "results", "--exercise", EXERCISE, "--format", "json")
    by_id = cli(sqlite_url, "results", "--exercise", EXERCISE_ID, "--format", "json")
    assert by_file.exit_code == by_id.exit_code == 0
    assert by_file.output == by_id.output
    missing = cli(sqlite_url, "tenders", "list", "--exercise", "youth-2026")
    assert missing.exit_code == 1 and "no exercise 'youth-2026'" in missing.output
    from sqlalchemy.engine import make_url

    resolved = Path(str(make_url(sqlite_url).database)).resolve()
    assert f"in the database {resolved} (stored: {EXERCISE_ID})" in missing.output


# -- .ods sheets, and formula cells with no saved value -----------------------------------------

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_cell(value: Any) -> str:
    if isinstance(value, int):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, str) and value.startswith("="):
        return f'<table:table-cell table:formula="of:{escape(value)}"/>'
    if not value:
        return "<table:table-cell/>"
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
        "</table:table-cell>"
    )


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def write_ods(path: Path, rows: list[list[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice's .ods is laid out."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
        for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        'office:version="1.2"><office:body><office:spreadsheet><table:table '
        f'table:name="Scores">{body}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


HEADER = ["evaluator", "tender", "criterion", "score", "comment"]


def test_an_ods_sheet_imports(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    sheet = write_ods(
        tmp_path / "R1.ods",
        [HEADER, ["R1", "T-001", "innovation", 4, "é – ł"], ["R1", "T-001", "long-term", 3, ""]],
    )
    result = cli(db_url, "scores", "import", sheet)
    assert result.exit_code == 0, result.output
    assert "imported 2 new scores" in result.output
    from commission.app import score_frame
    from commission.store import open_store

    with open_store(db_url) as store:
        frame = score_frame(store)
    row = frame[(frame["tender"] == "T-001") & (frame["criterion"] == "innovation")].iloc[0]
    assert int(row["score"]) == 4 and row["comment"] == "é – ł"


def test_an_ods_formula_with_no_saved_value_is_an_error(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    sheet = write_ods(
        tmp_path / "R1.ods",
        [HEADER, ["R1", "T-001", "innovation", 4, ""], ["R1", "T-001", "long-term", "=2+2", ""]],
    )
    result = cli(sqlite_url, "scores", "import", sheet)
    assert result.exit_code == 1
    assert "cell D3 holds a formula with no saved value" in result.output
    assert "recalculate and save it again" in result.output


def test_an_xlsx_formula_with_no_saved_value_is_an_error(sqlite_url: str, tmp_path: Path) -> None:
    import openpyxl

    loaded(sqlite_url)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Scores"
    sheet.append(HEADER)
    sheet.append(["R1", "T-001", "innovation", 4, ""])
    sheet.append(["R1", "T-001", "long-term", "=2+2", ""])  # openpyxl saves no value
    workbook.create_sheet("Guide").append(["=1+1"])  # another sheet's formulas are not read
    path = tmp_path / "R1.xlsx"
    workbook.save(path)
    result = cli(sqlite_url, "scores", "import", "--format", "json", path)
    assert result.exit_code == 1
    (problem,) = json.loads(result.output)["errors"]
    assert problem["type"] == "formula-without-value"
    assert (problem["row"], problem["column"], problem["value"]) == (3, "D", "D3")
    assert "formula" in problem["message"] and "type the scores in" in problem["fix"]


# -- results carry the reason -------------------------------------------------------------------


def test_results_table_and_csv_carry_the_reason(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url, scores=True)
    csv_text = cli(sqlite_url, "results", "--format", "csv")
    assert csv_text.exit_code == 0
    header, *lines = csv_text.output.splitlines()
    assert header.split(",")[-1] == "reason"
    failed = [
        line for line in lines if ",false,false," in line or line.endswith("below threshold 50")
    ]
    assert any("quality" in line and "below threshold 50" in line for line in failed)
    table = cli(sqlite_url, "results")
    assert "reason" in table.output.splitlines()[0] and "below threshold 50" in table.output


def test_the_reason_names_a_minimum_and_an_incomplete_panel(tmp_path: Path) -> None:
    from commission.cli.output import results_rows
    from commission.scoring import score

    from .scoring_helpers import criteria_set, every_criterion, exercise, frame, tender

    ex = exercise(
        ["C1", "C2"],
        ["O1", "O2"],
        criteria=criteria_set(("collaboration", "innovation"), minimums={"collaboration": 2}),
        min_evaluators={"community": 1, "officer": 2},
        quality_threshold=40,
    )
    rows = every_criterion("C1", "T1", [1, 5], ex.criteria.ids)
    rows += every_criterion("O1", "T1", [2, 5], ex.criteria.ids)
    rows += every_criterion("O2", "T1", [2, 5], ex.criteria.ids)
    rows += every_criterion("C1", "T2", [3, 3], ex.criteria.ids)
    rows += every_criterion("O1", "T2", [3, 3], ex.criteria.ids) + [
        ("O2", "T2", "collaboration", 3)
    ]
    rows += every_criterion("C1", "T3", [2, 2], ex.criteria.ids)
    rows += every_criterion("O1", "T3", [2, 2], ex.criteria.ids)
    rows += every_criterion("O2", "T3", [1, 2], ex.criteria.ids)
    found = score(ex, [tender("T1"), tender("T2"), tender("T3")], frame(rows))
    reason = {r["tender"]: r["reason"] for r in results_rows(found)}
    assert reason["T1"] == "collaboration 1.50 below minimum 2.00"
    assert reason["T2"] == "incomplete: 1 of 2 officer scores on innovation"
    assert reason["T3"] == "collaboration 1.75 below minimum 2.00; quality 37.50 below threshold 40"


# -- score / scores ------------------------------------------------------------------------------


def test_score_import_suggests_scores_import(in_tmp: Path) -> None:
    result = run("score", "import", "x.csv")
    assert result.exit_code == 2
    assert "did you mean `commission scores import x.csv`?" in result.output
    assert "does not exist" not in result.output


def test_scores_with_a_sheet_suggests_scores_import(in_tmp: Path) -> None:
    result = run("scores", "x.csv")
    assert result.exit_code == 2
    assert "did you mean `commission scores import x.csv`?" in result.output
    result = run("scores", "--exercise", "e.json", "--scores", "a.csv")
    assert result.exit_code == 2 and "`commission score --exercise e.json" in result.output
    assert run("scores", "--help").exit_code == 0


# -- header matching, grammar and values ---------------------------------------------------------


def test_header_matching_ignores_case_spaces_dashes_and_underscores(
    sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_url)
    sheet = tmp_path / "OF1.csv"
    sheet.write_text(
        "Evaluator,TENDER,Local_Assets,local assets comment,LocalInsights,collaboration,"
        "Innovation,longterm,Long-Term Comment\n"
        "OF1,T-001,3,fine,4,5,4,3,lasting\n",
        encoding="utf-8",
    )
    result = cli(sqlite_url, "scores", "import", sheet)
    assert result.exit_code == 0, result.output
    assert "imported 5 new scores" in result.output


def test_an_unknown_criterion_lists_the_criteria(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    sheet = long_sheet(tmp_path / "R1.csv", [("R1", "T-001", "zzzzzz", 3, "")])
    result = cli(sqlite_url, "scores", "import", sheet)
    assert result.exit_code == 1
    assert "the criteria of this exercise are" in result.output
    assert "criterions" not in result.output


def test_a_duplicate_row_shows_the_score_as_its_value(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    sheet = long_sheet(
        tmp_path / "R1.csv",
        [("R1", "T-001", "innovation", 3, ""), ("R1", "T-001", "innovation", 4, "")],
    )
    result = cli(sqlite_url, "scores", "import", "--format", "json", sheet)
    assert result.exit_code == 1
    (problem,) = json.loads(result.output)["errors"]
    assert problem["type"] == "unique-error" and problem["value"] == 4
    text = cli(sqlite_url, "scores", "import", sheet)
    assert "(value 4)" in text.output and "(value 'innovation')" not in text.output


def test_no_tenders_yet_is_said_in_plain_words(sqlite_url: str, tmp_path: Path) -> None:
    from commission.app import init_exercise
    from commission.store import open_store

    with open_store(sqlite_url, create=True) as store:
        init_exercise(store, EXERCISE)
    sheet = long_sheet(tmp_path / "R1.csv", [("R1", "T-001", "innovation", 3, "")])
    result = cli(sqlite_url, "scores", "import", sheet)
    assert result.exit_code == 1
    assert "there are no tenders of this exercise yet" in result.output
