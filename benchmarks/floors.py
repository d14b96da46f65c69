"""The floors of the store stages: the least any program must do for the same work.

Each floor works on its own table, ``floor_scores``, holding the same rows as the project's store
but only what a score sheet says (evaluator, tender, criterion, score, comment, the sheet's row)
under one key, the (evaluator, tender, criterion) unique key; so the floors do not depend on how
the project lays out its store. Every floor gets a SQLAlchemy URL (``sqlite:///path`` or
``postgresql+psycopg://user@/name?host=...&port=...``) and talks to the database through the raw
driver (``sqlite3``, psycopg 3), with the libraries imported before its clock starts.

- import: ``pandas.read_csv`` of the sheet, then raw ``sqlite3`` ``executemany`` of tuples
  (SQLite) or psycopg 3 ``COPY ... FROM STDIN`` with ``write_row`` (PostgreSQL), in one
  transaction, into a fresh ``floor_scores``.
- results: one raw scan of the columns a tally needs (``SELECT evaluator, tender, criterion,
  score``), then integer codes and ``numpy.bincount`` of sums and counts per (tender,
  criterion, panel).
- audit: one raw scan of every column of the rows and SHA-256 of their canonical JSON.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

COLUMNS = ("evaluator", "tender", "criterion", "score", "comment", "source_row")
TABLE = """
CREATE TABLE floor_scores (
    evaluator TEXT NOT NULL,
    tender TEXT NOT NULL,
    criterion TEXT NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT,
    source_row INTEGER NOT NULL,
    UNIQUE (evaluator, tender, criterion)
)
"""


def _parts(url: str) -> tuple[str, Any]:
    """(engine, where): a SQLite file's path, or psycopg connection arguments."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "sqlite", Path(parsed.database or "")
    query = dict(parsed.query)
    return "postgresql", {
        "host": query.get("host") or parsed.host,
        "port": int(query.get("port") or parsed.port or 5432),
        "user": parsed.username,
        "dbname": parsed.database,
    }


def _sqlite(path: Path) -> Any:
    import sqlite3

    connection = sqlite3.connect(path)
    # the project's own settings for its store: WAL, durable at every checkpoint
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def _postgresql(where: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(**where)


def _sheet_rows(csv: Path) -> Any:
    import pandas as pd

    frame = pd.read_csv(csv, dtype={"comment": object}, keep_default_na=False)
    comment = frame["comment"].where(frame["comment"] != "", None)
    return zip(
        frame["evaluator"].tolist(),
        frame["tender"].tolist(),
        frame["criterion"].tolist(),
        frame["score"].tolist(),
        comment.tolist(),
        range(2, len(frame) + 2),
        strict=True,
    ), len(frame)


def import_floor(url: str, csv: Path) -> tuple[float, int]:
    """Seconds to read the sheet and write its rows into a fresh ``floor_scores``; rows."""
    engine, where = _parts(url)
    names = ", ".join(COLUMNS)
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{where}{suffix}").unlink(missing_ok=True)
        connection = _sqlite(where)
        connection.execute(TABLE)
        start = time.perf_counter()
        rows, count = _sheet_rows(csv)
        with connection:
            connection.executemany(
                f"INSERT INTO floor_scores ({names}) VALUES (?, ?, ?, ?, ?, ?)", rows
            )
        elapsed = time.perf_counter() - start
        connection.close()
        return elapsed, count
    with _postgresql(where) as connection:
        connection.execute("DROP TABLE IF EXISTS floor_scores")
        connection.execute(TABLE)
        connection.commit()
        start = time.perf_counter()
        rows, count = _sheet_rows(csv)
        with connection.transaction(), connection.cursor() as cursor:
            with cursor.copy(f"COPY floor_scores ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elapsed = time.perf_counter() - start
    return elapsed, count


def _scan(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Every row of one query through the raw driver (the connection's opening counted)."""
    engine, where = _parts(url)
    connection = _sqlite(where) if engine == "sqlite" else _postgresql(where)
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        connection.close()


def panels_of(exercise_json: Path) -> dict[str, int]:
    """Each evaluator's panel as 0 (community) or 1 (officer): set-up, read before any clock."""
    exercise = json.loads(exercise_json.read_text(encoding="utf-8"))
    return {e["id"]: int(e["panel"] != "community") for e in exercise["evaluators"]}


def results_floor(url: str, panels: dict[str, int]) -> tuple[float, int]:
    """Seconds for one scan of the tally's columns into integer sums and counts per (tender,
    criterion, panel) with ``numpy.bincount``; the number of cells."""
    import numpy as np
    import pandas as pd

    start = time.perf_counter()
    rows = _scan(url, "SELECT evaluator, tender, criterion, score FROM floor_scores")
    evaluator, tender, criterion, score = zip(*rows, strict=True) if rows else ((),) * 4
    tender_code, tenders = pd.factorize(np.asarray(tender, dtype=object))
    criterion_code, criteria = pd.factorize(np.asarray(criterion, dtype=object))
    evaluator_code, evaluators = pd.factorize(np.asarray(evaluator, dtype=object))
    panel = np.asarray([panels[e] for e in evaluators], dtype=np.int64)[evaluator_code]
    cell = (tender_code * len(criteria) + criterion_code) * 2 + panel
    size = len(tenders) * len(criteria) * 2
    sums = np.bincount(cell, weights=np.asarray(score, dtype=np.int64), minlength=size)
    counts = np.bincount(cell, minlength=size)
    elapsed = time.perf_counter() - start
    assert int(counts.sum()) == len(rows) and sums.sum() >= 0
    return elapsed, int((counts > 0).sum())


def audit_floor(url: str) -> tuple[float, int]:
    """Seconds to read every column of the rows and hash their canonical JSON; rows."""
    start = time.perf_counter()
    rows = _scan(url, f"SELECT {', '.join(COLUMNS)} FROM floor_scores")
    text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False)
    hashlib.sha256(text.encode("utf-8")).hexdigest()
    elapsed = time.perf_counter() - start
    return elapsed, len(rows)
