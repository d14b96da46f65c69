"""The exercise store's tables, as SQLAlchemy 2 typed models.

The migrations in :mod:`commission.migrations` create exactly these tables; a test compares the
two. Numbers that decide a result are never floats here: scores are integers and prices are kept
as the decimal text the bidder wrote (rebuilt with :func:`commission.records.exact`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names are part of the schema: batch migrations on SQLite need them to be stable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Ids in exercise, tender and criteria documents are at most 64 characters (the schemas say so).
ID = String(64)
SHA256 = String(64)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ExerciseRow(Base):
    """One commissioning exercise, with its criteria set frozen in at ``init``."""

    __tablename__ = "exercises"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    #: The exercise document with the criteria set written out whole (``Exercise.document``).
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(SHA256)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LotRow(Base):
    __tablename__ = "lots"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))

    __table_args__ = (ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),)


class EvaluatorRow(Base):
    """A panel member; ``panel`` is ``community`` or ``officer``. ``number`` stands for the
    evaluator in score rows (1, 2, ... in the exercise document's order)."""

    __tablename__ = "evaluators"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    panel: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),
        Index("ix_evaluators_number", "exercise_id", "number", unique=True),
    )


class CriterionRow(Base):
    """The number that stands for a criterion in score rows (1, 2, ... in the set's order)."""

    __tablename__ = "criteria"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(ID)

    __table_args__ = (
        ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),
        Index("ix_criteria_id", "exercise_id", "id", unique=True),
    )


class ConflictRow(Base):
    """A declared conflict of interest. The tender need not be stored yet, so no foreign key."""

    __tablename__ = "conflicts"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    evaluator_id: Mapped[str] = mapped_column(ID, primary_key=True)
    tender_id: Mapped[str] = mapped_column(ID, primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["exercise_id", "evaluator_id"], ["evaluators.exercise_id", "evaluators.id"]
        ),
    )


class TenderRow(Base):
    """A tender submission kept whole, plus the fields queries and scoring need. ``number``
    stands for the tender in score rows (1, 2, ... in the order tenders were added)."""

    __tablename__ = "tenders"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID)
    bidder: Mapped[str] = mapped_column(String(300))
    #: The price as exact decimal text ("420000", "99.95"); NULL when the bid gave none.
    price: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(3))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the canonical JSON of ``document``: an identical re-add is a no-op.
    sha256: Mapped[str] = mapped_column(SHA256)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    number: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),
        ForeignKeyConstraint(["exercise_id", "lot_id"], ["lots.exercise_id", "lots.id"]),
        Index("ix_tenders_number", "exercise_id", "number", unique=True),
    )


class SheetRow(Base):
    """One imported score sheet: every score row read from it names it by ``id``.

    ``columns`` lists the sheet columns its rows were read from (``sheet_column`` of a score row
    is an index into it), so a row carries two small integers instead of a file name, a
    SHA-256 and a column heading."""

    __tablename__ = "sheets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    exercise_id: Mapped[str] = mapped_column(ID)
    file: Mapped[str] = mapped_column(Text)
    #: SHA-256 of the score sheet's bytes.
    sha256: Mapped[str] = mapped_column(SHA256)
    round: Mapped[str] = mapped_column(String(16))
    columns: Mapped[list[str]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),
        Index("ix_sheets_file", "exercise_id", "file", "sha256", "round", unique=True),
    )


#: SQLite keeps a ``WITHOUT ROWID`` table as one b-tree in primary-key order: the key is the
#: uniqueness rule and the tally's scan order at once, with no second copy of the rows.
CLUSTERED = {"sqlite_with_rowid": False}


#: The scores table's columns, in primary-key order first (rows are written in that order).
SCORE_TABLE_COLUMNS = (
    "exercise_id",
    "tender_no",
    "criterion_no",
    "evaluator_no",
    "score",
    "comment",
    "sheet_id",
    "sheet_row",
    "sheet_column",
)


class ScoreRow(Base):
    """One evaluator's independent score of one tender on one criterion, and the sheet cell it
    came from. Evaluator, tender and criterion are their numbers (:class:`EvaluatorRow`,
    :class:`TenderRow`, :class:`CriterionRow`); the primary key is in tally order (tender,
    criterion, evaluator), so results read it in one ordered scan. No foreign keys: the import
    checks every id against the exercise and its tenders before it writes, and a per-row lookup
    in three parent tables would cost more than the row."""

    __tablename__ = "scores"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    tender_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    criterion_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    evaluator_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    sheet_id: Mapped[int] = mapped_column(Integer)
    #: The row as a spreadsheet shows it (header = row 1).
    sheet_row: Mapped[int] = mapped_column(Integer)
    #: Index into the sheet's ``columns``; NULL when no column is known.
    sheet_column: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CLUSTERED,)


class RoundScoreRow(Base):
    """A score that is not a plain independent score: every row of the moderated round, and an
    abstention (``score`` NULL) in either round. ``reason`` says why a moderated score changed.
    An evaluator's latest round counts: a moderated row outranks the independent one. Keys and
    sheet columns as in :class:`ScoreRow`."""

    __tablename__ = "round_scores"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    tender_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    criterion_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    evaluator_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: NULL: the evaluator abstained (looked and declined to score).
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    sheet_id: Mapped[int] = mapped_column(Integer)
    sheet_row: Mapped[int] = mapped_column(Integer)
    sheet_column: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CLUSTERED,)


class FrozenLotRow(Base):
    """A lot whose independent round is frozen: ``moderation start`` was run for it."""

    __tablename__ = "frozen_lots"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, primary_key=True)
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(["exercise_id", "lot_id"], ["lots.exercise_id", "lots.id"]),
    )


class ModerationNoteRow(Base):
    """The panel's agreed explanation for one tender and criterion, from the moderation meeting."""

    __tablename__ = "moderation_notes"

    exercise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    tender_id: Mapped[str] = mapped_column(ID, primary_key=True)
    criterion_id: Mapped[str] = mapped_column(ID, primary_key=True)
    note: Mapped[str] = mapped_column(Text)
    source_file: Mapped[str] = mapped_column(Text)
    source_row: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(["exercise_id", "tender_id"], ["tenders.exercise_id", "tenders.id"]),
    )


class DecisionRow(Base):
    """A decision PDF issued for a lot: the digest ``commission verify`` checks."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    exercise_id: Mapped[str] = mapped_column(ID)
    lot_id: Mapped[str] = mapped_column(ID)
    digest: Mapped[str] = mapped_column(SHA256)
    provisional: Mapped[bool] = mapped_column(Boolean)
    files: Mapped[list[str]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(["exercise_id", "lot_id"], ["lots.exercise_id", "lots.id"]),
        Index(None, "digest"),
    )


class AuditRow(Base):
    """One entry of the hash-chained audit trail; triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    exercise_id: Mapped[str | None] = mapped_column(ID)
    #: ISO 8601 UTC text, hashed exactly as stored, so no backend's timestamp type can change it.
    at: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(SHA256)
    hash: Mapped[str] = mapped_column(SHA256, unique=True)

    __table_args__ = (Index(None, "exercise_id"),)


class AuditPayloadRow(Base):
    """The rows an audit entry wrote, as canonical JSON: its entry holds their SHA-256.

    Kept beside the entry, not in it, so listing the trail stays small; the entry's hash covers
    the digest, so the payload cannot change unseen. Triggers refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_payloads"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(SHA256)
    body: Mapped[str] = mapped_column(Text)

    __table_args__ = (ForeignKeyConstraint(["seq"], ["audit_entries.seq"]),)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model (typed: SQLAlchemy types ``__table__`` as a FromClause)."""
    return cast(Table, model.__table__)
