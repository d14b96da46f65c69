"""Shared fixtures: ``db_url`` runs a test on SQLite and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster started once per test session in a temporary folder
(``tests/pgcluster.py``: ``initdb`` + ``pg_ctl``, as the ``postgres`` user when the tests run as
root, listening only on a Unix socket in that folder) and stopped at the end. Each test gets a
fresh database in it.
PostgreSQL tests are skipped, visibly, only when no server binaries are installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .pgcluster import PostgresCluster, pg_bindir

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = pg_bindir()
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
