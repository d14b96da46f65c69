"""Failures of the machine or the server, as messages that say what happened and what to do.

Every write is one transaction, so when the disk fills, the file turns out read-only or the
server goes away, nothing is half-written: the transaction is rolled back. What the user needs is
the reason and the next step, not the driver's traceback with the SQL and its parameters. The
driver error is classified by its code — SQLite's ``sqlite_errorname`` (Python 3.11+) or
PostgreSQL's SQLSTATE — falling back on its text.

SQLite files are also checked with ``PRAGMA quick_check`` (:func:`check_integrity`) when a command
starts using an existing store, so randomly overwritten pages are reported instead of read.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from ..errors import CommissionError, StoreBusy

__all__ = [
    "StoreCorrupt",
    "StoreFailure",
    "StoreFull",
    "StoreReadOnly",
    "StoreUnreachable",
    "check_integrity",
    "translate",
]

NOTHING_WRITTEN = "nothing was written"
# Pools whose SQLite file passed quick_check: once per command is enough.
_CHECKED: weakref.WeakSet[Any] = weakref.WeakSet()


class StoreFailure(CommissionError):
    """The database could not do what the command asked; the transaction was rolled back."""


class StoreFull(StoreFailure):
    """The disk (or the server's disk) holding the database is full."""


class StoreReadOnly(StoreFailure):
    """The database file, its folder or the database role may not be written."""


class StoreCorrupt(StoreFailure):
    """The file is not a database, is truncated, or has damaged pages."""


class StoreUnreachable(StoreFailure):
    """The database server could not be reached, or the connection was lost."""


def _detail(error: DBAPIError) -> str:
    text = str(error.orig).strip().splitlines()
    return text[0] if text else type(error.orig).__name__


def translate(error: DBAPIError, where: str, busy_message: str) -> CommissionError | None:
    """The project's error for a driver error, or None when it is not a machine failure."""
    orig: Any = error.orig
    sqlstate = getattr(orig, "sqlstate", None) or ""
    name = getattr(orig, "sqlite_errorname", None) or ""
    text = str(orig).lower()
    detail = _detail(error)

    if sqlstate in ("40P01", "55P03") or name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreBusy(busy_message)
    if "database is locked" in text or "database is busy" in text:
        return StoreBusy(busy_message)
    full = sqlstate == "53100" or name.startswith("SQLITE_FULL") or "disk is full" in text
    if full or (name.startswith("SQLITE_IOERR") and _disk_nearly_full(where)):
        return StoreFull(
            f"the disk holding the database {where} is full ({detail}); {NOTHING_WRITTEN}: "
            "free some space, or move the database to a larger disk, and run the command again"
        )
    cannot_open = name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text
    if (
        name.startswith("SQLITE_READONLY")
        or "readonly database" in text
        or (cannot_open and _not_writable(where))
    ):
        return StoreReadOnly(
            f"the database {where} is read-only ({detail}); {NOTHING_WRITTEN}: make the file "
            "and its folder writable for this user (SQLite also writes -wal and -shm files "
            "beside it), or copy it to a folder you may write"
        )
    if sqlstate in ("42501", "25006"):
        return StoreReadOnly(
            f"the database role may not write to {where} ({detail}); {NOTHING_WRITTEN}: connect "
            "as a role with SELECT, INSERT, UPDATE and DELETE on the commission tables, or ask "
            "the database administrator to grant them"
        )
    if (
        name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
        or sqlstate in ("XX001", "XX002")
        or "not a database" in text
        or "malformed" in text
    ):
        return corrupt(where, detail)
    if cannot_open:
        return StoreFailure(
            f"could not open the database {where} ({detail}): check that its folder exists "
            "and that you may read and write it"
        )
    if name.startswith("SQLITE_IOERR"):
        return StoreFailure(
            f"the disk failed while using the database {where} ({detail}); {NOTHING_WRITTEN}: "
            "check the disk, then run the command again"
        )
    lost = error.connection_invalidated or sqlstate.startswith(("08", "57P"))
    if lost or any(
        words in text
        for words in (
            "server closed the connection",
            "terminating connection",
            "connection is closed",
            "connection to server",
            "could not connect",
            "connection refused",
            "consuming input failed",
        )
    ):
        return StoreUnreachable(
            f"the connection to the database server {where} failed or was lost ({detail}); "
            f"{NOTHING_WRITTEN}: check that the server is running and reachable, then run the "
            "command again"
        )
    return None


def _sqlite_file(where: str) -> str | None:
    from sqlalchemy.engine import make_url

    if "://" not in where:  # already the resolved path of a SQLite file (store.display_url)
        return os.path.abspath(where) if where.startswith(os.sep) else None
    try:
        url = make_url(where)
    except Exception:  # noqa: BLE001 - not a URL: nothing to look at
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return os.path.abspath(url.database)


def _not_writable(where: str) -> bool:
    """An existing SQLite file that this user cannot write, or whose folder it cannot write
    (SQLite in WAL mode must create the -wal and -shm files beside it, even to read)."""
    path = _sqlite_file(where)
    if path is None or not os.path.exists(path):
        return False
    return not (os.access(path, os.W_OK) and os.access(os.path.dirname(path), os.W_OK))


def _disk_nearly_full(where: str) -> bool:
    """Whether the folder of a SQLite URL has (almost) no space left: a failed write's cause."""
    import shutil

    from sqlalchemy.engine import make_url

    try:
        database = _sqlite_file(where) if "://" not in where else make_url(where).database
        if not database:
            return False
        folder = os.path.dirname(os.path.abspath(database))
        return shutil.disk_usage(folder).free < 1 << 20
    except (ValueError, OSError, AttributeError):
        return False


def corrupt(where: str, detail: str) -> StoreCorrupt:
    return StoreCorrupt(
        f"{where} is not a commission database, or it is damaged ({detail}); {NOTHING_WRITTEN}: "
        "restore it from a backup, or name the right database file"
    )


@contextlib.contextmanager
def integrity_checked_beside(connection: Connection, where: str) -> Iterator[None]:
    """:func:`check_integrity` on a second, read-only connection to the same SQLite file, in a
    thread, while the caller reads through ``connection``: SQLite lets go of Python's lock while
    it checks, so the check and the caller's reads overlap. A damaged file is refused on leaving,
    whatever the caller did meanwhile. Anywhere else (PostgreSQL, an in-memory database, a pool
    already checked) this is :func:`check_integrity` itself, before the caller goes on."""
    import sqlite3
    import threading

    database = connection.engine.url.database if connection.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or connection.engine.pool in _CHECKED:
        check_integrity(connection, where)
        yield
        return
    found: list[str] = []

    def check() -> None:
        try:
            beside = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=ro", uri=True)
            try:
                found.extend(str(r[0]) for r in beside.execute("PRAGMA quick_check(5)"))
            finally:
                beside.close()
        except sqlite3.Error as error:
            found.append(str(error))

    thread = threading.Thread(target=check, name="quick_check", daemon=True)
    thread.start()
    try:
        yield
    except Exception as error:
        thread.join()
        _require_ok(found, where, error)
        raise
    thread.join()
    _require_ok(found, where)
    _CHECKED.add(connection.engine.pool)


def _require_ok(rows: list[str], where: str, cause: BaseException | None = None) -> None:
    """What ``PRAGMA quick_check`` said, as :func:`corrupt` unless it said only "ok"."""
    if rows != ["ok"]:
        raise corrupt(where, "; ".join(rows)[:300]) from cause


def check_integrity(connection: Connection, where: str) -> None:
    """On SQLite, ``PRAGMA quick_check``: a truncated file or damaged pages become a message."""
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL checks its own pages (data checksums); it has no quick_check
    pool = connection.engine.pool
    if pool in _CHECKED:
        return
    _require_ok([str(r[0]) for r in connection.exec_driver_sql("PRAGMA quick_check(5)")], where)
    _CHECKED.add(pool)
