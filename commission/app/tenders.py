"""``tenders add`` and ``tenders list``: submissions checked against the stored exercise."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, Refused
from ..inputs.problems import plural
from .outcomes import Outcome, Rows

if TYPE_CHECKING:
    from ..records import Tender
    from ..store import Store


def add_tenders(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    exercise_id: str | None = None,
) -> Outcome:
    """Check and store submissions, all or nothing.

    A tender id already stored with an identical document is left as it is; with a different
    document the whole batch is refused (:class:`Refused`, one problem per tender).
    """
    from ..inputs.tenders import read_tenders
    from ..store import audit

    with store.reading() as repo:
        exercise_id = repo.pick(exercise_id)
        exercise = repo.exercise(exercise_id)
    tenders = read_tenders([Path(p) for p in paths], exercise)
    digests = {t.id: audit.sha256_of(t.document) for t in tenders}

    with store.writing() as repo:
        stored = repo.tender_digests(exercise_id, list(digests))
        clashes = [t for t in tenders if t.id in stored and stored[t.id] != digests[t.id]]
        if clashes:
            raise Refused(
                f"{plural(len(clashes), 'tender')} already stored with different contents; "
                "nothing was added",
                [
                    Problem(
                        "tender-exists",
                        f"tender {t.id} is already stored with different contents",
                        file=t.source,
                        path="id",
                        value=t.id,
                        fix="a stored tender cannot be changed: give a new submission its own id",
                    )
                    for t in clashes
                ],
            )
        new = [t for t in tenders if t.id not in stored]
        repo.insert_tenders(exercise_id, new, digests)
        repo.append_audit(
            exercise_id,
            (
                (
                    "tender-added",
                    {"tender": t.id, "lot": t.lot, "bidder": t.bidder, "sha256": digests[t.id]},
                )
                for t in new
            ),
        )
    unchanged = len(tenders) - len(new)
    parts = [f"added {plural(len(new), 'tender')}"]
    if unchanged:
        parts.append(f"{unchanged} already stored, unchanged")
    return Outcome(
        "tenders-add",
        exercise_id,
        bool(new),
        "; ".join(parts),
        {"added": [t.id for t in new], "unchanged": sorted(set(stored) & set(digests))},
    )


def load_tenders(
    store: Store, exercise_id: str | None = None, *, documents: bool = False
) -> list[Tender]:
    """The stored tenders in id order; with ``documents``, each submission kept whole."""
    with store.reading() as repo:
        return repo.tenders(repo.pick(exercise_id), documents=documents)


def list_tenders(store: Store, exercise_id: str | None = None) -> Rows:
    """One row per stored tender, with how many scores it has."""
    with store.reading() as repo:
        return Rows(tuple(repo.tender_listing(repo.pick(exercise_id))))
