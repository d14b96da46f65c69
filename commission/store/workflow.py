"""The stateful workflow the CLI and procurement systems drive: one store, many commands.

Every function takes a :class:`Store` (see :func:`open_store`) and does its work in one
transaction: writes take the store's write lock first (``BEGIN IMMEDIATE`` on SQLite, an advisory
lock on PostgreSQL), so two imports queue rather than interleave, and a failure or a killed process
leaves nothing half-written. Every change is appended to the hash-chained audit trail in the same
transaction as the change itself.

Choices made where the contract is silent:

* ``init`` with an exercise whose id is already stored is a no-op when the document (with its
  criteria set frozen in) is identical, and is refused when it differs, even if nothing is scored
  yet: lots, panels and criteria are what every stored tender and score were checked against, so
  a changed exercise needs a new id (or a new database).
* Score sheets are read and checked against the exercise and its tenders *before* the write lock
  is taken (stored exercises, evaluators and tenders never change or disappear, so the check stays
  true); comparing with stored scores and writing happen inside the one write transaction.
* A score is "unchanged" when its value and comment equal the stored ones, wherever it came from;
  a different value *or* a different comment is an overwrite.
* Re-importing what is already stored writes nothing, not even an audit entry: nothing changed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    case,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import URL

from ..errors import InvalidScores, NotFound, Problem, Refused, Usage
from ..model import Exercise, Tender, bidder_details, exact
from . import audit
from .db import (
    BUSY_TIMEOUT,
    lock_for_write,
    make_engine,
    normalise_url,
    sqlite_path,
    translate_errors,
    write_engine,
)
from .models import (
    ConflictRow,
    DecisionRow,
    EvaluatorRow,
    ExerciseRow,
    LotRow,
    ScoreRow,
    TenderRow,
    table_of,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..scoring import Comment, Results

#: Score rows written per executemany call. Small enough to report progress, big enough to be fast.
CHUNK_ROWS = 50_000
#: Values per ``IN (...)`` list, well under SQLite's and PostgreSQL's parameter limits.
IN_CHUNK = 500
#: Overwrites listed before a ``too-many-errors`` summary (as score sheet checks do).
MAX_PROBLEMS = 1000

Progress = Callable[[str, int, int], None]

_SCORE_COLUMNS = (
    "exercise_id",
    "evaluator_id",
    "tender_id",
    "criterion_id",
    "score",
    "comment",
    "source_file",
    "source_row",
    "source_column",
    "source_sha256",
)


# --------------------------------------------------------------------------------------------
# the store


class Store:
    """An open exercise store: the engine, and transactions for reading and for writing."""

    def __init__(self, url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.url = normalise_url(url)
        self.busy_timeout = busy_timeout
        self.engine: Engine = make_engine(self.url, busy_timeout=busy_timeout)
        self._writer = write_engine(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot on both backends)."""
        with translate_errors(), self.engine.connect() as connection, connection.begin():
            yield connection

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """The one write transaction of a command: committed whole or rolled back whole."""
        with translate_errors(), self._writer.connect() as connection, connection.begin():
            lock_for_write(connection, self.busy_timeout)
            yield connection

    def revision(self) -> str | None:
        """The schema revision the database is at; None when it has no schema yet."""
        with self.reading() as connection:
            return _current_revision(connection)

    def upgrade(self) -> str:
        """Create the schema or upgrade it to the newest revision; the revision reached."""
        with self.writing() as connection:
            return _upgrade(connection)

    def _ready(self, connection: Connection) -> None:
        current = _current_revision(connection)
        if current is None:
            raise NotFound(
                f"the database {self.display_url} holds no exercise yet; "
                "run: commission init EXERCISE.json"
            )
        if current != head_revision():
            raise Refused(
                f"the database {self.display_url} is at schema revision {current}, this version "
                f"of commission needs {head_revision()}; run: commission init EXERCISE.json "
                "to upgrade it"
            )

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)


def open_store(
    url: str | URL, *, create: bool = False, busy_timeout: float = BUSY_TIMEOUT
) -> Store:
    """Open the store at ``url``; use it as a context manager.

    A SQLite file that does not exist is created only when ``create`` is true (``init``); other
    commands say to run ``commission init`` rather than leave an empty file behind.
    """
    parsed = normalise_url(url)
    path = sqlite_path(parsed)
    if path is not None and not create and not path.exists():
        raise NotFound(f"no database at {path}; run: commission init EXERCISE.json")
    return Store(parsed, busy_timeout=busy_timeout)


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


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, target: str = "head") -> str:
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = connection
    try:
        command.upgrade(config, target)
    finally:
        config.attributes.pop("connection", None)
    return _current_revision(connection) or ""


# --------------------------------------------------------------------------------------------
# exercises


@dataclass(frozen=True)
class Outcome:
    """What a command did, for people (``message``) and programs (``to_dict``)."""

    action: str
    exercise: str
    changed: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "exercise": self.exercise,
            "changed": self.changed,
            "message": self.message,
            **self.details,
        }


def init_exercise(store: Store, exercise_path: str | os.PathLike[str]) -> Outcome:
    """``commission init``: create or upgrade the database and store the exercise."""
    from ..exercise import load_exercise

    exercise = load_exercise(exercise_path)
    digest = audit.sha256_of(exercise.document)
    with store.writing() as connection:
        before = _current_revision(connection)
        revision = _upgrade(connection)
        events: list[tuple[str, Mapping[str, Any]]] = []
        if before is not None and before != revision:
            events.append(("store-upgraded", {"from": before, "to": revision}))
        stored = connection.execute(
            select(ExerciseRow.sha256).where(ExerciseRow.id == exercise.id)
        ).scalar_one_or_none()
        if stored == digest:
            audit.append(connection, None, events)
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
                        fix="give the exercise a new id, or run init against a new database",
                    )
                ],
            )
        _insert_exercise(connection, exercise, digest)
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
        audit.append(connection, exercise.id, events)
    return Outcome(
        "init",
        exercise.id,
        True,
        f"stored exercise {exercise.id} ({exercise.title}) at schema revision {revision}",
        {"revision": revision, "sha256": digest},
    )


def _insert_exercise(connection: Connection, exercise: Exercise, digest: str) -> None:
    connection.execute(
        insert(table_of(ExerciseRow)),
        [
            {
                "id": exercise.id,
                "title": exercise.title,
                "document": dict(exercise.document),
                "sha256": digest,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    connection.execute(
        insert(table_of(LotRow)),
        [{"exercise_id": exercise.id, "id": lot.id, "title": lot.title} for lot in exercise.lots],
    )
    connection.execute(
        insert(table_of(EvaluatorRow)),
        [
            {"exercise_id": exercise.id, "id": e.id, "name": e.name, "panel": e.panel}
            for e in exercise.evaluators
        ],
    )
    conflicts = [
        {"exercise_id": exercise.id, "evaluator_id": e.id, "tender_id": t}
        for e in exercise.evaluators
        for t in sorted(e.conflicts)
    ]
    if conflicts:
        connection.execute(insert(table_of(ConflictRow)), conflicts)


def exercise_ids(store: Store) -> list[str]:
    with store.reading() as connection:
        store._ready(connection)
        return _exercise_ids(connection)


def _exercise_ids(connection: Connection) -> list[str]:
    return list(connection.execute(select(ExerciseRow.id).order_by(ExerciseRow.id)).scalars())


def _pick_exercise(connection: Connection, exercise_id: str | None) -> str:
    ids = _exercise_ids(connection)
    if exercise_id is not None:
        if exercise_id not in ids:
            listing = ", ".join(ids) if ids else "none"
            raise NotFound(
                f"no exercise '{exercise_id}' in the database (stored: {listing})",
                [Problem("unknown-exercise", "unknown exercise", value=exercise_id)],
            )
        return exercise_id
    if not ids:
        raise NotFound("the database holds no exercise yet; run: commission init EXERCISE.json")
    if len(ids) > 1:
        raise Usage(
            f"the database holds {len(ids)} exercises ({', '.join(ids)}); "
            "pass --exercise ID to pick one"
        )
    return ids[0]


@functools.lru_cache(maxsize=8)
def _exercise_from_stored(digest: str, document_json: str) -> Exercise:
    import json

    from ..exercise import exercise_from_dict

    # The document was checked in full at init and is stored, never changed, under its SHA-256:
    # rebuilt without checking again while it still hashes to that digest (checked otherwise).
    intact = hashlib.sha256(document_json.encode("utf-8")).hexdigest() == digest
    return exercise_from_dict(json.loads(document_json), trusted=intact)


def _load_exercise(connection: Connection, exercise_id: str) -> Exercise:
    row = connection.execute(
        select(ExerciseRow.document, ExerciseRow.sha256).where(ExerciseRow.id == exercise_id)
    ).one()
    # Cached by content: the stored document never changes, and checking it again costs time.
    return _exercise_from_stored(row.sha256, audit.canonical_json(row.document))


def load_exercise(store: Store, exercise_id: str | None = None) -> Exercise:
    """The stored exercise, its criteria set as frozen at ``init``."""
    with store.reading() as connection:
        store._ready(connection)
        return _load_exercise(connection, _pick_exercise(connection, exercise_id))


# --------------------------------------------------------------------------------------------
# tenders


def _price_text(document: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The price as the exact decimal text the bidder wrote, and its currency."""
    price = document.get("price")
    if not price:
        return None, None
    amount = price["amount"]
    text = repr(amount) if isinstance(amount, float) else str(amount)
    return text, str(price.get("currency", "GBP"))


def add_tenders(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    exercise_id: str | None = None,
) -> Outcome:
    """``commission tenders add``: check and store submissions, all or nothing.

    A tender id already stored with an identical document is left as it is; with a different
    document the whole batch is refused (:class:`Refused`, one problem per tender).
    """
    from ..submissions import read_tenders

    with store.reading() as connection:
        store._ready(connection)
        exercise_id = _pick_exercise(connection, exercise_id)
        exercise = _load_exercise(connection, exercise_id)
    tenders = read_tenders([Path(p) for p in paths], exercise)
    digests = {t.id: audit.sha256_of(t.document) for t in tenders}

    with store.writing() as connection:
        stored: dict[str, str] = {}
        ids = list(digests)
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            stored.update(
                connection.execute(
                    select(TenderRow.id, TenderRow.sha256).where(
                        TenderRow.exercise_id == exercise_id, TenderRow.id.in_(chunk)
                    )
                ).all()
            )
        clashes = [t for t in tenders if t.id in stored and stored[t.id] != digests[t.id]]
        if clashes:
            raise Refused(
                f"{len(clashes)} tender{'s' if len(clashes) != 1 else ''} already stored with "
                "different contents; nothing was added",
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
        now = datetime.now(UTC)
        rows = []
        for tender in new:
            price, currency = _price_text(tender.document)
            rows.append(
                {
                    "exercise_id": exercise_id,
                    "id": tender.id,
                    "lot_id": tender.lot,
                    "bidder": tender.bidder,
                    "price": price,
                    "currency": currency,
                    "document": dict(tender.document),
                    "sha256": digests[tender.id],
                    "added_at": now,
                }
            )
        for start in range(0, len(rows), 1_000):
            connection.execute(insert(table_of(TenderRow)), rows[start : start + 1_000])
        audit.append(
            connection,
            exercise_id,
            (
                (
                    "tender-added",
                    {
                        "tender": t.id,
                        "lot": t.lot,
                        "bidder": t.bidder,
                        "sha256": digests[t.id],
                    },
                )
                for t in new
            ),
        )
    unchanged = len(tenders) - len(new)
    parts = [f"added {len(new)} tender{'s' if len(new) != 1 else ''}"]
    if unchanged:
        parts.append(f"{unchanged} already stored, unchanged")
    return Outcome(
        "tenders-add",
        exercise_id,
        bool(new),
        "; ".join(parts),
        {"added": [t.id for t in new], "unchanged": sorted(set(stored) & set(digests))},
    )


def _load_tenders(
    connection: Connection, exercise_id: str, *, documents: bool = False
) -> list[Tender]:
    columns: list[Any] = [TenderRow.id, TenderRow.lot_id, TenderRow.bidder, TenderRow.price]
    columns += [TenderRow.currency] + ([TenderRow.document] if documents else [])
    query = select(*columns).where(TenderRow.exercise_id == exercise_id).order_by(TenderRow.id)
    prices: dict[str, Any] = {}  # the same price text is read once (a Fraction from text is slow)
    tenders = []
    for row in connection.execute(query).all():
        tender_id, lot_id, bidder, price, currency, *document = tuple(row)
        if price is not None and price not in prices:
            prices[price] = exact(price)
        identifier, address = bidder_details(document[0]) if documents else (None, None)
        tenders.append(
            Tender(
                id=tender_id,
                lot=lot_id,
                bidder=bidder,
                price=prices[price] if price is not None else None,
                currency=currency,
                identifier=identifier,
                address=address,
                document=document[0] if documents else {},
            )
        )
    return tenders


def load_tenders(
    store: Store, exercise_id: str | None = None, *, documents: bool = False
) -> list[Tender]:
    """The stored tenders in id order; with ``documents``, each submission kept whole."""
    with store.reading() as connection:
        store._ready(connection)
        return _load_tenders(
            connection, _pick_exercise(connection, exercise_id), documents=documents
        )


def list_tenders(store: Store, exercise_id: str | None = None) -> list[dict[str, Any]]:
    """``commission tenders list``: one row per stored tender, with how many scores it has."""
    with store.reading() as connection:
        store._ready(connection)
        exercise_id = _pick_exercise(connection, exercise_id)
        counts = dict(
            connection.execute(
                select(ScoreRow.tender_id, func.count())
                .where(ScoreRow.exercise_id == exercise_id)
                .group_by(ScoreRow.tender_id)
            ).all()
        )
        query = (
            select(
                TenderRow.id,
                TenderRow.lot_id,
                TenderRow.bidder,
                TenderRow.price,
                TenderRow.currency,
                TenderRow.sha256,
            )
            .where(TenderRow.exercise_id == exercise_id)
            .order_by(TenderRow.lot_id, TenderRow.id)
        )
        return [
            {
                "tender": row.id,
                "lot": row.lot_id,
                "bidder": row.bidder,
                "price": row.price,
                "currency": row.currency,
                "scores": int(counts.get(row.id, 0)),
                "sha256": row.sha256,
            }
            for row in connection.execute(query)
        ]


# --------------------------------------------------------------------------------------------
# score sheets


def write_sheet(
    store: Store,
    evaluator_id: str,
    path: str | os.PathLike[str],
    exercise_id: str | None = None,
) -> int:
    """``commission sheet``: the blank wide sheet for one panel member; tenders listed."""
    from ..sheets import write_blank_sheet

    with store.reading() as connection:
        store._ready(connection)
        exercise_id = _pick_exercise(connection, exercise_id)
        exercise = _load_exercise(connection, exercise_id)
        tenders = _load_tenders(connection, exercise_id)
    return write_blank_sheet(path, exercise=exercise, tenders=tenders, evaluator_id=evaluator_id)


@dataclass(frozen=True)
class ImportOutcome:
    """What ``scores import`` did, or with ``dry_run`` would do."""

    exercise: str
    files: tuple[Mapping[str, Any], ...]
    rows: int
    added: int
    unchanged: int
    replaced: int
    dry_run: bool

    @property
    def changed(self) -> bool:
        return not self.dry_run and bool(self.added or self.replaced)

    @property
    def message(self) -> str:
        if not self.added and not self.replaced:
            sheets = "sheet" if len(self.files) == 1 else "sheets"
            return (
                f"nothing to import: all {self.rows} score{'s' if self.rows != 1 else ''} in "
                f"the {sheets} are already stored, unchanged"
            )
        verb = "would import" if self.dry_run else "imported"
        text = f"{verb} {self.added} new score{'s' if self.added != 1 else ''}"
        if self.replaced:
            text += f", {'would replace' if self.dry_run else 'replaced'} {self.replaced}"
        if self.unchanged:
            text += f", {self.unchanged} unchanged"
        text += f" from {len(self.files)} sheet{'s' if len(self.files) != 1 else ''}"
        if self.dry_run:
            text += " (dry run: nothing was written)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "rows": self.rows,
            "added": self.added,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "files": [dict(f) for f in self.files],
            "message": self.message,
        }


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_scores(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    evaluator: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    exercise_id: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """``commission scores import``: every row of every sheet, or none.

    Raises :class:`InvalidScores` listing every problem (from the sheets, and each stored score
    the sheets would overwrite without ``replace``). ``progress(stage, done, total)`` is called
    while rows are written.
    """
    from ..sheets import read_scores

    if not paths:
        raise Usage("name at least one score sheet to import")
    with store.reading() as connection:
        store._ready(connection)
        exercise_id = _pick_exercise(connection, exercise_id)
        exercise = _load_exercise(connection, exercise_id)
        tenders = _load_tenders(connection, exercise_id)
    names = [os.fspath(p) for p in paths]
    sha = {name: file_sha256(name) for name in names}
    frame = read_scores(
        names, exercise=exercise, tenders=tenders, evaluator=evaluator, encoding=encoding
    )
    frame = _normalised(frame)

    with store.writing() as connection:
        stored = _stored_scores(connection, exercise_id, sorted(set(frame["evaluator"])))
        status = _compare(frame, stored)
        if not replace:
            overwrites = frame[status == "changed"]
            if len(overwrites):
                raise InvalidScores(
                    f"{len(overwrites)} score{'s' if len(overwrites) != 1 else ''} would "
                    "overwrite stored scores; nothing was imported (pass --replace to replace "
                    "them)",
                    _overwrite_problems(overwrites, stored),
                )
        files = tuple(
            {
                "file": name,
                "sha256": sha[name],
                "rows": int((frame["file"] == name).sum()),
                "added": int(((frame["file"] == name) & (status == "new")).sum()),
                "unchanged": int(((frame["file"] == name) & (status == "same")).sum()),
                "replaced": int(((frame["file"] == name) & (status == "changed")).sum()),
            }
            for name in names
        )
        outcome = ImportOutcome(
            exercise=exercise_id,
            files=files,
            rows=len(frame),
            added=int((status == "new").sum()),
            unchanged=int((status == "same").sum()),
            replaced=int((status == "changed").sum()),
            dry_run=dry_run,
        )
        if dry_run or not (outcome.added or outcome.replaced):
            return outcome
        _insert_scores(connection, exercise_id, frame[status == "new"], sha, progress)
        replaced = frame[status == "changed"]
        events: list[tuple[str, Mapping[str, Any]]] = [
            ("sheet-imported", {**f, "evaluator": evaluator}) for f in files
        ]
        if len(replaced):
            events += _replace_scores(connection, exercise_id, replaced, stored, sha)
        audit.append(connection, exercise_id, events)
    return outcome


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain Python-friendly columns: None for no comment, text ids, int64 scores."""
    comment = frame["comment"].astype(object)
    return frame.assign(
        evaluator=frame["evaluator"].astype(str),
        tender=frame["tender"].astype(str),
        criterion=frame["criterion"].astype(str),
        score=frame["score"].astype("int64"),
        comment=comment.where(comment.notna(), None),
    ).reset_index(drop=True)


_KEY = ["evaluator", "tender", "criterion"]


def _stored_scores(
    connection: Connection, exercise_id: str, evaluators: Sequence[str]
) -> pd.DataFrame:
    """Stored scores of the evaluators a sheet names: only those can clash with it."""
    import pandas as pd

    table = table_of(ScoreRow).c
    columns = [
        table.evaluator_id.label("evaluator"),
        table.tender_id.label("tender"),
        table.criterion_id.label("criterion"),
        table.score.label("stored_score"),
        table.comment.label("stored_comment"),
        table.source_file.label("stored_file"),
        table.source_row.label("stored_row"),
    ]
    parts = []
    for start in range(0, len(evaluators), IN_CHUNK):
        chunk = list(evaluators[start : start + IN_CHUNK])
        result = connection.execute(
            select(*columns).where(table.exercise_id == exercise_id, table.evaluator_id.in_(chunk))
        )
        parts.append(pd.DataFrame(result.all(), columns=list(result.keys())))
    names = [c.name for c in columns]
    stored = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=names)
    if stored.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
    return stored.astype({"evaluator": str, "tender": str, "criterion": str}).assign(
        stored_comment=stored["stored_comment"]
        .astype(object)
        .where(stored["stored_comment"].notna(), None)
    )


def _compare(frame: pd.DataFrame, stored: pd.DataFrame) -> pd.Series:
    """Per sheet row: ``new`` (not stored), ``same`` (stored identically) or ``changed``."""
    import numpy as np
    import pandas as pd

    if stored.empty or frame.empty:
        return pd.Series("new", index=frame.index, dtype=object)
    merged = frame[_KEY + ["score", "comment"]].merge(stored, on=_KEY, how="left", sort=False)
    merged.index = frame.index
    present = merged["stored_score"].notna()
    same_score = merged["score"] == pd.to_numeric(merged["stored_score"]).fillna(-1)
    mine = merged["comment"].fillna("").astype(str)
    theirs = merged["stored_comment"].fillna("").astype(str)
    same = present & same_score & (mine == theirs)
    return pd.Series(
        np.where(~present, "new", np.where(same, "same", "changed")), index=frame.index
    )


def _lookup(stored: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    merged = rows.merge(stored, on=_KEY, how="left", sort=False)
    merged.index = rows.index
    return merged


def _overwrite_problems(overwrites: pd.DataFrame, stored: pd.DataFrame) -> list[Problem]:
    merged = _lookup(stored, overwrites).sort_values(["file", "row", "column"])
    problems = []
    for row in merged.head(MAX_PROBLEMS).itertuples(index=False):
        old, new = int(row.stored_score), int(row.score)
        if old != new:
            message = (
                f"would overwrite the stored score {old} of {row.evaluator} for tender "
                f"{row.tender}, {row.criterion} with {new}"
            )
        else:
            message = (
                f"would replace the stored comment of {row.evaluator} for tender "
                f"{row.tender}, {row.criterion}"
            )
        message += f" (stored from {row.stored_file} row {int(row.stored_row)})"
        problems.append(
            Problem(
                type="overwrite",
                message=message,
                file=row.file,
                row=int(row.row),
                column=row.column,
                value=new,
                fix="pass --replace to replace stored scores (the audit trail keeps the old one)",
            )
        )
    more = len(overwrites) - len(problems)
    if more > 0:
        problems.append(
            Problem(
                "too-many-errors",
                f"{more} more overwrite{'s' if more != 1 else ''} not listed",
                value=more,
            )
        )
    return problems


def _positional_insert(connection: Connection, columns: Sequence[str]) -> str:
    """``INSERT INTO scores (...) VALUES (?, ...)`` in the driver's own positional style."""
    quote = connection.dialect.identifier_preparer.quote
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return (
        f"INSERT INTO {quote(ScoreRow.__tablename__)} "
        f"({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )


def _insert_chunk(connection: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """One executemany of score tuples (a seam for tests that inject failures)."""
    connection.exec_driver_sql(sql, rows)


def _insert_scores(
    connection: Connection,
    exercise_id: str,
    rows: pd.DataFrame,
    sha: Mapping[str, str],
    progress: Progress | None,
) -> None:
    """Bulk insert as plain tuples, chunked: no ORM objects and no query per row."""
    total = len(rows)
    if not total:
        return
    sql = _positional_insert(connection, _SCORE_COLUMNS)
    files = rows["file"].astype(str)
    tuples = zip(
        itertools.repeat(exercise_id, total),
        rows["evaluator"].tolist(),
        rows["tender"].tolist(),
        rows["criterion"].tolist(),
        rows["score"].tolist(),
        rows["comment"].tolist(),
        files.tolist(),
        rows["row"].astype("int64").tolist(),
        rows["column"].astype(object).where(rows["column"].notna(), None).tolist(),
        files.map(sha).tolist(),
        strict=True,
    )
    done = 0
    while chunk := list(itertools.islice(tuples, CHUNK_ROWS)):
        _insert_chunk(connection, sql, chunk)
        done += len(chunk)
        if progress is not None:
            progress("writing", done, total)


def _replace_scores(
    connection: Connection,
    exercise_id: str,
    replaced: pd.DataFrame,
    stored: pd.DataFrame,
    sha: Mapping[str, str],
) -> list[tuple[str, Mapping[str, Any]]]:
    """Overwrite stored scores; one audit event per score with its old and new value."""
    table = table_of(ScoreRow)
    statement = (
        update(table)
        .where(
            table.c.exercise_id == bindparam("k_exercise"),
            table.c.evaluator_id == bindparam("k_evaluator"),
            table.c.tender_id == bindparam("k_tender"),
            table.c.criterion_id == bindparam("k_criterion"),
        )
        .values(
            score=bindparam("v_score"),
            comment=bindparam("v_comment"),
            source_file=bindparam("v_file"),
            source_row=bindparam("v_row"),
            source_column=bindparam("v_column"),
            source_sha256=bindparam("v_sha256"),
        )
    )
    merged = _lookup(stored, replaced)
    params = []
    events: list[tuple[str, Mapping[str, Any]]] = []
    for row in merged.itertuples(index=False):
        column = None if row.column is None else str(row.column)
        params.append(
            {
                "k_exercise": exercise_id,
                "k_evaluator": row.evaluator,
                "k_tender": row.tender,
                "k_criterion": row.criterion,
                "v_score": int(row.score),
                "v_comment": row.comment,
                "v_file": str(row.file),
                "v_row": int(row.row),
                "v_column": column,
                "v_sha256": sha[str(row.file)],
            }
        )
        events.append(
            (
                "score-replaced",
                {
                    "evaluator": row.evaluator,
                    "tender": row.tender,
                    "criterion": row.criterion,
                    "old": {
                        "score": int(row.stored_score),
                        "comment": row.stored_comment,
                        "file": row.stored_file,
                        "row": int(row.stored_row),
                    },
                    "new": {
                        "score": int(row.score),
                        "comment": row.comment,
                        "file": str(row.file),
                        "row": int(row.row),
                        "column": column,
                    },
                },
            )
        )
    for start in range(0, len(params), CHUNK_ROWS):
        connection.execute(statement, params[start : start + CHUNK_ROWS])
    return events


# --------------------------------------------------------------------------------------------
# results


def _tallies(connection: Connection, exercise_id: str) -> pd.DataFrame:
    """Exact integer SUM and COUNT per tender, criterion and panel, grouped in SQL.

    One row per (tender, criterion, panel) that has scores: columns ``tender, criterion, panel,
    total, count`` (int64), what :func:`commission.scoring.score_tallies` takes. The query groups
    by tender and criterion only, in the order of ``ix_scores_tally``, so it is one ordered scan
    of that index with no sort; each panel's sum and count come from membership of the
    evaluator in that panel (a list built once per query), not from a join per score.
    """
    import pandas as pd

    from ..model import PANELS

    s, e = table_of(ScoreRow).c, table_of(EvaluatorRow).c
    columns: list[Any] = [s.tender_id, s.criterion_id]
    for panel in PANELS:
        member = s.evaluator_id.in_(
            select(e.id).where(e.exercise_id == exercise_id, e.panel == panel)
        )
        columns += [func.sum(case((member, s.score), else_=0)), func.count(case((member, 1)))]
    query = (
        select(*columns).where(s.exercise_id == exercise_id).group_by(s.tender_id, s.criterion_id)
    )
    names = ["tender", "criterion"] + [f"{k}_{p}" for p in PANELS for k in ("total", "count")]
    wide = _frame(connection.execute(query), names)
    parts = [
        pd.DataFrame(
            {
                "tender": wide["tender"],
                "criterion": wide["criterion"],
                "panel": panel,
                "total": wide[f"total_{panel}"].astype("int64"),
                "count": wide[f"count_{panel}"].astype("int64"),
            }
        )
        for panel in PANELS
    ]
    tallies = pd.concat(parts, ignore_index=True)
    return tallies[tallies["count"] > 0].reset_index(drop=True)


def _frame(result: Iterable[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame of query rows, made from plain tuples (pandas is slow on Row objects)."""
    import pandas as pd

    return pd.DataFrame(list(map(tuple, result)), columns=list(columns))


def _comments(connection: Connection, exercise: Exercise) -> tuple[Comment, ...]:
    """The scores' comments, as :func:`commission.scoring.score` gives them from a score frame.

    Only rows with a comment are read (the partial index ``ix_scores_commented``). The rules are
    those of ``scoring._comments``: text trimmed, blank comments left out, ordered by tender,
    criterion (in the criteria set's order), panel and evaluator.
    """
    from ..scoring import Comment

    s = table_of(ScoreRow).c
    result = connection.execute(
        select(s.tender_id, s.criterion_id, s.evaluator_id, s.score, s.comment).where(
            s.exercise_id == exercise.id, s.comment.is_not(None), s.comment != ""
        )
    )
    panel_of = exercise.panel_of()
    order = {c: i for i, c in enumerate(exercise.criteria.ids)}
    keyed = []
    for tender, criterion, evaluator, score, comment in result.all():
        text = comment.strip()
        if text:
            panel = panel_of.get(evaluator, "")
            # (tender, criterion, evaluator) is unique, so the sort never reaches past it.
            keyed.append(
                (tender, order.get(criterion, 99), panel, evaluator, criterion, int(score), text)
            )
    keyed.sort()
    return tuple(
        Comment(tender, criterion, evaluator, panel, score, text)
        for tender, _, panel, evaluator, criterion, score, text in keyed
    )


def load_for_scoring(
    store: Store, exercise_id: str | None = None
) -> tuple[Exercise, list[Tender], pd.DataFrame, tuple[Comment, ...]]:
    """Everything :func:`commission.scoring.score_tallies` needs, read in one snapshot."""
    from ..scoring import no_gc_pauses

    with store.reading() as connection, no_gc_pauses():
        store._ready(connection)
        exercise_id = _pick_exercise(connection, exercise_id)
        exercise = _load_exercise(connection, exercise_id)
        return (
            exercise,
            _load_tenders(connection, exercise_id),
            _tallies(connection, exercise_id),
            _comments(connection, exercise),
        )


def results(store: Store, exercise_id: str | None = None) -> Results:
    """``commission results``: the same scoring engine as ``commission score``, from the store."""
    from ..scoring import score_tallies

    exercise, tenders, tallies, comments = load_for_scoring(store, exercise_id)
    return score_tallies(exercise, tenders, tallies, comments)


def score_frame(store: Store, exercise_id: str | None = None) -> pd.DataFrame:
    """Every stored score as the score frame of ARCHITECTURE.md (for exports and checks)."""
    s = table_of(ScoreRow).c
    with store.reading() as connection:
        store._ready(connection)
        exercise_id = _pick_exercise(connection, exercise_id)
        result = connection.execute(
            select(
                s.evaluator_id.label("evaluator"),
                s.tender_id.label("tender"),
                s.criterion_id.label("criterion"),
                s.score,
                s.comment,
                s.source_file.label("file"),
                s.source_row.label("row"),
                s.source_column.label("column"),
            )
            .where(s.exercise_id == exercise_id)
            .order_by(s.evaluator_id, s.tender_id, s.criterion_id)
        )
        frame = _frame(result.all(), list(result.keys()))
    return frame.astype({"score": "int64", "row": "int64"}) if len(frame) else frame


# --------------------------------------------------------------------------------------------
# decisions and the audit trail


def record_decision(
    store: Store,
    exercise_id: str | None,
    lot: str,
    digest: str,
    provisional: bool,
    files: Iterable[str | os.PathLike[str]],
) -> dict[str, Any]:
    """Record that a decision was issued for a lot, with its digest, in the audit trail."""
    names = [os.fspath(f) for f in files]
    with store.writing() as connection:
        store._ready(connection)
        exercise_id = _pick_exercise(connection, exercise_id)
        known = connection.execute(
            select(LotRow.id).where(LotRow.exercise_id == exercise_id, LotRow.id == lot)
        ).scalar_one_or_none()
        if known is None:
            raise NotFound(
                f"no lot '{lot}' in exercise {exercise_id}",
                [Problem("unknown-lot", "unknown lot", value=lot)],
            )
        issued = datetime.now(UTC)
        connection.execute(
            insert(table_of(DecisionRow)),
            [
                {
                    "exercise_id": exercise_id,
                    "lot_id": lot,
                    "digest": digest,
                    "provisional": provisional,
                    "files": names,
                    "issued_at": issued,
                }
            ],
        )
        details = {"lot": lot, "digest": digest, "provisional": provisional, "files": names}
        audit.append(connection, exercise_id, [("decision-issued", details)])
    return {"exercise": exercise_id, **details, "issued_at": issued.isoformat()}


def decisions(
    store: Store, exercise_id: str | None = None, *, digest: str | None = None
) -> list[dict[str, Any]]:
    """Decisions issued, oldest first; with ``digest``, only those carrying it."""
    with store.reading() as connection:
        store._ready(connection)
        query = select(table_of(DecisionRow)).order_by(DecisionRow.id)
        if exercise_id is not None or digest is None:
            query = query.where(DecisionRow.exercise_id == _pick_exercise(connection, exercise_id))
        if digest is not None:
            query = query.where(DecisionRow.digest == digest)
        return [
            {
                "exercise": row.exercise_id,
                "lot": row.lot_id,
                "digest": row.digest,
                "provisional": bool(row.provisional),
                "files": list(row.files),
                "issued_at": row.issued_at.isoformat(),
            }
            for row in connection.execute(query)
        ]


def audit_entries(store: Store, exercise_id: str | None = None) -> list[dict[str, Any]]:
    """The audit trail in order; with ``exercise_id``, that exercise's entries only."""
    with store.reading() as connection:
        store._ready(connection)
        if exercise_id is not None:
            _pick_exercise(connection, exercise_id)
        return audit.entries(connection, exercise_id)


def verify_audit(store: Store) -> audit.AuditCheck:
    """Recompute the whole hash chain; the result names the first entry that does not match."""
    with store.reading() as connection:
        store._ready(connection)
        return audit.verify(connection)


def table_names(store: Store) -> list[str]:
    with store.reading() as connection:
        return sorted(inspect(connection).get_table_names())
