"""Issue 16, item 8: the smaller items, each with a test."""

from __future__ import annotations

import configparser
import csv
import io
import json
import sys
from pathlib import Path

import pytest

from tests.store_helpers import LONG_HEADER, REPO, TENDERS, cli, loaded, long_sheet, snapshot


def test_psycopg_is_installed_by_plain_pip_install() -> None:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    requires = config["options"]["install_requires"].split()
    assert any(r.startswith("psycopg[binary]") for r in requires)


def test_a_missing_postgresql_driver_names_the_one_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    result = cli(
        "postgresql://council@db.example/commission", "init", REPO / "examples" / "exercise.json"
    )
    assert result.exit_code == 1
    assert "PostgreSQL needs the psycopg driver" in result.output
    assert "pip install 'psycopg[binary]'" in result.output
    assert "Traceback" not in result.output


def test_an_email_ending_in_a_newline_fails_the_format_check(tmp_path: Path) -> None:
    from commission.inputs.tenders import check_tender

    document = json.loads(TENDERS[0].read_text(encoding="utf-8"))
    document["bidder"]["contact_email"] = "bids@brightside.example\n"
    found = check_tender(document, file="T.json")
    assert ("format-error", "bidder/contact_email") in [(p.type, p.path) for p in found]
    document["bidder"]["contact_email"] = "bids@brightside.example"
    assert check_tender(document, file="T.json") == []
    path = tmp_path / "T.json"
    document["bidder"]["contact_email"] = "bids@brightside.example\n"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cli(f"sqlite:///{tmp_path / 'x.db'}", "validate", path)
    assert result.exit_code == 1
    assert "format-error" in result.output


def test_a_negative_number_in_the_validate_csv_stays_a_number(tmp_path: Path) -> None:
    document = json.loads(TENDERS[0].read_text(encoding="utf-8"))
    document["price"]["amount"] = -5
    path = tmp_path / "T.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cli(f"sqlite:///{tmp_path / 'x.db'}", "validate", "--format", "csv", path)
    assert result.exit_code == 1
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["place"] == "price/amount"
    assert row["value"] == "-5"


@pytest.mark.parametrize(
    ("body", "row"),
    [
        (
            'R1,T-001,innovation,3,ok\nR1,T-003,innovation,4,"unterminated\nR1,T-004,innovation,2,x\n',
            3,
        ),
        ('R1,T-001,innovation,3,"two\nlines"\nR1,T-003,innovation,4,"open\n', 3),
        ('R1,T-001,innovation,3,"never closed\n', 2),
    ],
)
def test_an_unterminated_quote_is_reported_on_its_own_row(
    sqlite_url: str, tmp_path: Path, body: str, row: int
) -> None:
    loaded(sqlite_url)
    sheet = tmp_path / "quote.csv"
    sheet.write_text(LONG_HEADER + "\n" + body, encoding="utf-8")
    before = snapshot(sqlite_url)
    result = cli(sqlite_url, "scores", "import", sheet)
    assert result.exit_code == 1
    assert f'{sheet}, row {row}: a quote (") opened in row {row} is never closed' in result.output
    assert snapshot(sqlite_url) == before


def test_an_overwrite_is_listed_together_with_the_other_errors(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    first = long_sheet(tmp_path / "first.csv", [("R1", "T-001", "innovation", 3, "")])
    assert cli(db_url, "scores", "import", first).exit_code == 0
    before = snapshot(db_url)
    second = long_sheet(
        tmp_path / "second.csv",
        [("R1", "T-001", "innovation", 4, ""), ("R1", "T-999", "innovation", 2, "")],
    )
    result = cli(db_url, "scores", "import", second)
    assert result.exit_code == 1
    assert "2 errors in 1 score sheet; nothing was imported" in result.output
    assert f"{second}, row 2, column score: would overwrite the stored score 3" in result.output
    assert f"{second}, row 3, column tender: unknown tender" in result.output
    assert snapshot(db_url) == before
