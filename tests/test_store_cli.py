"""The stateful commands: every refusal exits 1 with row, column and value, and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commission.app import results
from commission.store import open_store

from .store_helpers import EXERCISE, SHEETS, TENDERS, cli, loaded, long_sheet, snapshot

REFUSALS = [
    # (rows, (row, column, value) expected in the message, words expected)
    (
        [("R9", "T-001", "local-assets", 3, "")],
        "row 2, column evaluator",
        "'R9'",
        "unknown evaluator",
    ),
    ([("R1", "T-999", "local-assets", 3, "")], "row 2, column tender", "'T-999'", "unknown tender"),
    (
        [("R1", "T-001", "local-acets", 3, "")],
        "row 2, column criterion",
        "'local-acets'",
        "unknown criterion",
    ),
    ([("R1", "T-001", "local-assets", 7, "")], "row 2, column score", "7", "off the scale"),
    ([("R1", "T-001", "innovation", "x", "")], "row 2, column score", "'x'", "whole number"),
    (
        [("R1", "T-001", "innovation", 3, ""), ("R1", "T-001", "innovation", 4, "")],
        "row 3, column score",
        "",
        "second score",
    ),
    (
        [("R3", "T-002", "innovation", 3, "")],
        "row 2, column tender",
        "'T-002'",
        "conflict of interest",
    ),
]


@pytest.mark.parametrize(("rows", "where", "value", "words"), REFUSALS)
def test_a_sheet_with_an_error_is_refused_whole(
    db_url: str, tmp_path: Path, rows: list[tuple[object, ...]], where: str, value: str, words: str
) -> None:
    loaded(db_url)
    # A good row first: it must not be written either.
    sheet = long_sheet(tmp_path / "sheet.csv", rows)
    good = long_sheet(tmp_path / "good.csv", [("R2", "T-003", "long-term", 4, "")])
    before = snapshot(db_url)
    result = cli(db_url, "scores", "import", good, sheet)
    assert result.exit_code == 1, result.output
    assert "nothing was imported" in result.output
    line = next(line for line in result.output.splitlines() if where in line)
    assert str(sheet) in line and words in line and value in line
    assert snapshot(db_url) == before


def test_an_overwrite_without_replace_is_refused_then_replaced(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    first = long_sheet(tmp_path / "first.csv", [("R1", "T-001", "local-assets", 2, "")])
    assert cli(db_url, "scores", "import", first).exit_code == 0
    second = long_sheet(tmp_path / "second.csv", [("R1", "T-001", "local-assets", 5, "")])
    before = snapshot(db_url)
    result = cli(db_url, "scores", "import", second)
    assert result.exit_code == 1
    assert (
        f"{second}, row 2, column score: would overwrite the stored score 2 of R1 for tender "
        f"T-001, local-assets with 5 (stored from {first} row 2) (value 5)"
    ) in result.output
    assert "--replace" in result.output
    assert snapshot(db_url) == before

    result = cli(db_url, "scores", "import", second, "--replace")
    assert result.exit_code == 0, result.output
    assert "replaced 1" in result.output
    audit = json.loads(cli(db_url, "audit", "--format", "json").output)
    assert audit[-1]["action"] == "score-replaced"
    assert audit[-1]["details"]["old"]["score"] == 2


def test_importing_the_same_sheet_twice_says_so(db_url: str) -> None:
    loaded(db_url)
    assert cli(db_url, "scores", "import", *SHEETS).exit_code == 0
    before = snapshot(db_url)
    result = cli(db_url, "scores", "import", *SHEETS)
    assert result.exit_code == 0
    assert "nothing to import: all 500 scores in the sheets are already stored, unchanged" in (
        result.output
    )
    assert snapshot(db_url) == before


def test_dry_run_writes_nothing(db_url: str) -> None:
    loaded(db_url)
    before = snapshot(db_url)
    result = cli(db_url, "scores", "import", *SHEETS, "--dry-run", "--format", "json")
    assert result.exit_code == 0
    outcome = json.loads(result.output)
    assert (outcome["added"], outcome["dry_run"], outcome["changed"]) == (500, True, False)
    assert snapshot(db_url) == before


def test_init_refuses_a_changed_exercise(db_url: str, tmp_path: Path) -> None:
    assert cli(db_url, "init", EXERCISE).exit_code == 0
    again = cli(db_url, "init", EXERCISE)
    assert again.exit_code == 0 and "already stored, unchanged" in again.output
    changed = json.loads(EXERCISE.read_text(encoding="utf-8"))
    changed["divergence_threshold"] = 3
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    before = snapshot(db_url)
    result = cli(db_url, "init", path)
    assert result.exit_code == 1
    assert "exercise wellbeing-hubs-2027 is already stored with different contents" in (
        result.output
    )
    assert snapshot(db_url) == before


def test_tenders_add_refuses_a_changed_tender(db_url: str, tmp_path: Path) -> None:
    assert cli(db_url, "init", EXERCISE).exit_code == 0
    assert cli(db_url, "tenders", "add", *TENDERS).exit_code == 0
    doc = json.loads(TENDERS[1].read_text(encoding="utf-8"))
    doc["price"]["amount"] = 1
    path = tmp_path / "T-002.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = snapshot(db_url)
    result = cli(db_url, "tenders", "add", path)
    assert result.exit_code == 1
    assert "tender T-002 is already stored with different contents (value 'T-002')" in (
        result.output
    )
    assert snapshot(db_url) == before
    listed = json.loads(cli(db_url, "tenders", "list", "--format", "json").output)
    assert [t["tender"] for t in listed] == [f"T-{n:03d}" for n in range(1, 13)]


def test_results_json_equals_the_library(db_url: str) -> None:
    loaded(db_url, scores=True)
    result = cli(db_url, "results", "--format", "json")
    assert result.exit_code == 0, result.output
    with open_store(db_url) as store:
        assert json.loads(result.output) == json.loads(json.dumps(results(store).to_dict()))
    from_files = cli(
        db_url,
        "score",
        "--exercise",
        EXERCISE,
        "--tenders",
        EXERCISE.parent / "tenders",
        *[arg for s in SHEETS for arg in ("--scores", s)],
        "--format",
        "json",
    )
    assert json.loads(from_files.output) == json.loads(result.output)


def test_sheet_writes_the_blank_sheet_for_a_panel_member(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    target = tmp_path / "R3.csv"
    result = cli(sqlite_url, "sheet", "--evaluator", "R3", "-o", target)
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("evaluator,tender,")
    assert not any(",T-002," in line for line in lines)  # R3 declared a conflict with T-002
    assert len(lines) == 1 + 11
    unknown = cli(sqlite_url, "sheet", "--evaluator", "R99", "-o", target)
    assert unknown.exit_code == 1 and "no evaluator 'R99'" in unknown.output


def test_audit_verify_names_the_broken_entry(sqlite_url: str) -> None:
    import sqlite3

    loaded(sqlite_url, scores=True)
    ok = cli(sqlite_url, "audit", "--verify")
    assert ok.exit_code == 0 and "hash chain intact" in ok.output
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("UPDATE audit_entries SET at = 'yesterday' WHERE seq = 4")
        connection.execute("DROP TRIGGER audit_entries_no_update")
        connection.execute("UPDATE audit_entries SET at = 'yesterday' WHERE seq = 4")
    broken = cli(sqlite_url, "audit", "--verify")
    assert broken.exit_code == 1
    assert "entry 4 (tender-added) was changed" in broken.output
    assert "first bad entry: 4" in broken.output


def test_commands_before_init_say_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nothing.db'}"
    result = cli(url, "results")
    assert result.exit_code == 1
    assert "run: commission init EXERCISE.json" in result.output
    assert not (tmp_path / "nothing.db").exists()


def test_several_exercises_without_exercise_is_a_usage_error(
    sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_url)
    other = json.loads(EXERCISE.read_text(encoding="utf-8"))
    other["id"] = "another"
    path = tmp_path / "another.json"
    path.write_text(json.dumps(other), encoding="utf-8")
    assert cli(sqlite_url, "init", path).exit_code == 0
    result = cli(sqlite_url, "results")
    assert result.exit_code == 2
    assert "another, wellbeing-hubs-2027" in result.output and "--exercise" in result.output
    assert cli(sqlite_url, "results", "--exercise", "another").exit_code == 0
