"""A store laid out for its data: sheets, numbered keys, clustered score tables.

Each imported sheet becomes one ``sheets`` row (exercise, file, SHA-256, round, the columns its
rows were read from, when it was imported); evaluators and tenders get a ``number`` per
exercise, criteria a numbering table; ``scores`` and ``round_scores`` are rebuilt with those
numbers as a primary key in tally order (tender, criterion, evaluator), ``WITHOUT ROWID`` on
SQLite, and no other index. Every stored row is carried over, values unchanged; the audit trail
(``audit_entries``, ``audit_payloads``) is not touched, and the logical rows it records are
rebuilt from the new layout (:mod:`commission.store.current`), so ``audit --verify`` holds.

A sheet's ``imported_at`` is the time of the audit entry that imported it, where one names the
file and its SHA-256, else the time of this upgrade.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 50_000
_OLD = {"scores": "scores_0005", "round_scores": "round_scores_0005"}


def _key_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("tender_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("criterion_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("evaluator_no", sa.Integer(), autoincrement=False, nullable=False),
    ]


def _sheet_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("sheet_row", sa.Integer(), nullable=False),
        sa.Column("sheet_column", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    _number_columns(bind)
    op.create_table(
        "criteria",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_criteria_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("exercise_id", "number", name=op.f("pk_criteria")),
    )
    op.create_index("ix_criteria_id", "criteria", ["exercise_id", "id"], unique=True)
    op.create_table(
        "sheets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("round", sa.String(length=16), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_sheets_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheets")),
    )
    op.create_index(
        "ix_sheets_file", "sheets", ["exercise_id", "file", "sha256", "round"], unique=True
    )
    _number_keys(bind)
    _set_aside_old_tables(bind)
    op.create_table(
        "scores",
        *_key_columns(),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        *_sheet_columns(),
        sa.PrimaryKeyConstraint(
            "exercise_id", "tender_no", "criterion_no", "evaluator_no", name=op.f("pk_scores")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "round_scores",
        *_key_columns(),
        sa.Column("round", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        *_sheet_columns(),
        sa.PrimaryKeyConstraint(
            "exercise_id",
            "tender_no",
            "criterion_no",
            "evaluator_no",
            "round",
            name=op.f("pk_round_scores"),
        ),
        sqlite_with_rowid=False,
    )
    _carry_over(bind)
    op.drop_table(_OLD["round_scores"])
    op.drop_table(_OLD["scores"])


def _number_columns(bind: sa.Connection) -> None:
    # ADD COLUMN with a default, then the real numbers: no table copy on SQLite, whose other
    # tables' foreign keys to evaluators and tenders a batch copy would trip over.
    for table in ("evaluators", "tenders"):
        op.add_column(table, sa.Column("number", sa.Integer(), nullable=False, server_default="0"))


def _number_keys(bind: sa.Connection) -> None:
    """Evaluators in their exercise document's order, tenders in id order, criteria in the
    set's order, each from 1."""
    exercises = bind.execute(sa.text("SELECT id, document FROM exercises")).all()
    evaluators = sa.table(
        "evaluators", sa.column("exercise_id"), sa.column("id"), sa.column("number")
    )
    tenders = sa.table("tenders", sa.column("exercise_id"), sa.column("id"), sa.column("number"))
    criteria = sa.table("criteria", sa.column("exercise_id"), sa.column("number"), sa.column("id"))
    for exercise_id, document in exercises:
        document = _json(document)
        order = [e["id"] for e in document.get("evaluators", [])]
        stored = bind.execute(
            sa.select(evaluators.c.id).where(evaluators.c.exercise_id == exercise_id)
        ).scalars()
        order += sorted(set(stored) - set(order))
        _renumber(bind, evaluators, exercise_id, order)
        stored_tenders = bind.execute(
            sa.select(tenders.c.id).where(tenders.c.exercise_id == exercise_id)
        ).scalars()
        _renumber(bind, tenders, exercise_id, sorted(stored_tenders))
        ids = [c["id"] for c in document["criteria"]["criteria"]]
        for table in _OLD:
            used = bind.execute(
                sa.text(f"SELECT DISTINCT criterion_id FROM {table} WHERE exercise_id = :e"),
                {"e": exercise_id},
            ).scalars()
            ids += sorted(set(used) - set(ids))
        if ids:
            bind.execute(
                sa.insert(criteria),
                [{"exercise_id": exercise_id, "number": n, "id": c} for n, c in enumerate(ids, 1)],
            )
    for table in ("evaluators", "tenders"):
        if bind.dialect.name == "postgresql":
            op.alter_column(table, "number", server_default=None)
        op.create_index(f"ix_{table}_number", table, ["exercise_id", "number"], unique=True)


def _renumber(bind: sa.Connection, table: Any, exercise_id: str, ids: Sequence[str]) -> None:
    if not ids:
        return
    bind.execute(
        sa.update(table)
        .where(table.c.exercise_id == exercise_id, table.c.id == sa.bindparam("k_id"))
        .values(number=sa.bindparam("k_number")),
        [{"k_id": i, "k_number": n} for n, i in enumerate(ids, 1)],
    )


def _json(value: Any) -> Any:
    if isinstance(value, str):
        from commission import exactjson

        return exactjson.loads(value)
    return value


def _set_aside_old_tables(bind: sa.Connection) -> None:
    """The old tables renamed, their indexes dropped, so the new ones can take the names."""
    op.drop_index("ix_scores_commented", table_name="scores")
    op.drop_index("ix_scores_tally", table_name="scores")
    op.drop_index("ix_round_scores_key", table_name="round_scores")
    for table, old in _OLD.items():
        op.rename_table(table, old)
        if bind.dialect.name == "postgresql":  # PostgreSQL constraint names are its indexes'
            op.execute(f'ALTER TABLE {old} RENAME CONSTRAINT "pk_{table}" TO "pk_{old}"')


def _carry_over(bind: sa.Connection) -> None:
    """Every old row into the new tables, with its sheet, numbers and column index."""
    sheets = _SheetLog(bind)
    numbers = _Numbers(bind)
    plain = (
        "SELECT exercise_id, evaluator_id, tender_id, criterion_id, 'independent', score, "
        "comment, NULL, source_file, source_row, source_column, source_sha256 FROM scores_0005"
    )
    marked = (
        "SELECT exercise_id, evaluator_id, tender_id, criterion_id, round, score, comment, "
        "reason, source_file, source_row, source_column, source_sha256 FROM round_scores_0005"
    )
    for select, target, with_round in (
        (plain, "scores", False),
        (marked, "round_scores", True),
    ):
        names = ["exercise_id", "tender_no", "criterion_no", "evaluator_no"]
        names += ["round", "score", "comment", "reason"] if with_round else ["score", "comment"]
        names += ["sheet_id", "sheet_row", "sheet_column"]
        table = sa.table(target, *(sa.column(n) for n in names))
        result = bind.execute(sa.text(select).execution_options(yield_per=CHUNK))
        for chunk in result.partitions(CHUNK):
            rows = []
            for ex, ev, te, cr, rnd, score, comment, reason, file, row, column, sha in chunk:
                sheet_id, column_no = sheets.find(ex, file, sha, rnd, column)
                values = [ex, numbers.of("tenders", ex, te), numbers.of("criteria", ex, cr)]
                values.append(numbers.of("evaluators", ex, ev))
                values += [rnd, score, comment, reason] if with_round else [score, comment]
                values += [sheet_id, row, column_no]
                rows.append(dict(zip(names, values, strict=True)))
            if rows:
                bind.execute(sa.insert(table), rows)
    sheets.write_columns()


class _Numbers:
    def __init__(self, bind: sa.Connection) -> None:
        self.maps: dict[str, dict[tuple[str, str], int]] = {}
        for table in ("evaluators", "tenders", "criteria"):
            rows = bind.execute(sa.text(f"SELECT exercise_id, id, number FROM {table}"))
            self.maps[table] = {(e, i): int(n) for e, i, n in rows}

    def of(self, table: str, exercise_id: str, id_: str) -> int:
        return self.maps[table][(exercise_id, id_)]


class _SheetLog:
    """The ``sheets`` rows, recorded as the old rows name them."""

    def __init__(self, bind: sa.Connection) -> None:
        self.bind = bind
        self.ids: dict[tuple[str, str, str, str], int] = {}
        self.columns: dict[int, list[str]] = {}
        self.times: dict[tuple[str, str], str] = {}
        entries = bind.execute(
            sa.text(
                "SELECT at, details FROM audit_entries WHERE action IN "
                "('sheet-imported', 'moderated-sheet-imported') ORDER BY seq"
            )
        )
        for at, details in entries:
            details = _json(details)
            key = (str(details.get("file")), str(details.get("sha256")))
            self.times.setdefault(key, at)
        self.table = sa.table(
            "sheets",
            sa.column("id"),
            sa.column("exercise_id"),
            sa.column("file"),
            sa.column("sha256"),
            sa.column("round"),
            sa.column("columns", sa.JSON()),
            sa.column("imported_at", sa.DateTime(timezone=True)),
        )

    def find(
        self, exercise_id: str, file: str, sha: str, round_name: str, column: str | None
    ) -> tuple[int, int | None]:
        key = (exercise_id, file, sha, round_name)
        sheet_id = self.ids.get(key)
        if sheet_id is None:
            at = self.times.get((file, sha))
            when = datetime.fromisoformat(at) if at else datetime.now(UTC)
            sheet_id = len(self.ids) + 1
            self.bind.execute(
                sa.insert(self.table),
                [
                    {
                        "id": sheet_id,
                        "exercise_id": exercise_id,
                        "file": file,
                        "sha256": sha,
                        "round": round_name,
                        "columns": [],
                        "imported_at": when,
                    }
                ],
            )
            self.ids[key] = sheet_id
            self.columns[sheet_id] = []
        if column is None:
            return sheet_id, None
        names = self.columns[sheet_id]
        if column not in names:
            names.append(column)
        return sheet_id, names.index(column)

    def write_columns(self) -> None:
        for sheet_id, names in self.columns.items():
            self.bind.execute(
                sa.update(self.table).where(self.table.c.id == sheet_id).values(columns=names)
            )
        if self.bind.dialect.name == "postgresql" and self.ids:
            # ids were given here: the sequence continues after them
            self.bind.execute(
                sa.text("SELECT setval(pg_get_serial_sequence('sheets', 'id'), :n)"),
                {"n": len(self.ids)},
            )


def downgrade() -> None:
    raise NotImplementedError(
        "revision 0006 is not undone: restore the database from a backup made before upgrading"
    )
