"""Independent imports with rounds in mind: abstentions stored beside scores, and lots whose
independent round ``moderation start`` froze.

An abstention in the independent round is kept in the store's round table; a score and an
abstention are two states of one (evaluator, tender, criterion), so turning one into the other
is an overwrite like any other: refused unless replacing, and the old state audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Problem, Refused
from ..inputs.problems import capped, plural

if TYPE_CHECKING:
    import pandas as pd

    from ..records import Tender
    from ..store.repository import Repository

_KEY = ["evaluator", "tender", "criterion"]


def split_marked(marked: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A marked score frame as (scores, abstentions); scores without the mark columns."""
    abstain = marked["abstain"].to_numpy(dtype=bool)
    scores = marked[~abstain].drop(columns=["abstain", "reason"]).astype({"score": "int64"})
    return scores.reset_index(drop=True), marked[abstain].reset_index(drop=True)


def refuse_frozen(
    repo: Repository,
    exercise_id: str,
    rows: pd.DataFrame,
    tenders: Sequence[Tender],
    *,
    reopen: bool,
) -> list[tuple[str, Mapping[str, Any]]]:
    """Refuse independent rows for a lot whose independent round is frozen, unless ``reopen``;
    the audit events of a reopening (none when nothing frozen is touched)."""
    frozen = repo.frozen_lots(exercise_id)
    if not frozen or not len(rows):
        return []
    lot_of = {t.id: t.lot for t in tenders}
    lots = rows["tender"].map(lot_of)
    touched = rows[lots.isin(frozen).to_numpy()]
    if not len(touched):
        return []
    touched_lots = sorted(set(touched["tender"].map(lot_of)))
    if reopen:
        return [
            (
                "independent-round-reopened",
                {
                    "lots": touched_lots,
                    "rows": len(touched),
                    "files": sorted(set(map(str, touched["file"]))),
                },
            )
        ]
    first = touched.sort_values(["file", "row"]).drop_duplicates("tender")
    problems = [
        Problem(
            type="round-frozen",
            message=f"tender {row.tender} is in lot {lot_of[row.tender]}, whose independent "
            "round is frozen: its moderation has started",
            file=str(row.file),
            row=int(row.row),
            column="tender",
            value=row.tender,
            fix="import revised scores into the moderated round, or reopen the independent "
            "round on purpose (audited)",
        )
        for row in first.itertuples(index=False)
    ]
    raise Refused(
        f"{plural(len(touched), 'row')} of the sheets are for the frozen independent round of "
        f"lot {', '.join(touched_lots)}; nothing was imported",
        capped(iter(problems), len(problems), "round-frozen", "import into the moderated round"),
    )


@dataclass
class Marks:
    """How the sheets' scores and abstentions meet what the independent round holds.

    ``status`` (per score row) and ``abstain_status`` (per abstention row) are ``new``,
    ``same``, ``changed`` or ``swap`` (the other state is stored: a score where an abstention
    was, or the reverse)."""

    status: pd.Series
    abstentions: pd.DataFrame
    abstain_status: pd.Series
    stored: pd.DataFrame  # the stored independent abstentions
    plain: pd.DataFrame  # the stored independent scores (repository ``stored_scores``)

    def problems(self, scores: pd.DataFrame) -> list[Problem]:
        """Overwrites that swap a score and an abstention, or change an abstention's reason."""
        rows = []
        swapped = (self.status == "swap").to_numpy(dtype=bool)
        for row in scores[swapped].itertuples(index=False):  # a few rows, not every score
            rows.append((row, f"would replace {row.evaluator}'s stored abstention"))
        for row, state in zip(
            self.abstentions.itertuples(index=False), self.abstain_status.tolist(), strict=True
        ):
            if state == "swap":
                rows.append(
                    (row, f"would replace {row.evaluator}'s stored score with an abstention")
                )
            elif state == "changed":
                rows.append((row, f"would replace the reason {row.evaluator} gave for abstaining"))
        found = (
            Problem(
                type="overwrite",
                message=f"{what} for tender {row.tender}, {row.criterion}",
                file=str(row.file),
                row=int(row.row),
                column=None if row.column is None else str(row.column),
                fix="replace stored scores only on purpose (the audit trail keeps the old one)",
            )
            for row, what in rows
        )
        return capped(found, len(rows), "overwrite", "correct the sheet, or replace on purpose")

    def add_counts(self, counts: dict[str, Any], name: str) -> dict[str, Any]:
        """A sheet's counts with its abstentions added."""
        mine = (self.abstentions["file"] == name).to_numpy(dtype=bool)
        states = self.abstain_status[mine].tolist()
        counts["rows"] += len(states)
        counts["added"] += states.count("new")
        counts["unchanged"] += states.count("same")
        counts["replaced"] += states.count("changed") + states.count("swap")
        return counts

    def counts(self) -> dict[str, int]:
        states = self.abstain_status.tolist()
        return {
            "added": states.count("new"),
            "unchanged": states.count("same"),
            "replaced": states.count("changed") + states.count("swap"),
        }

    def write(
        self, repo: Repository, exercise_id: str, scores: pd.DataFrame, sha: Mapping[str, str]
    ) -> list[Any]:
        """Store the swaps and abstentions; their audit events (new abstentions recorded row by
        row in a payload, :func:`abstention_events`)."""
        events: list[Any] = []
        swapped = scores[(self.status == "swap").to_numpy()]
        if len(swapped):
            keys = _keys(swapped)
            repo.delete_round_scores(exercise_id, "independent", keys)
            repo.insert_scores(exercise_id, swapped, sha)
            old = self.stored.set_index(_KEY)
            for row in swapped.itertuples(index=False):
                before = old.loc[(row.evaluator, row.tender, row.criterion)]
                events.append(
                    _replaced(row, {"abstained": True, "comment": before["stored_comment"]}, sha)
                )
        a, state = self.abstentions, self.abstain_status
        added = a[(state == "new").to_numpy()]
        repo.insert_round_scores(exercise_id, "independent", added, sha)
        events += abstention_events(added, sha)
        changed = a[(state == "changed").to_numpy()]
        repo.update_round_scores(exercise_id, "independent", changed, sha)
        old = self.stored.set_index(_KEY)
        for row in changed.itertuples(index=False):
            before = old.loc[(row.evaluator, row.tender, row.criterion)]
            events.append(
                _replaced(row, {"abstained": True, "comment": before["stored_comment"]}, sha)
            )
        swap = a[(state == "swap").to_numpy()]
        if len(swap):
            plain = self.plain.set_index(_KEY)
            for row in swap.itertuples(index=False):
                before = plain.loc[(row.evaluator, row.tender, row.criterion)]
                events.append(
                    _replaced(
                        row,
                        {"score": int(before["stored_score"]), "comment": before["stored_comment"]},
                        sha,
                    )
                )
            repo.delete_plain_scores(exercise_id, _keys(swap))
            repo.insert_round_scores(exercise_id, "independent", swap, sha)
        return events


def independent_marks(
    repo: Repository,
    exercise_id: str,
    scores: pd.DataFrame,
    status: pd.Series,
    abstentions: pd.DataFrame,
    plain: pd.DataFrame,
) -> Marks:
    """Compare the sheets' scores and abstentions with the stored independent round."""
    import pandas as pd

    evaluators = sorted(set(scores["evaluator"].unique()) | set(abstentions["evaluator"].unique()))
    rounds = repo.round_rows(exercise_id, evaluators)
    stored = rounds[rounds["round"] == "independent"] if len(rounds) else rounds
    stored = stored[stored["stored_score"].isna()] if len(stored) else stored
    held = set(map(tuple, stored[_KEY].astype(str).values.tolist())) if len(stored) else set()
    status = status.copy()
    if held and len(scores):
        over = [tuple(k) in held for k in scores[_KEY].values.tolist()]
        status[pd.Series(over, index=status.index) & (status == "new")] = "swap"
    scored = set(map(tuple, plain[_KEY].astype(str).values.tolist())) if len(plain) else set()
    reasons = (
        {
            tuple(k): c
            for k, c in zip(
                stored[_KEY].values.tolist(), stored["stored_comment"].tolist(), strict=True
            )
        }
        if len(stored)
        else {}
    )
    states = []
    for row in abstentions.itertuples(index=False):
        key = (row.evaluator, row.tender, row.criterion)
        if key in scored:
            states.append("swap")
        elif key in reasons:
            same = (reasons[key] or "") == (row.comment or "")
            states.append("same" if same else "changed")
        else:
            states.append("new")
    return Marks(
        status=status,
        abstentions=abstentions,
        abstain_status=pd.Series(states, index=abstentions.index, dtype=object),
        stored=stored,
        plain=plain,
    )


def _keys(rows: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [tuple(map(str, k)) for k in rows[_KEY].values.tolist()]  # type: ignore[misc]


def abstention_events(rows: pd.DataFrame, sha: Mapping[str, str]) -> list[Any]:
    """One ``abstentions-recorded`` event per sheet with new independent abstentions: the rows,
    as stored, kept beside the entry (:func:`commission.app.payload.round_payload`), their
    digest in its details."""
    from .payload import round_payload

    events: list[Any] = []
    for name, mine in rows.groupby("file", sort=False) if len(rows) else ():
        body, summary = round_payload(mine)
        details = {"file": str(name), "sha256": sha[str(name)], "round": "independent"}
        events.append(("abstentions-recorded", {**details, "rows": summary}, body))
    return events


def _replaced(
    row: Any, old: Mapping[str, Any], sha: Mapping[str, str]
) -> tuple[str, Mapping[str, Any]]:
    from .payload import stored_text

    abstained = bool(getattr(row, "abstain", False))
    new: dict[str, Any] = {"abstained": True} if abstained else {"score": int(row.score)}
    new.update(
        comment=row.comment,
        file=str(row.file),
        row=int(row.row),
        column=None if row.column is None else str(row.column),
        sha256=sha[str(row.file)],
    )
    if abstained:
        # the reason column of the sheet, as the round row keeps it
        new["reason"] = stored_text(getattr(row, "reason", None))
    key = {"evaluator": row.evaluator, "tender": row.tender, "criterion": row.criterion}
    return ("score-replaced", {**key, "old": dict(old), "new": new})
