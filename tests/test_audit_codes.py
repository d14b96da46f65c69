"""``audit --verify`` compares score rows by number first (issue 13, ``app/ledger_codes.py``).

The comparison by number may only ever say "equal" when the text comparison, which names each
difference, finds none. Each row of the store is changed here behind the toolkit's back in one
way; each time the comparison by number must decline, and the text comparison must name it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from commission.app import import_scores, ledger
from commission.app.audit import check_audit
from commission.app.ledger_codes import scores_match
from commission.store import open_store
from commission.store.db import make_engine

from .store_helpers import loaded, long_sheet
from .store_helpers import where_criterion as _C
from .store_helpers import where_evaluator as _E
from .store_helpers import where_tender as _T

ROWS = [
    ("R1", "T-001", "local-assets", 4, "Builds on the food bank."),
    ("R1", "T-001", "local-insights", 3, ""),
    ("R1", "T-002", "local-assets", 2, ""),
    ("R2", "T-002", "innovation", 5, "ڈیٹا اور <b>بہتری</b>"),
]


def _sql(url: str, statement: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _by_number(url: str) -> bool:
    with open_store(url) as store, store.reading() as repo:
        expected = ledger.replay(
            repo.audit_entries(), repo.audit_payload, repo.audit_payload_seqs()
        )
        return scores_match(expected, repo.score_codes()())


def _stored(url: str, tmp_path: Path) -> None:
    """Two sheets, then a third replacing one score, making another an abstention and adding
    one: every kind of entry the comparison by number replays."""
    loaded(url)
    first = long_sheet(tmp_path / "r1.csv", ROWS[:3])
    second = long_sheet(tmp_path / "r2.csv", ROWS[3:])
    later = long_sheet(
        tmp_path / "r1-revised.csv",
        [
            ("R1", "T-001", "local-assets", 1, "Revised after the visit."),
            ("R1", "T-002", "local-assets", "abstain", ""),
            ("R3", "T-003", "long-term", 2, ""),
        ],
    )
    with open_store(url) as store:
        import_scores(store, [first, second])
        import_scores(store, [later], replace=True)


def test_an_untouched_store_is_proved_equal_by_number(db_url: str, tmp_path: Path) -> None:
    _stored(db_url, tmp_path)
    assert _by_number(db_url)
    with open_store(db_url) as store:
        check = check_audit(store)
    assert check.ok, check.problems
    assert check.counts["scores"] == 4  # 3 + 1 + 1 added, 1 replaced, 1 now an abstention


TAMPERING = {
    "score": f"UPDATE scores SET score = 5 WHERE {_T('T-001')} AND {_C('local-insights')}",
    "score as text": f"UPDATE scores SET score = '3' WHERE {_C('local-insights')}",
    "score as a fraction": f"UPDATE scores SET score = 3.5 WHERE {_C('local-insights')}",
    "comment": f"UPDATE scores SET comment = 'Weak.' WHERE {_C('local-insights')}",
    "comment removed": f"UPDATE scores SET comment = NULL WHERE {_E('R2')}",
    "sheet row": f"UPDATE scores SET sheet_row = sheet_row + 1 WHERE {_E('R2')}",
    "sheet column gone": f"UPDATE scores SET sheet_column = NULL WHERE {_E('R2')}",
    "sheet column beyond": f"UPDATE scores SET sheet_column = 7 WHERE {_E('R2')}",
    "sheet column negative": f"UPDATE scores SET sheet_column = -1 WHERE {_E('R2')}",
    "other sheet": f"UPDATE scores SET sheet_id = (SELECT MIN(id) FROM sheets) WHERE {_E('R2')}",
    "no sheet": f"UPDATE scores SET sheet_id = 999 WHERE {_E('R2')}",
    "other tender": f"UPDATE scores SET tender_no = (SELECT number FROM tenders "
    f"WHERE id = 'T-009') WHERE {_E('R2')}",
    "unknown evaluator": f"UPDATE scores SET evaluator_no = 999 WHERE {_E('R2')}",
    "negative criterion": f"UPDATE scores SET criterion_no = -3 WHERE {_E('R2')}",
    "deleted": f"DELETE FROM scores WHERE {_E('R2')}",
    "inserted": "INSERT INTO scores (exercise_id, tender_no, criterion_no, evaluator_no, score, "
    "comment, sheet_id, sheet_row, sheet_column) SELECT exercise_id, tender_no, "
    "(SELECT number FROM criteria WHERE id = 'collaboration'), evaluator_no, 4, comment, "
    f"sheet_id, sheet_row, sheet_column FROM scores WHERE {_E('R2')}",
    "file renamed": "UPDATE sheets SET file = 'other.csv' WHERE file LIKE '%r2.csv'",
    "sha256 changed": "UPDATE sheets SET sha256 = '" + "0" * 64 + "' WHERE file LIKE '%r2.csv'",
    "column renamed": "UPDATE sheets SET columns = '[\"innovation \"]' WHERE file LIKE '%r2.csv'",
    "renumbered": "UPDATE tenders SET number = number + 1000 WHERE id = 'T-002'",
}


#: Changes an engine may store as the very value that was there (an INTEGER column keeps '3' as 3).
COERCED = {"score as text"}


@pytest.mark.parametrize("change", sorted(TAMPERING))
def test_a_changed_row_is_never_proved_equal(change: str, db_url: str, tmp_path: Path) -> None:
    _stored(db_url, tmp_path)
    try:
        _sql(db_url, TAMPERING[change])
    except Exception as error:  # noqa: BLE001 (the engine itself refuses this change)
        if change in COERCED | {"score as a fraction", "negative criterion"}:
            pytest.skip(f"{db_url.split(':')[0]} refuses it: {error.__class__.__name__}")
        raise
    by_number = _by_number(db_url)
    with open_store(db_url) as store:
        check = check_audit(store)
    assert by_number == check.ok, change  # equal by number exactly when equal as text
    if change not in COERCED:
        assert not check.ok and check.problems, change


def test_the_number_comparison_is_what_verify_uses(
    sqlite_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """On an untouched store no text row of a score is built at all."""
    from commission.store import current

    _stored(sqlite_url, tmp_path)

    def refused(*args: Any) -> Any:
        raise AssertionError("the score rows were read as text")

    monkeypatch.setattr(current, "scores", refused)
    with open_store(sqlite_url) as store:
        assert check_audit(store).ok


def test_a_read_sees_one_snapshot_while_a_second_writer_commits(
    db_url: str, tmp_path: Path
) -> None:
    """PostgreSQL reads are REPEATABLE READ: an import committed in the middle of a read (of
    ``audit --verify``, say) is not half seen, and the second connection that reads the score
    rows beside the chain's check reads the same snapshot."""
    _stored(db_url, tmp_path)
    extra = long_sheet(tmp_path / "r4.csv", [("R4", "T-004", "innovation", 3, "")])
    with open_store(db_url) as store, store.reading() as repo:
        before = len(repo.score_codes()())
        entries = len(list(repo.audit_entries()))
        with open_store(db_url) as writer:
            import_scores(writer, [extra])
        assert len(repo.score_codes()()) == before
        assert len(list(repo.audit_entries())) == entries
    with open_store(db_url) as store:
        assert check_audit(store).counts["scores"] == before + 1
