"""Helpers shared by the store tests: the sample exercise loaded, snapshots, small sheets."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
EXERCISE = EXAMPLES / "exercise.json"
TENDERS = sorted((EXAMPLES / "tenders").glob("*.json"))
SHEETS = sorted((EXAMPLES / "sheets").iterdir())
LONG_HEADER = "evaluator,tender,criterion,score,comment"


def cli(url: str, *args: Any) -> Result:
    from commission.cli import cli as group

    return CliRunner().invoke(group, ["--db", url, *[str(a) for a in args]])


def loaded(url: str, *, scores: bool = False) -> None:
    """The sample exercise and its tenders stored (and, with ``scores``, every sample sheet)."""
    from commission.app import add_tenders, import_scores, init_exercise
    from commission.store import open_store

    with open_store(url, create=True) as store:
        init_exercise(store, EXERCISE)
        add_tenders(store, TENDERS)
        if scores:
            import_scores(store, SHEETS)


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: two equal snapshots mean nothing changed."""
    from sqlalchemy import text

    from commission.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: [
                    tuple(repr(v) for v in row)
                    for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
                ]
                for table in ("exercises", "tenders", "scores", "audit_entries", "decisions")
            }
    finally:
        engine.dispose()


def long_sheet(path: Path, rows: Iterable[Sequence[Any]]) -> Path:
    lines = [LONG_HEADER] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def commission_argv(*args: Any) -> list[str]:
    return [sys.executable, "-c", "from commission.cli import main; main()", *map(str, args)]


# Score rows name evaluators, tenders and criteria by number: these pick a row by its text id
# in raw SQL (tests that change rows behind the toolkit's back).
def where_tender(tender: str) -> str:
    return f"tender_no = (SELECT number FROM tenders WHERE id = '{tender}')"


def where_criterion(criterion: str) -> str:
    return f"criterion_no = (SELECT number FROM criteria WHERE id = '{criterion}')"


def where_evaluator(evaluator: str) -> str:
    return f"evaluator_no = (SELECT number FROM evaluators WHERE id = '{evaluator}')"
