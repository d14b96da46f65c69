"""The exercise store: SQLAlchemy models, Alembic migrations, transactions, the audit trail.

SQLite by default (one commissioner on a laptop), PostgreSQL by URL (a council-wide service).
:class:`Store` opens transactions; each hands out a :class:`Repository` of typed reads and
writes. The use cases that drive it are in :mod:`commission.app`.
"""

from __future__ import annotations

from .audit import AuditCheck
from .db import Store, open_store
from .repository import Repository

__all__ = ["AuditCheck", "Repository", "Store", "open_store"]
