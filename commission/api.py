"""The library's front door for procurement systems (SPEC §9).

``score`` is pure: parsed documents and score rows in, :class:`~commission.scoring.Results` out,
no database and no files. ``score_files`` is the same from files on disk, which is what
``commission score`` runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidTender, Problem
from .model import Exercise, Tender

if TYPE_CHECKING:
    import pandas as pd

    from .scoring import Results


def as_exercise(exercise: Exercise | Mapping[str, Any], base_dir: Path | None = None) -> Exercise:
    """An :class:`Exercise` from a checked record or a parsed exercise document."""
    if isinstance(exercise, Exercise):
        return exercise
    from .exercise import exercise_from_dict

    return exercise_from_dict(exercise, base_dir=base_dir)


def as_tenders(
    exercise: Exercise, tenders: Iterable[Tender | Mapping[str, Any]]
) -> list[Tender]:
    """Check parsed tender documents against the exercise; every problem of every tender."""
    from .submissions import check_tender, tender_from

    records: list[Tender] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(tenders):
        if isinstance(item, Tender):
            tender = item
            if tender.lot not in exercise.lot_ids:
                problems.append(
                    Problem(
                        "unknown-lot",
                        f"tender {tender.id} names lot '{tender.lot}', which the exercise lacks",
                        value=tender.lot,
                        fix=f"use one of {', '.join(exercise.lot_ids)}",
                    )
                )
        else:
            found = check_tender(item, exercise, f"tenders[{index}]")
            if found:
                problems.extend(found)
                continue
            tender = tender_from(item, exercise)
        if tender.id in seen:
            problems.append(
                Problem(
                    "duplicate-tender",
                    f"tender {tender.id} is given twice",
                    value=tender.id,
                    fix="give each tender once; tender ids must be unique",
                )
            )
        seen.add(tender.id)
        records.append(tender)
    if problems:
        raise InvalidTender(f"{len(problems)} problem(s) in the tenders", problems)
    return records


def score(
    exercise: Exercise | Mapping[str, Any],
    tenders: Iterable[Tender | Mapping[str, Any]],
    scores: pd.DataFrame | Iterable[Mapping[str, Any]],
) -> Results:
    """Score tenders from parsed documents and score rows, with no database and no files.

    ``scores`` is a DataFrame or an iterable of mappings with keys ``evaluator``, ``tender``,
    ``criterion``, ``score`` and optionally ``comment``. Rows are checked exactly as an imported
    score sheet is; any problem raises :class:`~commission.errors.InvalidScores` listing all.
    """
    from . import scoring
    from .sheets import scores_from_rows

    checked_exercise = as_exercise(exercise)
    records = as_tenders(checked_exercise, tenders)
    frame = scores_from_rows(scores, exercise=checked_exercise, tenders=records)
    return scoring.score(checked_exercise, records, frame)


def score_files(
    exercise_path: Path | str,
    tender_paths: Sequence[Path | str],
    score_paths: Sequence[Path | str],
    *,
    evaluator: str | None = None,
    encoding: str | None = None,
) -> Results:
    """``commission score``: the same results as the store gives, from files alone."""
    from . import scoring
    from .exercise import load_exercise
    from .sheets import read_scores
    from .submissions import read_tenders

    exercise = load_exercise(Path(exercise_path))
    tenders = read_tenders([Path(p) for p in tender_paths], exercise)
    frame = read_scores(
        [Path(p) for p in score_paths],
        exercise=exercise,
        tenders=tenders,
        evaluator=evaluator,
        encoding=encoding,
    )
    return scoring.score(exercise, tenders, frame)
