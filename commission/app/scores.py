"""``sheet`` and ``scores import``: blank sheets out, filled sheets in, all or nothing.

Score sheets are read and checked against the exercise and its tenders *before* the write lock
is taken (stored exercises, evaluators and tenders never change or disappear, so the check stays
true); comparing with stored scores and writing happen inside the one write transaction. A score
is "unchanged" when its value and comment equal the stored ones; a different value *or* a
different comment is an overwrite. Re-importing what is stored writes nothing, not even an
audit entry.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidScores, Problem, Usage
from ..inputs.problems import capped, plural

if TYPE_CHECKING:
    import pandas as pd

    from ..records import Exercise, Tender
    from ..store import Store

Progress = Callable[[str, int, int], None]

_KEY = ["evaluator", "tender", "criterion"]


def write_sheet(
    store: Store,
    evaluator_id: str,
    path: str | os.PathLike[str],
    exercise_id: str | None = None,
    force: bool = False,
) -> int:
    """The blank wide sheet for one panel member; the number of tenders listed. An existing
    file is replaced only with ``force``."""
    from ..inputs.sheets import write_blank_sheet

    with store.reading() as repo:
        exercise_id = repo.pick(exercise_id)
        exercise = repo.exercise(exercise_id)
        tenders = repo.tenders(exercise_id)
    return write_blank_sheet(
        path, exercise=exercise, tenders=tenders, evaluator_id=evaluator_id, force=force
    )


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
                f"nothing to import: all {self.rows} score{'s' if self.rows != 1 else ''} in the "
                f"{sheets} are already stored, unchanged"
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


def sheets_and_checks(
    store: Store, paths: Sequence[str | os.PathLike[str]], exercise_id: str | None
) -> tuple[str, Exercise, list[Tender], list[str], dict[str, str]]:
    """What every import checks its sheets against, read in one snapshot, and each sheet's
    name and SHA-256: ``(exercise_id, exercise, tenders, names, sha)``."""
    if not paths:
        raise Usage(
            "name at least one score sheet to import",
            [Problem("no-sheet", "no score sheet named")],
        )
    with store.reading() as repo:
        exercise_id = repo.pick(exercise_id)
        exercise = repo.exercise(exercise_id)
        tenders = repo.tenders(exercise_id)
    names = [os.fspath(p) for p in paths]
    return exercise_id, exercise, tenders, names, {name: file_sha256(name) for name in names}


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
    round_name: str = "independent",
    reopen: bool = False,
) -> ImportOutcome:
    """Every row of every sheet, or none.

    Raises :class:`InvalidScores` listing every problem (from the sheets, and each stored score
    the sheets would overwrite unless ``replace``). ``progress(stage, done, total)`` is called
    while rows are written. ``round_name`` ``moderated`` imports revised scores with reasons
    (:func:`commission.app.moderated.import_moderated`); an independent import into a lot whose
    independent round is frozen is refused unless ``reopen`` (audited).
    """
    from ..inputs.sheets import COLUMNS, read_marked_scores
    from .abstaining import independent_marks, refuse_frozen, split_marked

    if round_name == "moderated":
        from .moderated import import_moderated

        return import_moderated(
            store,
            paths,
            evaluator=evaluator,
            replace=replace,
            dry_run=dry_run,
            exercise_id=exercise_id,
            encoding=encoding,
        )
    if round_name != "independent":
        raise Usage(
            f"unknown round '{round_name}': scores are imported into the independent or the "
            "moderated round",
            [Problem("unknown-round", "unknown round", value=round_name)],
        )

    exercise_id, exercise, tenders, names, sha = sheets_and_checks(store, paths, exercise_id)

    def overwrite_problems(rows: pd.DataFrame) -> list[Problem]:
        # listed with the sheets' other errors; checked again below in the write transaction
        if replace:
            return []
        rows = _normalised(rows.loc[:, list(COLUMNS)])
        with store.reading() as repo:
            stored = repo.stored_scores(exercise_id, sorted(map(str, rows["evaluator"].unique())))
        return _overwrite_problems(rows[_compare(rows, stored) == "changed"], stored)

    marked = read_marked_scores(
        names,
        exercise=exercise,
        tenders=tenders,
        evaluator=evaluator,
        encoding=encoding,
        also=overwrite_problems,
    )
    frame, abstentions = split_marked(marked)
    frame = _normalised(frame)

    with store.writing() as repo:
        reopened = refuse_frozen(repo, exercise_id, marked, tenders, reopen=reopen)
        stored = repo.stored_scores(exercise_id, sorted(map(str, marked["evaluator"].unique())))
        marks = independent_marks(
            repo, exercise_id, frame, _compare(frame, stored), abstentions, stored
        )
        status = marks.status
        if not replace:
            overwrites = frame[status == "changed"]
            problems = _overwrite_problems(overwrites, stored) if len(overwrites) else []
            problems += marks.problems(frame)
            if problems:
                raise InvalidScores(
                    f"{plural(len(problems), 'score')} would overwrite stored scores; "
                    "nothing was imported",
                    problems,
                )
        counted = status.where(status != "swap", "changed")
        files = tuple(
            marks.add_counts(_file_counts(name, sha[name], frame, counted), name) for name in names
        )
        extra = marks.counts()
        outcome = ImportOutcome(
            exercise=exercise_id,
            files=files,
            rows=len(marked),
            added=int((status == "new").sum()) + extra["added"],
            unchanged=int((status == "same").sum()) + extra["unchanged"],
            replaced=int(counted.isin(["changed"]).sum()) + extra["replaced"],
            dry_run=dry_run,
        )
        if dry_run or not (outcome.added or outcome.replaced):
            return outcome
        added = frame[status == "new"]
        repo.insert_scores(exercise_id, added, sha, progress)
        by_file = dict(tuple(added.groupby("file", sort=False))) if len(added) else {}
        events: list[Any] = reopened + [
            _sheet_event({**f, "evaluator": evaluator}, by_file.get(f["file"], added.iloc[:0]))
            for f in files
        ]
        replaced = frame[status == "changed"]
        if len(replaced):
            repo.replace_scores(exercise_id, replaced, sha)
            events += _replacement_events(_lookup(stored, replaced), sha)
        events += marks.write(repo, exercise_id, frame, sha)
        repo.append_audit(exercise_id, events)
    return outcome


def _file_counts(name: str, sha256: str, frame: pd.DataFrame, status: pd.Series) -> dict[str, Any]:
    mine = frame["file"] == name
    return {
        "file": name,
        "sha256": sha256,
        "rows": int(mine.sum()),
        "added": int((mine & (status == "new")).sum()),
        "unchanged": int((mine & (status == "same")).sum()),
        "replaced": int((mine & (status == "changed")).sum()),
    }


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


def _compare(frame: pd.DataFrame, stored: pd.DataFrame) -> pd.Series:
    """Per sheet row: ``new`` (not stored), ``same`` (stored identically) or ``changed``."""
    import numpy as np
    import pandas as pd

    if stored.empty or frame.empty:
        return pd.Series("new", index=frame.index, dtype=object)
    merged = _lookup(stored, frame[_KEY + ["score", "comment"]])
    present = merged["stored_score"].notna()
    same_score = merged["score"] == pd.to_numeric(merged["stored_score"]).fillna(-1)
    mine = merged["comment"].fillna("").astype(str)
    theirs = merged["stored_comment"].fillna("").astype(str)
    same = present & same_score & (mine == theirs)
    return pd.Series(
        np.where(~present, "new", np.where(same, "same", "changed")), index=frame.index
    )


def _lookup(stored: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The sheet rows with the stored score of the same key beside each."""
    merged = rows.merge(stored, on=_KEY, how="left", sort=False)
    merged.index = rows.index
    return merged


def _overwrite_problems(overwrites: pd.DataFrame, stored: pd.DataFrame) -> list[Problem]:
    merged = _lookup(stored, overwrites).sort_values(["file", "row", "column"])

    def found() -> Any:
        for row in merged.itertuples(index=False):
            old, new = int(row.stored_score), int(row.score)
            what = (
                f"would overwrite the stored score {old} of {row.evaluator} for tender "
                f"{row.tender}, {row.criterion} with {new}"
                if old != new
                else f"would replace the stored comment of {row.evaluator} for tender "
                f"{row.tender}, {row.criterion}"
            )
            yield Problem(
                type="overwrite",
                message=f"{what} (stored from {row.stored_file} row {int(row.stored_row)})",
                file=row.file,
                row=int(row.row),
                column=row.column,
                value=new,
                fix="replace stored scores only on purpose (the audit trail keeps the old one)",
            )

    return capped(found(), len(merged), "overwrite", "correct the sheet, or replace on purpose")


def _sheet_event(details: dict[str, Any], added: pd.DataFrame) -> tuple[Any, ...]:
    """The ``sheet-imported`` entry: its details hold the digest of the rows it added, which
    are stored beside it (:func:`commission.app.payload.score_payload`)."""
    from .payload import score_payload

    if not len(added):
        return ("sheet-imported", {**details, "scores": {"rows": 0}})
    body, summary = score_payload(added)
    return ("sheet-imported", {**details, "scores": summary}, body)


def _replacement_events(
    merged: pd.DataFrame, sha: Mapping[str, str]
) -> list[tuple[str, Mapping[str, Any]]]:
    """One audit event per replaced score, with its old and new value."""
    events: list[tuple[str, Mapping[str, Any]]] = []
    for row in merged.itertuples(index=False):
        column = None if row.column is None else str(row.column)
        old = {
            "score": int(row.stored_score),
            "comment": row.stored_comment,
            "file": row.stored_file,
            "row": int(row.stored_row),
        }
        new = {
            "score": int(row.score),
            "comment": row.comment,
            "file": str(row.file),
            "row": int(row.row),
            "column": column,
            "sha256": sha[str(row.file)],
        }
        key = {"evaluator": row.evaluator, "tender": row.tender, "criterion": row.criterion}
        events.append(("score-replaced", {**key, "old": old, "new": new}))
    return events
