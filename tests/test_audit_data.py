"""The audit trail covers the data (issue 15, point 1), on SQLite and on PostgreSQL.

Rows changed, added or removed behind the toolkit's back (plain SQL, after dropping the
append-only triggers where the audit tables are touched) make ``audit --verify`` exit 1 naming
each row; removing the newest entries is caught by ``audit --verify --head`` and by ``verify``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from commission.app import audit_entries, import_scores
from commission.app.audit import check_audit
from commission.store import open_store
from commission.store.db import make_engine

from .store_helpers import cli, loaded, long_sheet
from .store_helpers import where_criterion as _C
from .store_helpers import where_evaluator as _E
from .store_helpers import where_tender as _T

ROWS = [
    ("R1", "T-001", "local-assets", 4, "Builds on the food bank."),
    ("R1", "T-001", "local-insights", 3, ""),
    ("R1", "T-002", "local-assets", 2, ""),
]


def _sql(url: str, *statements: str, **params: Any) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), params)
    finally:
        engine.dispose()


def _imported(url: str, tmp_path: Path) -> int:
    """The sample exercise and tenders, and three scores of R1; the seq of their entry."""
    loaded(url)
    sheet = long_sheet(tmp_path / "r1.csv", ROWS)
    assert cli(url, "scores", "import", sheet).exit_code == 0
    with open_store(url) as store:
        entry = audit_entries(store)[-1]
    assert entry["action"] == "sheet-imported" and entry["details"]["scores"]["rows"] == 3
    return int(entry["seq"])


def _drop_audit_triggers(url: str) -> None:
    if url.startswith("sqlite"):
        _sql(
            url,
            "DROP TRIGGER audit_entries_no_delete",
            "DROP TRIGGER audit_payloads_no_delete",
            "DROP TRIGGER audit_payloads_no_update",
        )
    else:
        _sql(
            url,
            "DROP TRIGGER audit_entries_append_only ON audit_entries",
            "DROP TRIGGER audit_payloads_append_only ON audit_payloads",
        )


def _broken(result: Any) -> str:
    assert result.exit_code == 1, result.output
    return str(result.output)


def test_an_untouched_store_verifies_its_data(db_url: str, tmp_path: Path) -> None:
    _imported(db_url, tmp_path)
    result = cli(db_url, "audit", "--verify")
    assert result.exit_code == 0, result.output
    assert "hash chain intact" in result.output
    assert "the stored rows are what it records (1 exercise, 12 tenders, 3 scores" in result.output


def test_a_changed_score_is_named_with_both_values_and_its_entry(
    db_url: str, tmp_path: Path
) -> None:
    seq = _imported(db_url, tmp_path)
    _sql(
        db_url,
        f"UPDATE scores SET score = 5 WHERE {_E('R1')} AND {_T('T-001')} AND {_C('local-assets')}",
    )
    output = _broken(cli(db_url, "audit", "--verify"))
    assert (
        f"score R1 / T-001 / local-assets is 5 in the database, 4 in the audit trail (entry {seq})"
        in output
    )


def test_a_changed_comment_is_named(db_url: str, tmp_path: Path) -> None:
    seq = _imported(db_url, tmp_path)
    _sql(db_url, f"UPDATE scores SET comment = 'Weak.' WHERE {_T('T-002')}")
    output = _broken(cli(db_url, "audit", "--verify"))
    assert (
        "score R1 / T-002 / local-assets: comment is 'Weak.' in the database, none in the audit "
        f"trail (entry {seq})" in output
    )


def test_an_inserted_score_is_named(db_url: str, tmp_path: Path) -> None:
    _imported(db_url, tmp_path)
    _sql(
        db_url,
        "INSERT INTO scores (exercise_id, tender_no, criterion_no, evaluator_no, score, comment, "
        "sheet_id, sheet_row, sheet_column) "
        "SELECT exercise_id, tender_no, (SELECT number FROM criteria WHERE id = 'innovation'), "
        f"evaluator_no, 5, comment, sheet_id, sheet_row, sheet_column FROM scores WHERE "
        f"{_T('T-002')}",
    )
    output = _broken(cli(db_url, "audit", "--verify"))
    assert "score R1 / T-002 / innovation (5) is in the database but no audit entry wrote it" in (
        output
    )


def test_a_deleted_score_is_named(db_url: str, tmp_path: Path) -> None:
    seq = _imported(db_url, tmp_path)
    _sql(db_url, f"DELETE FROM scores WHERE {_C('local-insights')}")
    output = _broken(cli(db_url, "audit", "--verify"))
    assert (
        f"score R1 / T-001 / local-insights (3) is in the audit trail (entry {seq}) but not in "
        "the database" in output
    )


def test_a_changed_tender_is_named(db_url: str, tmp_path: Path) -> None:
    _imported(db_url, tmp_path)
    with open_store(db_url) as store:
        added = next(
            e
            for e in audit_entries(store)
            if e["action"] == "tender-added" and e["details"]["tender"] == "T-003"
        )
    _sql(
        db_url,
        "UPDATE tenders SET bidder = 'Someone Else Ltd', price = '1' WHERE id = 'T-003'",
    )
    output = _broken(cli(db_url, "audit", "--verify"))
    bidder = added["details"]["bidder"]
    assert (
        f"tender T-003: bidder is 'Someone Else Ltd' in the database, '{bidder}' in the audit "
        f"trail (entry {added['seq']})" in output
    )
    assert "tender T-003: price is '1' in the database" in output


def test_a_changed_tender_document_is_named(db_url: str, tmp_path: Path) -> None:
    _imported(db_url, tmp_path)
    _sql(db_url, "UPDATE tenders SET document = :d WHERE id = 'T-004'", d='{"id": "T-004"}')
    output = _broken(cli(db_url, "audit", "--verify"))
    assert "tender T-004: its document in the database does not match the SHA-256" in output


def test_a_changed_exercise_is_named(db_url: str, tmp_path: Path) -> None:
    _imported(db_url, tmp_path)
    _sql(db_url, "UPDATE exercises SET title = 'Another title'")
    output = _broken(cli(db_url, "audit", "--verify"))
    assert (
        "exercise wellbeing-hubs-2027: title is 'Another title' in the database, "
        "'Community Wellbeing Hubs' in the audit trail (entry 1)" in output
    )


def test_a_moved_evaluator_is_named(db_url: str, tmp_path: Path) -> None:
    """The panels decide the tally, so the rows made from the exercise document count too."""
    _imported(db_url, tmp_path)
    _sql(db_url, "UPDATE evaluators SET panel = 'officer' WHERE id = 'R1'")
    output = _broken(cli(db_url, "audit", "--verify"))
    assert (
        "evaluator R1 of exercise wellbeing-hubs-2027: panel is 'officer' in the database, "
        "'community' in the audit trail (entry 1)" in output
    )


def test_replaced_scores_replay_and_a_later_change_names_the_replacement(
    db_url: str, tmp_path: Path
) -> None:
    _imported(db_url, tmp_path)
    newer = long_sheet(
        tmp_path / "r1b.csv",
        [("R1", "T-001", "local-assets", 1, ""), ("R1", "T-002", "local-assets", 2, "Revised.")],
    )
    other = long_sheet(tmp_path / "r2.csv", [("R2", "T-001", "innovation", 3, "")])
    with open_store(db_url) as store:
        outcome = import_scores(store, [newer, other], replace=True)
        assert (outcome.replaced, outcome.added) == (2, 1)
        seq = next(
            e["seq"]
            for e in audit_entries(store)
            if e["action"] == "score-replaced" and e["details"]["tender"] == "T-001"
        )
        assert check_audit(store).ok, check_audit(store).problems
    _sql(
        db_url,
        f"UPDATE scores SET score = 4 WHERE {_T('T-001')} AND {_C('local-assets')}",
    )
    output = _broken(cli(db_url, "audit", "--verify"))
    assert (
        f"score R1 / T-001 / local-assets is 4 in the database, 1 in the audit trail (entry {seq})"
        in output
    )
    assert "T-002" not in output


def test_json_lists_every_problem(db_url: str, tmp_path: Path) -> None:
    seq = _imported(db_url, tmp_path)
    _sql(
        db_url,
        f"UPDATE scores SET score = 1 WHERE {_T('T-002')}",
        f"DELETE FROM scores WHERE {_C('local-insights')}",
        "UPDATE tenders SET bidder = 'X' WHERE id = 'T-005'",
    )
    result = cli(db_url, "audit", "--verify", "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["error"] == "AuditBroken"
    assert document["error_count"] == len(document["errors"]) == 3
    assert sorted((e["type"], e.get("column")) for e in document["errors"]) == [
        ("row-changed", "bidder"),
        ("row-changed", "score"),
        ("row-deleted", None),
    ]
    messages = " | ".join(e["message"] for e in document["errors"])
    assert (
        f"score R1 / T-002 / local-assets is 1 in the database, 2 in the audit trail (entry {seq})"
        in messages
    )


def test_a_changed_payload_breaks_the_verification(db_url: str, tmp_path: Path) -> None:
    seq = _imported(db_url, tmp_path)
    _drop_audit_triggers(db_url)
    _sql(db_url, "UPDATE audit_payloads SET body = REPLACE(body, '[4,3,2]', '[4,3,3]')")
    output = _broken(cli(db_url, "audit", "--verify"))
    assert f"the score rows recorded with entry {seq}" in output
    assert "does not match the SHA-256 its entry holds" in output


# -- truncation ------------------------------------------------------------------------------


def _decided(url: str, tmp_path: Path) -> tuple[Path, str]:
    """A provisional decision for lot east; the PDF and the head after issuing it."""
    _imported(url, tmp_path)
    out = tmp_path / "out"
    result = cli(url, "decide", "--out", out, "--provisional", "--lot", "east", "--quiet")
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob("provisional-decision-*.pdf")
    head = cli(url, "audit", "--head")
    assert head.exit_code == 0
    return pdf, head.output.strip()


def test_the_head_is_witnessed_and_checked(db_url: str, tmp_path: Path) -> None:
    pdf, head = _decided(db_url, tmp_path)
    assert len(head) == 64
    ok = cli(db_url, "audit", "--verify", "--head", head)
    assert ok.exit_code == 0, ok.output
    assert f"the chain reaches the head {head}" in ok.output
    assert cli(db_url, "verify", pdf).exit_code == 0
    as_json = json.loads(cli(db_url, "audit", "--head", "--format", "json").stdout)
    assert as_json["hash"] == head and as_json["seq"] > 1


def test_deleting_the_last_entries_is_caught(db_url: str, tmp_path: Path) -> None:
    pdf, head = _decided(db_url, tmp_path)
    with open_store(db_url) as store:
        last = audit_entries(store)[-1]
    assert last["action"] == "decision-issued"
    _drop_audit_triggers(db_url)
    # the decision's entry and its row removed: the rest of the chain is intact
    _sql(
        db_url,
        "DELETE FROM audit_entries WHERE seq = :seq",
        "DELETE FROM decisions",
        seq=last["seq"],
    )
    result = cli(db_url, "audit", "--verify", "--head", head, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [e["type"] for e in document["errors"]] == ["head-missing"]
    assert f"no longer reaches the head {head}" in document["errors"][0]["message"]
    assert f"now ends at entry {last['seq'] - 1}" in document["errors"][0]["message"]

    verified = cli(db_url, "verify", pdf)
    assert verified.exit_code == 1
    assert "the audit trail holds no decision-issued entry for lot east" in verified.output
    as_json = cli(db_url, "verify", "--format", "json", pdf)
    assert as_json.exit_code == 1
    errors = json.loads(as_json.stdout)["errors"]
    assert [e["type"] for e in errors] == ["decision-unrecorded"]


def test_deleting_every_entry_is_caught(db_url: str, tmp_path: Path) -> None:
    pdf, head = _decided(db_url, tmp_path)
    _drop_audit_triggers(db_url)
    _sql(db_url, "DELETE FROM audit_payloads", "DELETE FROM audit_entries")
    output = _broken(cli(db_url, "audit", "--verify", "--head", head))
    assert f"no longer reaches the head {head}" in output and "no entry at all" in output
    # with no head to check, the rows themselves say the trail is gone
    assert "exercise wellbeing-hubs-2027 is in the database but no audit entry wrote it" in (
        _broken(cli(db_url, "audit", "--verify"))
    )
    verified = cli(db_url, "verify", "--format", "json", pdf)
    assert verified.exit_code == 1
    types = [e["type"] for e in json.loads(verified.stdout)["errors"]]
    assert types == ["head-missing", "decision-unrecorded"]


def test_a_head_that_is_not_a_hash_is_refused(db_url: str, tmp_path: Path) -> None:
    _imported(db_url, tmp_path)
    document = json.loads(
        cli(db_url, "audit", "--verify", "--head", "xyz", "--format", "json").stdout
    )
    assert [e["type"] for e in document["errors"]] == ["bad-head"]
    assert cli(db_url, "audit", "--verify", "--head").exit_code == 2


# -- databases written before the entries recorded their rows --------------------------------


def test_an_older_trail_verifies_its_chain_and_says_what_it_cannot_prove(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commission.app import scores

    def old_style(details: dict[str, Any], added: Any) -> tuple[Any, ...]:
        return ("sheet-imported", details)

    monkeypatch.setattr(scores, "_sheet_event", old_style)
    loaded(sqlite_url)
    sheet = long_sheet(tmp_path / "r1.csv", ROWS)
    assert cli(sqlite_url, "scores", "import", sheet).exit_code == 0
    monkeypatch.undo()

    result = cli(sqlite_url, "audit", "--verify")
    assert result.exit_code == 0, result.output
    assert "hash chain intact" in result.output
    assert (
        "note: exercise wellbeing-hubs-2027: entry 14 was written before the audit trail "
        "recorded score rows; their 3 rows are counted, but 3 stored scores cannot be checked "
        "value by value" in result.output
    )
    # a changed value goes unseen there, a deleted row does not: the count is recorded
    _sql(sqlite_url, f"DELETE FROM scores WHERE {_T('T-002')}")
    assert (
        "exercise wellbeing-hubs-2027 has 2 scores in the database; the audit trail accounts "
        "for 3" in _broken(cli(sqlite_url, "audit", "--verify"))
    )


def test_a_score_stored_as_text_or_a_fraction_is_named(sqlite_url: str, tmp_path: Path) -> None:
    """SQLite keeps what it is given: a score column holding 4.5 or text is still named."""
    seq = _imported(sqlite_url, tmp_path)
    _sql(
        sqlite_url,
        f"UPDATE scores SET score = 4.5 WHERE {_T('T-001')} AND {_C('local-assets')}",
        f"UPDATE scores SET score = 'two' WHERE {_T('T-002')}",
    )
    output = _broken(cli(sqlite_url, "audit", "--verify"))
    assert (
        "score R1 / T-001 / local-assets is 4.5 in the database, 4 in the audit trail "
        f"(entry {seq})" in output
    )
    assert (
        "score R1 / T-002 / local-assets is 'two' in the database, 2 in the audit trail "
        f"(entry {seq})" in output
    )
