"""Score rounds and abstentions: moderated scores, abstentions, frozen lots, moderation notes.

``round_scores`` holds every score of the ``moderated`` round and every abstention (``score``
NULL) of either round, each with where it came from; the plain ``scores`` table keeps the
independent round as before. ``frozen_lots`` records the lots whose independent round
``moderation start`` froze; ``moderation_notes`` the panel's agreed explanation per tender and
criterion. New tables only: nothing stored before changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("tender_id", sa.String(length=64), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_column", sa.String(length=200), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id", "evaluator_id"],
            ["evaluators.exercise_id", "evaluators.id"],
            name=op.f("fk_round_scores_exercise_id_evaluator_id_evaluators"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id", "tender_id"],
            ["tenders.exercise_id", "tenders.id"],
            name=op.f("fk_round_scores_exercise_id_tender_id_tenders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_scores")),
        sa.UniqueConstraint(
            "exercise_id",
            "evaluator_id",
            "tender_id",
            "criterion_id",
            "round",
            name="uq_round_scores_key",
        ),
    )
    op.create_index(
        "ix_round_scores_key",
        "round_scores",
        ["exercise_id", "tender_id", "criterion_id", "evaluator_id"],
        unique=False,
    )
    op.create_table(
        "frozen_lots",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id", "lot_id"],
            ["lots.exercise_id", "lots.id"],
            name=op.f("fk_frozen_lots_exercise_id_lot_id_lots"),
        ),
        sa.PrimaryKeyConstraint("exercise_id", "lot_id", name=op.f("pk_frozen_lots")),
    )
    op.create_table(
        "moderation_notes",
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("tender_id", sa.String(length=64), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id", "tender_id"],
            ["tenders.exercise_id", "tenders.id"],
            name=op.f("fk_moderation_notes_exercise_id_tender_id_tenders"),
        ),
        sa.PrimaryKeyConstraint(
            "exercise_id", "tender_id", "criterion_id", name=op.f("pk_moderation_notes")
        ),
    )


def downgrade() -> None:
    op.drop_table("moderation_notes")
    op.drop_table("frozen_lots")
    op.drop_index("ix_round_scores_key", table_name="round_scores")
    op.drop_table("round_scores")
