"""Reads of every stored row the audit trail accounts for, as they are now.

What ``commission audit --verify`` compares with the replayed trail (:mod:`commission.app.ledger`):
the exercises with their lots, evaluators and conflicts, the tenders, the scores and the
decisions, and the moderation stage's rows: round scores (moderated scores and abstentions),
frozen lots and moderation notes. Plain rows, read fast: the score rows come through the
driver's own cursor as tuples. The ledger reads stored rows only through these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from .models import (
    ConflictRow,
    DecisionRow,
    EvaluatorRow,
    ExerciseRow,
    FrozenLotRow,
    LotRow,
    ModerationNoteRow,
    TenderRow,
)
from .repository import _price_text

if TYPE_CHECKING:
    import pandas as pd

#: The score columns compared, in the order of :func:`scores`.
SCORE_COLUMNS = (
    "exercise",
    "evaluator",
    "tender",
    "criterion",
    "score",
    "comment",
    "file",
    "row",
    "column",
    "sha256",
)
#: The round score columns compared, in the order of :func:`round_scores`.
ROUND_COLUMNS = (
    "exercise",
    "evaluator",
    "tender",
    "criterion",
    "round",
    "score",
    "comment",
    "reason",
    "file",
    "row",
    "column",
    "sha256",
)


def exercises(connection: Connection) -> list[dict[str, Any]]:
    query = select(ExerciseRow.id, ExerciseRow.title, ExerciseRow.document, ExerciseRow.sha256)
    return [dict(row._mapping) for row in connection.execute(query.order_by(ExerciseRow.id))]


def lots(connection: Connection) -> set[tuple[str, str, str]]:
    query = select(LotRow.exercise_id, LotRow.id, LotRow.title)
    return {tuple(row) for row in connection.execute(query)}  # type: ignore[misc]


def evaluators(connection: Connection) -> set[tuple[str, str, str, str]]:
    query = select(EvaluatorRow.exercise_id, EvaluatorRow.id, EvaluatorRow.name, EvaluatorRow.panel)
    return {tuple(row) for row in connection.execute(query)}  # type: ignore[misc]


def conflicts(connection: Connection) -> set[tuple[str, str, str]]:
    query = select(ConflictRow.exercise_id, ConflictRow.evaluator_id, ConflictRow.tender_id)
    return {tuple(row) for row in connection.execute(query)}  # type: ignore[misc]


def tenders(connection: Connection) -> list[dict[str, Any]]:
    """Every tender row; ``document`` read from ``document_text``, the JSON as stored (so the
    audit can prove a digest from it: :func:`~commission.exactjson.is_canonical_digest`)."""
    from sqlalchemy import Text, cast

    from .. import exactjson

    query = select(
        TenderRow.exercise_id.label("exercise"),
        TenderRow.id,
        TenderRow.lot_id.label("lot"),
        TenderRow.bidder,
        TenderRow.price,
        TenderRow.currency,
        cast(TenderRow.document, Text).label("document_text"),
        TenderRow.sha256,
    ).order_by(TenderRow.exercise_id, TenderRow.id)
    result = connection.execute(query)
    names = list(result.keys())
    found = []
    for row in result:  # zipped as a tuple: a RowMapping per row cost a tenth of a second
        values = dict(zip(names, row, strict=True))
        text = values["document_text"]
        values["document"] = None if text is None else exactjson.loads(text)
        found.append(values)
    return found


#: The tender columns ``tenders add`` derives from a submission's document.
TENDER_DERIVED = ("lot", "bidder", "price", "currency")


def tender_columns(
    document: Mapping[str, Any], default_lot: str, names: Sequence[str] = TENDER_DERIVED
) -> dict[str, Any]:
    """The tender columns ``names`` (of :data:`TENDER_DERIVED`) that ``tenders add`` derives
    from a submission's document; the lot and bidder need the whole record read, the price and
    currency only the document's ``price``."""
    columns: dict[str, Any] = {}
    if "lot" in names or "bidder" in names:
        from ..records import Tender

        tender = Tender.from_document(document, default_lot=default_lot)
        columns.update(lot=tender.lot, bidder=tender.bidder)
    if "price" in names or "currency" in names:
        columns["price"], columns["currency"] = _price_text(document)
    return {name: columns[name] for name in names}


def decisions(connection: Connection) -> list[dict[str, Any]]:
    query = select(
        DecisionRow.id,
        DecisionRow.exercise_id.label("exercise"),
        DecisionRow.lot_id.label("lot"),
        DecisionRow.digest,
        DecisionRow.provisional,
        DecisionRow.files,
    ).order_by(DecisionRow.id)
    return [dict(row._mapping) for row in connection.execute(query)]


#: The moderated-round and abstention columns compared (the same as :data:`ROUND_COLUMNS`).
ROUND_SCORE_COLUMNS = ROUND_COLUMNS


def _raw(connection: Connection, table: str, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Every row of ``table``, through the driver's own cursor inside this transaction: plain
    tuples, no Row objects."""
    quote = connection.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table)}"
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _logical(
    connection: Connection, table: str, stored: tuple[str, ...], columns: tuple[str, ...]
) -> pd.DataFrame:
    """The rows of a compact score table as the logical rows the audit trail recorded: text
    ids, file, row, column and sha256 rebuilt from the numbers and the sheet they name."""
    import numpy as np
    import pandas as pd

    from .keys import Keys, Sheets, decode_rows

    rows = _raw(connection, table, stored)
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    grid = np.array(rows, dtype=object)
    raw = pd.DataFrame(
        {name: grid[:, i] for i, name in enumerate(stored)}, dtype=object, copy=False
    )
    sheets = Sheets(connection, None)
    parts = []
    for exercise, where in raw.groupby("exercise_id", sort=True).indices.items():
        part = raw.iloc[where].reset_index(drop=True)
        part = decode_rows(part, Keys(connection, str(exercise)), sheets, sha256=True)
        parts.append(part.rename(columns={"exercise_id": "exercise"}))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    # dtype=object: pandas would otherwise turn the text columns into strings, NaN for None
    return pd.DataFrame(
        {name: frame[name].to_numpy(dtype=object) for name in columns}, dtype=object, copy=False
    )


def scores(connection: Connection) -> pd.DataFrame:
    """Every stored independent score row, columns :data:`SCORE_COLUMNS`, in no particular
    order."""
    from .models import SCORE_TABLE_COLUMNS

    return _logical(connection, "scores", SCORE_TABLE_COLUMNS, SCORE_COLUMNS)


def round_scores(connection: Connection) -> pd.DataFrame:
    """Every stored moderated score and abstention (``score`` None), columns
    :data:`ROUND_SCORE_COLUMNS`, in no particular order."""
    stored = (
        "exercise_id",
        "tender_no",
        "criterion_no",
        "evaluator_no",
        "round",
        "score",
        "comment",
        "reason",
        "sheet_id",
        "sheet_row",
        "sheet_column",
    )
    return _logical(connection, "round_scores", stored, ROUND_SCORE_COLUMNS)


def frozen_lots(connection: Connection) -> set[tuple[str, str]]:
    """(exercise, lot) of every lot whose independent round is frozen."""
    query = select(FrozenLotRow.exercise_id, FrozenLotRow.lot_id)
    return {tuple(row) for row in connection.execute(query)}  # type: ignore[misc]


def moderation_notes(connection: Connection) -> list[dict[str, Any]]:
    """Every stored moderation note: exercise, tender, criterion, note, file, row."""
    n = ModerationNoteRow
    query = select(
        n.exercise_id.label("exercise"),
        n.tender_id.label("tender"),
        n.criterion_id.label("criterion"),
        n.note,
        n.source_file.label("file"),
        n.source_row.label("row"),
    ).order_by(n.exercise_id, n.tender_id, n.criterion_id)
    return [dict(row._mapping) for row in connection.execute(query)]


@dataclass(frozen=True)
class ScoreCodes:
    """Every stored independent score row as the store keeps it (numbers, not text), with the
    tables that turn the numbers into the text the audit trail recorded: what
    :func:`commission.app.ledger_codes.scores_match` compares without building the text rows.

    ``columns`` maps each name of :data:`commission.store.repository.SCORE_TABLE_COLUMNS` to a
    numpy array: int64 for the numbers (no column is -1), object for the exercise ids and
    comments. ``keys`` holds each
    exercise's :class:`~commission.store.keys.Keys`; ``sheets`` maps a sheet id to
    ``(file, sha256, columns)``."""

    columns: Mapping[str, Any]
    keys: Mapping[str, Any]
    sheets: Mapping[int, tuple[str, str, tuple[str, ...]]]

    def __len__(self) -> int:
        return len(self.columns["score"])


def score_codes(connection: Connection) -> ScoreCodes | None:
    """The stored score rows as :class:`ScoreCodes` (no text decoded); None when they cannot
    be read as plain integers (see :func:`_grouped`): the text comparison reads them as stored."""
    from .keys import Keys, Sheets

    columns = _grouped(connection)
    if columns is None:
        return None
    exercises = {str(e) for e in set(columns["exercise_id"].tolist())}
    sheets = {
        sheet: (str(row[1]), str(row[2]), tuple(str(c) for c in row[4]))
        for sheet, row in Sheets(connection, None).rows.items()
    }
    return ScoreCodes(columns, {e: Keys(connection, e) for e in sorted(exercises)}, sheets)


#: The integer columns of a score row, read as text in one grouped scan by :func:`_grouped`.
_NUMBERED = ("tender_no", "criterion_no", "evaluator_no", "score", "sheet_id", "sheet_row")


def _grouped(connection: Connection) -> dict[str, Any] | None:
    """The score rows' columns from one scan that the engine turns into text itself: the
    integers joined by commas (``group_concat`` / ``string_agg``), then read by numpy; the
    exercise ids and comments as one JSON array each (``json_group_array`` / ``json_agg``). Every
    aggregate of one query takes the rows in the same order, so the columns line up.

    None when there are no rows, or a value is not a plain integer as stored (a NULL, text, a
    fraction, a negative column)."""
    import json

    import numpy as np

    from ..integers import integer_list

    sqlite = connection.dialect.name == "sqlite"
    quote = connection.dialect.identifier_preparer.quote
    column = quote("sheet_column")

    def joined(expression: str) -> str:
        if sqlite:
            return f"group_concat({expression}, ',')"
        return f"string_agg(({expression})::text, ',')"

    def listed(name: str) -> str:
        return f"json_group_array({quote(name)})" if sqlite else f"json_agg({quote(name)})::text"

    pieces = [joined(quote(name)) for name in _NUMBERED]
    pieces.append(joined(f"coalesce({column}, -1)"))  # no column: -1, as in the payload
    pieces += [listed("exercise_id"), listed("comment")]
    pieces += ["count(*)", f"count(CASE WHEN {column} < 0 THEN 1 END)"]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT {', '.join(pieces)} FROM {quote('scores')}")
        *texts, exercises, comments, count, negative = cursor.fetchone()
    finally:
        cursor.close()
    if count == 0 or negative:
        return None
    try:
        values = [integer_list(text or "") for text in texts]
    except ValueError:  # UnicodeEncodeError included
        return None
    columns: dict[str, Any] = dict(zip((*_NUMBERED, "sheet_column"), values, strict=True))
    for name, text in (("exercise_id", exercises), ("comment", comments)):
        items = json.loads(text)
        if not isinstance(items, list) or not set(map(type, items)) <= {str, type(None)}:
            return None  # a comment stored as a number, say: read as it is
        columns[name] = np.empty(len(items), dtype=object)
        columns[name][:] = items
    if any(len(v) != count for v in columns.values()):
        return None
    return columns


def score_codes_beside(connection: Connection) -> Callable[[], ScoreCodes | None]:
    """:func:`score_codes` when the returned function is called. On PostgreSQL the rows are
    read at once by a second connection at this transaction's snapshot
    (``pg_export_snapshot``), in a thread: the server scans while this process goes on.
    Elsewhere they are read on ``connection`` when asked for."""
    if connection.dialect.name != "postgresql":
        return lambda: score_codes(connection)
    import concurrent.futures

    from .db import snapshot_connection

    snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()

    def read() -> ScoreCodes | None:
        with snapshot_connection(connection.engine) as other, other.begin():
            other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            return score_codes(other)

    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="score_codes")
    future = pool.submit(read)
    pool.shutdown(wait=False)
    return future.result


def ledger_rows(connection: Connection, *, with_scores: bool = True) -> dict[str, Any]:
    """Every row the audit trail accounts for, as stored now; the score rows None unless
    ``with_scores``."""
    c = connection
    return {
        "exercises": exercises(c),
        "lots": lots(c),
        "evaluators": evaluators(c),
        "conflicts": conflicts(c),
        "tenders": tenders(c),
        "decisions": decisions(c),
        "scores": scores(c) if with_scores else None,
        "round_scores": round_scores(c),
        "frozen_lots": frozen_lots(c),
        "moderation_notes": moderation_notes(c),
        "tender_columns": tender_columns,
    }
