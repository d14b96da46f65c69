"""The store's schema revisions: Alembic, run from inside the package on a command's connection."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection


@functools.cache
def _alembic_config() -> Any:
    from alembic.config import Config

    from ..resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


@functools.cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, target: str = "head") -> str:
    """Create the schema or upgrade it to ``target``; the revision reached."""
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = connection
    try:
        command.upgrade(config, target)
    finally:
        config.attributes.pop("connection", None)
    return current_revision(connection) or ""
