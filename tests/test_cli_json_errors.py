"""With ``--format json`` a failure is one JSON object on stdout, every problem in it, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from commission.app import import_scores
from commission.errors import InvalidScores
from commission.store import open_store

from .store_helpers import EXERCISE, TENDERS, cli, loaded, long_sheet, snapshot


def _failure(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["valid"] is False
    assert document["error_count"] == len(document["errors"])
    return document


def test_scores_import_json_failure_lists_every_problem(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    sheet = long_sheet(
        tmp_path / "bad.csv",
        [("R9", "T-001", "local-assets", 3, ""), ("R1", "T-001", "innovation", 9, "")],
    )
    before = snapshot(sqlite_url)
    document = _failure(cli(sqlite_url, "scores", "import", "--format", "json", sheet))
    assert document["error"] == "InvalidScores"
    assert [(e["row"], e["column"], e["type"]) for e in document["errors"]] == [
        (2, "evaluator", "unknown-evaluator"),
        (3, "score", "constraint-error"),
    ]
    assert all(e["file"] == str(sheet) for e in document["errors"])
    assert snapshot(sqlite_url) == before
    # the same object the library raises
    with open_store(sqlite_url) as store:
        try:
            import_scores(store, [sheet])
        except InvalidScores as error:
            raised = error.to_dict()
    assert {k: v for k, v in document.items() if k != "ok"} == raised


def test_an_overwrite_in_json_names_the_flag_only_in_the_cli(
    sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_url)
    first = long_sheet(tmp_path / "a.csv", [("R1", "T-001", "innovation", 3, "")])
    assert cli(sqlite_url, "scores", "import", first).exit_code == 0
    second = long_sheet(tmp_path / "b.csv", [("R1", "T-001", "innovation", 4, "")])
    document = _failure(cli(sqlite_url, "scores", "import", "--format", "json", second))
    assert document["message"].endswith("(pass --replace to replace them)")
    assert document["errors"][0]["type"] == "overwrite"
    assert "--replace" in document["errors"][0]["fix"]


def test_tenders_add_json_failure(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "T-100", "lot": "north"}', encoding="utf-8")
    document = _failure(cli(sqlite_url, "tenders", "add", "--format", "json", bad))
    assert document["error"] == "InvalidTender"
    paths = {e.get("path") for e in document["errors"]}
    assert {"bidder", "responses", "lot"} <= paths and len(paths) == len(document["errors"])


def test_init_json_failure(tmp_path: Path) -> None:
    broken = tmp_path / "exercise.json"
    broken.write_text('{"id": "x", "title": 3}', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    document = _failure(cli(url, "init", "--format", "json", broken))
    assert document["error"] == "InvalidExercise"
    assert any(e["path"] == "title" and e["type"] == "type-error" for e in document["errors"])


def test_init_json_success(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = cli(url, "init", "--format", "json", EXERCISE)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["exercise"] == "wellbeing-hubs-2027"


def test_decide_json_failure_lists_each_incomplete_tender(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    document = _failure(cli(sqlite_url, "decide", "--format", "json", "--out", tmp_path / "o"))
    assert document["error"] == "DecisionRefused"
    assert document["message"].endswith("(use --provisional for a provisional decision)")
    assert sorted(e["value"] for e in document["errors"]) == sorted(p.stem for p in TENDERS)
    assert all(e["type"] == "incomplete-tender" for e in document["errors"])
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").rglob("*.pdf"))


def test_verify_json_failure_for_a_file_that_is_no_decision(
    sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_url)
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.4\n%%EOF\n")
    document = _failure(cli(sqlite_url, "verify", "--format", "json", fake))
    assert document["error"] == "InvalidDocument"
    assert str(fake) in document["message"]


def test_missing_database_json_names_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    document = _failure(cli(url, "results", "--format", "json"))
    assert document["errors"][0]["type"] == "no-database"
    assert document["message"].endswith("; run: commission init EXERCISE.json")
