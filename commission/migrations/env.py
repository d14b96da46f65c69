"""Alembic environment of the exercise store.

Run programmatically by :meth:`commission.store.repository.Store.upgrade`, which hands over an open
connection (already holding the write lock) in ``config.attributes["connection"]``. Without one,
``sqlalchemy.url`` from the config is used, so the ``alembic`` command works for developers too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from commission.store.db import make_engine
from commission.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///commission.db")
    with engine.begin() as owned:
        _run(owned)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("the commission store's migrations run online only")
run_migrations_online()
