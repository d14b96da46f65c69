"""``init``: create or upgrade the database and store the exercise."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import Problem, Refused
from .outcomes import Outcome

if TYPE_CHECKING:
    from ..store import Store


def init_exercise(store: Store, exercise_path: str | os.PathLike[str]) -> Outcome:
    """Create or upgrade the database and store the exercise, in one transaction.

    An exercise already stored with an identical document (its criteria set frozen in) is a
    no-op; with a different document it is refused, even if nothing is scored yet: lots, panels
    and criteria are what every stored tender and score were checked against.
    """
    from ..inputs.exercise import load_exercise
    from ..store import audit

    exercise = load_exercise(exercise_path)
    digest = audit.sha256_of(exercise.document)
    with store.writing() as repo:
        before = repo.revision()
        revision = repo.upgrade()
        events: list[tuple[str, Mapping[str, Any]]] = []
        if before is not None and before != revision:
            events.append(("store-upgraded", {"from": before, "to": revision}))
        stored = repo.exercise_digest(exercise.id)
        if stored == digest:
            repo.append_audit(None, events)
            return Outcome(
                "init",
                exercise.id,
                bool(events),
                f"exercise {exercise.id} is already stored, unchanged"
                + (f"; database upgraded to revision {revision}" if events else ""),
                {"revision": revision, "sha256": digest},
            )
        if stored is not None:
            raise Refused(
                f"exercise {exercise.id} is already stored with different contents; a running "
                "exercise cannot be changed (its tenders and scores were checked against it): "
                "give the new exercise its own id, or use a new database",
                [
                    Problem(
                        "exercise-exists",
                        f"exercise {exercise.id} is already stored with different contents",
                        file=os.fspath(exercise_path),
                        path="id",
                        value=exercise.id,
                        fix="give the exercise a new id, or store it in a new database",
                    )
                ],
            )
        repo.insert_exercise(exercise, digest)
        events.append(
            (
                "exercise-initialised",
                {
                    "exercise": exercise.id,
                    "title": exercise.title,
                    "file": os.fspath(exercise_path),
                    "sha256": digest,
                    "criteria": exercise.criteria.id,
                    "lots": list(exercise.lot_ids),
                    "evaluators": len(exercise.evaluators),
                },
            )
        )
        repo.append_audit(exercise.id, events)
    return Outcome(
        "init",
        exercise.id,
        True,
        f"stored exercise {exercise.id} ({exercise.title}) at schema revision {revision}",
        {"revision": revision, "sha256": digest},
    )


def exercise_ids(store: Store) -> list[str]:
    with store.reading() as repo:
        repo.ready()
        return repo.exercise_ids()


def load_exercise(store: Store, exercise_id: str | None = None) -> Any:
    """The stored exercise, its criteria set as frozen at ``init``."""
    with store.reading() as repo:
        return repo.exercise(repo.pick(exercise_id))
