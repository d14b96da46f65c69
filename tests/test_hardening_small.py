"""Issue 16, item 8: the smaller items, each with a test."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

from tests.store_helpers import REPO, cli


def test_psycopg_is_installed_by_plain_pip_install() -> None:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    requires = config["options"]["install_requires"].split()
    assert any(r.startswith("psycopg[binary]") for r in requires)


def test_a_missing_postgresql_driver_names_the_one_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    result = cli(
        "postgresql://council@db.example/commission", "init", REPO / "examples" / "exercise.json"
    )
    assert result.exit_code == 1
    assert "PostgreSQL needs the psycopg driver" in result.output
    assert "pip install 'psycopg[binary]'" in result.output
    assert "Traceback" not in result.output
