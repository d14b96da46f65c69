"""PostgreSQL keeps the audit payloads and tender documents LZ4-compressed (revision 0007):
pglz took a second to compress one million rows' payload inside the import's transaction."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from commission.app import import_scores
from commission.app.audit import check_audit
from commission.store import open_store, schema
from commission.store.db import make_engine
from tests.store_helpers import EXAMPLES, loaded

pytestmark = pytest.mark.postgres

COLUMNS = {("audit_payloads", "body"), ("tenders", "document")}


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def _compression(url: str) -> dict[tuple[str, str], str]:
    rows = _rows(
        url,
        "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid "
        "WHERE c.relname IN ('audit_payloads', 'tenders') AND a.attnum > 0",
    )
    return {(r[0], r[1]): r[2] for r in rows if (r[0], r[1]) in COLUMNS}


def _lz4(url: str) -> bool:
    sql = "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    return "lz4" in (_rows(url, sql)[0][0] or [])


@pytest.fixture
def lz4_url(postgres_url: str) -> str:
    if not _lz4(postgres_url):
        pytest.skip("this PostgreSQL server was built without LZ4: its stores keep pglz")
    return postgres_url


def _commented_sheet(path: Path) -> Path:
    """The sample community sheet with a long comment on every row: a payload of many KB."""
    with (EXAMPLES / "sheets" / "community-long.csv").open(encoding="utf-8-sig") as source:
        rows = list(csv.DictReader(source))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for n, row in enumerate(rows):
            writer.writerow({**row, "comment": f"Row {n}: " + "residents and carers " * 20})
    return path


def test_a_new_store_compresses_payloads_and_documents_with_lz4(
    lz4_url: str, tmp_path: Path
) -> None:
    loaded(lz4_url)
    assert _compression(lz4_url) == {column: "l" for column in COLUMNS}
    with open_store(lz4_url) as store:
        import_scores(store, [_commented_sheet(tmp_path / "community-long.csv")])
        assert check_audit(store).ok
    # pg_column_compression: NULL for a value stored whole (too small to compress)
    methods = _rows(
        lz4_url,
        "SELECT pg_column_compression(body) FROM audit_payloads "
        "WHERE octet_length(body) > 8000 UNION ALL "
        "SELECT pg_column_compression(document) FROM tenders "
        "WHERE octet_length(document::text) > 3000",
    )
    assert {m for (m,) in methods} == {"lz4"}


def test_an_upgrade_from_0006_switches_to_lz4_and_keeps_the_trail(lz4_url: str) -> None:
    with open_store(lz4_url, create=True) as store, store.writing() as repo:
        schema.upgrade(repo.connection, "0006")
    assert set(_compression(lz4_url).values()) == {""}  # the server's default, pglz
    with open_store(lz4_url) as store:
        assert store.upgrade() == "0007"
    assert _compression(lz4_url) == {column: "l" for column in COLUMNS}
    loaded(lz4_url, scores=True)
    with open_store(lz4_url) as store:
        assert check_audit(store).ok
