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


#: The newest revision, known without loading Alembic (every command checks it; a test proves
#: it is Alembic's head).
HEAD_REVISION = "0007"


def head_revision() -> str:
    return HEAD_REVISION


def alembic_head() -> str:
    """The head as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision in ``alembic_version`` (read directly: importing Alembic costs a second)."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return found[0] if len(found) == 1 else None


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
