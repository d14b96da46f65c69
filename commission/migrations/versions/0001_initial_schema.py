"""Initial schema: exercises, lots, evaluators, conflicts, tenders, scores, decisions, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entries_hash")),
    )
    op.create_table(
        "exercises",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    op.create_table(
        "evaluators",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("panel", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_evaluators_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("exercise_id", "id", name=op.f("pk_evaluators")),
    )
    op.create_table(
        "lots",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_lots_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("exercise_id", "id", name=op.f("pk_lots")),
    )
    op.create_table(
        "conflicts",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("tender_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id", "evaluator_id"],
            ["evaluators.exercise_id", "evaluators.id"],
            name=op.f("fk_conflicts_exercise_id_evaluator_id_evaluators"),
        ),
        sa.PrimaryKeyConstraint(
            "exercise_id", "evaluator_id", "tender_id", name=op.f("pk_conflicts")
        ),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id", "lot_id"],
            ["lots.exercise_id", "lots.id"],
            name=op.f("fk_decisions_exercise_id_lot_id_lots"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_digest"), ["digest"], unique=False)

    op.create_table(
        "tenders",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("bidder", sa.String(length=300), nullable=False),
        sa.Column("price", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id", "lot_id"],
            ["lots.exercise_id", "lots.id"],
            name=op.f("fk_tenders_exercise_id_lot_id_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_tenders_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("exercise_id", "id", name=op.f("pk_tenders")),
    )
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("tender_id", sa.String(length=64), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_column", sa.String(length=200), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id", "evaluator_id"],
            ["evaluators.exercise_id", "evaluators.id"],
            name=op.f("fk_scores_exercise_id_evaluator_id_evaluators"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id", "tender_id"],
            ["tenders.exercise_id", "tenders.id"],
            name=op.f("fk_scores_exercise_id_tender_id_tenders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scores")),
        sa.UniqueConstraint(
            "exercise_id",
            "evaluator_id",
            "tender_id",
            "criterion_id",
            name=op.f("uq_scores_exercise_id_evaluator_id_tender_id_criterion_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("scores")
    op.drop_table("tenders")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_digest"))

    op.drop_table("decisions")
    op.drop_table("conflicts")
    op.drop_table("lots")
    op.drop_table("evaluators")
    op.drop_table("exercises")
    op.drop_table("audit_entries")
