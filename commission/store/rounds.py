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

from ..records import is_missing
from .keys import decode_rows
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

    from .keys import Keys, Sheets

INDEPENDENT = "independent"
MODERATED = "moderated"
#: Which rows a read sees: the latest round of each evaluator's score, or round one alone.
LATEST = "latest"
VIEWS = (LATEST, INDEPENDENT)

_FRAME = ["evaluator", "tender", "criterion", "score", "comment", "file", "row", "column"]
#: The key of a score row, as numbers (:mod:`.keys`).
_NUMBERS = ["evaluator_no", "tender_no", "criterion_no"]
_KEY = tuple(_NUMBERS)
_SEEN = [*_NUMBERS, "score", "comment", "sheet_id", "sheet_row", "sheet_column", "round"]
_SEEN += ["reason"]


class RoundReads:
    """Reads and writes of rounds; ``connection`` is the transaction's."""

    connection: Connection

    if TYPE_CHECKING:

        def keys(self, exercise_id: str) -> Keys: ...

        def sheets(self, exercise_id: str) -> Sheets: ...

    # -- what a round holds -----------------------------------------------------------------

    def has_round_rows(self, exercise_id: str) -> bool:
        """Whether any moderated score or abstention is stored (else the plain tables say all)."""
        r = table_of(RoundScoreRow).c
        found = self.connection.execute(
            select(r.exercise_id).where(r.exercise_id == exercise_id).limit(1)
        ).first()
        return found is not None

    def _effective(self, exercise_id: str, view: str) -> Any:
        """Every row the view sees, scores and abstentions, as one subquery (numbers for keys)."""
        if view not in VIEWS:
            raise ValueError(f"unknown round view {view!r}")
        s, r = table_of(ScoreRow).c, table_of(RoundScoreRow).c
        m = table_of(RoundScoreRow).alias("later")

        def superseded(row: Any) -> Any:
            return exists(
                select(m.c.round).where(
                    m.c.exercise_id == exercise_id,
                    *(getattr(m.c, k) == getattr(row, k) for k in _KEY),
                    m.c.round == MODERATED,
                )
            )

        plain = select(
            *(getattr(s, k) for k in _SEEN[:8]),
            literal(INDEPENDENT, String(16)).label("round"),
            cast(null(), Text).label("reason"),
        ).where(s.exercise_id == exercise_id)
        marked = [getattr(r, k) for k in _SEEN]
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
        seen = self._effective(exercise_id, view)
        evaluators = table_of(EvaluatorRow)
        e = evaluators.c
        query = (
            select(
                seen.c.tender_no,
                seen.c.criterion_no,
                e.panel,
                func.coalesce(func.sum(seen.c.score), 0),
                func.count(seen.c.score),
                func.count(),
            )
            .join(evaluators, and_(e.exercise_id == exercise_id, e.number == seen.c.evaluator_no))
            .group_by(seen.c.tender_no, seen.c.criterion_no, e.panel)
        )
        names = ["tender_no", "criterion_no", "panel", "total", "count", "n"]
        frame = self.keys(exercise_id).decode(_frame(self.connection.execute(query), names))
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
        query = select(*(seen.c[k] for k in _SEEN)).where(seen.c.score.is_not(None))
        frame = self._decoded(exercise_id, _frame(self.connection.execute(query), _SEEN))
        frame = frame.sort_values(["evaluator", "tender", "criterion"]).reset_index(drop=True)
        return frame.astype({"score": "int64", "row": "int64"}) if len(frame) else frame

    def _decoded(self, exercise_id: str, frame: pd.DataFrame) -> pd.DataFrame:
        return decode_rows(frame, self.keys(exercise_id), self.sheets(exercise_id))

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
        names = [*_NUMBERS, "comment", "round"]
        query = select(*(seen.c[k] for k in names)).where(seen.c.score.is_(None))
        frame = self.keys(exercise_id).decode(_frame(self.connection.execute(query), names))
        return frame.sort_values(["evaluator", "tender", "criterion"]).reset_index(drop=True)

    def moderated_tenders(self, exercise_id: str) -> set[str]:
        """Tenders with at least one moderated score or abstention."""
        r = table_of(RoundScoreRow).c
        query = select(r.tender_no).where(r.exercise_id == exercise_id, r.round == MODERATED)
        numbers = list(self.connection.execute(query.distinct()).scalars())
        return {str(t) for t in self.keys(exercise_id).ids("tender", numbers)}

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
        numbers = self.keys(exercise_id).known_numbers("evaluator", evaluators)
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            query = select(
                *(getattr(r, k) for k in _NUMBERS),
                r.round,
                r.score,
                r.comment,
                r.reason,
                r.sheet_id,
                r.sheet_row,
            ).where(r.exercise_id == exercise_id, r.evaluator_no.in_(chunk))
            rows += [tuple(row) for row in self.connection.execute(query)]
        if not rows:
            return _frame([], columns, objects=True)
        names = [*_NUMBERS, "round", "score", "comment", "reason", "sheet_id", "row"]
        frame = self.keys(exercise_id).decode(_frame(rows, names, objects=True))
        file, _, _ = self.sheets(exercise_id).decode(frame["sheet_id"], [None] * len(frame))
        frame["sheet_id"] = file
        frame.columns = columns
        return frame

    def moderation_changes(self, exercise_id: str) -> pd.DataFrame:
        """The moderation record: every moderated row beside the independent one it replaced.

        Columns evaluator, tender, criterion, independent (score, or None: abstained or not
        scored), independent_abstained (bool), moderated (score or None), moderated_abstained,
        reason; in tender, criterion and evaluator order."""
        r = table_of(RoundScoreRow).c
        first = self._effective(exercise_id, INDEPENDENT)
        query = (
            select(
                r.evaluator_no,
                r.tender_no,
                r.criterion_no,
                first.c.score,
                first.c.evaluator_no.is_not(None) & first.c.score.is_(None),
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
        )
        rows = [
            (e, t, c, old, bool(was_abstained), new, new is None, reason)
            for e, t, c, old, was_abstained, new, reason in self.connection.execute(query)
        ]
        columns = [
            *_NUMBERS,
            "independent",
            "independent_abstained",
            "moderated",
            "moderated_abstained",
            "reason",
        ]
        frame = self.keys(exercise_id).decode(_frame(rows, columns, objects=True))
        return frame.sort_values(["tender", "criterion", "evaluator"]).reset_index(drop=True)

    # -- writing rounds ---------------------------------------------------------------------

    def insert_round_scores(
        self, exercise_id: str, round_name: str, rows: pd.DataFrame, sha: Mapping[str, str]
    ) -> None:
        """Insert score-frame rows into a round; ``score`` None is an abstention. ``reason``
        is read when the frame has it."""
        records = self._round_records(exercise_id, round_name, rows, sha)
        if records:
            self.connection.execute(insert(table_of(RoundScoreRow)), records)

    def _round_records(
        self, exercise_id: str, round_name: str, rows: pd.DataFrame, sha: Mapping[str, str]
    ) -> list[dict[str, Any]]:
        records = [_round_record(exercise_id, round_name, row) for row in _records(rows)]
        if not records:
            return []
        keys = self.keys(exercise_id)
        for kind in ("evaluator", "tender", "criterion"):
            numbers = keys.numbers(kind, [r.pop(kind) for r in records])
            for record, number in zip(records, numbers.tolist(), strict=True):
                record[f"{kind}_no"] = number
        sheet_ids, columns = self.sheets(exercise_id).encode(
            [r.pop("file") for r in records], [r.pop("column") for r in records], sha, round_name
        )
        for record, sheet_id, column in zip(records, sheet_ids.tolist(), columns, strict=True):
            record["sheet_id"], record["sheet_column"] = sheet_id, column
        return records

    def update_round_scores(
        self, exercise_id: str, round_name: str, rows: pd.DataFrame, sha: Mapping[str, str]
    ) -> None:
        """Overwrite the stored round rows these score-frame rows name."""
        table = table_of(RoundScoreRow)
        for values in self._round_records(exercise_id, round_name, rows, sha):
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
        for numbers in self._numbered(exercise_id, keys):
            self.connection.execute(
                delete(table).where(
                    table.c.exercise_id == exercise_id,
                    table.c.round == round_name,
                    *(getattr(table.c, k) == n for k, n in zip(_KEY, numbers, strict=True)),
                )
            )

    def delete_plain_scores(self, exercise_id: str, keys: Iterable[tuple[str, str, str]]) -> None:
        """Remove independent scores an abstention replaces (the audit trail keeps them)."""
        table = table_of(ScoreRow)
        for numbers in self._numbered(exercise_id, keys):
            self.connection.execute(
                delete(table).where(
                    table.c.exercise_id == exercise_id,
                    *(getattr(table.c, k) == n for k, n in zip(_KEY, numbers, strict=True)),
                )
            )

    def _numbered(
        self, exercise_id: str, keys: Iterable[tuple[str, str, str]]
    ) -> list[tuple[int, int, int]]:
        """(evaluator, tender, criterion) ids as their numbers, in :data:`_KEY` order."""
        found = self.keys(exercise_id)
        return [
            (
                found.number("evaluator", evaluator),
                found.number("tender", tender),
                found.number("criterion", criterion),
            )
            for evaluator, tender, criterion in keys
        ]

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


def _round_record(exercise_id: str, round_name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    score = row.get("score")
    abstained = bool(row.get("abstain", False)) or score is None or is_missing(score)
    column = row.get("column")
    return {
        "exercise_id": exercise_id,
        "round": round_name,
        "evaluator": str(row["evaluator"]),
        "tender": str(row["tender"]),
        "criterion": str(row["criterion"]),
        "score": None if abstained else int(score),  # type: ignore[arg-type]
        "comment": None if is_missing(row.get("comment")) else str(row["comment"]),
        "reason": None if is_missing(row.get("reason")) else str(row["reason"]),
        "file": str(row["file"]),
        "sheet_row": int(row["row"]),
        "column": None if is_missing(column) else str(column),
    }


def _frame(
    result: Iterable[Sequence[Any]], columns: Sequence[str], *, objects: bool = False
) -> Any:
    import pandas as pd

    rows = list(map(tuple, result))
    if objects:  # None stays None (no NaN for an abstention's missing score)
        return pd.DataFrame(rows, columns=list(columns), dtype=object)
    return pd.DataFrame(rows, columns=list(columns))
