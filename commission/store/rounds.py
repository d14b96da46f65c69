"""The store's reads and writes of score rounds, abstentions, frozen lots and moderation notes.

Every score belongs to a round: ``independent`` (plain rows of ``scores``, and abstentions in
``round_scores``) or ``moderated`` (``round_scores``). For each evaluator, tender and criterion
the latest round counts: a moderated row, when there is one, stands in for the independent one.
An abstention (``score`` NULL) is not a score: it is never summed or counted as one.

:class:`RoundReads` is mixed into :class:`~commission.store.repository.Repository`; like it, it
only stores (no files, no sentences for people, no flags).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    String,
    Text,
    and_,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
    update,
)

from .models import (
    EvaluatorRow,
    FrozenLotRow,
    ModerationNoteRow,
    RoundScoreRow,
    ScoreRow,
    table_of,
)

if TYPE_CHECKING:
    import pandas as pd

INDEPENDENT = "independent"
MODERATED = "moderated"
#: Which rows a read sees: the latest round of each evaluator's score, or round one alone.
LATEST = "latest"
VIEWS = (LATEST, INDEPENDENT)

_FRAME = ["evaluator", "tender", "criterion", "score", "comment", "file", "row", "column"]
_KEY = ("evaluator_id", "tender_id", "criterion_id")


class RoundReads:
    """Reads and writes of rounds; ``connection`` is the transaction's."""

    connection: Connection

    # -- what a round holds -----------------------------------------------------------------

    def has_round_rows(self, exercise_id: str) -> bool:
        """Whether any moderated score or abstention is stored (else the plain tables say all)."""
        r = table_of(RoundScoreRow).c
        found = self.connection.execute(
            select(r.id).where(r.exercise_id == exercise_id).limit(1)
        ).first()
        return found is not None

    def _effective(self, exercise_id: str, view: str) -> Any:
        """Every row the view sees, scores and abstentions, as one subquery."""
        if view not in VIEWS:
            raise ValueError(f"unknown round view {view!r}")
        s, r = table_of(ScoreRow).c, table_of(RoundScoreRow).c
        m = table_of(RoundScoreRow).alias("later")

        def superseded(row: Any) -> Any:
            return exists(
                select(m.c.id).where(
                    m.c.exercise_id == exercise_id,
                    m.c.round == MODERATED,
                    *(getattr(m.c, k) == getattr(row, k) for k in _KEY),
                )
            )

        plain = select(
            s.evaluator_id,
            s.tender_id,
            s.criterion_id,
            s.score,
            s.comment,
            s.source_file,
            s.source_row,
            s.source_column,
            literal(INDEPENDENT, String(16)).label("round"),
            cast(null(), Text).label("reason"),
        ).where(s.exercise_id == exercise_id)
        marked = [
            r.evaluator_id,
            r.tender_id,
            r.criterion_id,
            r.score,
            r.comment,
            r.source_file,
            r.source_row,
            r.source_column,
            r.round,
            r.reason,
        ]
        first = select(*marked).where(r.exercise_id == exercise_id, r.round == INDEPENDENT)
        if view == INDEPENDENT:
            return union_all(plain, first).subquery("seen")
        later = select(*marked).where(r.exercise_id == exercise_id, r.round == MODERATED)
        return union_all(plain.where(~superseded(s)), first.where(~superseded(r)), later).subquery(
            "seen"
        )

    def round_tallies(self, exercise_id: str, view: str = LATEST) -> pd.DataFrame:
        """Per tender, criterion and panel: ``total`` and ``count`` of the scores the view sees
        and ``abstained``, how many abstentions (int64); rows with neither left out."""
        import pandas as pd

        seen = self._effective(exercise_id, view)
        evaluators = table_of(EvaluatorRow)
        e = evaluators.c
        query = (
            select(
                seen.c.tender_id,
                seen.c.criterion_id,
                e.panel,
                func.coalesce(func.sum(seen.c.score), 0),
                func.count(seen.c.score),
                func.count(),
            )
            .join(evaluators, and_(e.exercise_id == exercise_id, e.id == seen.c.evaluator_id))
            .group_by(seen.c.tender_id, seen.c.criterion_id, e.panel)
        )
        rows = [tuple(row) for row in self.connection.execute(query)]
        frame = pd.DataFrame(rows, columns=["tender", "criterion", "panel", "total", "count", "n"])
        frame = frame.astype({"total": "int64", "count": "int64", "n": "int64"})
        frame["abstained"] = frame["n"] - frame["count"]
        return (
            frame.drop(columns="n")
            .sort_values(["tender", "criterion", "panel"])
            .reset_index(drop=True)
        )

    def round_score_frame(self, exercise_id: str, view: str = LATEST) -> pd.DataFrame:
        """The scores the view sees as the score frame (abstentions left out), plus ``round``
        and ``reason``, in key order."""
        seen = self._effective(exercise_id, view)
        query = (
            select(
                seen.c.evaluator_id.label("evaluator"),
                seen.c.tender_id.label("tender"),
                seen.c.criterion_id.label("criterion"),
                seen.c.score,
                seen.c.comment,
                seen.c.source_file.label("file"),
                seen.c.source_row.label("row"),
                seen.c.source_column.label("column"),
                seen.c.round,
                seen.c.reason,
            )
            .where(seen.c.score.is_not(None))
            .order_by(seen.c.evaluator_id, seen.c.tender_id, seen.c.criterion_id)
        )
        frame = _frame(self.connection.execute(query), _FRAME + ["round", "reason"])
        return frame.astype({"score": "int64", "row": "int64"}) if len(frame) else frame

    def round_commented(self, exercise_id: str, view: str = LATEST) -> pd.DataFrame:
        """The view's scores that carry a comment: evaluator, tender, criterion, score, comment."""
        frame = self.round_score_frame(exercise_id, view)
        if not len(frame):
            return frame.loc[:, ["evaluator", "tender", "criterion", "score", "comment"]]
        keep = frame["comment"].notna() & (frame["comment"].astype(str) != "")
        return frame.loc[keep, ["evaluator", "tender", "criterion", "score", "comment"]]

    def abstentions(self, exercise_id: str, view: str = LATEST) -> pd.DataFrame:
        """The abstentions the view sees: evaluator, tender, criterion, comment (the reason
        given, or None), round; in key order."""
        seen = self._effective(exercise_id, view)
        query = (
            select(
                seen.c.evaluator_id,
                seen.c.tender_id,
                seen.c.criterion_id,
                seen.c.comment,
                seen.c.round,
            )
            .where(seen.c.score.is_(None))
            .order_by(seen.c.evaluator_id, seen.c.tender_id, seen.c.criterion_id)
        )
        return _frame(
            self.connection.execute(query), ["evaluator", "tender", "criterion", "comment", "round"]
        )

    def moderated_tenders(self, exercise_id: str) -> set[str]:
        """Tenders with at least one moderated score or abstention."""
        r = table_of(RoundScoreRow).c
        query = select(r.tender_id).where(r.exercise_id == exercise_id, r.round == MODERATED)
        return set(self.connection.execute(query.distinct()).scalars())

    def round_rows(self, exercise_id: str, evaluators: Sequence[str]) -> pd.DataFrame:
        """Stored ``round_scores`` rows of these evaluators: evaluator, tender, criterion, round,
        stored_score (None: abstained), stored_comment, stored_reason, stored_file, stored_row."""
        r = table_of(RoundScoreRow).c
        columns = [
            "evaluator",
            "tender",
            "criterion",
            "round",
            "stored_score",
            "stored_comment",
            "stored_reason",
            "stored_file",
            "stored_row",
        ]
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(evaluators), 500):
            chunk = list(evaluators[start : start + 500])
            query = select(
                r.evaluator_id,
                r.tender_id,
                r.criterion_id,
                r.round,
                r.score,
                r.comment,
                r.reason,
                r.source_file,
                r.source_row,
            ).where(r.exercise_id == exercise_id, r.evaluator_id.in_(chunk))
            rows += [tuple(row) for row in self.connection.execute(query)]
        return _frame(rows, columns, objects=True)

    def moderation_changes(self, exercise_id: str) -> pd.DataFrame:
        """The moderation record: every moderated row beside the independent one it replaced.

        Columns evaluator, tender, criterion, independent (score, or None: abstained or not
        scored), independent_abstained (bool), moderated (score or None), moderated_abstained,
        reason; in tender, criterion and evaluator order."""
        r = table_of(RoundScoreRow).c
        first = self._effective(exercise_id, INDEPENDENT)
        query = (
            select(
                r.evaluator_id,
                r.tender_id,
                r.criterion_id,
                first.c.score,
                first.c.evaluator_id.is_not(None) & first.c.score.is_(None),
                r.score,
                r.reason,
            )
            .select_from(
                table_of(RoundScoreRow).outerjoin(
                    first,
                    and_(*(getattr(first.c, k) == getattr(r, k) for k in _KEY)),
                )
            )
            .where(r.exercise_id == exercise_id, r.round == MODERATED)
            .order_by(r.tender_id, r.criterion_id, r.evaluator_id)
        )
        rows = [
            (e, t, c, old, bool(was_abstained), new, new is None, reason)
            for e, t, c, old, was_abstained, new, reason in self.connection.execute(query)
        ]
        columns = [
            "evaluator",
            "tender",
            "criterion",
            "independent",
            "independent_abstained",
            "moderated",
            "moderated_abstained",
            "reason",
        ]
        return _frame(rows, columns, objects=True)

    # -- writing rounds ---------------------------------------------------------------------

    def insert_round_scores(
        self, exercise_id: str, round_name: str, rows: pd.DataFrame, sha: Mapping[str, str]
    ) -> None:
        """Insert score-frame rows into a round; ``score`` None is an abstention. ``reason``
        is read when the frame has it."""
        records = [_round_record(exercise_id, round_name, row, sha) for row in _records(rows)]
        if records:
            self.connection.execute(insert(table_of(RoundScoreRow)), records)

    def update_round_scores(
        self, exercise_id: str, round_name: str, rows: pd.DataFrame, sha: Mapping[str, str]
    ) -> None:
        """Overwrite the stored round rows these score-frame rows name."""
        table = table_of(RoundScoreRow)
        for row in _records(rows):
            values = _round_record(exercise_id, round_name, row, sha)
            key = {k: values.pop(k) for k in ("exercise_id", "round", *_KEY)}
            self.connection.execute(
                update(table)
                .where(*(getattr(table.c, k) == v for k, v in key.items()))
                .values(**values)
            )

    def delete_round_scores(
        self, exercise_id: str, round_name: str, keys: Iterable[tuple[str, str, str]]
    ) -> None:
        table = table_of(RoundScoreRow)
        for evaluator, tender, criterion in keys:
            self.connection.execute(
                delete(table).where(
                    table.c.exercise_id == exercise_id,
                    table.c.round == round_name,
                    table.c.evaluator_id == evaluator,
                    table.c.tender_id == tender,
                    table.c.criterion_id == criterion,
                )
            )

    def delete_plain_scores(self, exercise_id: str, keys: Iterable[tuple[str, str, str]]) -> None:
        """Remove independent scores an abstention replaces (the audit trail keeps them)."""
        table = table_of(ScoreRow)
        for evaluator, tender, criterion in keys:
            self.connection.execute(
                delete(table).where(
                    table.c.exercise_id == exercise_id,
                    table.c.evaluator_id == evaluator,
                    table.c.tender_id == tender,
                    table.c.criterion_id == criterion,
                )
            )

    # -- frozen lots and notes --------------------------------------------------------------

    def frozen_lots(self, exercise_id: str) -> set[str]:
        f = table_of(FrozenLotRow).c
        return set(
            self.connection.execute(select(f.lot_id).where(f.exercise_id == exercise_id)).scalars()
        )

    def freeze_lots(self, exercise_id: str, lots: Iterable[str]) -> None:
        now = datetime.now(UTC)
        rows = [{"exercise_id": exercise_id, "lot_id": lot, "frozen_at": now} for lot in lots]
        if rows:
            self.connection.execute(insert(table_of(FrozenLotRow)), rows)

    def moderation_notes(self, exercise_id: str) -> dict[tuple[str, str], str]:
        """The agreed explanation per (tender, criterion)."""
        n = table_of(ModerationNoteRow).c
        query = (
            select(n.tender_id, n.criterion_id, n.note)
            .where(n.exercise_id == exercise_id)
            .order_by(n.tender_id, n.criterion_id)
        )
        return {(t, c): note for t, c, note in self.connection.execute(query)}

    def write_notes(
        self, exercise_id: str, notes: Sequence[Mapping[str, Any]], replace: Iterable[Any]
    ) -> None:
        """Insert notes (mappings with tender, criterion, note, file, row); those whose
        (tender, criterion) is in ``replace`` overwrite the stored note."""
        table = table_of(ModerationNoteRow)
        now = datetime.now(UTC)
        replacing = set(replace)
        for note in notes:
            values = {
                "note": note["note"],
                "source_file": note["file"],
                "source_row": int(note["row"]),
                "recorded_at": now,
            }
            key = (note["tender"], note["criterion"])
            if key in replacing:
                self.connection.execute(
                    update(table)
                    .where(
                        table.c.exercise_id == exercise_id,
                        table.c.tender_id == key[0],
                        table.c.criterion_id == key[1],
                    )
                    .values(**values)
                )
            else:
                self.connection.execute(
                    insert(table),
                    [
                        {
                            "exercise_id": exercise_id,
                            "tender_id": key[0],
                            "criterion_id": key[1],
                            **values,
                        }
                    ],
                )


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [dict(zip(rows.columns, values, strict=True)) for values in rows.itertuples(index=False)]


def _round_record(
    exercise_id: str, round_name: str, row: Mapping[str, Any], sha: Mapping[str, str]
) -> dict[str, Any]:
    score = row.get("score")
    abstained = bool(row.get("abstain", False)) or score is None or _missing(score)
    column = row.get("column")
    return {
        "exercise_id": exercise_id,
        "round": round_name,
        "evaluator_id": str(row["evaluator"]),
        "tender_id": str(row["tender"]),
        "criterion_id": str(row["criterion"]),
        "score": None if abstained else int(score),  # type: ignore[arg-type]
        "comment": None if _missing(row.get("comment")) else str(row["comment"]),
        "reason": None if _missing(row.get("reason")) else str(row["reason"]),
        "source_file": str(row["file"]),
        "source_row": int(row["row"]),
        "source_column": None if _missing(column) else str(column),
        "source_sha256": sha[str(row["file"])],
    }


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _frame(
    result: Iterable[Sequence[Any]], columns: Sequence[str], *, objects: bool = False
) -> Any:
    import pandas as pd

    rows = list(map(tuple, result))
    if objects:  # None stays None (no NaN for an abstention's missing score)
        return pd.DataFrame(rows, columns=list(columns), dtype=object)
    return pd.DataFrame(rows, columns=list(columns))
