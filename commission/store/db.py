"""Engines and transactions: SQLite by default, PostgreSQL by URL.

SQLite: foreign keys on, WAL journal, a busy timeout, and every write in a ``BEGIN IMMEDIATE``
transaction, so two imports queue for the write lock instead of failing half-way (the recipe from
SQLAlchemy's pysqlite notes: the driver's own transaction handling is switched off and we emit BEGIN
ourselves). PostgreSQL goes through psycopg 3; writes take one transaction-scoped advisory lock,
so writes to one store are serialised exactly as on SQLite and the audit chain never forks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from ..errors import CommissionError, NotFound, Problem, Usage

if TYPE_CHECKING:
    from .repository import Repository

#: Seconds a writer waits for another writer before giving up with "busy, try again".
BUSY_TIMEOUT = 30.0
#: Key of the PostgreSQL advisory lock that serialises writes (any constant bigint works).
PG_WRITE_LOCK = 0x636F6D6D  # "comm"
_WRITE = "commission_write"
BUSY_MESSAGE = "the database is busy with another import; try again"


#: How a database may be named, for messages.
DATABASE_FORMS = (
    "a file path such as commission.db or /srv/data/commission.db, or a URL: "
    "sqlite:///commission.db (three slashes: a path relative to this folder), "
    "sqlite:////srv/data/commission.db (four slashes: an absolute path) or "
    "postgresql://user@host/name"
)


def normalise_url(url: str | URL) -> URL:
    """A SQLAlchemy URL from a URL or a plain file path (a SQLite database);
    plain ``postgresql://`` and ``postgres://`` go through psycopg 3."""
    if isinstance(url, str) and "://" not in url and url.strip() and url != "sqlite:":
        # A plain path: ``commission.db``, ``/srv/data/commission.db``, ``~/c.db``, ``C:\c.db``.
        return URL.create("sqlite", database=str(Path(url).expanduser()))
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise Usage(f"'{url}' is not a database; give {DATABASE_FORMS}") from error
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise Usage(f"unsupported database '{parsed.drivername}': use SQLite or PostgreSQL")
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; None for in-memory databases and other backends."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def describe(url: URL) -> str:
    """The database as a person should see it in a message: a SQLite file as its resolved
    absolute path (what a relative path or a three-slash URL really opens), else the URL
    without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path.resolve())
    return url.render_as_string(hide_password=True)


def make_engine(url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    """An engine set up for the store; see :func:`writing` for write transactions."""
    from .. import exactjson

    parsed = normalise_url(url)
    # JSON columns keep numbers exactly as written (a Decimal where a float would round).
    json_options: dict[str, Any] = {
        "json_serializer": exactjson.dumps,
        "json_deserializer": exactjson.loads,
    }
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": busy_timeout}, **json_options)
        _sqlite_events(engine, busy_timeout)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, **json_options)
    except ImportError as error:  # installed with --no-deps, or psycopg removed
        raise CommissionError(
            f"PostgreSQL needs the psycopg driver, which is not installed ({error}); "
            "install it with: pip install 'psycopg[binary]'"
        ) from error


def _sqlite_events(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); pysqlite's implicit transactions would defeat it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            # Durable at every checkpoint, safe against process crashes (WAL + NORMAL).
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_WRITE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def snapshot_connection(engine: Engine) -> Any:
    """A connection whose transactions read one snapshot throughout: SQLite's deferred BEGIN
    does; PostgreSQL's default (READ COMMITTED) takes a new one per statement, so its reads are
    REPEATABLE READ (an import committed meanwhile is not half seen)."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


def write_engine(engine: Engine) -> Engine:
    """The same engine and pool, marked so its transactions take the write lock at BEGIN."""
    return engine.execution_options(**{_WRITE: True})


@contextlib.contextmanager
def translate_errors(where: str = "") -> Iterator[None]:
    """Database errors a user can act on become the project's own errors (store/failures.py)."""
    from .failures import translate

    try:
        yield
    except DBAPIError as error:
        translated = translate(error, where or "(the database)", BUSY_MESSAGE)
        if translated is None:
            raise
        raise translated from error


def lock_for_write(connection: Connection, busy_timeout: float = BUSY_TIMEOUT) -> None:
    """On PostgreSQL, queue for the store's write lock before reading anything."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(busy_timeout * 1000)}ms'")
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK})


class Store:
    """An open exercise store: the engine, and transactions for reading and for writing.

    Each transaction hands out a :class:`~commission.store.repository.Repository`, the typed
    reads and writes of that one transaction.
    """

    def __init__(self, url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.url = normalise_url(url)
        self.busy_timeout = busy_timeout
        self.engine: Engine = make_engine(self.url, busy_timeout=busy_timeout)
        self._writer = write_engine(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return describe(self.url)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Repository]:
        """A read transaction (a consistent snapshot on both backends)."""
        from .repository import Repository

        with (
            translate_errors(self.display_url),
            snapshot_connection(self.engine) as connection,
            connection.begin(),
        ):
            yield Repository(connection, self.display_url)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Repository]:
        """The one write transaction of a command: committed whole or rolled back whole."""
        from .failures import check_integrity
        from .repository import Repository

        with (
            translate_errors(self.display_url),
            self._writer.connect() as connection,
            connection.begin(),
        ):
            lock_for_write(connection, self.busy_timeout)
            check_integrity(connection, self.display_url)
            yield Repository(connection, self.display_url)

    def revision(self) -> str | None:
        """The schema revision the database is at; None when it has no schema yet."""
        with self.reading() as repo:
            return repo.revision()

    def upgrade(self) -> str:
        """Create the schema or upgrade it to the newest revision; the revision reached."""
        with self.writing() as repo:
            return repo.upgrade()


def open_store(
    url: str | URL, *, create: bool = False, busy_timeout: float = BUSY_TIMEOUT
) -> Store:
    """Open the store at ``url``; use it as a context manager.

    A SQLite file that does not exist is created only when ``create`` is true (``init``); other
    use cases refuse rather than leave an empty file behind.
    """
    parsed = normalise_url(url)
    path = sqlite_path(parsed)
    if path is not None and not create and not path.exists():
        resolved = str(path.resolve())
        message = f"no database at {resolved}"
        if not path.is_absolute() and Path("/", path).exists():
            # sqlite:///srv/x.db is relative to this folder; the file is at /srv/x.db.
            message += f" (a database exists at /{path}: write sqlite:////{path} or /{path})"
        raise NotFound(message, [Problem("no-database", "no database", value=resolved)])
    return Store(parsed, busy_timeout=busy_timeout)
