"""A database written by the previous release (revision 0005, tests/fixtures/previous-release)
upgraded to the newest revision: its audit trail still verifies, its results are what they were,
and the decision documents it issued still verify — on SQLite, and on PostgreSQL after the same
rows are loaded into a 0005 schema there."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from commission.store import open_store, schema

from .store_helpers import EXERCISE, cli, long_sheet

FIXTURE = Path(__file__).parent / "fixtures" / "previous-release"
DOCUMENTS = [
    FIXTURE / "provisional-decision-wellbeing-hubs-2027-east.pdf",
    FIXTURE / "provisional-summary-T-001.pdf",
]
#: Tables in an order their foreign keys allow (revision 0005).
TABLES = [
    "exercises",
    "lots",
    "evaluators",
    "conflicts",
    "tenders",
    "scores",
    "round_scores",
    "frozen_lots",
    "moderation_notes",
    "decisions",
    "audit_entries",
    "audit_payloads",
]


def _results(url: str, *args: str) -> dict[str, Any]:
    result = cli(url, "results", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _expected(name: str) -> dict[str, Any]:
    return json.loads((FIXTURE / name).read_text(encoding="utf-8"))


def _upgraded_and_checked(url: str, tmp_path: Path) -> None:
    with open_store(url) as store:
        assert store.revision() == "0005"
    upgraded = cli(url, "init", EXERCISE)
    assert upgraded.exit_code == 0, upgraded.output
    assert "upgraded to revision 0007" in upgraded.output
    with open_store(url) as store:
        assert store.revision() == schema.head_revision()

    audit = cli(url, "audit", "--verify")
    assert audit.exit_code == 0, audit.output
    assert "499 scores" in audit.output and "2 decisions" in audit.output

    assert _results(url) == _expected("results.json")
    assert _results(url, "--round", "independent") == _expected("results-independent.json")

    for document in DOCUMENTS:
        checked = cli(url, "verify", document)
        assert checked.exit_code == 0, checked.output
        assert "matches" in checked.output and "check 2, the stored data: passed" in checked.output

    # the upgraded store goes on working: a new score, replaced, and the trail still verifies
    sheet = long_sheet(tmp_path / "late.csv", [("R3", "T-012", "local-assets", 2, "Late.")])
    assert cli(url, "scores", "import", "--replace", sheet).exit_code == 0
    again = cli(url, "audit", "--verify")
    assert again.exit_code == 0, again.output


def test_previous_release_database_upgrades_on_sqlite(tmp_path: Path) -> None:
    copy = tmp_path / "previous.db"
    shutil.copyfile(FIXTURE / "previous.db", copy)
    _upgraded_and_checked(f"sqlite:///{copy}", tmp_path)


@pytest.mark.postgres
def test_previous_release_database_upgrades_on_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    _load_into_postgresql(FIXTURE / "previous.db", postgres_url)
    _upgraded_and_checked(postgres_url, tmp_path)


def _load_into_postgresql(source: Path, url: str) -> None:
    """The fixture's rows copied into a PostgreSQL schema at revision 0005, values as stored."""
    import sqlalchemy as sa

    from commission import exactjson

    with open_store(url, create=True) as store:
        with store.writing() as repo:
            schema.upgrade(repo.connection, "0005")
            metadata = sa.MetaData()
            metadata.reflect(repo.connection, only=TABLES)
            old = sqlite3.connect(source)
            try:
                for name in TABLES:
                    table = metadata.tables[name]
                    cursor = old.execute(f"SELECT * FROM {name}")
                    columns = [d[0] for d in cursor.description]
                    rows = [
                        {
                            c: _value(table.c[c].type, v, exactjson)
                            for c, v in zip(columns, row, strict=True)
                        }
                        for row in cursor
                    ]
                    if rows:
                        repo.connection.execute(table.insert(), rows)
                    if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and rows:
                        repo.connection.execute(
                            sa.text(
                                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"(SELECT max(id) FROM {name}))"
                            )
                        )
            finally:
                old.close()


def _value(kind: Any, value: Any, exactjson: Any) -> Any:
    import sqlalchemy as sa

    if value is None:
        return None
    if isinstance(kind, sa.JSON):
        return exactjson.loads(value)
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if isinstance(kind, sa.Boolean):
        return bool(value)
    return value
