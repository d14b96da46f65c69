"""The built wheel carries schemas, criteria, examples, fonts and migrations, and the demo runs
from any folder with nothing but the installed package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        cwd=build,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    return next(out.glob("commission-*.whl"))


def test_wheel_ships_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "commission/schemas_data/tender.schema.json",
        "commission/schemas_data/results.schema.json",
        "commission/criteria_data/co-production.json",
        "commission/examples_data/exercise.json",
        "commission/examples_data/tenders/T-001.json",
        "commission/examples_data/sheets/community-long.csv",
        "commission/examples_data/sheets/R5-wide.xlsx",
        "commission/fonts/NotoSans-Regular.ttf",
        "commission/fonts/LICENSE-fonts.txt",
        "commission/ocds_data/standard/release-schema.json",
        "commission/ocds_data/standard/LICENSE-ocdskit",
        "commission/ocds_data/profile/index.json",
        "commission/ocds_data/extension/extension.json",
        "commission/ocds_data/extension/codelists/commissionPanel.csv",
        "commission/documents/templates/document.html.j2",
        "commission/documents/templates/style.css",
        "commission/migrations/env.py",
    ):
        assert required in names, required
    assert any(n.startswith("commission/migrations/versions/") and n.endswith(".py") for n in names)


def test_installed_wheel_runs_the_demo_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    probe = subprocess.run(
        [sys.executable, "-c", "import commission, sys; print(commission.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().startswith(str(target))  # not the checkout
    done = subprocess.run(
        [sys.executable, "-m", "commission", "demo", "--out", "out", "--quiet"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    pdfs = list((elsewhere / "out").rglob("*.pdf"))
    assert any("decision" in p.name for p in pdfs), done.stdout
    assert len(pdfs) >= 12 + 2
