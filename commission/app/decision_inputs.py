"""What ``decide`` gathers for the documents besides the results (issue 14): per lot the
moderation record, the abstentions, the agreed moderation notes and the winner's robustness; per
tender what its assessment summary says about moderation.

:func:`gather` reads the store in one snapshot and works out, once per lot and in the parent
process, the robustness of each rendered lot's winner (exact, about 3 s for a lot of 1,000
tenders); :func:`apply` hands it all to the run's decision options and summary jobs. The same
stored data gives the same inputs, so an issued run renders again byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..records import is_missing

if TYPE_CHECKING:
    from ..documents.decision_moderation import LotRecord
    from ..documents.summary_moderation import Moderated
    from ..records import Tender
    from ..scoring import LotResult, Results, TenderResult
    from ..store import Store
    from .issuing import Plan


@dataclass(frozen=True)
class DecisionInputs:
    #: lot → what its decision says besides the results.
    records: Mapping[str, LotRecord]
    #: tender → what its summary says about moderation (absent: nothing to say).
    moderated: Mapping[str, Moderated]


@dataclass(frozen=True)
class _RoundOne:
    tenders: dict[str, TenderResult]
    lots: dict[str, LotResult]


@dataclass
class _Read:
    frozen: set[str]
    notes: dict[tuple[str, str], str]
    changes: Any = None
    abstentions: Any = None
    independent: Any = None
    frame: Any = None


def gather(
    store: Store, results: Results, lots: Sequence[str], tenders: Sequence[Tender]
) -> DecisionInputs:
    """Everything the decisions of ``lots`` and their summaries need besides ``results``."""
    from ..scoring import OUTCOME_WINNER

    exercise = results.exercise
    winners = [lot for lot in lots if results.lot(lot).outcome == OUTCOME_WINNER]
    read = _read(store, exercise.id, robustness=bool(winners))
    independent = _independent(results, tenders, read)
    moderated_tenders = set(read.changes["tender"]) if read.changes is not None else set()
    records = {}
    summaries: dict[str, Moderated] = {}
    for lot in lots:
        in_lot = results.in_lot(lot)
        ids = {t.tender for t in in_lot}
        moderated = lot in read.frozen or bool(ids & moderated_tenders)
        records[lot] = _record(
            results, lot, read, ids, moderated, independent, tenders, lot in winners
        )
        for t in in_lot:
            found = _summary(t, read.notes, t.tender in moderated_tenders, independent)
            if found is not None:
                summaries[t.tender] = found
    return DecisionInputs(records, summaries)


def apply(plan: Plan, inputs: DecisionInputs) -> Plan:
    """``plan`` with each decision's record and each summary's (and leader's) moderation."""
    lots = []
    for lot_id, digest_hex, name, options, jobs in plan.lots:
        record = inputs.records.get(lot_id)
        jobs = [
            replace(
                job,
                moderated=inputs.moderated.get(job.tender.tender),
                leaders=tuple(
                    replace(leader, moderated=inputs.moderated.get(leader.result.tender))
                    for leader in job.leaders
                ),
            )
            for job in jobs
        ]
        lots.append((lot_id, digest_hex, name, replace(options, record=record), jobs))
    plan.lots = lots
    return plan


def _read(store: Store, exercise_id: str, *, robustness: bool) -> _Read:
    with store.reading() as repo:
        read = _Read(repo.frozen_lots(exercise_id), repo.moderation_notes(exercise_id))
        if repo.has_round_rows(exercise_id):
            read.changes = repo.moderation_changes(exercise_id)
            read.abstentions = repo.abstentions(exercise_id)
            one = repo.round_tallies(exercise_id, "independent")
            read.independent = (
                one[one["count"] > 0].drop(columns="abstained").reset_index(drop=True)
            )
            if robustness:
                read.frame = repo.round_score_frame(exercise_id).drop(columns=["round", "reason"])
        elif robustness:
            read.frame = repo.score_frame(exercise_id)
    return read


def _independent(results: Results, tenders: Sequence[Tender], read: _Read) -> _RoundOne:
    """Every tender's and lot's result from the independent round alone, exactly."""
    from ..scoring import score_tallies

    found = results
    if read.independent is not None:
        found = score_tallies(results.exercise, tenders, read.independent)
    return _RoundOne({t.tender: t for t in found.tenders}, {lot.lot: lot for lot in found.lots})


def _record(
    results: Results,
    lot: str,
    read: _Read,
    ids: set[str],
    moderated: bool,
    independent: _RoundOne,
    tenders: Sequence[Tender],
    has_winner: bool,
) -> LotRecord:
    from ..documents.decision_moderation import Abstention, Change, LotRecord

    by_tender, by_lot = independent.tenders, independent.lots
    changes: tuple[Change, ...] = ()
    if read.changes is not None and moderated:
        chosen = read.changes[read.changes["tender"].isin(ids)]
        changes = tuple(
            Change(
                str(e),
                str(t),
                str(c),
                _int(old),
                bool(was),
                _int(new),
                bool(now),
                None if is_missing(reason) else str(reason),
            )
            for e, t, c, old, was, new, now, reason in chosen.itertuples(index=False)
        )
    abstentions: tuple[Abstention, ...] = ()
    if read.abstentions is not None:
        # a moderated abstention's reason is the reason column of the moderated sheet
        reasons = {(ch.evaluator, ch.tender, ch.criterion): ch.reason for ch in changes}
        chosen = read.abstentions[read.abstentions["tender"].isin(ids)]
        abstentions = tuple(
            Abstention(
                str(e),
                str(t),
                str(c),
                str(r),
                reasons.get((str(e), str(t), str(c))) if is_missing(why) else str(why),
            )
            for e, t, c, why, r in chosen.itertuples(index=False)
        )
    return LotRecord(
        moderated=moderated,
        changes=changes,
        independent_lot=by_lot.get(lot) if moderated else None,
        independent={t: by_tender[t] for t in ids if t in by_tender} if moderated else {},
        abstentions=abstentions,
        robustness=_robustness(results, lot, tenders, read.frame) if has_winner else None,
        notes={key: note for key, note in read.notes.items() if key[0] in ids},
    )


def _robustness(results: Results, lot: str, tenders: Sequence[Tender], frame: Any) -> Any:
    """The winner's robustness, once per lot; None when it names another winner than the
    results (the store changed between the two reads: say nothing rather than mislead)."""
    from ..analysis import lot_robustness

    if frame is None:
        return None
    in_lot = [t for t in tenders if t.lot == lot]
    # the lot's own rows only: leave-one-out over the whole exercise's frame costs about 3×
    chosen = frame[frame["tender"].isin({t.id for t in in_lot})]
    found = lot_robustness(results.exercise, in_lot, chosen)
    if found is None or found.winner != results.lot(lot).recommended[0]:
        return None
    return found


def _summary(
    t: TenderResult, notes: Mapping[tuple[str, str], str], revised: bool, independent: _RoundOne
) -> Moderated | None:
    from ..documents.summary_moderation import Moderated

    mine = tuple(
        (cr.criterion, note) for cr in t.criteria if (note := notes.get((t.tender, cr.criterion)))
    )
    if not mine and not revised:
        return None
    before = independent.tenders.get(t.tender) if revised else None
    if before is None:
        return Moderated(notes=mine)
    return Moderated(
        notes=mine,
        revised=True,
        before=tuple((cr.criterion, cr.combined) for cr in before.criteria),
        total_before=before.total_score,
        quality_before=before.quality_score,
        rank_before=before.rank,
    )


def _int(value: Any) -> int | None:
    return None if is_missing(value) else int(value)
