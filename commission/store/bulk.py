"""Bulk writes at the storage engine's pace: score rows and tenders as plain tuples.

PostgreSQL takes them through ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy``) on the
driver connection under the SQLAlchemy connection, so the rows go in inside the import's own
transaction; SQLite takes one ``executemany`` of tuples per chunk. Score rows are sorted into
primary-key order first: the clustered table is then appended to, not split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from .models import TenderRow

if TYPE_CHECKING:
    import pandas as pd

    from ..records import Tender
    from .keys import Keys, Sheets

_COPY = "COPY "


def bulk_statement(connection: Connection, table: str, columns: Sequence[str]) -> str:
    """The statement :func:`write_rows` runs: ``COPY table (...) FROM STDIN`` on PostgreSQL,
    ``INSERT INTO table (...) VALUES (?, ...)`` in the driver's own style elsewhere."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if connection.dialect.name == "postgresql":
        return f"{_COPY}{quote(table)} ({names}) FROM STDIN"
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join([marker] * len(columns))})"


def write_rows(connection: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """One batch of tuples through the driver, inside the connection's transaction."""
    if not sql.startswith(_COPY):
        connection.exec_driver_sql(sql, list(rows))
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def score_tuples(
    keys: Keys, sheets: Sheets, rows: pd.DataFrame, sha: Mapping[str, str], round_name: str
) -> list[tuple[Any, ...]]:
    """Score-frame rows as tuples of the scores table (``SCORE_TABLE_COLUMNS``), in
    primary-key order: exercise, tender, criterion, evaluator numbers, score, comment, sheet,
    sheet row, sheet column."""
    import gc
    import itertools

    import numpy as np

    tender = keys.numbers("tender", rows["tender"].to_numpy(dtype=object))
    criterion = keys.numbers("criterion", rows["criterion"].to_numpy(dtype=object))
    evaluator = keys.numbers("evaluator", rows["evaluator"].to_numpy(dtype=object))
    column = rows["column"] if "column" in rows.columns else [None] * len(rows)
    sheet_ids, columns = sheets.encode(rows["file"].to_numpy(dtype=object), column, sha, round_name)
    order = np.lexsort((evaluator, criterion, tender))
    comment = rows["comment"].astype(object)
    comments = comment.where(comment.notna(), None).to_numpy(dtype=object)
    score = rows["score"].to_numpy(dtype=np.int64)
    sheet_row = rows["row"].to_numpy(dtype=np.int64)
    column_codes = np.asarray(columns, dtype=object)
    # a million new tuples would set the cycle collector off again and again: none is a cycle
    collecting = gc.isenabled()
    gc.disable()
    try:
        return list(
            zip(
                itertools.repeat(keys.exercise_id, len(rows)),
                tender[order].tolist(),
                criterion[order].tolist(),
                evaluator[order].tolist(),
                score[order].tolist(),
                comments[order].tolist(),
                sheet_ids[order].tolist(),
                sheet_row[order].tolist(),
                column_codes[order].tolist(),
                strict=True,
            )
        )
    finally:
        if collecting:
            gc.enable()


TENDER_COLUMNS = (
    "exercise_id",
    "id",
    "lot_id",
    "bidder",
    "price",
    "currency",
    "document",
    "sha256",
    "added_at",
    "number",
)


def insert_tenders(
    connection: Connection,
    exercise_id: str,
    tenders: Sequence[Tender],
    digests: Mapping[str, str],
    numbers: Sequence[int],
) -> None:
    """Insert submissions with their numbers: ``COPY`` on PostgreSQL, ``executemany`` on
    SQLite; documents as the store's exact JSON text."""
    from .. import exactjson
    from .repository import _price_text

    now = datetime.now(UTC)
    copying = connection.dialect.name == "postgresql"
    rows = []
    for tender, number in zip(tenders, numbers, strict=True):
        price, currency = _price_text(tender.document)
        # COPY takes the JSON as text, written as SQLAlchemy's JSON type writes it
        document = exactjson.dumps(dict(tender.document)) if copying else dict(tender.document)
        rows.append(
            (exercise_id, tender.id, tender.lot, tender.bidder, price, currency)
            + (document, digests[tender.id], now, number)
        )
    if not rows:
        return
    if not copying:
        from sqlalchemy import insert

        from .models import table_of

        dicts = [dict(zip(TENDER_COLUMNS, row, strict=True)) for row in rows]
        for start in range(0, len(dicts), 1_000):
            connection.execute(insert(table_of(TenderRow)), dicts[start : start + 1_000])
        return
    sql = bulk_statement(connection, TenderRow.__tablename__, TENDER_COLUMNS)
    for start in range(0, len(rows), 1_000):
        write_rows(connection, sql, rows[start : start + 1_000])
