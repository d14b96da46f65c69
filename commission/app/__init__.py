"""The application layer: every use case, one transaction each, returning an outcome.

Use cases read files into checked records (:mod:`commission.inputs`), store them through a
repository (:mod:`commission.store`), score them (:mod:`commission.scoring`) and issue documents
(:mod:`commission.documents`). The command line (:mod:`commission.cli`) only translates::

    from commission.store import open_store
    from commission.app import init_exercise, add_tenders, import_scores, results

    with open_store("sqlite:///commission.db", create=True) as store:
        init_exercise(store, "exercise.json")
        add_tenders(store, ["tenders/"])
        import_scores(store, ["R1.csv"])
        print(results(store).to_dict())

Where to add a use case: a function here taking a ``Store`` first, opening one
``store.writing()`` (or ``reading()``) transaction, returning an object with ``to_dict()``; then
one click command in :mod:`commission.cli` that calls it.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "init_exercise": "exercises",
    "exercise_ids": "exercises",
    "load_exercise": "exercises",
    "add_tenders": "tenders",
    "list_tenders": "tenders",
    "load_tenders": "tenders",
    "write_sheet": "scores",
    "import_scores": "scores",
    "ImportOutcome": "scores",
    "start_moderation": "moderation",
    "record_notes": "moderation",
    "import_moderated": "moderated",
    "results": "evaluation",
    "score": "evaluation",
    "score_files": "evaluation",
    "score_frame": "evaluation",
    "decide": "decisions",
    "verify_pdf": "verification",
    "audit_entries": "audit",
    "verify_audit": "audit",
    "run_demo": "demo",
    "Outcome": "outcomes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    # Use cases are imported on first use: `import commission.app` stays light.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
