"""Indexes for results at scale: the per-panel tally and the commented scores.

``ix_scores_tally`` holds every column the ``SUM``/``COUNT`` per tender, criterion and panel
reads, in the order it groups by, so ``commission results`` scans one index in order instead of
sorting the whole table. ``ix_scores_commented`` is partial: only the few scores with a comment,
so reading them is not a scan of every score.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENTED = sa.text("comment IS NOT NULL")


def upgrade() -> None:
    # Plain CREATE INDEX on both backends: no batch mode, so SQLite never copies the table.
    op.create_index(
        "ix_scores_tally",
        "scores",
        ["exercise_id", "tender_id", "criterion_id", "evaluator_id", "score"],
        unique=False,
    )
    op.create_index(
        "ix_scores_commented",
        "scores",
        ["exercise_id"],
        unique=False,
        sqlite_where=COMMENTED,
        postgresql_where=COMMENTED,
    )


def downgrade() -> None:
    op.drop_index("ix_scores_commented", table_name="scores")
    op.drop_index("ix_scores_tally", table_name="scores")
