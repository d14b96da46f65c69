"""The exercise store through the library, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import text

from commission.app import (
    add_tenders,
    audit_entries,
    import_scores,
    init_exercise,
    list_tenders,
    load_exercise,
    load_tenders,
    results,
    score_frame,
    verify_audit,
)
from commission.app import evaluation as api
from commission.app.issuing import IssuedLot, record_issue
from commission.errors import InvalidScores, NotFound, Refused, StoreBusy, Usage
from commission.store import open_store, repository, schema
from commission.store.db import make_engine, write_engine

from .store_helpers import EXERCISE, SHEETS, TENDERS, loaded, long_sheet, snapshot


def test_results_from_the_store_equal_scoring_from_files(db_url: str) -> None:
    loaded(db_url, scores=True)
    with open_store(db_url) as store:
        stored = results(store).to_dict()
    from_files = api.score_files(EXERCISE, TENDERS, SHEETS).to_dict()
    assert json.dumps(stored, sort_keys=True) == json.dumps(from_files, sort_keys=True)
    assert any(t["rank"] == 1 for t in stored["tenders"])


def test_init_is_a_no_op_the_second_time_and_refuses_a_changed_exercise(
    db_url: str, tmp_path: Path
) -> None:
    with open_store(db_url, create=True) as store:
        first = init_exercise(store, EXERCISE)
        assert first.changed
        again = init_exercise(store, EXERCISE)
        assert not again.changed and "already stored, unchanged" in again.message
        before = snapshot(db_url)
        changed = json.loads(EXERCISE.read_text(encoding="utf-8"))
        changed["title"] = "Something else"
        other = tmp_path / "exercise.json"
        other.write_text(json.dumps(changed), encoding="utf-8")
        with pytest.raises(Refused, match="already stored with different contents"):
            init_exercise(store, other)
    assert snapshot(db_url) == before


def test_tenders_add_is_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    with open_store(db_url, create=True) as store:
        init_exercise(store, EXERCISE)
        outcome = add_tenders(store, TENDERS[:3])
        assert outcome.details["added"] == ["T-001", "T-002", "T-003"]
        again = add_tenders(store, TENDERS[:3])
        assert not again.changed and again.details["unchanged"] == ["T-001", "T-002", "T-003"]
        before = snapshot(db_url)
        changed = json.loads(TENDERS[0].read_text(encoding="utf-8"))
        changed["bidder"]["name"] = "Someone Else Ltd"
        folder = tmp_path / "batch"
        folder.mkdir()
        (folder / "a.json").write_text(json.dumps(changed), encoding="utf-8")
        shutil.copy(TENDERS[5], folder / "b.json")
        with pytest.raises(Refused) as caught:
            add_tenders(store, [folder])
        assert [(p.type, p.value) for p in caught.value.problems] == [("tender-exists", "T-001")]
        assert snapshot(db_url) == before


def test_prices_are_kept_exact(db_url: str, tmp_path: Path) -> None:
    doc = json.loads(TENDERS[0].read_text(encoding="utf-8"))
    doc["id"] = "T-100"
    doc["price"] = {"amount": 419999.99, "currency": "GBP"}
    path = tmp_path / "T-100.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with open_store(db_url, create=True) as store:
        init_exercise(store, EXERCISE)
        add_tenders(store, [path])
        (tender,) = load_tenders(store, documents=True)
        assert tender.price == Fraction("419999.99")
        assert tender.document == doc
        assert list_tenders(store)[0]["price"] == "419999.99"


def test_reimport_dry_run_overwrite_and_replace(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    sheet = long_sheet(tmp_path / "r1.csv", [("R1", "T-001", "local-assets", 3, "fine")])
    with open_store(db_url) as store:
        dry = import_scores(store, [sheet], dry_run=True)
        assert (dry.added, dry.dry_run, dry.changed) == (1, True, False)
        assert len(score_frame(store)) == 0
        assert import_scores(store, [sheet]).added == 1
        entries = len(audit_entries(store))
        same = import_scores(store, [sheet])
        assert (same.added, same.unchanged, same.changed) == (0, 1, False)
        assert "already stored, unchanged" in same.message
        assert len(audit_entries(store)) == entries

        newer = long_sheet(tmp_path / "r1b.csv", [("R1", "T-001", "local-assets", 4, "fine")])
        before = snapshot(db_url)
        with pytest.raises(InvalidScores) as caught:
            import_scores(store, [newer])
        (problem,) = caught.value.problems
        assert (problem.type, problem.file, problem.row, problem.column, problem.value) == (
            "overwrite",
            str(newer),
            2,
            "score",
            4,
        )
        assert "stored score 3" in problem.message
        assert snapshot(db_url) == before

        replaced = import_scores(store, [newer], replace=True)
        assert replaced.replaced == 1
        frame = score_frame(store)
        assert frame["score"].tolist() == [4]
        last = audit_entries(store)[-1]
        assert last["action"] == "score-replaced"
        assert (last["details"]["old"]["score"], last["details"]["new"]["score"]) == (3, 4)
        assert verify_audit(store).ok


@pytest.mark.parametrize("fail_after", [0, 1, 5, 23, 499])
def test_a_failure_at_any_row_writes_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch, fail_after: int
) -> None:
    loaded(db_url)
    before = snapshot(db_url)
    written = 0
    real = repository.insert_chunk

    def failing(connection, sql, rows):  # type: ignore[no-untyped-def]
        nonlocal written
        room = fail_after - written
        if room < len(rows):
            if room:
                real(connection, sql, rows[:room])
            raise OSError(f"disk unplugged after row {fail_after}")
        real(connection, sql, rows)
        written += len(rows)

    monkeypatch.setattr(repository, "CHUNK_ROWS", 7)
    monkeypatch.setattr(repository, "insert_chunk", failing)
    with open_store(db_url) as store, pytest.raises(OSError, match="disk unplugged"):
        import_scores(store, SHEETS)
    assert snapshot(db_url) == before


def test_several_exercises_need_exercise_named(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    other = json.loads(EXERCISE.read_text(encoding="utf-8"))
    other["id"] = "second-exercise"
    path = tmp_path / "second.json"
    path.write_text(json.dumps(other), encoding="utf-8")
    with open_store(db_url) as store:
        init_exercise(store, path)
        with pytest.raises(Usage, match=r"2 exercises.*wellbeing-hubs-2027") as caught:
            results(store)
        assert caught.value.problems[0].type == "several-exercises"
        with pytest.raises(NotFound, match="no exercise 'nope'"):
            results(store, "nope")
        assert results(store, "second-exercise").exercise.id == "second-exercise"


def test_decisions_are_recorded_in_the_audit_trail(db_url: str) -> None:
    loaded(db_url)
    with open_store(db_url) as store:
        issued = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
        placed: list[str] = []

        def place() -> Callable[[], None]:
            placed.append("east")
            return placed.clear

        east = IssuedLot("east", "ab" * 32, True, {"out/east.pdf": "cd" * 32}, {})
        record_issue(store, None, [east], issued, place)
        assert placed == ["east"]
        last = audit_entries(store)[-1]
        assert last["action"] == "decision-issued"
        assert last["details"]["digest"] == "ab" * 32
        assert last["details"]["sha256"] == {"out/east.pdf": "cd" * 32}
        assert last["details"]["issued_at"] == issued.isoformat()
        north = IssuedLot("north", "ab" * 32, True, {}, {})
        with pytest.raises(NotFound):
            record_issue(store, None, [north], issued, place)
        assert placed == ["east"]  # nothing placed for an unknown lot
        assert verify_audit(store).ok


def test_audit_rows_cannot_be_changed_and_forced_changes_are_named(db_url: str) -> None:
    loaded(db_url, scores=True)
    engine = make_engine(db_url)
    try:
        for statement in (
            "UPDATE audit_entries SET action = 'nothing' WHERE seq = 2",
            "DELETE FROM audit_entries WHERE seq = 3",
        ):
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
                with engine.begin() as connection:
                    connection.execute(text(statement))
        with open_store(db_url) as store:
            assert verify_audit(store).ok
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.execute(text("DROP TRIGGER audit_entries_no_update"))
            else:
                connection.execute(text("DROP TRIGGER audit_entries_append_only ON audit_entries"))
            connection.execute(
                text("UPDATE audit_entries SET details = :d WHERE seq = 5"),
                {"d": json.dumps({"tender": "T-005", "lot": "east", "bidder": "Me", "sha256": ""})},
            )
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        check = verify_audit(store)
    assert (check.ok, check.first_bad) == (False, 5)
    assert "entry 5" in (check.reason or "")


def test_busy_sqlite_store_says_try_again(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    sheet = long_sheet(tmp_path / "r1.csv", [("R1", "T-001", "local-assets", 3, "")])
    holder = make_engine(sqlite_url)
    try:
        # Another process's import, mid-way: it holds the write lock.
        with write_engine(holder).connect() as connection, connection.begin():
            with open_store(sqlite_url, busy_timeout=0.2) as store:
                with pytest.raises(StoreBusy, match="busy with another import; try again"):
                    import_scores(store, [sheet])
    finally:
        holder.dispose()


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no database at") as caught:
        open_store(f"sqlite:///{tmp_path / 'none.db'}")
    assert caught.value.problems[0].type == "no-database"
    assert not (tmp_path / "none.db").exists()


# --------------------------------------------------------------------------------------------
# migrations


def test_first_revision_upgrades_to_head_and_matches_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from commission.store.models import Base

    with open_store(db_url, create=True) as store:
        with store.writing() as repo:
            schema.upgrade(repo.connection, "0001")
        assert store.revision() == "0001"
        assert store.upgrade() == schema.head_revision() == schema.alembic_head() == "0007"
        with store.reading() as repo:
            diffs = compare_metadata(MigrationContext.configure(repo.connection), Base.metadata)
            triggers = _audit_triggers(repo.connection)
    assert diffs == []
    assert triggers


def _audit_triggers(connection: sqlalchemy.Connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return sorted(connection.execute(text(query)).scalars())


def test_plain_postgresql_urls_use_psycopg() -> None:
    from commission.store.db import normalise_url

    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(Usage):
        normalise_url("mysql://u@h/db")


# --------------------------------------------------------------------------------------------
# results at scale: the SQL aggregate, the comments and the stored exercise


def test_results_from_the_store_equal_scoring_the_stored_score_frame(
    db_url: str, tmp_path: Path
) -> None:
    """Tallies grouped in SQL and comments read through the partial index give what
    ``scoring.score`` gives on the same stored rows: every number, flag and comment."""
    from commission import scoring

    loaded(db_url, scores=True)
    extra = long_sheet(
        tmp_path / "extra.csv",
        [
            ("R2", "T-002", "local-assets", 2, "  needs work  "),
            ("R2", "T-002", "local-insights", 3, "   "),
            ("R2", "T-002", "collaboration", 4, ""),
        ],
    )
    with open_store(db_url) as store:
        import_scores(store, [extra], replace=True)
        stored = results(store)
        exercise = load_exercise(store)
        frame = score_frame(store)
        from_frame = scoring.score(exercise, load_tenders(store), frame)
        with store.reading() as repo:
            tallies = repo.tallies(exercise.id)
    assert json.dumps(stored.to_dict(), sort_keys=True) == json.dumps(
        from_frame.to_dict(), sort_keys=True
    )
    for mine, theirs in zip(stored.tenders, from_frame.tenders, strict=True):
        assert (mine.tender, mine.total_score, mine.rank) == (
            theirs.tender,
            theirs.total_score,
            theirs.rank,
        )
        for a, b in zip(mine.criteria, theirs.criteria, strict=True):
            assert (a.community_mean, a.officer_mean, a.combined) == (
                b.community_mean,
                b.officer_mean,
                b.combined,
            )
    assert stored.comments == from_frame.comments
    assert stored.comments
    texts = [c.text for c in stored.comments if (c.evaluator, c.tender) == ("R2", "T-002")]
    assert "needs work" in texts and "" not in texts
    # one row per tender, criterion and panel that has scores; exact int64 sums and counts
    assert list(tallies.columns) == ["tender", "criterion", "panel", "total", "count"]
    assert str(tallies["total"].dtype) == str(tallies["count"].dtype) == "int64"
    assert not tallies.duplicated(["tender", "criterion", "panel"]).any()
    assert int(tallies["count"].sum()) == len(frame)
    assert int(tallies["total"].sum()) == int(frame["score"].sum())


def test_results_with_no_scores_yet(db_url: str) -> None:
    loaded(db_url)
    with open_store(db_url) as store:
        found = results(store)
        with store.reading() as repo:
            tallies = repo.tallies(found.exercise.id)
    assert len(tallies) == 0 and found.comments == ()
    assert all(t.status == "incomplete" for t in found.tenders)


def test_stored_comments_are_those_of_the_score_frame_rules(db_url: str, tmp_path: Path) -> None:
    """Only commented rows are read back, and the one comment rule of ``scoring.comments``
    applies: trimmed, blank ones left out, in tender, criterion, panel, evaluator order."""
    from commission import scoring

    loaded(db_url, scores=True)
    with open_store(db_url) as store:
        exercise = load_exercise(store)
        with store.reading() as repo:
            commented = repo.commented_scores(exercise.id)
        everything = score_frame(store)
    assert commented["comment"].notna().all()
    assert len(commented) == int(everything["comment"].fillna("").ne("").sum())
    assert scoring.comments(commented, exercise) == scoring.comments(everything, exercise)


def test_a_stored_exercise_is_rebuilt_as_checking_it_would_build_it(db_url: str) -> None:
    """The exercise read back from the store equals the one checked at init, field by field,
    and equals checking its stored document again from scratch."""
    from commission.inputs.exercise import exercise_from_dict
    from commission.inputs.exercise import load_exercise as load_file

    loaded(db_url)
    with open_store(db_url) as store:
        stored = load_exercise(store)
    checked = load_file(EXERCISE)
    assert stored == checked
    assert stored.document == checked.document
    assert exercise_from_dict(dict(stored.document)) == stored
