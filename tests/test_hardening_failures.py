"""Issue 16, item 4: failures of the machine or the server are messages, exit 1, no traceback,
and nothing half-written: disk full, read-only file or role, not-a-database or damaged file,
a busy PostgreSQL server, a lost connection.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from commission.app import import_scores
from commission.errors import StoreBusy
from commission.store import db as store_db
from commission.store import open_store, repository
from commission.store.db import BUSY_MESSAGE, PG_WRITE_LOCK
from commission.store.failures import StoreFull, StoreUnreachable
from tests.store_helpers import SHEETS, TENDERS, cli, loaded, snapshot


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output
    for driver_text in ("sqlite3.", "psycopg.", "[SQL:", "OperationalError", "DatabaseError"):
        assert driver_text not in output, output


@contextlib.contextmanager
def _tmpfs(size: str) -> Iterator[Path]:
    """A small tmpfs of its own (root only), unmounted at the end."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    point = Path(tempfile.mkdtemp(prefix="commission-tmpfs-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True
    )
    if done.returncode != 0:
        point.rmdir()
        pytest.skip(f"could not mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


# --------------------------------------------------------------------------------------------
# disk full


def test_disk_full_during_an_import_is_a_message_and_writes_nothing(tmp_path: Path) -> None:
    with _tmpfs("2m") as disk:
        url = f"sqlite:///{disk / 'commission.db'}"
        loaded(url)
        before = snapshot(url)
        # leave a few KB: the scores of every sample sheet need far more
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(free - 12_000, 0))
        result = cli(url, "scores", "import", *SHEETS)
        assert result.exit_code == 1, result.output
        assert f"the disk holding the database {disk / 'commission.db'} is full" in result.output
        assert "nothing was written: free some space" in result.output
        _no_traceback(result.output)
        (disk / "filler").unlink()
        assert snapshot(url) == before


def test_disk_full_with_a_page_limit_raises_store_full(sqlite_url: str) -> None:
    loaded(sqlite_url)
    before = snapshot(sqlite_url)
    with open_store(sqlite_url) as store:

        @event.listens_for(store.engine, "connect")
        def _tiny(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

        with pytest.raises(StoreFull, match="is full"):
            import_scores(store, SHEETS)
    assert snapshot(sqlite_url) == before


# --------------------------------------------------------------------------------------------
# read-only file or role


def test_a_read_only_database_file_is_a_message(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores file modes: a read-only filesystem is what root cannot write
        context: contextlib.AbstractContextManager[Path] = _tmpfs("8m")
    else:
        context = contextlib.nullcontext(tmp_path)
    with context as folder:
        url = f"sqlite:///{folder / 'commission.db'}"
        loaded(url)
        before = snapshot(url)
        if os.geteuid() == 0:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            (folder / "commission.db").chmod(0o444)
            folder.chmod(0o555)
        try:
            result = cli(url, "scores", "import", *SHEETS)
            assert result.exit_code == 1, result.output
            shown = str(folder / "commission.db")
            assert shown in result.output
            # read-only is found at the first write, or already when SQLite opens its journal
            assert (
                "is read-only" in result.output
                and "nothing was written: make the file and its folder writable" in result.output
            ) or (
                "could not open the database" in result.output and "read and write" in result.output
            )
            _no_traceback(result.output)
        finally:
            if os.geteuid() == 0:
                subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
            else:
                folder.chmod(0o755)
                (folder / "commission.db").chmod(0o644)
        assert snapshot(url) == before


@pytest.mark.postgres
def test_a_postgresql_role_without_write_rights_is_a_message(postgres_cluster) -> None:
    import psycopg

    url = postgres_cluster.new_database()
    loaded(url)
    name = url.split("@/", 1)[1].split("?")[0]
    with psycopg.connect(
        host=str(postgres_cluster.root),
        port=postgres_cluster.port,
        user="postgres",
        dbname=name,
        autocommit=True,
    ) as admin:
        admin.execute("DO $$ BEGIN CREATE ROLE reader LOGIN; EXCEPTION WHEN others THEN END $$")
        admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    reader_url = url.replace("postgres@", "reader@", 1)
    before = snapshot(url)
    result = cli(reader_url, "scores", "import", *SHEETS)
    assert result.exit_code == 1, result.output
    assert "the database role may not write to" in result.output
    assert "permission denied" in result.output
    assert "nothing was written" in result.output
    _no_traceback(result.output)
    assert snapshot(url) == before
    # reading is still allowed
    assert cli(reader_url, "tenders", "list").exit_code == 0


# --------------------------------------------------------------------------------------------
# not a database, truncated, damaged pages


def test_a_file_that_is_not_a_database_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "commission.db"
    path.write_bytes(b"these are my meeting notes, not a database\n" * 200)
    content = path.read_bytes()
    url = f"sqlite:///{path}"
    for args in (("results",), ("init", TENDERS[0].parent.parent / "exercise.json")):
        result = cli(url, *args)
        assert result.exit_code == 1, result.output
        assert f"{path} is not a commission database, or it is damaged" in result.output
        assert "restore it from a backup, or name the right file with --db" in result.output
        _no_traceback(result.output)
        assert path.read_bytes() == content


def test_a_truncated_database_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "commission.db"
    url = f"sqlite:///{path}"
    loaded(url, scores=True)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    content = path.read_bytes()
    for args in (("results",), ("scores", "import", SHEETS[0]), ("audit", "--verify")):
        result = cli(url, *args)
        assert result.exit_code == 1, result.output
        assert "is not a commission database, or it is damaged" in result.output
        _no_traceback(result.output)
    assert path.read_bytes() == content


def test_randomly_overwritten_pages_are_noticed(tmp_path: Path) -> None:
    path = tmp_path / "commission.db"
    url = f"sqlite:///{path}"
    loaded(url, scores=True)
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    noise = random.Random(16)
    for page in noise.sample(range(2, pages - 1), 3):
        data[page * 4096 : (page + 1) * 4096] = noise.randbytes(4096)
    path.write_bytes(bytes(data))
    for args in (("results",), ("scores", "import", SHEETS[0]), ("audit", "--verify")):
        result = cli(url, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "is not a commission database, or it is damaged" in result.output
        _no_traceback(result.output)
    assert path.read_bytes() == bytes(data)


# --------------------------------------------------------------------------------------------
# busy and lost PostgreSQL servers


@contextlib.contextmanager
def _advisory_lock_held(url: str) -> Iterator[None]:
    """Another import holding the store's write lock, in its own transaction."""
    from commission.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})
            yield
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_held_postgresql_write_lock_gives_the_busy_message(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded(postgres_url)
    before = snapshot(postgres_url)
    with _advisory_lock_held(postgres_url):
        with open_store(postgres_url, busy_timeout=0.3) as store:
            with pytest.raises(StoreBusy) as caught:
                import_scores(store, SHEETS)
        assert str(caught.value) == BUSY_MESSAGE
        monkeypatch.setitem(store_db.open_store.__kwdefaults__, "busy_timeout", 0.3)
        result = cli(postgres_url, "scores", "import", *SHEETS)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {BUSY_MESSAGE}"
    assert snapshot(postgres_url) == before


@pytest.mark.postgres
def test_a_connection_lost_mid_import_is_a_message(postgres_url: str) -> None:
    loaded(postgres_url)
    before = snapshot(postgres_url)
    with open_store(postgres_url) as store:
        with pytest.raises(StoreUnreachable, match="failed or was lost"):
            with store.writing() as repo:
                connection = repo.connection
                pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
                from commission.store.db import make_engine

                killer = make_engine(postgres_url)
                with killer.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                killer.dispose()
                connection.execute(text("DELETE FROM scores"))
    assert snapshot(postgres_url) == before


def test_a_server_that_cannot_be_reached_is_a_message(tmp_path: Path) -> None:
    url = f"postgresql://nobody@/commission?host={tmp_path}&port=1"
    result = cli(url, "results")
    assert result.exit_code == 1, result.output
    assert "failed or was lost" in result.output or "could not connect" in result.output
    _no_traceback(result.output)


@pytest.mark.postgres
def test_the_server_going_away_mid_import_is_a_cli_message(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commission.store.db import make_engine

    loaded(postgres_url)
    before = snapshot(postgres_url)
    real = repository.insert_chunk

    def cut_off(connection, *args, **kwargs):  # type: ignore[no-untyped-def]
        # the administrator terminates this import's session just as it starts writing
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        killer = make_engine(postgres_url)
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        killer.dispose()
        return real(connection, *args, **kwargs)

    monkeypatch.setattr(repository, "insert_chunk", cut_off)
    result = cli(postgres_url, "scores", "import", *SHEETS)
    assert result.exit_code == 1, result.output
    assert "the connection to the database server" in result.output
    assert "failed or was lost" in result.output and "nothing was written" in result.output
    _no_traceback(result.output)
    assert snapshot(postgres_url) == before


@pytest.mark.postgres
def test_postgresql_disk_full_is_a_message(tmp_path: Path) -> None:
    import pwd

    from tests.pgcluster import PostgresCluster, pg_bindir

    bindir = pg_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries")
    with _tmpfs("160m") as disk:
        cluster = PostgresCluster(bindir)
        shutil.rmtree(cluster.root, ignore_errors=True)
        cluster.root, cluster.data = disk, disk / "data"
        user = pwd.getpwnam("postgres")
        os.chown(disk, user.pw_uid, user.pw_gid)
        cluster.start()
        try:
            url = cluster.new_database()
            loaded(url)
            before = snapshot(url)
            filler = disk / "filler"
            filler.write_bytes(b"\0" * max(shutil.disk_usage(disk).free - 16_000, 0))
            result = cli(url, "scores", "import", *SHEETS)
            filler.unlink()
            assert result.exit_code == 1, result.output
            assert "the disk holding the database" in result.output, result.output
            assert "is full" in result.output and "nothing was written" in result.output
            _no_traceback(result.output)
            assert snapshot(url) == before
        finally:
            cluster._run(str(bindir / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop")
