"""Shared fixtures: ``db_url`` runs a test on SQLite and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster started once per test session in a temporary folder
(``initdb`` + ``pg_ctl``, as the ``postgres`` user when the tests run as root, listening only on
a Unix socket in that folder) and stopped at the end. Each test gets a fresh database in it.
PostgreSQL tests are skipped, visibly, only when no server binaries are installed.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """A running throwaway cluster; ``url(name)`` is a SQLAlchemy URL for one database."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="commission-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_user: dict[str, object] = {}
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root; run it as the postgres user. subprocess drops
            # the privileges itself, so no runuser/su (often not on a plain user's PATH) is needed.
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        subprocess.run(list(args), check=True, capture_output=True, cwd=self.root, **self.as_user)

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}&port={self.port}"

    def new_database(self) -> str:
        import psycopg

        name = f"commission_test_{next(self._names)}"
        with psycopg.connect(
            host=str(self.root), port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = _pg_bindir()
    if bindir is None:
        reason = "no PostgreSQL server binaries (initdb, pg_ctl)"
        if os.environ.get("COMMISSION_REQUIRE_POSTGRES"):
            # CI installs the server: there, a skip would hide that these tests never ran.
            pytest.fail(f"PostgreSQL tests required (COMMISSION_REQUIRE_POSTGRES) but {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    cluster = PostgresCluster(bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database, on SQLite (a file in tmp_path) and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'commission.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'commission.db'}"


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    return postgres_cluster.new_database()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests ran against PostgreSQL, so a skip cannot pass unnoticed."""
    ran = skipped = 0
    for key in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(key, []):
            if getattr(report, "when", "call") != "call" and key != "skipped":
                continue
            if "[postgres" in getattr(report, "nodeid", "") or "postgres_url" in getattr(
                report, "nodeid", ""
            ):
                if key == "skipped":
                    skipped += 1
                else:
                    ran += 1
    if ran or skipped:
        terminalreporter.write_line(
            f"PostgreSQL: {ran} test(s) ran against a throwaway server, {skipped} skipped"
        )
