"""The rows each audit entry wrote, kept beside it and append-only like the entries.

``audit_payloads`` holds, per entry that wrote score rows, those rows as canonical JSON; the entry's
details hold the payload's SHA-256, so the chain covers it. ``commission audit --verify`` replays
the payloads and compares the result with the stored scores.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "the audit trail is append-only: entries cannot be changed or removed"


def upgrade() -> None:
    op.create_table(
        "audit_payloads",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["audit_entries.seq"], name=op.f("fk_audit_payloads_seq_audit_entries")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_payloads")),
    )
    if op.get_context().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_payloads_no_{verb.lower()} BEFORE {verb} ON audit_payloads "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    else:
        # commission_audit_append_only() is made by revision 0002.
        op.execute(
            "CREATE TRIGGER audit_payloads_append_only BEFORE UPDATE OR DELETE ON audit_payloads "
            "FOR EACH ROW EXECUTE FUNCTION commission_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_payloads_no_truncate BEFORE TRUNCATE ON audit_payloads "
            "FOR EACH STATEMENT EXECUTE FUNCTION commission_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_payloads_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_payloads_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_payloads_no_truncate ON audit_payloads")
        op.execute("DROP TRIGGER IF EXISTS audit_payloads_append_only ON audit_payloads")
    op.drop_table("audit_payloads")
