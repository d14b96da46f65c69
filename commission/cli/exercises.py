"""``--exercise`` everywhere: a stored exercise's id or an exercise file's path.

Commands over the store want an id; commands over files (validate, schema, score) want the
exercise itself. Either accepts either: a path to an existing file is read as an exercise JSON
file; anything else is an id looked up in the database named by ``--db``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..records import Exercise


def is_exercise_file(reference: str) -> bool:
    return Path(reference).is_file()


def exercise_id_of(reference: str | None) -> str | None:
    """The id an ``--exercise`` value names: a file's own id, or the value itself."""
    if reference is None or not is_exercise_file(reference):
        return reference
    from ..inputs.exercise import load_exercise

    return load_exercise(Path(reference)).id


def exercise_of(db_url: str, reference: str) -> Exercise:
    """The exercise an ``--exercise`` value names: read from its file, or from the store."""
    if is_exercise_file(reference):
        from ..inputs.exercise import load_exercise

        return load_exercise(Path(reference))
    from ..app.exercises import load_exercise as stored_exercise
    from ..store import open_store

    with open_store(db_url) as store:
        return stored_exercise(store, reference)  # type: ignore[no-any-return]


def stored_exercise(db_url: str, *, named: bool) -> Exercise | None:
    """The database's exercise, when it holds one; None when there is no database to ask.

    ``named`` says the database was named (``--db`` or the environment): then it must open.
    The default database is asked only when its file exists and it holds an exercise.
    """
    from ..app.exercises import exercise_ids
    from ..app.exercises import load_exercise as stored
    from ..store import open_store
    from ..store.db import normalise_url, sqlite_path

    path = sqlite_path(normalise_url(db_url))
    if path is not None and not path.exists():
        return None  # no database yet: the tender schema alone is checked
    with open_store(db_url) as store:
        if not named and not exercise_ids_or_none(store, exercise_ids):
            return None
        return stored(store)  # type: ignore[no-any-return]


def exercise_ids_or_none(store: Any, exercise_ids: Any) -> list[str]:
    """The stored exercise ids; none when the file is not a commission database (yet)."""
    from ..errors import CommissionError

    try:
        return list(exercise_ids(store))
    except CommissionError:
        return []


def exercise_id_callback(ctx: click.Context, _param: Any, value: str | None) -> str | None:
    """``--exercise`` of the store commands: a path to an exercise file stands for its id."""
    from . import library_call

    if value is None or not is_exercise_file(value):
        return value
    with library_call():
        return exercise_id_of(value)
