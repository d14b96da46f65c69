"""Where the bundled data lives: schemas, criteria sets, sample exercise, fonts, migrations.

In a built wheel ``schemas/``, ``criteria/`` and ``examples/`` are installed as the data packages
``commission.schemas_data``, ``commission.criteria_data`` and ``commission.examples_data``
(see ``setup.cfg``). In a source checkout they are the top-level folders of the repository.
"""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_ROOT.parent


@functools.cache
def data_dir(name: str) -> Path:
    """The folder holding ``schemas``, ``criteria`` or ``examples``, installed or checked out."""
    installed = _PACKAGE_ROOT / f"{name}_data"
    if installed.is_dir():
        return installed
    checkout = _REPO_ROOT / name
    if checkout.is_dir() and (_REPO_ROOT / "setup.cfg").is_file():
        return checkout
    raise FileNotFoundError(
        f"the bundled '{name}' folder is missing: reinstall commission (pip install .)"
    )


def schemas_dir() -> Path:
    return data_dir("schemas")


def criteria_dir() -> Path:
    return data_dir("criteria")


def examples_dir() -> Path:
    return data_dir("examples")


def fonts_dir() -> Path:
    return _PACKAGE_ROOT / "fonts"


def migrations_dir() -> Path:
    return _PACKAGE_ROOT / "migrations"
