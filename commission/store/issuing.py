"""Recording an issued run of decisions in one step with putting its files in place.

:func:`record_issue` opens one write transaction, adds a decision row and a ``decision-issued``
audit entry per lot (with every file's name and SHA-256, the issue time and what the documents
were rendered with), then calls ``place`` to move the rendered files into place, and commits. If
placing fails nothing is committed; if the commit fails the files are taken back with the undo
``place`` returned. So the audit trail names exactly the files that were issued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from ..errors import NotFound, Problem
from . import audit
from .models import DecisionRow, LotRow, table_of

if TYPE_CHECKING:
    from .workflow import Store

ISSUED = "decision-issued"


@dataclass(frozen=True)
class IssuedLot:
    """One lot's decision as issued: its digest and every file of it with its SHA-256."""

    lot: str
    digest: str
    provisional: bool
    #: file name as issued → SHA-256 of its bytes (the decision first, then the summaries).
    files: Mapping[str, str]
    #: What the documents were rendered with, so they can be rendered again byte for byte.
    rendering: Mapping[str, Any]


def record_issue(
    store: Store,
    exercise_id: str | None,
    lots: Sequence[IssuedLot],
    issued_at: datetime,
    place: Callable[[], Callable[[], None]],
) -> list[dict[str, Any]]:
    """Record ``lots`` as issued at ``issued_at`` and place their files, all or nothing."""
    from .workflow import _pick_exercise

    undo: Callable[[], None] | None = None
    details_list: list[dict[str, Any]] = []
    try:
        with store.writing() as connection:
            store._ready(connection)
            exercise_id = _pick_exercise(connection, exercise_id)
            known = set(
                connection.execute(
                    select(LotRow.id).where(LotRow.exercise_id == exercise_id)
                ).scalars()
            )
            for item in lots:
                if item.lot not in known:
                    raise NotFound(
                        f"no lot '{item.lot}' in exercise {exercise_id}",
                        [Problem("unknown-lot", "unknown lot", value=item.lot)],
                    )
            rows, events = [], []
            for item in lots:
                names = list(item.files)
                rows.append(
                    {
                        "exercise_id": exercise_id,
                        "lot_id": item.lot,
                        "digest": item.digest,
                        "provisional": item.provisional,
                        "files": names,
                        "issued_at": issued_at,
                    }
                )
                details = {
                    "lot": item.lot,
                    "digest": item.digest,
                    "provisional": item.provisional,
                    "files": names,
                    "sha256": dict(item.files),
                    "issued_at": issued_at.isoformat(),
                    "rendering": dict(item.rendering),
                }
                events.append((ISSUED, details))
                details_list.append({"exercise": exercise_id, **details})
            if rows:
                connection.execute(insert(table_of(DecisionRow)), rows)
            audit.append(connection, exercise_id, events)
            undo = place()
    except BaseException:
        if undo is not None:
            undo()
        raise
    return details_list


def issued_entries(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The ``decision-issued`` entries of an audit trail."""
    return [e for e in entries if e.get("action") == ISSUED]


def find_file(
    entries: Iterable[Mapping[str, Any]], sha256: str
) -> tuple[Mapping[str, Any], str] | None:
    """The newest issue entry whose files include one with this SHA-256, and that file's name."""
    found = None
    for entry in issued_entries(entries):
        details = entry.get("details")
        hashes = details.get("sha256") if isinstance(details, Mapping) else None
        if not isinstance(hashes, Mapping):
            continue
        for name, value in hashes.items():
            if value == sha256:
                found = (entry, str(name))
    return found
