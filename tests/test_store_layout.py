"""The store laid out for its data (issue 13 point 1): one ``sheets`` row per imported sheet,
numbers for evaluators, tenders and criteria, and score tables whose primary key, in tally
order, is their only index — on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from commission.app import import_scores
from commission.app.scores import file_sha256
from commission.store import current, open_store

from .store_helpers import SHEETS, loaded, long_sheet


def _rows(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with open_store(url) as store, store.reading() as repo:
        return [tuple(row) for row in repo.connection.execute(text(sql))]


def test_each_imported_sheet_is_one_row_that_its_scores_name(db_url: str) -> None:
    loaded(db_url, scores=True)
    sheets = _rows(db_url, "SELECT id, file, sha256, round FROM sheets ORDER BY id")
    assert [(file, sha, rnd) for _, file, sha, rnd in sheets] == [
        (str(path), file_sha256(path), "independent") for path in SHEETS
    ]
    per_sheet = dict(_rows(db_url, "SELECT sheet_id, count(*) FROM scores GROUP BY sheet_id"))
    assert set(per_sheet) == {sheet_id for sheet_id, *_ in sheets}
    assert sum(per_sheet.values()) == 500


def test_keys_are_numbers_per_exercise_and_reads_give_text_ids(db_url: str) -> None:
    loaded(db_url, scores=True)
    criteria = _rows(db_url, "SELECT number, id FROM criteria ORDER BY number")
    assert criteria == [
        (1, "local-assets"),
        (2, "local-insights"),
        (3, "collaboration"),
        (4, "innovation"),
        (5, "long-term"),
    ]
    tenders = _rows(db_url, "SELECT number, id FROM tenders ORDER BY number")
    assert tenders == [(n, f"T-{n:03d}") for n in range(1, 13)]
    evaluators = [n for (n,) in _rows(db_url, "SELECT number FROM evaluators ORDER BY number")]
    assert evaluators == list(range(1, len(evaluators) + 1))
    kinds = _rows(db_url, "SELECT tender_no, criterion_no, evaluator_no FROM scores LIMIT 1")[0]
    assert all(isinstance(k, int) for k in kinds)
    with open_store(db_url) as store, store.reading() as repo:
        frame = repo.score_frame(repo.pick(None))
    assert set(frame["criterion"]) == {c for _, c in criteria}
    assert frame.loc[0, ["evaluator", "tender", "criterion"]].tolist() == [
        "OF1",
        "T-001",
        "collaboration",
    ]


def test_a_changed_file_is_a_new_sheet_row_and_the_same_bytes_the_same_row(
    db_url: str, tmp_path: Path
) -> None:
    loaded(db_url)
    sheet = long_sheet(tmp_path / "r1.csv", [("R1", "T-001", "local-assets", 4, "")])
    with open_store(db_url) as store:
        import_scores(store, [sheet])
        long_sheet(sheet, [("R1", "T-001", "local-assets", 3, "Revised.")])
        import_scores(store, [sheet], replace=True)
        long_sheet(sheet, [("R1", "T-001", "local-assets", 4, "")])
        import_scores(store, [sheet], replace=True)  # the first bytes again
    assert [n for (n,) in _rows(db_url, "SELECT count(*) FROM sheets")] == [2]
    stored = _rows(
        db_url, "SELECT s.score, h.sha256 FROM scores s JOIN sheets h ON h.id = s.sheet_id"
    )
    assert stored == [(4, file_sha256(sheet))]


def test_the_primary_key_is_the_only_index_of_the_score_tables(db_url: str) -> None:
    loaded(db_url)
    with open_store(db_url) as store, store.reading() as repo:
        connection = repo.connection
        for table in ("scores", "round_scores"):
            if connection.dialect.name == "sqlite":
                ddl = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
                ).scalar_one()
                assert "WITHOUT ROWID" in ddl
                origins = [
                    row[3] for row in connection.execute(text(f"PRAGMA index_list({table})"))
                ]
                assert origins == ["pk"]
                key = [
                    row[2]
                    for row in connection.execute(
                        text(f"PRAGMA index_info({'sqlite_autoindex_' + table + '_1'})")
                    )
                ]
            else:
                indexes = (
                    connection.execute(
                        text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": table}
                    )
                    .scalars()
                    .all()
                )
                assert indexes == [f"pk_{table}"]
                key = (
                    connection.execute(
                        text(
                            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                            "WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary "
                            "ORDER BY array_position(i.indkey, a.attnum)"
                        ),
                        {"t": table},
                    )
                    .scalars()
                    .all()
                )
            assert key[:4] == ["exercise_id", "tender_no", "criterion_no", "evaluator_no"]


def test_the_tally_groups_in_key_order_without_a_sort(sqlite_url: str) -> None:
    from sqlalchemy.dialects import sqlite

    loaded(sqlite_url, scores=True)
    with open_store(sqlite_url) as store, store.reading() as repo:
        exercise_id = repo.pick(None)
        captured: list[str] = []
        real = repo.connection.execute

        def spy(statement, *args, **kwargs):  # type: ignore[no-untyped-def]
            if "GROUP BY" in str(statement) and "scores" in str(statement):
                sql = str(
                    statement.compile(
                        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
                    )
                )
                captured.append(sql)
            return real(statement, *args, **kwargs)

        repo.connection.execute = spy  # type: ignore[method-assign]
        tallies = repo.tallies(exercise_id)
        repo.connection.execute = real  # type: ignore[method-assign]
        plan = " ".join(str(row[-1]) for row in real(text(f"EXPLAIN QUERY PLAN {captured[0]}")))
    assert len(tallies) and "TEMP B-TREE FOR GROUP BY" not in plan


def test_round_rows_are_rebuilt_as_the_logical_rows_the_trail_records(
    db_url: str, tmp_path: Path
) -> None:
    loaded(db_url, scores=True)
    sheet = long_sheet(
        tmp_path / "abstain.csv", [("R2", "T-003", "local-insights", "abstain", "I know them.")]
    )
    with open_store(db_url) as store:
        import_scores(store, [sheet], replace=True)
        with store.reading() as repo:
            rows = current.round_scores(repo.connection)
            plain = current.scores(repo.connection)
    assert list(rows.columns) == list(current.ROUND_SCORE_COLUMNS)
    assert rows.to_dict("records") == [
        {
            "exercise": "wellbeing-hubs-2027",
            "evaluator": "R2",
            "tender": "T-003",
            "criterion": "local-insights",
            "round": "independent",
            "score": None,
            "comment": "I know them.",
            "reason": None,
            "file": str(sheet),
            "row": 2,
            "column": "score",
            "sha256": file_sha256(sheet),
        }
    ]
    assert list(plain.columns) == list(current.SCORE_COLUMNS) and len(plain) == 499
