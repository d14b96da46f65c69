"""Issue 16, item 5: text the database cannot hold is refused at validation, with its place.

A NUL in a bidder name or a sheet comment passed ``validate`` and ended in a PostgreSQL
``DataError`` at ``tenders add``; now both engines refuse it before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.store_helpers import TENDERS, cli, loaded, long_sheet, snapshot


def _tender(tmp_path: Path, change) -> Path:
    document = json.loads(TENDERS[0].read_text(encoding="utf-8"))
    document["id"] = "T-900"
    change(document)
    path = tmp_path / "T-900.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "path", "shown"),
    [
        (lambda d: d["bidder"].update(name="Bright\x00side CIC"), "bidder/name", "U+0000 (NUL)"),
        (lambda d: d["bidder"].update(name="Bright\rside"), "bidder/name", "U+000D"),
        (lambda d: d["bidder"].update(postcode="LS1\x1b[2J"), "bidder/postcode", "U+001B"),
        (
            lambda d: next(iter(d["responses"].values())).update(answer="We\x00 will"),
            "responses/",
            "U+0000 (NUL)",
        ),
    ],
)
def test_tenders_add_refuses_control_characters_on_both_engines(
    db_url: str, tmp_path: Path, change, path: str, shown: str
) -> None:
    loaded(db_url)
    hostile = _tender(tmp_path, change)
    result = cli(db_url, "validate", hostile)
    assert result.exit_code == 1
    assert "control-character" in result.output and path in result.output
    before = snapshot(db_url)
    result = cli(db_url, "tenders", "add", hostile)
    assert result.exit_code == 1, result.output
    assert f"the text holds the control character {shown}" in result.output
    assert f"at {path}" in result.output
    assert "Traceback" not in result.output and "DataError" not in result.output
    assert snapshot(db_url) == before


def test_line_breaks_and_tabs_stay_allowed_in_answers(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    fine = _tender(
        tmp_path,
        lambda d: next(iter(d["responses"].values())).update(answer="One.\r\n\tTwo.\nThree."),
    )
    result = cli(sqlite_url, "tenders", "add", fine)
    assert result.exit_code == 0, result.output


def test_scores_import_refuses_a_nul_in_a_comment_on_both_engines(
    db_url: str, tmp_path: Path
) -> None:
    loaded(db_url)
    sheet = long_sheet(
        tmp_path / "nul.csv",
        [
            ("R1", "T-001", "innovation", 3, "fine\ttoo"),
            ("R1", "T-003", "innovation", 4, "good\x00work"),
        ],
    )
    before = snapshot(db_url)
    result = cli(db_url, "scores", "import", sheet)
    assert result.exit_code == 1, result.output
    assert (
        f"{sheet}, row 3, column comment: the comment holds the control character U+0000 (NUL) "
        "at character 5, which the database cannot store"
    ) in result.output
    assert "nothing was imported" in result.output
    assert "DataError" not in result.output
    assert snapshot(db_url) == before


def test_a_wide_sheet_names_the_comment_column(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    sheet = tmp_path / "wide.csv"
    sheet.write_text(
        "evaluator,tender,innovation,innovation comment\nR1,T-001,3,bell\x07here\n",
        encoding="utf-8",
    )
    result = cli(sqlite_url, "scores", "import", sheet)
    assert result.exit_code == 1
    assert "row 2, column innovation comment: the comment holds the control character U+0007" in (
        result.output
    )
