"""Reads of every stored row the audit trail accounts for, as they are now.

What ``commission audit --verify`` compares with the replayed trail (:mod:`commission.app.ledger`):
the exercises with their lots, evaluators and conflicts, the tenders, the scores and the
decisions, and the moderation stage's rows: round scores (moderated scores and abstentions),
frozen lots and moderation notes. Plain rows, read fast: the score rows come through the
driver's own cursor as tuples. The ledger reads stored rows only through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    RoundScoreRow,
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
    query = select(
        TenderRow.exercise_id.label("exercise"),
        TenderRow.id,
        TenderRow.lot_id.label("lot"),
        TenderRow.bidder,
        TenderRow.price,
        TenderRow.currency,
        TenderRow.document,
        TenderRow.sha256,
    ).order_by(TenderRow.exercise_id, TenderRow.id)
    return [dict(row._mapping) for row in connection.execute(query)]


def tender_columns(document: Mapping[str, Any], default_lot: str) -> dict[str, Any]:
    """The tender columns ``tenders add`` derives from a submission's document."""
    from ..records import Tender

    tender = Tender.from_document(document, default_lot=default_lot)
    price, currency = _price_text(document)
    return {"lot": tender.lot, "bidder": tender.bidder, "price": price, "currency": currency}


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


def scores(connection: Connection) -> pd.DataFrame:
    """Every stored score row, columns :data:`SCORE_COLUMNS`, in no particular order."""
    import numpy as np
    import pandas as pd

    from .repository import SCORE_TABLE_COLUMNS as names

    quote = connection.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote('scores')}"
    # the driver's own cursor, inside this transaction: plain tuples, no Row objects
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in SCORE_COLUMNS})
    grid = np.array(rows, dtype=object)
    # dtype=object: pandas would otherwise turn the text columns into strings, NaN for None
    return pd.DataFrame(
        {name: grid[:, i] for i, name in enumerate(SCORE_COLUMNS)}, dtype=object, copy=False
    )


def round_scores(connection: Connection) -> pd.DataFrame:
    """Every stored round row (a moderated score, or an abstention in either round), columns
    :data:`ROUND_COLUMNS`, ``score`` None for an abstention; object columns, in no order."""
    import pandas as pd

    r = RoundScoreRow
    query = select(
        r.exercise_id,
        r.evaluator_id,
        r.tender_id,
        r.criterion_id,
        r.round,
        r.score,
        r.comment,
        r.reason,
        r.source_file,
        r.source_row,
        r.source_column,
        r.source_sha256,
    )
    rows = [tuple(row) for row in connection.execute(query)]
    return pd.DataFrame(rows, columns=list(ROUND_COLUMNS), dtype=object)


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
