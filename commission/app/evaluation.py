"""Results: from the store (``results``), from files alone (``score``), or from parsed documents
(the library's front door for procurement systems, SPEC §9).

``score`` is pure: parsed documents and score rows in, :class:`~commission.scoring.Results` out,
no database and no files. ``score_files`` is the same from files on disk. ``results`` reads the
store's exact tallies in one snapshot and applies the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidTender, Problem
from ..inputs.problems import plural
from ..records import Exercise, Tender

if TYPE_CHECKING:
    import pandas as pd

    from ..scoring import Results
    from ..store import Store


def as_exercise(exercise: Exercise | Mapping[str, Any], base_dir: Path | None = None) -> Exercise:
    """An :class:`Exercise` from a checked record or a parsed exercise document."""
    if isinstance(exercise, Exercise):
        return exercise
    from ..inputs.exercise import exercise_from_dict

    return exercise_from_dict(exercise, base_dir=base_dir)


def as_tenders(exercise: Exercise, tenders: Iterable[Tender | Mapping[str, Any]]) -> list[Tender]:
    """Check parsed tender documents against the exercise; every problem of every tender."""
    from ..inputs.tenders import check_record, check_tender, duplicate_tender, tender_from

    records: list[Tender] = []
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for index, item in enumerate(tenders):
        place = f"tenders[{index}]"
        if isinstance(item, Tender):
            tender = item
            problems.extend(check_record(tender, exercise))
        else:
            found = check_tender(item, exercise, place)
            if found:
                problems.extend(found)
                continue
            tender = tender_from(item, exercise)
        if tender.id in first:
            problems.append(duplicate_tender(tender.id, first[tender.id], place))
            continue
        first[tender.id] = place
        records.append(tender)
    if problems:
        raise InvalidTender(f"{plural(len(problems), 'problem')} in the tenders", problems)
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
    from .. import scoring
    from ..inputs.sheets import scores_from_rows

    checked_exercise = as_exercise(exercise)
    records = as_tenders(checked_exercise, tenders)
    frame = scores_from_rows(scores, exercise=checked_exercise, tenders=records)
    return scoring.score(checked_exercise, records, frame)


def score_files(
    exercise_path: Exercise | Path | str,
    tender_paths: Sequence[Path | str],
    score_paths: Sequence[Path | str],
    *,
    evaluator: str | None = None,
    encoding: str | None = None,
    analysis: bool = False,
) -> Results:
    """``commission score``: the same results as the store gives, from files alone."""
    from .. import scoring
    from ..inputs.exercise import load_exercise
    from ..inputs.sheets import read_marked_scores
    from ..inputs.tenders import read_tenders
    from ..scoring.rounds import abstained_in_frame, with_rounds

    exercise = (
        exercise_path if isinstance(exercise_path, Exercise) else load_exercise(Path(exercise_path))
    )
    tenders = read_tenders([Path(p) for p in tender_paths], exercise)
    marked = read_marked_scores(
        [Path(p) for p in score_paths],
        exercise=exercise,
        tenders=tenders,
        evaluator=evaluator,
        encoding=encoding,
    )
    abstained = marked["abstain"].to_numpy(dtype=bool)
    frame = marked[~abstained].drop(columns=["abstain", "reason"]).astype({"score": "int64"})
    found = scoring.score(exercise, tenders, frame.reset_index(drop=True))
    if abstained.any():
        found = with_rounds(found, abstained=abstained_in_frame(marked, exercise))
    return analysed(found, tenders, frame) if analysis else found


def results(
    store: Store,
    exercise_id: str | None = None,
    *,
    analysis: bool = False,
    round_view: str | None = None,
) -> Results:
    """The same scoring rules as :func:`score`, from the store's tallies in one snapshot.

    Each evaluator's latest round counts (``round_view`` ``independent``: round one alone);
    abstentions are not scores. With ``analysis``, each lot also carries the panels' agreement
    and its winner's robustness (:func:`analysed`): exact, and costly at scale, so asked for
    rather than always done.
    """
    from .. import scoring
    from .rounds import read_rounds, scored_rounds, view_of

    view = view_of(round_view)
    with store.reading() as repo, scoring.no_gc_pauses():
        exercise_id = repo.pick(exercise_id)
        exercise = repo.exercise(exercise_id)
        tenders = repo.tenders(exercise_id)
        if repo.has_round_rows(exercise_id):
            read = read_rounds(repo, exercise, view, analysis=analysis)
        else:
            read = None
            tallies = repo.tallies(exercise_id)
            comments = scoring.LazyComments(repo.commented_scores(exercise_id), exercise)
            frame = repo.score_frame(exercise_id) if analysis else None
    if read is not None:
        found, frame = scored_rounds(exercise, tenders, read), read.frame
    else:
        found = scoring.score_tallies(exercise, tenders, tallies, comments)
    return analysed(found, tenders, frame) if frame is not None else found


def analysed(found: Results, tenders: Sequence[Tender], scores: pd.DataFrame) -> Results:
    """``found`` with each lot's ``agreement`` (Krippendorff's alpha per panel and criterion)
    and, for a lot with a winner, ``robustness`` (SPEC §11) added to its JSON."""
    import dataclasses

    from ..analysis import agreement_by_lot, robustness_by_lot

    exercise = found.exercise
    agreement = agreement_by_lot(exercise, tenders, scores)
    robustness = robustness_by_lot(exercise, tenders, scores)
    extras: dict[str, dict[str, Any]] = {}
    for lot in exercise.lot_ids:
        extras[lot] = {"agreement": [a.to_dict() for a in agreement.get(lot, ())]}
        if lot in robustness:
            extras[lot]["robustness"] = robustness[lot].to_dict()
    return dataclasses.replace(found, lot_extras=extras)


def score_frame(store: Store, exercise_id: str | None = None) -> pd.DataFrame:
    """Every stored score as the score frame of ARCHITECTURE.md (for exports and checks)."""
    with store.reading() as repo:
        return repo.score_frame(repo.pick(exercise_id))
