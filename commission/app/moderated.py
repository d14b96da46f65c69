"""``scores import`` into the moderated round: revised scores after the joint moderation meeting.

Each row is compared with the evaluator's latest stored state of that (tender, criterion) —
their moderated score or abstention when there is one, else their independent one (or none):

* the same score (or the same abstention) is accepted and changes nothing, whatever its
  comment: a pre-filled moderation sheet may be handed back as it is;
* a different one is a moderated change and needs a reason (the ``reason`` column); without one
  it is an error naming the row;
* a row changing a stored *moderated* score is an overwrite, refused unless replacing;
* the tender's lot must have had its moderation started; conflicts of interest still apply.

The independent round is never touched: it stays stored, and results show both.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InvalidScores, Problem
from ..inputs.problems import capped, plural
from .scores import ImportOutcome

if TYPE_CHECKING:
    import pandas as pd

    from ..records import Tender
    from ..store import Store
    from ..store.repository import Repository

_KEY = ["evaluator", "tender", "criterion"]
ABSTAINED = "abstain"


def import_moderated(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    evaluator: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    exercise_id: str | None = None,
    encoding: str | None = None,
) -> ImportOutcome:
    """Every row of every moderated sheet, or none (see the module's rules)."""
    from ..inputs.sheets import read_marked_scores
    from .scores import sheets_and_checks

    exercise_id, exercise, tenders, names, sha = sheets_and_checks(store, paths, exercise_id)
    marked = read_marked_scores(
        names, exercise=exercise, tenders=tenders, evaluator=evaluator, encoding=encoding
    )
    with store.writing() as repo:
        _refuse_unstarted(repo, exercise_id, marked, tenders)
        plan = _plan(repo, exercise_id, marked)
        problems = _reason_problems(plan)
        if not replace:
            problems += _overwrite_problems(plan)
        if problems:
            raise InvalidScores(
                f"{plural(len(problems), 'problem')} in the moderated "
                f"{'sheet' if len(names) == 1 else 'sheets'}; nothing was imported",
                capped(iter(problems), len(problems), "moderation", "correct the sheet"),
            )
        status = plan["status"]
        files = tuple(_file_counts(name, sha[name], plan) for name in names)
        outcome = ImportOutcome(
            exercise=exercise_id,
            files=files,
            rows=len(plan),
            added=int((status == "new").sum()),
            unchanged=int((status == "same").sum()),
            replaced=int((status == "changed").sum()),
            dry_run=dry_run,
        )
        if dry_run or not (outcome.added or outcome.replaced):
            return outcome
        rows = plan.drop(columns=["status", "before", "before_round", "moderated_before"])
        new, changed = (status == "new").to_numpy(), (status == "changed").to_numpy()
        repo.insert_round_scores(exercise_id, "moderated", rows[new], sha)
        repo.update_round_scores(exercise_id, "moderated", rows[changed], sha)
        events: list[tuple[str, Mapping[str, Any]]] = [
            ("moderated-sheet-imported", {**f, "evaluator": evaluator}) for f in files
        ]
        events += _events(plan[new | changed], sha)
        repo.append_audit(exercise_id, events)
    return outcome


def _refuse_unstarted(
    repo: Repository, exercise_id: str, marked: pd.DataFrame, tenders: Sequence[Tender]
) -> None:
    frozen = repo.frozen_lots(exercise_id)
    lot_of = {t.id: t.lot for t in tenders}
    open_rows = marked[~marked["tender"].map(lot_of).isin(frozen).to_numpy()]
    if not len(open_rows):
        return
    first = open_rows.sort_values(["file", "row"]).drop_duplicates("tender")
    problems = [
        Problem(
            type="moderation-not-started",
            message=f"tender {row.tender} is in lot {lot_of[row.tender]}, whose moderation has "
            "not started: its independent round is still open",
            file=str(row.file),
            row=int(row.row),
            column="tender",
            value=row.tender,
            fix=f"start the moderation of lot {lot_of[row.tender]} first",
        )
        for row in first.itertuples(index=False)
    ]
    raise InvalidScores(
        f"{plural(len(open_rows), 'row')} of the moderated sheets are for lots whose moderation "
        "has not started; nothing was imported",
        problems,
    )


def _state(score: Any, abstained: bool) -> Any:
    if abstained:
        return ABSTAINED
    if score is None:
        return None
    try:
        import pandas as pd

        if pd.isna(score):
            return None
    except (TypeError, ValueError):
        pass
    return int(score)


def _plan(repo: Repository, exercise_id: str, marked: pd.DataFrame) -> pd.DataFrame:
    """The sheet rows with, for each, the latest stored state and whether it is ``new`` (a
    first moderated row), ``same`` (no change) or ``changed`` (overwrites a moderated row)."""
    evaluators = sorted(map(str, marked["evaluator"].unique()))
    plain = repo.stored_scores(exercise_id, evaluators)
    rounds = repo.round_rows(exercise_id, evaluators)
    latest: dict[tuple[str, str, str], tuple[Any, str]] = {}
    for row in plain.itertuples(index=False):
        latest[(row.evaluator, row.tender, row.criterion)] = (int(row.stored_score), "independent")
    moderated: set[tuple[str, str, str]] = set()
    for row in sorted(rounds.itertuples(index=False), key=lambda r: r.round != "independent"):
        key = (row.evaluator, row.tender, row.criterion)
        state = ABSTAINED if row.stored_score is None else int(row.stored_score)
        latest[key] = (state, row.round)
        if row.round == "moderated":
            moderated.add(key)
    befores, rounds_of, statuses, had = [], [], [], []
    for row in marked.itertuples(index=False):
        key = (str(row.evaluator), str(row.tender), str(row.criterion))
        before, where = latest.get(key, (None, None))
        now = _state(row.score, bool(row.abstain))
        befores.append(before)
        rounds_of.append(where)
        had.append(key in moderated)
        if now == before:
            statuses.append("same")
        else:
            statuses.append("changed" if key in moderated else "new")
    return marked.assign(
        before=befores, before_round=rounds_of, moderated_before=had, status=statuses
    )


def _shown(state: Any) -> str:
    if state is None:
        return "no score"
    return "an abstention" if state == ABSTAINED else str(state)


def _reason_problems(plan: pd.DataFrame) -> list[Problem]:
    problems = []
    for row in plan.itertuples(index=False):
        if row.status == "same" or (row.reason is not None and str(row.reason).strip()):
            continue
        now = _state(row.score, bool(row.abstain))
        problems.append(
            Problem(
                type="reason-missing",
                message=f"{row.evaluator}'s score for tender {row.tender}, {row.criterion} "
                f"changes from {_shown(row.before)} to {_shown(now)} but the row gives no reason",
                file=str(row.file),
                row=int(row.row),
                column="reason",
                value="abstain" if now == ABSTAINED else now,
                fix="say in the reason column why the score changed at the moderation meeting",
            )
        )
    return problems


def _overwrite_problems(plan: pd.DataFrame) -> list[Problem]:
    return [
        Problem(
            type="overwrite",
            message=f"would overwrite the stored moderated score {_shown(row.before)} of "
            f"{row.evaluator} for tender {row.tender}, {row.criterion}",
            file=str(row.file),
            row=int(row.row),
            column=None if row.column is None else str(row.column),
            value=_state(row.score, bool(row.abstain)),
            fix="replace stored scores only on purpose (the audit trail keeps the old one)",
        )
        for row in plan.itertuples(index=False)
        if row.status == "changed"
    ]


def _file_counts(name: str, sha256: str, plan: pd.DataFrame) -> dict[str, Any]:
    mine = plan[plan["file"] == name]["status"].tolist()
    return {
        "file": name,
        "sha256": sha256,
        "round": "moderated",
        "rows": len(mine),
        "added": mine.count("new"),
        "unchanged": mine.count("same"),
        "replaced": mine.count("changed"),
    }


def _events(changes: pd.DataFrame, sha: Mapping[str, str]) -> list[tuple[str, Mapping[str, Any]]]:
    """One audit event per moderated change: what it was, what it is, and why; ``new`` is the
    round row as stored (the reason as written, the sheet's SHA-256), which the ledger replays."""
    from .payload import stored_text

    events: list[tuple[str, Mapping[str, Any]]] = []
    for row in changes.itertuples(index=False):
        now = _state(row.score, bool(row.abstain))
        old: dict[str, Any] = (
            {"abstained": True} if row.before == ABSTAINED else {"score": row.before}
        )
        old["round"] = row.before_round
        new: dict[str, Any] = {"abstained": True} if now == ABSTAINED else {"score": now}
        new.update(
            reason=str(row.reason).strip(),
            comment=row.comment,
            file=str(row.file),
            row=int(row.row),
            column=None if row.column is None else str(row.column),
            sha256=sha[str(row.file)],
        )
        if new["reason"] != stored_text(row.reason):
            new["stored_reason"] = stored_text(row.reason)
        key = {"evaluator": row.evaluator, "tender": row.tender, "criterion": row.criterion}
        events.append(("score-moderated", {**key, "old": old, "new": new}))
    return events
