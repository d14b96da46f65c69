"""The audit trail as a ledger: what each entry wrote, replayed and compared with the store.

What the entries hold, so that the expected state can be rebuilt from the trail alone:

- ``exercise-initialised`` holds the SHA-256 of the exercise document (criteria set written out
  whole) and its title. The stored document must still hash to it; the ``exercises`` row, and
  the ``lots``, ``evaluators`` and ``conflicts`` rows, must be what that document gives.
- ``tender-added`` holds the SHA-256 of the submission, its lot and bidder. The stored document
  must still hash to it and the ``tenders`` columns (lot, bidder, price, currency) must be what
  it gives.
- ``sheet-imported`` holds ``scores: {format, rows, sha256}``: the digest of the score rows that
  sheet added, and the rows themselves are kept beside the entry in ``audit_payloads`` as
  canonical JSON, column by column with ids coded once (:mod:`.payload`): about 23 bytes a
  row, written and read in one ``json`` call each, so a 1,000,000-row import stays fast.
- ``score-replaced`` holds the old and the new value of one score (file, row, column, comment,
  and now the new sheet's SHA-256).
- ``decision-issued`` holds the lot, the digest, whether provisional, and the files.
- the moderation stage's entries (abstentions, moderated scores, frozen lots, notes) are
  replayed by :mod:`.ledger_rounds`.

Replaying the entries in order gives every exercise, tender, score, round score, frozen lot,
moderation note and decision row the database should hold; :func:`compare` names each one that
is not so ("score R1 / T-001 / local-assets is 5 in the database, 4 in the audit trail (entry
7)"). Timestamps of rows are not compared.

Entries written before the rows were recorded (no ``scores`` in a ``sheet-imported``) still
verify their chain, their exercises, tenders and decisions, and the number of score rows, but
not each score row's values: :func:`compare` says so in its ``limits``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .payload import Recorded, load_scores, scores_frame

if TYPE_CHECKING:
    import pandas as pd

    from .ledger_rounds import Rounds

#: Problems listed per verification; the rest are counted in one summary.
MAX_LISTED = 200
_KEY = ["exercise", "evaluator", "tender", "criterion"]
_VALUES = ["score", "comment", "file", "row", "column", "sha256"]
#: The score of a replacement that made the score an abstention: no scores row is expected.
_ABSTAINED = "abstained"


# -- replay ----------------------------------------------------------------------------------


@dataclass
class Expected:
    """The rows the trail says the store holds, each with the entry that wrote it."""

    exercises: dict[str, dict[str, Any]] = field(default_factory=dict)
    tenders: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    #: Score rows added by entries that recorded them, as their payloads code them.
    recorded: list[Recorded] = field(default_factory=list)
    #: Replaced scores: key -> (seq, new values), the last replacement winning.
    replaced: dict[tuple[str, str, str, str], tuple[int, dict[str, Any]]] = field(
        default_factory=dict
    )
    #: Per exercise: (entry, rows added) of imports that did not record their rows.
    unrecorded: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Round scores, frozen lots and notes (:mod:`.ledger_rounds`).
    rounds: Rounds | None = None
    _parts: list[pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def parts(self) -> list[pd.DataFrame]:
        """The recorded score rows as text frames with a ``seq`` column, built when first asked
        for (:mod:`.ledger_codes` compares the coded rows without them)."""
        if self._parts is None:
            self._parts = [
                scores_frame(
                    r.data,
                    {"exercise": r.exercise, "file": r.file, "sha256": r.sha256, "seq": r.seq},
                )
                for r in self.recorded
            ]
        return self._parts


def replay(entries: Iterable[Mapping[str, Any]], payload: Any, payload_seqs: set[int]) -> Expected:
    """Rebuild the expected rows from ``entries`` in order; ``payload(seq)`` gives ``(sha256,
    body)`` of an entry's stored rows."""
    from .ledger_rounds import Rounds

    expected = Expected(rounds=Rounds())
    sheet_sha: dict[tuple[str, str], str] = {}
    for entry in entries:
        seq, action, exercise = entry["seq"], entry["action"], entry["exercise"]
        expected.rounds.take(entry, payload, payload_seqs)  # type: ignore[union-attr]
        details = entry["details"]
        if action == "exercise-initialised":
            expected.exercises[details["exercise"]] = {"seq": seq, **details}
        elif action == "tender-added":
            expected.tenders[(exercise, details["tender"])] = {"seq": seq, **details}
        elif action == "decision-issued":
            expected.decisions.append({"seq": seq, "exercise": exercise, **details})
        elif action == "sheet-imported":
            sheet_sha[(entry["at"], details["file"])] = details["sha256"]
            _replay_import(expected, entry, payload, payload_seqs)
        elif action == "score-replaced":
            new = dict(details["new"])
            sha = new.get("sha256") or sheet_sha.get((entry["at"], new["file"]))
            key = (exercise, details["evaluator"], details["tender"], details["criterion"])
            expected.replaced[key] = (seq, {**new, "sha256": sha})
        # other actions (store-upgraded, and any added later) write none of these rows
    return expected


def _replay_import(
    expected: Expected, entry: Mapping[str, Any], payload: Any, payload_seqs: set[int]
) -> None:
    seq, details, exercise = entry["seq"], entry["details"], entry["exercise"]
    recorded = details.get("scores")
    if recorded is None:
        if details.get("added"):
            expected.unrecorded.setdefault(exercise, []).append((seq, int(details["added"])))
        return
    if not recorded.get("rows"):
        return
    stored = payload(seq) if seq in payload_seqs else None
    broken = payload_problem(seq, stored, recorded["sha256"], "score rows", details["file"])
    if broken is not None or stored is None:  # no payload row is always a problem
        if broken is not None:
            expected.problems.append(broken)
        expected.unrecorded.setdefault(exercise, []).append((seq, int(recorded["rows"])))
        return
    data = load_scores(stored[1])
    expected.recorded.append(Recorded(seq, exercise, details["file"], details["sha256"], data))


# -- compare ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    problems: tuple[Problem, ...]
    total: int
    limits: tuple[str, ...]
    counts: Mapping[str, int]


class _Found:
    """Problems in the order found, the first :data:`MAX_LISTED` kept."""

    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(problem)


def compare(
    expected: Expected,
    exercises: Sequence[Mapping[str, Any]],
    lots: set[tuple[str, ...]],
    evaluators: set[tuple[str, ...]],
    conflicts: set[tuple[str, ...]],
    tenders: Sequence[Mapping[str, Any]],
    decisions: Sequence[Mapping[str, Any]],
    scores: pd.DataFrame | None,
    tender_columns: Any,
    round_scores: pd.DataFrame | None = None,
    frozen_lots: set[tuple[str, str]] | None = None,
    moderation_notes: Sequence[Mapping[str, Any]] | None = None,
    scores_matched: int | None = None,
    score_rows: Callable[[], tuple[pd.DataFrame | None, int | None]] | None = None,
) -> Comparison:
    """Every row of the store that is not what the replayed trail gives, named (the round
    tables left unchecked when not given). ``scores`` is None when :mod:`.ledger_codes` has
    already proved the ``scores_matched`` stored score rows equal to the trail's. Given
    ``score_rows``, its ``(scores, scores_matched)`` stand for those two, asked for once the
    tenders and decisions are checked: a caller can have the score rows read meanwhile."""
    from .ledger_rounds import Rounds, check_rounds

    found = _Found()
    for problem in expected.problems:
        found.add(problem)
    defaults = _check_exercises(expected, exercises, lots, evaluators, conflicts, found)
    _check_tenders(expected, tenders, defaults, tender_columns, found)
    _check_decisions(expected, decisions, found)
    if score_rows is not None:
        scores, scores_matched = score_rows()
    if scores is None:
        limits = []
    else:
        from .ledger_scores import check_scores

        limits = check_scores(expected, scores, found)
    several = len(set(expected.exercises) | {row["id"] for row in exercises}) > 1
    limits += check_rounds(
        expected.rounds or Rounds(), round_scores, frozen_lots, moderation_notes, found, several
    )
    counts = {
        "exercises": len(exercises),
        "tenders": len(tenders),
        "scores": len(scores) if scores is not None else int(scores_matched or 0),
        "decisions": len(decisions),
    }
    for name, rows in (
        ("round scores", round_scores),
        ("frozen lots", frozen_lots),
        ("moderation notes", moderation_notes),
    ):
        if rows is not None and len(rows):
            counts[name] = len(rows)
    return Comparison(tuple(found.listed), found.total, tuple(limits), counts)


def _digest(document: Any) -> str | None:
    """The SHA-256 of a stored document's canonical text; None when it has none (a NaN or an
    infinity written into the row by hand: no document commission stored holds one)."""
    from ..store.audit import sha256_of

    try:
        return sha256_of(document)
    except ValueError:
        return None


def _intact(row: Mapping[str, Any], digest: str) -> bool:
    """Whether a stored tender's document is the one whose canonical SHA-256 is ``digest``:
    proved from its stored text the quick way where that can, else hashed in full."""
    from ..exactjson import is_canonical_digest

    text = row.get("document_text")
    if text is not None and is_canonical_digest(row["document"], text, digest):
        return True
    return _digest(row["document"]) == digest


def _show(value: Any) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)


def _differs(what: str, name: str, now: Any, then: Any, seq: int) -> Problem:
    message = (
        f"{what} is {_show(now)} in the database, {_show(then)} in the audit trail (entry {seq})"
        if name == "score"
        else f"{what}: {name} is {_show(now)} in the database, {_show(then)} in the audit trail "
        f"(entry {seq})"
    )
    return Problem(
        "row-changed",
        message,
        column=name,
        value=now if isinstance(now, str | int) or now is None else str(now),
        fix="the row was changed outside commission: restore it, or the database from a backup",
    )


def payload_problem(
    seq: int, stored: tuple[Any, str] | None, sha256: str, rows: str, file: str
) -> Problem | None:
    """The problem with entry ``seq``'s kept rows (``stored``: its payload row, or None when
    there is none), or None when they hash to the SHA-256 the entry holds."""
    if stored is not None and hashlib.sha256(stored[1].encode("utf-8")).hexdigest() == sha256:
        return None
    what = "is missing" if stored is None else "does not match the SHA-256 its entry holds"
    return Problem(
        "audit-payload",
        f"the {rows} recorded with entry {seq} ({file}) {what}",
        file=file,
        value=seq,
        fix="restore the database from a backup",
    )


def _missing(what: str, seq: int) -> Problem:
    return Problem(
        "row-deleted",
        f"{what} is in the audit trail (entry {seq}) but not in the database",
        fix="the row was deleted outside commission: restore the database from a backup",
    )


def _unrecorded(what: str) -> Problem:
    return Problem(
        "row-inserted",
        f"{what} is in the database but no audit entry wrote it",
        fix="the row was added outside commission: remove it, or restore from a backup",
    )


def _check_exercises(
    expected: Expected,
    stored: Sequence[Mapping[str, Any]],
    lots: set[tuple[str, ...]],
    evaluators: set[tuple[str, ...]],
    conflicts: set[tuple[str, ...]],
    found: _Found,
) -> dict[str, str]:
    """Exercises and the rows derived from them; returns each intact exercise's default lot."""
    from ..inputs.exercise import exercise_from_dict
    from ..records import DEFAULT_LOT

    defaults: dict[str, str] = {}
    by_id = {row["id"]: row for row in stored}
    for exercise_id in sorted(set(by_id) - set(expected.exercises)):
        found.add(_unrecorded(f"exercise {exercise_id}"))
    want_lots: set[tuple[str, ...]] = set()
    want_evaluators: set[tuple[str, ...]] = set()
    want_conflicts: set[tuple[str, ...]] = set()
    for exercise_id, recorded in sorted(expected.exercises.items()):
        what, seq = f"exercise {exercise_id}", recorded["seq"]
        row = by_id.get(exercise_id)
        if row is None:
            found.add(_missing(what, seq))
            continue
        if row["sha256"] != recorded["sha256"]:
            found.add(_differs(what, "sha256", row["sha256"], recorded["sha256"], seq))
        if "title" in recorded and row["title"] != recorded["title"]:
            found.add(_differs(what, "title", row["title"], recorded["title"], seq))
        if _digest(row["document"]) != recorded["sha256"]:
            found.add(_document_changed(what, seq))
            continue
        exercise = exercise_from_dict(row["document"], trusted=True)
        defaults[exercise_id] = exercise.lot_ids[0] if not exercise.has_lots else DEFAULT_LOT
        want_lots |= {(exercise_id, lot.id, lot.title) for lot in exercise.lots}
        for e in exercise.evaluators:
            want_evaluators.add((exercise_id, e.id, e.name, e.panel))
            want_conflicts |= {(exercise_id, e.id, t) for t in e.conflicts}
    intact = set(defaults)
    seqs = {e: r["seq"] for e, r in expected.exercises.items()}
    for table, want, have, fields in (
        ("lot", want_lots, lots, ("title",)),
        ("evaluator", want_evaluators, evaluators, ("name", "panel")),
        ("conflict", want_conflicts, conflicts, ()),
    ):
        _check_derived(table, fields, want, have, intact, seqs, found)
    return defaults


def _check_derived(
    table: str,
    fields: Sequence[str],
    want: set[tuple[str, ...]],
    have: set[tuple[str, ...]],
    intact: set[str],
    seqs: Mapping[str, int],
    found: _Found,
) -> None:
    """Rows made from an exercise document: each (exercise, id) with its fields, or a pair."""
    width = len(fields)
    wanted = {row[: len(row) - width]: row[len(row) - width :] for row in want}
    stored = {
        row[: len(row) - width]: row[len(row) - width :]
        for row in have
        if row[0] in intact or row[0] not in seqs
    }
    for key in sorted(set(stored) | set(wanted)):
        what = f"{table} {' / '.join(key[1:])} of exercise {key[0]}"
        if key not in wanted:
            found.add(_unrecorded(what))
        elif key not in stored:
            found.add(_missing(what, seqs[key[0]]))
        else:
            for name, now, then in zip(fields, stored[key], wanted[key], strict=True):
                if now != then:
                    found.add(_differs(what, name, now, then, seqs[key[0]]))


def _document_changed(what: str, seq: int) -> Problem:
    return Problem(
        "row-changed",
        f"{what}: its document in the database does not match the SHA-256 in the audit trail "
        f"(entry {seq})",
        column="document",
        fix="the row was changed outside commission: restore the database from a backup",
    )


def _check_tenders(
    expected: Expected,
    stored: Sequence[Mapping[str, Any]],
    defaults: Mapping[str, str],
    tender_columns: Any,
    found: _Found,
) -> None:
    from ..store.current import TENDER_DERIVED as DERIVED

    by_key = {(row["exercise"], row["id"]): row for row in stored}
    for key in sorted(set(by_key) - set(expected.tenders)):
        found.add(_unrecorded(f"tender {key[1]} of exercise {key[0]}"))
    for key, recorded in sorted(expected.tenders.items()):
        what, seq = f"tender {key[1]}", recorded["seq"]
        row = by_key.get(key)
        if row is None:
            found.add(_missing(what, seq))
            continue
        if row["sha256"] != recorded["sha256"]:
            found.add(_differs(what, "sha256", row["sha256"], recorded["sha256"], seq))
        intact = _intact(row, recorded["sha256"])
        if not intact:
            found.add(_document_changed(what, seq))
        want = dict(recorded)
        # the entry names the lot and bidder; the rest is derived from the (intact) document
        derived = [name for name in DERIVED if name not in recorded]
        if intact and key[0] in defaults and derived:
            want.update(tender_columns(row["document"], defaults[key[0]], derived))
        for name in DERIVED:
            if name in want and row[name] != want[name]:
                found.add(_differs(what, name, row[name], want[name], seq))


def _decision_files(files: Any) -> list[str]:
    """The issued files' names, whether the entry lists names or ``{file, sha256}`` objects."""
    names = []
    for item in files or []:
        names.append(str(item.get("file") or item.get("name")) if isinstance(item, dict) else item)
    return names


def _check_decisions(
    expected: Expected, stored: Sequence[Mapping[str, Any]], found: _Found
) -> None:
    def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        files = tuple(_decision_files(row.get("files")))
        return (row["exercise"], row["lot"], row["digest"], bool(row["provisional"]), files)

    waiting: dict[tuple[Any, ...], list[int]] = {}
    for recorded in expected.decisions:
        waiting.setdefault(key(recorded), []).append(recorded["seq"])
    for row in stored:
        seqs = waiting.get(key(row))
        if seqs:
            seqs.pop(0)
            continue
        found.add(
            _unrecorded(f"decision {row['id']} for lot {row['lot']} (digest {row['digest'][:12]})")
        )
    for (_, lot, digest, *_rest), seqs in waiting.items():
        for seq in seqs:
            found.add(_missing(f"the decision for lot {lot} (digest {digest[:12]})", seq))
