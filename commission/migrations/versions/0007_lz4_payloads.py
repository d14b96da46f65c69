"""PostgreSQL: the audit payloads and tender documents compressed with LZ4.

PostgreSQL compresses any value over about 2 KB before it stores it (TOAST), by default with its
own ``pglz``. An import's payload (the score rows as canonical JSON, kept beside its audit
entry: about 25 MB for a million rows) took a second to compress that way, as long as the rest
of the transaction's writing; LZ4 takes a quarter of that and reads back as fast. Tender
documents (about 5 KB each) are compressed the same way.

Values already stored keep the compression they were written with; PostgreSQL reads both. A
server older than 14, or built without LZ4, keeps ``pglz``: nothing changes there. SQLite does
not compress, and is not touched.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column) holding values large enough to be compressed.
COMPRESSED = (("audit_payloads", "body"), ("tenders", "document"))


def _lz4_available() -> bool:
    """True on a PostgreSQL server that can compress with LZ4 (14 and newer, built with it)."""
    if op.get_context().dialect.name != "postgresql":
        return False
    found = op.get_bind().exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    row = found.first()
    return row is not None and "lz4" in (row[0] or [])


def _set(method: str) -> None:
    for table, column in COMPRESSED:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}')


def upgrade() -> None:
    if _lz4_available():
        _set("lz4")


def downgrade() -> None:
    if _lz4_available():
        _set("pglz")
