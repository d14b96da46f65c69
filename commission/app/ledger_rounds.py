"""The moderation stage in the ledger: round scores, frozen lots and moderation notes replayed
from the audit trail and compared with the store (:mod:`.ledger` does the rest).

What the entries hold:

- ``abstentions-recorded`` (beside a ``sheet-imported``): the new independent abstentions of one
  sheet, kept in ``audit_payloads`` (:func:`.payload.round_payload`), their digest in its details.
- ``score-replaced`` whose old or new value is an abstention: the independent round row it
  wrote (new abstained) or removed (old abstained, new a plain score).
- ``score-moderated``: one moderated row, its score (or abstention), reason, comment, file, row,
  column and the sheet's SHA-256 (older entries: the SHA-256 of the ``moderated-sheet-imported``
  entry of the same import).
- ``moderation-started``: the lots it froze (frozen lots are never unfrozen: ``--reopen`` only
  lets an import in, audited as ``independent-round-reopened``).
- ``moderation-note``: the note, its file and row.

Independent imports audited before abstentions were recorded (a ``sheet-imported`` that added
more rows than it recorded, and no ``abstentions-recorded`` for them) are counted, but their
abstentions cannot be checked value by value: :func:`check_rounds` says so in its limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..records import is_missing
from .ledger import _differs, _Found, _missing, _show, _unrecorded, payload_problem
from .payload import decode_rounds

if TYPE_CHECKING:
    import pandas as pd

INDEPENDENT, MODERATED = "independent", "moderated"
_FIELDS = ("score", "comment", "reason", "file", "row", "column", "sha256")
RoundKey = tuple[str, str, str, str, str]  # exercise, evaluator, tender, criterion, round


@dataclass
class Rounds:
    """The round rows, frozen lots and notes the trail says the store holds."""

    #: key -> (seq, values); values None: the entry removed the row.
    rows: dict[RoundKey, tuple[int, dict[str, Any] | None]] = field(default_factory=dict)
    frozen: dict[tuple[str, str], int] = field(default_factory=dict)
    notes: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: (at, file) of an independent import -> [seq, exercise, abstentions not yet recorded].
    pending: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    #: Per exercise: unrecorded abstentions later replaced (found by key, not by value).
    consumed: dict[str, int] = field(default_factory=dict)
    sheet_sha: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def take(self, entry: Mapping[str, Any], payload: Any, payload_seqs: set[int]) -> None:
        """Replay one entry (any action: those that write none of these rows are skipped)."""
        action, details = entry["action"], entry["details"]
        if action in ("sheet-imported", "moderated-sheet-imported"):
            self.sheet_sha[(entry["at"], details["file"])] = details["sha256"]
            recorded = details.get("scores")
            if action == "sheet-imported" and recorded is not None:
                extra = int(details.get("added") or 0) - int(recorded.get("rows") or 0)
                if extra > 0:
                    where = (entry["at"], details["file"])
                    self.pending[where] = [entry["seq"], entry["exercise"], extra]
        elif action == "abstentions-recorded":
            self._abstentions(entry, payload, payload_seqs)
        elif action == "score-replaced":
            self._replaced(entry)
        elif action == "score-moderated":
            self._moderated(entry)
        elif action == "moderation-started":
            for lot in details.get("lots") or ():
                self.frozen.setdefault((entry["exercise"], lot), entry["seq"])
        elif action == "moderation-note":
            key = (entry["exercise"], details["tender"], details["criterion"])
            values = {"note": details["note"], "file": details["file"], "row": details["row"]}
            self.notes[key] = (entry["seq"], values)

    def _sha(self, entry: Mapping[str, Any], new: Mapping[str, Any]) -> Any:
        return new.get("sha256") or self.sheet_sha.get((entry["at"], new["file"]))

    def _abstentions(self, entry: Mapping[str, Any], payload: Any, payload_seqs: set[int]) -> None:
        seq, details, exercise = entry["seq"], entry["details"], entry["exercise"]
        recorded = details["rows"]
        waiting = self.pending.get((entry["at"], details["file"]))
        if waiting is not None:
            waiting[2] -= int(recorded["rows"])
        stored = payload(seq) if seq in payload_seqs else None
        broken = payload_problem(seq, stored, recorded["sha256"], "abstentions", details["file"])
        if broken is not None or stored is None:  # no payload row is always a problem
            if broken is not None:
                self.problems.append(broken)
            if waiting is not None:
                waiting[2] += int(recorded["rows"])
            return
        constant = {"file": details["file"], "sha256": details["sha256"]}
        for row in decode_rounds(stored[1]):
            key = (exercise, row["evaluator"], row["tender"], row["criterion"], details["round"])
            values = {name: row[name] for name in _FIELDS if name in row}
            self.rows[key] = (seq, {**values, **constant})

    def _replaced(self, entry: Mapping[str, Any]) -> None:
        details, exercise = entry["details"], entry["exercise"]
        old, new = details["old"], details["new"]
        if not (old.get("abstained") or new.get("abstained")):
            return  # a plain score replaced by another: the ledger's scores
        key = (exercise, details["evaluator"], details["tender"], details["criterion"])
        key = (*key, INDEPENDENT)
        if old.get("abstained") and key not in self.rows:
            # an abstention imported before abstentions were recorded
            self.consumed[exercise] = self.consumed.get(exercise, 0) + 1
        if not new.get("abstained"):
            self.rows[key] = (entry["seq"], None)
            return
        values = {name: new[name] for name in ("comment", "reason", "file", "row") if name in new}
        values.update(score=None, column=new.get("column"), sha256=self._sha(entry, new))
        self.rows[key] = (entry["seq"], values)

    def _moderated(self, entry: Mapping[str, Any]) -> None:
        details, exercise = entry["details"], entry["exercise"]
        new = details["new"]
        key = (exercise, details["evaluator"], details["tender"], details["criterion"], MODERATED)
        values = {
            "score": None if new.get("abstained") else new.get("score"),
            "comment": new.get("comment"),
            "reason": new.get("stored_reason", new.get("reason")),
            "file": new["file"],
            "row": new["row"],
            "column": new.get("column"),
            "sha256": self._sha(entry, new),
        }
        if "sha256" not in new:
            # written before the entry held the row as stored: its reason is the stripped text
            values["reason_stripped"] = True
        self.rows[key] = (entry["seq"], values)

    def unrecorded(self) -> dict[str, list[tuple[int, int]]]:
        """Per exercise: (entry, abstentions) of imports that did not record their abstentions."""
        found: dict[str, list[tuple[int, int]]] = {}
        for seq, exercise, count in self.pending.values():
            if count > 0:
                found.setdefault(exercise, []).append((seq, count))
        return found


# -- compare ---------------------------------------------------------------------------------


def check_rounds(
    rounds: Rounds,
    stored: pd.DataFrame | None,
    frozen: set[tuple[str, str]] | None,
    notes: Sequence[Mapping[str, Any]] | None,
    found: _Found,
    several: bool,
) -> list[str]:
    """Every round row, frozen lot and note not as the trail says, named; the limits."""
    for problem in rounds.problems:
        found.add(problem)
    limits: list[str] = []
    if stored is not None:
        limits += _check_round_rows(rounds, stored, found, several)
    if frozen is not None:
        _check_frozen(rounds, frozen, found, several)
    if notes is not None:
        _check_notes(rounds, notes, found, several)
    return limits


def _name(key: Sequence[Any], abstained: bool, several: bool) -> str:
    exercise, evaluator, tender, criterion, round_name = key
    what = f"{round_name} {'abstention' if abstained else 'score'}"
    what = f"{what} {evaluator} / {tender} / {criterion}"
    return f"{what} of exercise {exercise}" if several else what


def _same(name: str, now: Any, then: Any, values: Mapping[str, Any]) -> bool:
    if name == "reason" and values.get("reason_stripped"):
        return (now.strip() if isinstance(now, str) else now) == then
    if name == "row" and now is not None and then is not None:
        return bool(int(now) == int(then))
    return bool(now == then)


def _order(key: RoundKey) -> tuple[str, ...]:
    """Exercise, round, evaluator, tender, criterion: an id a changed number no longer names
    is None, and sorts first."""
    return tuple("" if part is None else str(part) for part in (key[0], key[4], *key[1:4]))


def _check_round_rows(
    rounds: Rounds, stored: pd.DataFrame, found: _Found, several: bool
) -> list[str]:
    unrecorded = rounds.unrecorded()
    have: dict[RoundKey, dict[str, Any]] = {}
    for row in stored.to_dict("records"):
        key = (row["exercise"], row["evaluator"], row["tender"], row["criterion"], row["round"])
        have[key] = row
    unchecked: dict[str, int] = {}
    for key in sorted(set(have) | set(rounds.rows), key=_order):
        seq, want = rounds.rows.get(key, (None, None))
        row = have.get(key)
        if row is None:
            if want is not None:
                what = _name(key, want["score"] is None, several)
                shown = "" if want["score"] is None else f" ({_show(want['score'])})"
                found.add(_missing(f"{what}{shown}", int(seq)))  # type: ignore[arg-type]
            continue
        abstained = row["score"] is None or is_missing(row["score"])
        if want is None:
            if seq is None and key[0] in unrecorded and key[4] == INDEPENDENT and abstained:
                unchecked[key[0]] = unchecked.get(key[0], 0) + 1
                continue
            shown = "" if abstained else f" ({_show(row['score'])})"
            found.add(_unrecorded(f"{_name(key, abstained, several)}{shown}"))
            continue
        what = _name(key, want["score"] is None, several)
        for name in _FIELDS:
            if name in want and not _same(name, row[name], want[name], want):
                found.add(_differs(what, name, row[name], want[name], int(seq)))  # type: ignore[arg-type]
    return _limits(rounds, unrecorded, unchecked, found)


def _limits(
    rounds: Rounds,
    unrecorded: Mapping[str, list[tuple[int, int]]],
    unchecked: Mapping[str, int],
    found: _Found,
) -> list[str]:
    limits = []
    for exercise, imports in sorted(unrecorded.items()):
        count = sum(n for _, n in imports) - rounds.consumed.get(exercise, 0)
        have = unchecked.get(exercise, 0)
        if have > count:
            found.add(
                Problem(
                    "row-count",
                    f"exercise {exercise} has {have} independent abstentions in the database "
                    f"that the audit trail does not record; it accounts for {max(count, 0)}",
                    path="round_scores",
                    value=have,
                    fix="rows were added outside commission: restore from a backup",
                )
            )
        seqs = ", ".join(str(seq) for seq, _ in imports)
        one = len(imports) == 1
        limits.append(
            f"exercise {exercise}: {'entry' if one else 'entries'} {seqs} "
            f"{'was' if one else 'were'} written before the audit trail recorded abstentions; "
            f"they are counted, but {have} stored abstentions cannot be checked value by value"
        )
    return limits


def _check_frozen(
    rounds: Rounds, stored: set[tuple[str, str]], found: _Found, several: bool
) -> None:
    def name(key: tuple[str, str]) -> str:
        what = f"the frozen independent round of lot {key[1]}"
        return f"{what} of exercise {key[0]}" if several else what

    for key in sorted(stored - set(rounds.frozen)):
        found.add(_unrecorded(name(key)))
    for key in sorted(set(rounds.frozen) - stored):
        found.add(_missing(name(key), rounds.frozen[key]))


def _check_notes(
    rounds: Rounds, stored: Sequence[Mapping[str, Any]], found: _Found, several: bool
) -> None:
    have = {(row["exercise"], row["tender"], row["criterion"]): row for row in stored}

    def name(key: tuple[str, str, str]) -> str:
        what = f"moderation note {key[1]} / {key[2]}"
        return f"{what} of exercise {key[0]}" if several else what

    for key in sorted(set(have) | set(rounds.notes)):
        row = have.get(key)
        if key not in rounds.notes:
            found.add(_unrecorded(name(key)))
            continue
        seq, want = rounds.notes[key]
        if row is None:
            found.add(_missing(name(key), seq))
            continue
        for field_name in ("note", "file", "row"):
            if not _same(field_name, row[field_name], want[field_name], want):
                found.add(_differs(name(key), field_name, row[field_name], want[field_name], seq))
