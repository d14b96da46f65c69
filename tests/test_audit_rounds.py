"""The audit trail covers the moderation stage's data (issue 14, issue 15), on SQLite and
PostgreSQL: round scores (moderated scores with reasons, abstentions in either round), frozen
lots and moderation notes are replayed from the trail, and every row changed, deleted or added
behind the toolkit's back is named by ``audit --verify``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text

from commission.app import audit_entries
from commission.store import open_store
from commission.store.db import make_engine

from .store_helpers import cli, loaded
from .store_helpers import where_criterion as _C
from .store_helpers import where_evaluator as _E

REASON = "Agreed at moderation: the plan names no partner"
INDEPENDENT = [
    ["evaluator", "tender", "criterion", "score", "comment"],
    ["R1", "T-001", "local-assets", "4", "Builds on the food bank."],
    ["R1", "T-001", "local-insights", "3", ""],
    ["R2", "T-001", "local-assets", "abstain", "I run the food bank"],
    ["R2", "T-001", "local-insights", "2", ""],
]
MODERATED = [
    ["evaluator", "tender", "criterion", "score", "comment", "reason"],
    ["R1", "T-001", "local-assets", "2", "Builds on the food bank.", REASON],
    ["R1", "T-001", "local-insights", "abstain", "", "Declared an interest at the meeting"],
    ["R2", "T-001", "local-insights", "3", "", "The survey was read again"],
]
NOTES = [
    ["tender", "criterion", "note"],
    ["T-001", "local-assets", "The panel agreed the partner is not named."],
    ["T-001", "local-insights", "The survey counts."],
]


_COPY_COLUMNS = (
    "exercise_id, tender_no, criterion_no, evaluator_no, round, score, comment, reason, "
    "sheet_id, sheet_row, sheet_column"
)
_R3 = "(SELECT number FROM evaluators WHERE id = 'R3')"


def _csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _sql(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.output)


def _moderated(url: str, tmp_path: Path) -> dict[str, int]:
    """Independent import with an abstention, moderation start of lot east, a moderated
    import with reasons (a changed score, a moderated abstention), notes. The seq of each
    entry that wrote the rows the tests tamper with."""
    loaded(url)
    _ok(cli(url, "scores", "import", _csv(tmp_path / "r1.csv", INDEPENDENT)))
    _ok(cli(url, "moderation", "start", "--lot", "east", "--out", tmp_path / "pack"))
    moderated = _csv(tmp_path / "moderated.csv", MODERATED)
    _ok(cli(url, "scores", "import", "--round", "moderated", moderated))
    _ok(cli(url, "moderation", "notes", _csv(tmp_path / "notes.csv", NOTES)))
    with open_store(url) as store:
        entries = audit_entries(store)
    seqs: dict[str, int] = {}
    for entry in entries:
        d = entry["details"]
        if entry["action"] == "abstentions-recorded":
            seqs["abstained"] = entry["seq"]
            assert d["rows"]["rows"] == 1 and len(d["rows"]["sha256"]) == 64
        elif entry["action"] == "score-moderated":
            seqs[f"moderated {d['evaluator']} {d['criterion']}"] = entry["seq"]
            assert d["new"]["sha256"] and d["new"]["file"] == str(moderated)
        elif entry["action"] in ("moderation-started", "moderation-note"):
            seqs.setdefault(entry["action"], entry["seq"])
    assert set(seqs) == {
        "abstained",
        "moderated R1 local-assets",
        "moderated R1 local-insights",
        "moderated R2 local-insights",
        "moderation-started",
        "moderation-note",
    }
    return seqs


def _verify(url: str) -> tuple[int, dict[str, Any]]:
    result = cli(url, "audit", "--verify", "--format", "json")
    return result.exit_code, json.loads(result.output)


def _messages(report: dict[str, Any]) -> list[str]:
    return [p["message"] for p in report.get("problems", report.get("errors", []))]


def test_the_moderation_stage_verifies_clean(db_url: str, tmp_path: Path) -> None:
    _moderated(db_url, tmp_path)
    output = _ok(cli(db_url, "audit", "--verify"))
    assert "hash chain intact" in output
    assert "4 round scores, 1 frozen lot, 2 moderation notes" in output
    assert "note:" not in output  # nothing left unchecked
    code, report = _verify(db_url)
    assert code == 0 and report["rows"]["round scores"] == 4 and report["limits"] == []


def test_each_tampered_round_row_lot_and_note_is_named(db_url: str, tmp_path: Path) -> None:
    seqs = _moderated(db_url, tmp_path)
    r1_assets = f"{_E('R1')} AND {_C('local-assets')}"
    _sql(
        db_url,
        f"UPDATE round_scores SET score = 5 WHERE {r1_assets} AND round = 'moderated'",
        f"UPDATE round_scores SET reason = 'No reason' WHERE {_E('R2')} AND round = 'moderated'",
        f"DELETE FROM round_scores WHERE {_E('R2')} AND round = 'independent'",
        "UPDATE moderation_notes SET note = 'Rewritten.' WHERE criterion_id = 'local-insights'",
        "DELETE FROM frozen_lots WHERE lot_id = 'east'",
        f"INSERT INTO round_scores ({_COPY_COLUMNS}) "
        f"SELECT exercise_id, tender_no, criterion_no, {_R3}, round, 1, comment, reason, "
        f"sheet_id, sheet_row, sheet_column FROM round_scores WHERE {r1_assets}",
    )
    code, report = _verify(db_url)
    assert code == 1
    found = _messages(report)
    want = [
        "moderated score R1 / T-001 / local-assets is 5 in the database, 2 in the audit trail "
        f"(entry {seqs['moderated R1 local-assets']})",
        "moderated score R2 / T-001 / local-insights: reason is 'No reason' in the database, "
        "'The survey was read again' in the audit trail "
        f"(entry {seqs['moderated R2 local-insights']})",
        f"independent abstention R2 / T-001 / local-assets is in the audit trail (entry "
        f"{seqs['abstained']}) but not in the database",
        "moderation note T-001 / local-insights: note is 'Rewritten.' in the database, "
        "'The survey counts.' in the audit trail (entry "
        f"{seqs['moderation-note'] + 1})",
        "the frozen independent round of lot east is in the audit trail (entry "
        f"{seqs['moderation-started']}) but not in the database",
        "moderated score R3 / T-001 / local-assets (1) is in the database but no audit entry "
        "wrote it",
    ]
    for message in want:
        assert message in found, (message, found)
    assert len(found) == len(want), found
    # the text output names them too, and exits 1
    result = cli(db_url, "audit", "--verify")
    assert result.exit_code == 1
    assert "moderated score R1 / T-001 / local-assets is 5 in the database" in result.output


def test_a_changed_abstention_an_abstention_scored_a_lot_frozen_and_a_note_added(
    db_url: str, tmp_path: Path
) -> None:
    seqs = _moderated(db_url, tmp_path)
    _sql(
        db_url,
        f"UPDATE round_scores SET comment = 'Changed' WHERE {_E('R2')} AND round = 'independent'",
        f"UPDATE round_scores SET score = 4 WHERE {_E('R1')} "
        f"AND {_C('local-insights')} AND round = 'moderated'",
        "INSERT INTO frozen_lots (exercise_id, lot_id, frozen_at) "
        "SELECT exercise_id, 'west', frozen_at FROM frozen_lots",
        "INSERT INTO moderation_notes (exercise_id, tender_id, criterion_id, note, source_file, "
        "source_row, recorded_at) SELECT exercise_id, 'T-002', criterion_id, note, source_file, "
        "source_row, recorded_at FROM moderation_notes WHERE criterion_id = 'local-assets'",
        "UPDATE moderation_notes SET source_row = 9 WHERE tender_id = 'T-001' "
        "AND criterion_id = 'local-assets'",
    )
    code, report = _verify(db_url)
    assert code == 1
    assert _messages(report) == [
        "independent abstention R2 / T-001 / local-assets: comment is 'Changed' in the database, "
        f"'I run the food bank' in the audit trail (entry {seqs['abstained']})",
        "moderated abstention R1 / T-001 / local-insights is 4 in the database, none in the "
        f"audit trail (entry {seqs['moderated R1 local-insights']})",
        "the frozen independent round of lot west is in the database but no audit entry wrote it",
        "moderation note T-001 / local-assets: row is 9 in the database, 2 in the audit trail "
        f"(entry {seqs['moderation-note']})",
        "moderation note T-002 / local-assets is in the database but no audit entry wrote it",
    ]


def test_replacements_between_scores_and_abstentions_replay(db_url: str, tmp_path: Path) -> None:
    """A score replaced by an abstention and back, and an abstention's reason replaced: each
    state the trail records is the one the store must hold."""
    loaded(db_url)
    _ok(cli(db_url, "scores", "import", _csv(tmp_path / "a.csv", INDEPENDENT)))
    swapped = [row[:] for row in INDEPENDENT]
    swapped[1][3], swapped[3][3] = "abstain", "5"  # R1 abstains, R2 scores
    swapped[4][4] = "Read again"
    _ok(cli(db_url, "scores", "import", "--replace", _csv(tmp_path / "b.csv", swapped)))
    again = [row[:] for row in swapped]
    again[1][4] = "A different reason"
    _ok(cli(db_url, "scores", "import", "--replace", _csv(tmp_path / "c.csv", again)))
    code, report = _verify(db_url)
    assert code == 0, report
    _sql(db_url, f"UPDATE round_scores SET comment = 'Not so' WHERE {_E('R1')}")
    code, report = _verify(db_url)
    assert code == 1
    assert len(_messages(report)) == 1
    assert _messages(report)[0].startswith(
        "independent abstention R1 / T-001 / local-assets: comment is 'Not so' in the database, "
        "'A different reason' in the audit trail"
    )


def test_an_abstention_audited_before_rows_were_recorded_is_a_limit(
    sqlite_url: str, tmp_path: Path
) -> None:
    """An import audited before ``abstentions-recorded`` existed: its entry is taken away
    (rewriting the chain as that older version wrote it), the chain verifies, the count is
    checked and the limits say what was not."""
    from commission.store import audit

    loaded(sqlite_url)
    _ok(cli(sqlite_url, "scores", "import", _csv(tmp_path / "r1.csv", INDEPENDENT)))
    _rewrite(sqlite_url, audit, lambda r: None if r["action"] == "abstentions-recorded" else r)
    code, report = _verify(sqlite_url)
    assert code == 0, report
    assert any(
        "written before the audit trail recorded abstentions" in limit
        and "1 stored abstentions cannot be checked" in limit
        for limit in report["limits"]
    ), report["limits"]
    # one more unaudited abstention than the old entry accounts for is caught by the count
    _sql(
        sqlite_url,
        f"INSERT INTO round_scores ({_COPY_COLUMNS}) "
        f"SELECT exercise_id, tender_no, criterion_no, {_R3}, round, score, comment, reason, "
        "sheet_id, sheet_row, sheet_column FROM round_scores",
    )
    code, report = _verify(sqlite_url)
    assert code == 1
    assert any(
        "has 2 independent abstentions in the database that the audit trail does not record; "
        "it accounts for 1" in m
        for m in _messages(report)
    ), report


def _rewrite(url: str, audit: Any, older: Any) -> None:
    """The trail as an older version of commission wrote it: ``older(entry)`` (None: no such
    entry) appended again in order, each transaction's entries together, with their payloads."""
    from itertools import groupby

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            rows = audit.entries(connection)
            bodies = {seq: audit.payload(connection, seq) for seq in audit.payload_seqs(connection)}
            for name in ("audit_entries_no_delete", "audit_payloads_no_delete"):
                connection.execute(text(f"DROP TRIGGER {name}"))
            connection.execute(text("DELETE FROM audit_payloads"))
            connection.execute(text("DELETE FROM audit_entries"))
            kept = [r for r in map(older, rows) if r is not None]
            for (exercise, _), group in groupby(kept, key=lambda r: (r["exercise"], r["at"])):
                events = [
                    (r["action"], r["details"], bodies[r["seq"]][1])
                    if r["seq"] in bodies
                    else (r["action"], r["details"])
                    for r in group
                ]
                audit.append(connection, exercise, events)
    finally:
        engine.dispose()


def test_moderated_entries_written_before_they_held_the_sha256_still_replay(
    sqlite_url: str, tmp_path: Path
) -> None:
    """``score-moderated`` entries without the sheet's SHA-256 in ``new`` (as first written):
    the SHA-256 of their ``moderated-sheet-imported`` entry stands in; every row is checked."""
    from commission.store import audit

    def older(entry: dict[str, Any]) -> dict[str, Any] | None:
        if entry["action"] == "abstentions-recorded":
            return None
        if entry["action"] == "score-moderated":
            new = {k: v for k, v in entry["details"]["new"].items() if k != "sha256"}
            return {**entry, "details": {**entry["details"], "new": new}}
        return entry

    seqs = _moderated(sqlite_url, tmp_path)
    _rewrite(sqlite_url, audit, older)
    code, report = _verify(sqlite_url)
    assert code == 0, report
    assert len(report["limits"]) == 1 and "recorded abstentions" in report["limits"][0]
    _sql(
        sqlite_url,
        # the row's sheet is one row of ``sheets``: point it at a copy with another SHA-256
        "INSERT INTO sheets (exercise_id, file, sha256, round, columns, imported_at) "
        "SELECT exercise_id, file, '" + "0" * 64 + "', round, columns, imported_at FROM sheets "
        "WHERE round = 'moderated'",
        "UPDATE round_scores SET sheet_id = (SELECT max(id) FROM sheets) WHERE "
        f"{_E('R2')} AND round = 'moderated'",
    )
    code, report = _verify(sqlite_url)
    assert code == 1
    # one entry fewer before it: the abstentions-recorded entry was taken away
    seq = seqs["moderated R2 local-insights"] - 1
    assert _messages(report) == [
        "moderated score R2 / T-001 / local-insights: sha256 is '" + "0" * 64 + "' in the "
        f"database, '{_sha(tmp_path / 'moderated.csv')}' in the audit trail (entry {seq})"
    ]


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
