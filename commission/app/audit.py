"""``audit``, ``audit --head`` and ``audit --verify``: the hash-chained trail of every change.

``--verify`` checks three things: the hash chain (each entry follows the one before), that the
chain still reaches a head witnessed outside the database (``--head HASH``, as printed in every
issued document), and that the exercises, tenders, scores and decisions stored now are what
replaying the chain gives (:mod:`commission.app.ledger`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import AuditBroken, Problem
from .outcomes import Rows

if TYPE_CHECKING:
    from ..store import AuditCheck, Repository, Store


def audit_entries(store: Store, exercise_id: str | None = None) -> Rows:
    """The audit trail in order; with ``exercise_id``, that exercise's entries only."""
    with store.reading() as repo:
        repo.ready()
        if exercise_id is not None:
            repo.pick(exercise_id)
        return Rows(tuple(repo.audit_entries(exercise_id)))


def verify_audit(store: Store) -> AuditCheck:
    """Recompute the whole hash chain; the check names the first entry that does not match."""
    with store.reading() as repo:
        repo.ready()
        return repo.verify_audit()


@dataclass(frozen=True)
class Head:
    """The newest entry of the trail: what a document or a person keeps to detect truncation."""

    seq: int
    hash: str

    @property
    def message(self) -> str:
        return self.hash

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


def audit_head(store: Store) -> Head:
    """The head of the chain (seq 0 and an empty hash for an empty trail)."""
    with store.reading() as repo:
        repo.ready()
        last = repo.audit_last()
    return Head(*last) if last else Head(0, "")


@dataclass(frozen=True)
class AuditVerification:
    """What ``audit --verify`` found: ``ok`` only when the chain, the head and the data agree."""

    chain: AuditCheck
    head: Head
    problems: tuple[Problem, ...] = ()
    limits: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    @property
    def message(self) -> str:
        from ..inputs.problems import plural

        nouns = {"exercises": "exercise", "tenders": "tender", "scores": "score"}
        rows = ", ".join(
            plural(n, nouns.get(name, name.rstrip("s"))) for name, n in self.counts.items()
        )
        text = (
            f"the audit trail verifies: {self.chain.checked} entries, hash chain intact, "
            f"head {self.head.hash or 'none'}; the stored rows are what it records ({rows})"
        )
        return "\n".join([text, *(f"note: {limit}" for limit in self.limits)])

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.chain.to_dict(),
            "ok": self.ok,
            "head": self.head.to_dict(),
            "rows": dict(self.counts),
            "limits": list(self.limits),
            "problems": [p.to_dict() for p in self.problems],
        }


def check_audit(store: Store, head: str | None = None) -> AuditVerification:
    """The chain, the witnessed ``head`` (when given) and the stored rows against the trail."""
    from ..inputs.problems import with_summary
    from . import ledger, ledger_codes

    with store.reading() as repo, repo.integrity_checked_beside():
        repo.ready(integrity=False)
        # read beside the chain's check where the engine can (PostgreSQL: the same snapshot)
        stored_codes = repo.score_codes()
        entries: list[dict[str, Any]] = []
        chain = repo.verify_audit(keep=entries)
        last = repo.audit_last()
        problems = (
            [] if chain.ok else [Problem("audit-broken", chain.reason or "", value=chain.first_bad)]
        )
        if head is not None:
            problems += _head_problems(repo, head)
        if not chain.ok:
            # a broken chain proves nothing about the rows: say only what broke
            return AuditVerification(chain, Head(*last) if last else Head(0, ""), tuple(problems))
        # the entries the chain check read and proved: the trail is read once
        expected = ledger.replay(entries, repo.audit_payload, repo.audit_payload_seqs())
        del entries

        def score_rows() -> tuple[Any, int | None]:
            # the score rows compared by number first; as text, naming each difference, only
            # when that does not prove them equal (:mod:`.ledger_codes`)
            codes = stored_codes()
            if codes is not None and ledger_codes.scores_match(expected, codes):
                return None, len(codes)
            del codes
            return repo.ledger_scores(), None

        # every other row read and checked first: on PostgreSQL the server is still scanning
        # the score rows for ``stored_codes`` meanwhile
        found = ledger.compare(expected, **repo.ledger_rows(scores=False), score_rows=score_rows)
    problems += with_summary(
        list(found.problems), found.total, "problem", "restore the database from a backup"
    )
    return AuditVerification(
        chain, Head(*last) if last else Head(0, ""), tuple(problems), found.limits, found.counts
    )


def _head_problems(repo: Repository, head: str) -> list[Problem]:
    text = head.strip().lower()
    if len(text) < 12 or any(c not in "0123456789abcdef" for c in text):
        return [
            Problem(
                "bad-head",
                f"{head!r} is not an audit chain head: give the 64 hexadecimal characters "
                "printed as 'Audit chain head' (at least the first 12)",
                value=head,
            )
        ]
    if repo.audit_seq_of(text) is not None:
        return []
    last = repo.audit_last()
    now = f"entry {last[0]}, {last[1]}" if last else "no entry at all"
    return [
        Problem(
            "head-missing",
            f"the audit trail no longer reaches the head {text}: entries were removed after it "
            f"was witnessed (the trail now ends at {now})",
            value=text,
            fix="restore the database from a backup made after that head was issued",
        )
    ]


def require_intact_audit(store: Store, head: str | None = None) -> AuditVerification:
    """:func:`check_audit`, raising :class:`AuditBroken` with every problem when it fails."""
    check = check_audit(store, head)
    if not check.ok:
        chain = check.chain
        count = len([p for p in check.problems if p.type != "too-many-errors"])
        first = (
            f"{chain.reason} (first bad entry: {chain.first_bad}; {chain.checked} checked)"
            if not chain.ok
            else check.problems[0].message
        )
        raise AuditBroken(
            f"the audit trail does not verify: {first}"
            + (f" (and {count - 1} more)" if count > 1 else ""),
            list(check.problems),
        )
    return check


def require_witnessed(
    store: Store, head: str, exercise: str, lot: str, digest: str
) -> Sequence[Problem]:
    """For ``verify FILE``: the chain still reaches the head the file carries, and records the
    decision (its lot and digest) after that head. Raises :class:`AuditBroken` when not."""
    with store.reading() as repo:
        repo.ready()
        chain = repo.verify_audit()
        problems = (
            [] if chain.ok else [Problem("audit-broken", chain.reason or "", value=chain.first_bad)]
        )
        after = 0
        if head:
            problems += _head_problems(repo, head)
            after = repo.audit_seq_of(head.strip().lower()) or 0
        issued = [
            e
            for e in repo.audit_entries(exercise)
            if e["action"] == "decision-issued"
            and e["seq"] > after
            and e["details"].get("lot") == lot
            and e["details"].get("digest") == digest
        ]
    if not issued:
        problems.append(
            Problem(
                "decision-unrecorded",
                f"the audit trail holds no decision-issued entry for lot {lot} of {exercise} "
                f"with digest {digest}" + (" after the head this file carries" if head else ""),
                value=digest,
                fix="the entry was removed: restore the database from a backup",
            )
        )
    if problems:
        raise AuditBroken(
            f"the audit trail does not witness this decision: {problems[0].message}", problems
        )
    return problems


def head_in_document(path: Any) -> str:
    """The "Audit chain head" printed in a PDF's page footer ("" when it carries none): for
    decisions issued before the head was also kept in the PDF's metadata."""
    import re

    from pypdf import PdfReader

    try:
        text = PdfReader(str(path)).pages[0].extract_text() or ""
    except Exception:  # a damaged page: the metadata check has already read the file
        return ""
    found = re.search(r"Audit chain head:\s*([0-9a-f]{64})", text)
    return found.group(1) if found else ""
