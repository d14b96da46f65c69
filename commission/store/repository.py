"""Typed reads and writes of the exercise store: records and score frames in, records out.

The repository only stores. It opens no files, writes no English for people and names no
command-line flag; the use cases in :mod:`commission.app` decide what a read or write means.
Every method runs inside the transaction its :class:`~commission.store.Store` opened, so a use
case that reads and writes through one repository does so atomically.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, case, func, insert, select, update

from ..errors import NotFound, Problem, Refused, Usage
from ..records import PANELS, Exercise, Tender, bidder_details, exact
from . import audit, schema
from .bulk import bulk_statement
from .keys import Keys, Sheets, decode_rows, next_numbers, numbered
from .models import (
    SCORE_TABLE_COLUMNS,
    ConflictRow,
    CriterionRow,
    DecisionRow,
    EvaluatorRow,
    ExerciseRow,
    LotRow,
    ScoreRow,
    TenderRow,
    table_of,
)
from .rounds import _NUMBERS, RoundReads

if TYPE_CHECKING:
    import pandas as pd

    from .current import ScoreCodes

#: Score rows written per executemany call. Small enough to report progress, big enough to be fast.
CHUNK_ROWS = 50_000
#: Values per ``IN (...)`` list, well under SQLite's and PostgreSQL's parameter limits.
IN_CHUNK = 500

Progress = Callable[[str, int, int], None]


class Repository(RoundReads):
    """Reads and writes of one transaction. ``display_url`` names the database in errors."""

    def __init__(self, connection: Connection, display_url: str) -> None:
        self.connection = connection
        self.display_url = display_url
        self._keys: dict[str, Keys] = {}
        self._sheets: dict[str, Sheets] = {}

    def keys(self, exercise_id: str) -> Keys:
        """The numbers of this exercise's evaluators, tenders and criteria (read once)."""
        if exercise_id not in self._keys:
            self._keys[exercise_id] = Keys(self.connection, exercise_id)
        return self._keys[exercise_id]

    def sheets(self, exercise_id: str) -> Sheets:
        if exercise_id not in self._sheets:
            self._sheets[exercise_id] = Sheets(self.connection, exercise_id)
        return self._sheets[exercise_id]

    # -- schema -----------------------------------------------------------------------------

    def revision(self) -> str | None:
        return schema.current_revision(self.connection)

    def upgrade(self) -> str:
        return schema.upgrade(self.connection)

    def ready(self, *, integrity: bool = True) -> None:
        """Refuse a damaged database (unless ``integrity`` is False: the caller checks it beside
        its reads, :meth:`integrity_checked_beside`), one with no schema, or one at another
        revision than this code's."""
        from .failures import check_integrity

        if integrity:
            check_integrity(self.connection, self.display_url)
        current = schema.current_revision(self.connection)
        if current is None:
            raise NotFound(
                f"the database {self.display_url} holds no exercise yet",
                [Problem("no-exercise", "the database holds no exercise yet")],
            )
        if current != schema.head_revision():
            raise Refused(
                f"the database {self.display_url} is at schema revision {current}, this version "
                f"of commission needs {schema.head_revision()}",
                [
                    Problem(
                        "old-schema",
                        f"schema revision {current}, needs {schema.head_revision()}",
                        value=current,
                    )
                ],
            )

    # -- exercises --------------------------------------------------------------------------

    def exercise_ids(self) -> list[str]:
        return list(
            self.connection.execute(select(ExerciseRow.id).order_by(ExerciseRow.id)).scalars()
        )

    def pick(self, exercise_id: str | None) -> str:
        """The exercise a command means: the one named, or the only one stored."""
        self.ready()
        ids = self.exercise_ids()
        if exercise_id is not None:
            if exercise_id not in ids:
                listing = ", ".join(ids) if ids else "none"
                raise NotFound(
                    f"no exercise '{exercise_id}' in the database {self.display_url} "
                    f"(stored: {listing})",
                    [Problem("unknown-exercise", "unknown exercise", value=exercise_id)],
                )
            return exercise_id
        if not ids:
            raise NotFound(
                f"the database {self.display_url} holds no exercise yet",
                [Problem("no-exercise", "the database holds no exercise yet")],
            )
        if len(ids) > 1:
            raise Usage(
                f"the database {self.display_url} holds {len(ids)} exercises ({', '.join(ids)})",
                [Problem("several-exercises", "several exercises stored", value=", ".join(ids))],
            )
        return ids[0]

    def exercise_digest(self, exercise_id: str) -> str | None:
        return self.connection.execute(
            select(ExerciseRow.sha256).where(ExerciseRow.id == exercise_id)
        ).scalar_one_or_none()

    def exercise(self, exercise_id: str) -> Exercise:
        row = self.connection.execute(
            select(ExerciseRow.document, ExerciseRow.sha256).where(ExerciseRow.id == exercise_id)
        ).one()
        # Cached by content: the stored document never changes, and checking it again costs time.
        return _exercise_from_stored(row.sha256, audit.canonical_json(row.document))

    def insert_exercise(self, exercise: Exercise, digest: str) -> None:
        connection = self.connection
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
            [
                {"exercise_id": exercise.id, "id": lot.id, "title": lot.title}
                for lot in exercise.lots
            ],
        )
        connection.execute(
            insert(table_of(EvaluatorRow)),
            [
                {
                    "exercise_id": exercise.id,
                    "id": e.id,
                    "name": e.name,
                    "panel": e.panel,
                    "number": number,
                }
                for number, e in numbered(exercise.evaluators)
            ],
        )
        connection.execute(
            insert(table_of(CriterionRow)),
            [
                {"exercise_id": exercise.id, "number": number, "id": criterion_id}
                for number, criterion_id in numbered(exercise.criteria.ids)
            ],
        )
        self._keys.pop(exercise.id, None)
        conflicts = [
            {"exercise_id": exercise.id, "evaluator_id": e.id, "tender_id": t}
            for e in exercise.evaluators
            for t in sorted(e.conflicts)
        ]
        if conflicts:
            connection.execute(insert(table_of(ConflictRow)), conflicts)

    def has_lot(self, exercise_id: str, lot: str) -> bool:
        return (
            self.connection.execute(
                select(LotRow.id).where(LotRow.exercise_id == exercise_id, LotRow.id == lot)
            ).scalar_one_or_none()
            is not None
        )

    # -- tenders ----------------------------------------------------------------------------

    def tender_digests(self, exercise_id: str, ids: Sequence[str]) -> dict[str, str]:
        """The SHA-256 of each of these tenders that is stored."""
        stored: dict[str, str] = {}
        for start in range(0, len(ids), IN_CHUNK):
            chunk = list(ids[start : start + IN_CHUNK])
            stored.update(
                self.connection.execute(
                    select(TenderRow.id, TenderRow.sha256).where(
                        TenderRow.exercise_id == exercise_id, TenderRow.id.in_(chunk)
                    )
                ).all()
            )
        return stored

    def insert_tenders(
        self, exercise_id: str, tenders: Sequence[Tender], digests: Mapping[str, str]
    ) -> None:
        from .bulk import insert_tenders

        numbers = next_numbers(self.connection, TenderRow, exercise_id, len(tenders))
        insert_tenders(self.connection, exercise_id, tenders, digests, numbers)
        self._keys.pop(exercise_id, None)

    def tenders(self, exercise_id: str, *, documents: bool = False) -> list[Tender]:
        """The stored tenders in id order; with ``documents``, each submission kept whole."""
        columns: list[Any] = [TenderRow.id, TenderRow.lot_id, TenderRow.bidder, TenderRow.price]
        columns += [TenderRow.currency] + ([TenderRow.document] if documents else [])
        query = select(*columns).where(TenderRow.exercise_id == exercise_id).order_by(TenderRow.id)
        # the same price text is read once (a Fraction from text is slow)
        prices: dict[str, Any] = {}
        tenders = []
        for row in self.connection.execute(query).all():
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

    def tender_listing(self, exercise_id: str) -> list[dict[str, Any]]:
        """One row per stored tender in lot and id order, with how many scores it has."""
        counts = dict(
            self.connection.execute(
                select(ScoreRow.tender_no, func.count())
                .where(ScoreRow.exercise_id == exercise_id)
                .group_by(ScoreRow.tender_no)
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
                TenderRow.number,
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
                "scores": int(counts.get(row.number, 0)),
                "sha256": row.sha256,
            }
            for row in self.connection.execute(query)
        ]

    # -- scores -----------------------------------------------------------------------------

    def stored_scores(self, exercise_id: str, evaluators: Sequence[str]) -> pd.DataFrame:
        """Stored scores of these evaluators: columns evaluator, tender, criterion and
        ``stored_score, stored_comment, stored_file, stored_row``."""
        import pandas as pd

        s = table_of(ScoreRow).c
        names = [
            "evaluator",
            "tender",
            "criterion",
            "stored_score",
            "stored_comment",
            "stored_file",
            "stored_row",
        ]
        numbers = self.keys(exercise_id).known_numbers("evaluator", evaluators)
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(numbers), IN_CHUNK):
            chunk = numbers[start : start + IN_CHUNK]
            query = select(
                s.evaluator_no,
                s.tender_no,
                s.criterion_no,
                s.score,
                s.comment,
                s.sheet_id,
                s.sheet_row,
            ).where(s.exercise_id == exercise_id, s.evaluator_no.in_(chunk))
            rows += map(tuple, self.connection.execute(query))
        if not rows:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
        frame = pd.DataFrame(rows, columns=[*_NUMBERS, "score", "comment", "sheet_id", "row"])
        frame = self.keys(exercise_id).decode(frame)
        file, _, _ = self.sheets(exercise_id).decode(frame["sheet_id"], [None] * len(frame))
        comment = frame["comment"].astype(object)
        return pd.DataFrame(
            {
                "evaluator": frame["evaluator"].astype(str),
                "tender": frame["tender"].astype(str),
                "criterion": frame["criterion"].astype(str),
                "stored_score": frame["score"],
                "stored_comment": comment.where(comment.notna(), None),
                "stored_file": file,
                "stored_row": frame["row"],
            }
        )

    def insert_scores(
        self,
        exercise_id: str,
        rows: pd.DataFrame,
        sha: Mapping[str, str],
        progress: Progress | None = None,
    ) -> None:
        """Bulk insert of score-frame rows as plain tuples in primary-key order, chunked: no
        ORM objects (``COPY`` on PostgreSQL, ``executemany`` on SQLite)."""
        from .bulk import score_tuples

        total = len(rows)
        if not total:
            return
        tuples = score_tuples(
            self.keys(exercise_id), self.sheets(exercise_id), rows, sha, "independent"
        )
        sql = bulk_statement(self.connection, ScoreRow.__tablename__, SCORE_TABLE_COLUMNS)
        done = 0
        for start in range(0, total, CHUNK_ROWS):
            chunk = tuples[start : start + CHUNK_ROWS]
            insert_chunk(self.connection, sql, chunk)
            done += len(chunk)
            if progress is not None:
                progress("writing", done, total)

    def replace_scores(self, exercise_id: str, rows: pd.DataFrame, sha: Mapping[str, str]) -> None:
        """Overwrite the stored scores these score-frame rows name."""
        from .bulk import score_tuples

        table = table_of(ScoreRow)
        statement = (
            update(table)
            .where(
                table.c.exercise_id == bindparam("k_exercise"),
                table.c.tender_no == bindparam("k_tender"),
                table.c.criterion_no == bindparam("k_criterion"),
                table.c.evaluator_no == bindparam("k_evaluator"),
            )
            .values(
                score=bindparam("v_score"),
                comment=bindparam("v_comment"),
                sheet_id=bindparam("v_sheet"),
                sheet_row=bindparam("v_row"),
                sheet_column=bindparam("v_column"),
            )
        )
        names = ["k_exercise", "k_tender", "k_criterion", "k_evaluator"]
        names += ["v_score", "v_comment", "v_sheet", "v_row", "v_column"]
        tuples = score_tuples(
            self.keys(exercise_id), self.sheets(exercise_id), rows, sha, "independent"
        )
        params = [dict(zip(names, row, strict=True)) for row in tuples]
        for start in range(0, len(params), CHUNK_ROWS):
            self.connection.execute(statement, params[start : start + CHUNK_ROWS])

    def tallies(self, exercise_id: str) -> pd.DataFrame:
        """Exact integer SUM and COUNT per tender, criterion and panel, grouped in SQL.

        The store's only tally: one row per (tender, criterion, panel) that has scores, columns
        ``tender, criterion, panel, total, count`` (int64), what
        :func:`commission.scoring.score_tallies` takes. ``tests/test_one_tally.py`` proves it
        equal to :func:`commission.scoring.tally` of the same rows on SQLite and PostgreSQL.
        The query groups by tender and criterion number, the scores table's primary-key order
        (one ordered scan, no sort); each panel's sum and count come from the evaluator's
        membership of that panel. Numbers become text ids once per group, not per row.
        """
        import pandas as pd

        if self.has_round_rows(exercise_id):  # each evaluator's latest round counts
            found = self.round_tallies(exercise_id).drop(columns="abstained")
            return found[found["count"] > 0].reset_index(drop=True)
        s, e = table_of(ScoreRow).c, table_of(EvaluatorRow).c
        columns: list[Any] = [s.tender_no, s.criterion_no]
        for panel in PANELS:
            member = s.evaluator_no.in_(
                select(e.number).where(e.exercise_id == exercise_id, e.panel == panel)
            )
            columns += [func.sum(case((member, s.score), else_=0)), func.count(case((member, 1)))]
        query = (
            select(*columns)
            .where(s.exercise_id == exercise_id)
            .group_by(s.tender_no, s.criterion_no)
        )
        names = ["tender_no", "criterion_no"]
        names += [f"{k}_{p}" for p in PANELS for k in ("total", "count")]
        wide = self.keys(exercise_id).decode(_frame(self.connection.execute(query), names))
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

    def commented_scores(self, exercise_id: str) -> pd.DataFrame:
        """The score-frame rows that carry a comment: evaluator, tender, criterion, score,
        comment."""
        if self.has_round_rows(exercise_id):
            return self.round_commented(exercise_id).reset_index(drop=True)
        s = table_of(ScoreRow).c
        query = select(s.evaluator_no, s.tender_no, s.criterion_no, s.score, s.comment).where(
            s.exercise_id == exercise_id, s.comment.is_not(None), s.comment != ""
        )
        frame = _frame(self.connection.execute(query), [*_NUMBERS, "score", "comment"])
        return self.keys(exercise_id).decode(frame)

    def score_frame(self, exercise_id: str) -> pd.DataFrame:
        """Every stored score as the score frame of ARCHITECTURE.md, in key order (each
        evaluator's latest round; abstentions are not scores)."""
        if self.has_round_rows(exercise_id):
            return self.round_score_frame(exercise_id).drop(columns=["round", "reason"])
        s = table_of(ScoreRow).c
        query = select(
            s.evaluator_no,
            s.tender_no,
            s.criterion_no,
            s.score,
            s.comment,
            s.sheet_id,
            s.sheet_row,
            s.sheet_column,
        ).where(s.exercise_id == exercise_id)
        names = [*_NUMBERS, "score", "comment", "sheet_id", "sheet_row", "sheet_column"]
        frame = _frame(self.connection.execute(query), names)
        frame = decode_rows(frame, self.keys(exercise_id), self.sheets(exercise_id))
        frame = frame.sort_values(["evaluator", "tender", "criterion"]).reset_index(drop=True)
        return frame.astype({"score": "int64", "row": "int64"}) if len(frame) else frame

    # -- decisions and the audit trail ------------------------------------------------------

    def insert_decision(
        self,
        exercise_id: str,
        lot: str,
        digest: str,
        provisional: bool,
        files: Sequence[str],
        issued_at: datetime,
    ) -> None:
        self.connection.execute(
            insert(table_of(DecisionRow)),
            [
                {
                    "exercise_id": exercise_id,
                    "lot_id": lot,
                    "digest": digest,
                    "provisional": provisional,
                    "files": list(files),
                    "issued_at": issued_at,
                }
            ],
        )

    def append_audit(
        self,
        exercise_id: str | None,
        events: Iterable[tuple[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any], str]],
    ) -> None:
        audit.append(self.connection, exercise_id, events)

    def audit_entries(self, exercise_id: str | None = None) -> list[dict[str, Any]]:
        return audit.entries(self.connection, exercise_id)

    def verify_audit(self, keep: list[dict[str, Any]] | None = None) -> audit.AuditCheck:
        return audit.verify(self.connection, keep)

    def audit_head(self) -> str:
        last = audit.head(self.connection)
        return last[1] if last else ""

    def audit_last(self) -> tuple[int, str] | None:
        return audit.head(self.connection)

    def audit_seq_of(self, digest: str) -> int | None:
        return audit.seq_of(self.connection, digest)

    def audit_payload(self, seq: int) -> tuple[str, str] | None:
        return audit.payload(self.connection, seq)

    def audit_payload_seqs(self) -> set[int]:
        return audit.payload_seqs(self.connection)

    def integrity_checked_beside(self) -> contextlib.AbstractContextManager[None]:
        """The damaged-file check, run beside the reads made inside this context."""
        from .failures import integrity_checked_beside

        return integrity_checked_beside(self.connection, self.display_url)

    def score_codes(self) -> Callable[[], ScoreCodes | None]:
        """The stored score rows as numbers, when called: :func:`.current.score_codes_beside`."""
        from . import current

        return current.score_codes_beside(self.connection)

    def ledger_rows(self, *, scores: bool = True) -> dict[str, Any]:
        """Every row the audit trail accounts for, as stored now (the score rows None unless
        ``scores``): :func:`.current.ledger_rows`."""
        from . import current

        return current.ledger_rows(self.connection, with_scores=scores)

    def ledger_scores(self) -> pd.DataFrame:
        """The stored independent score rows as :func:`ledger_rows` gives them."""
        from . import current

        return current.scores(self.connection)


@functools.lru_cache(maxsize=8)
def _exercise_from_stored(digest: str, document_json: str) -> Exercise:
    from .. import exactjson
    from ..inputs.exercise import exercise_from_dict

    # The document was checked in full at init and is stored, never changed, under its SHA-256:
    # rebuilt without checking again while it still hashes to that digest (checked otherwise).
    intact = hashlib.sha256(document_json.encode("utf-8")).hexdigest() == digest
    return exercise_from_dict(exactjson.loads(document_json), trusted=intact)


def _price_text(document: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The price as the exact decimal text the bidder wrote, and its currency."""
    price = document.get("price")
    if not price:
        return None, None
    amount = price["amount"]
    text = repr(amount) if isinstance(amount, float) else str(amount)
    return text, str(price.get("currency", "GBP"))


def insert_chunk(connection: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """One batch of score tuples: ``COPY`` on PostgreSQL, ``executemany`` on SQLite (a seam for
    tests that inject failures)."""
    from .bulk import write_rows

    write_rows(connection, sql, rows)


def _frame(result: Iterable[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame of query rows, made from plain tuples (pandas is slow on Row objects)."""
    import pandas as pd

    return pd.DataFrame(list(map(tuple, result)), columns=list(columns))
