"""The exercise store: SQLAlchemy models, migrations, transactions, workflow and audit trail.

SQLite by default (one commissioner on a laptop), PostgreSQL by URL (a council-wide service).
Procurement systems call the same functions the command line does::

    from commission.store import open_store, init_exercise, import_scores, results

    with open_store("sqlite:///commission.db", create=True) as store:
        init_exercise(store, "exercise.json")
        import_scores(store, ["R1.csv"])
        print(results(store).to_dict())
"""

from __future__ import annotations

from .audit import AuditCheck
from .workflow import (
    ImportOutcome,
    Outcome,
    Store,
    add_tenders,
    audit_entries,
    decisions,
    exercise_ids,
    import_scores,
    init_exercise,
    list_tenders,
    load_exercise,
    load_for_scoring,
    load_tenders,
    open_store,
    record_decision,
    results,
    score_frame,
    verify_audit,
    write_sheet,
)

__all__ = [
    "AuditCheck",
    "ImportOutcome",
    "Outcome",
    "Store",
    "add_tenders",
    "audit_entries",
    "decisions",
    "exercise_ids",
    "import_scores",
    "init_exercise",
    "list_tenders",
    "load_exercise",
    "load_for_scoring",
    "load_tenders",
    "open_store",
    "record_decision",
    "results",
    "score_frame",
    "verify_audit",
    "write_sheet",
]
