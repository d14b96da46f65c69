"""A throwaway PostgreSQL server in a temporary folder, for the tests and the benchmark.

``initdb`` + ``pg_ctl`` in a fresh folder, as the ``postgres`` user when run as root (PostgreSQL
refuses to run as root), listening only on a Unix socket in that folder; ``stop()`` removes it
all. No pytest and no ``commission`` here: ``tests/conftest.py`` and ``benchmarks/run.py`` both
import it.
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
from pathlib import Path
from typing import Any

#: Server settings for a throwaway cluster: nothing here needs to survive a power cut.
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def pg_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None when no server is installed."""
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

    def __init__(self, bindir: Path, settings: tuple[str, ...] = FAST) -> None:
        self.bindir = bindir
        self.settings = settings
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
        options = f"-p {self.port} -k {self.root} -c listen_addresses='' " + " ".join(
            f"-c {setting}" for setting in self.settings
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

    def connect(self, database: str = "postgres", **options: object) -> Any:
        """A psycopg connection to ``database`` (psycopg imported only here)."""
        import psycopg

        return psycopg.connect(
            host=str(self.root), port=self.port, user="postgres", dbname=database, **options
        )

    def new_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (a fresh name unless given; a copy of ``template`` if given)."""
        name = name or f"commission_test_{next(self._names)}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self.connect(autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.connect(autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
