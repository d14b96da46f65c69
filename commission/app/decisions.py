"""Issuing panel decisions: store → results → decision and assessment summary PDFs → audit.

:func:`decide` reads the results from the store, refuses a final decision while any tender of a
lot is incomplete, writes one decision PDF per lot and one assessment summary per tender, and
records each decision (its digest and files) in the store's hash-chained audit trail.
:func:`verify_pdf` reads a decision PDF's recorded data back and says whether the stored scores
still give the same decision. The PDF code itself never touches the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CommissionError, DecisionRefused, InvalidDocument, NotFound, Problem
from ..scoring import Results

if TYPE_CHECKING:
    from ..store import Store


@dataclass(frozen=True)
class LotDecision:
    lot: str
    path: Path
    digest: str
    outcome: str
    recommended: tuple[str, ...]


@dataclass(frozen=True)
class DecisionOutcome:
    exercise: str
    provisional: bool
    decisions: tuple[LotDecision, ...]
    summaries: tuple[Path, ...]
    audit_head: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "provisional": self.provisional,
            "decisions": [
                {
                    "lot": d.lot,
                    "file": str(d.path),
                    "digest": d.digest,
                    "outcome": d.outcome,
                    "recommended": list(d.recommended),
                }
                for d in self.decisions
            ],
            "summaries": [str(p) for p in self.summaries],
        }


@dataclass(frozen=True)
class VerifyOutcome:
    file: Path
    matches: bool
    exercise: str
    lot: str
    recorded_digest: str
    current_digest: str
    provisional: bool
    changes: tuple[str, ...] = field(default=())

    @property
    def message(self) -> str:
        kind = "provisional decision" if self.provisional else "decision"
        if self.matches:
            return (
                f"{self.file}: matches — the stored scores give the same {kind} for lot "
                f"{self.lot} of {self.exercise} (SHA-256 {self.current_digest})"
            )
        lines = [
            f"{self.file}: does not match — the stored scores now give a different {kind} "
            f"for lot {self.lot} of {self.exercise}",
            f"  recorded SHA-256 {self.recorded_digest}",
            f"  current  SHA-256 {self.current_digest}",
        ]
        lines += [f"  {change}" for change in self.changes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "matches": self.matches,
            "exercise": self.exercise,
            "lot": self.lot,
            "recorded_digest": self.recorded_digest,
            "current_digest": self.current_digest,
            "provisional": self.provisional,
            "changes": list(self.changes),
        }


def safe_filename(text: str) -> str:
    """A file name from an untrusted id: safe characters only, with a hash when changed."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", text).strip("._") or "tender"
    if cleaned != text:
        cleaned = f"{cleaned[:60]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return cleaned[:80]


def refusal_problems(results: Results, lots: list[str]) -> list[Problem]:
    """Why a final decision cannot be issued: each incomplete tender and what it is missing."""
    problems = []
    for lot in lots:
        for t in results.in_lot(lot):
            if not t.complete:
                problems.append(
                    Problem(
                        type="incomplete-tender",
                        message=f"tender {t.tender} in lot {lot} is incomplete: "
                        + "; ".join(t.missing),
                        value=t.tender,
                        fix="import the missing scores, or issue a provisional decision",
                    )
                )
    return problems


def _audit_head(store: Store) -> str:
    """The hash of the newest audit entry: the chain is one chain across exercises."""
    with store.reading() as repo:
        return repo.audit_head()


def record_decision(
    store: Store,
    exercise_id: str | None,
    lot: str,
    digest: str,
    provisional: bool,
    files: list[str],
) -> dict[str, Any]:
    """Record that a decision was issued for a lot, with its digest, in the audit trail."""
    from datetime import UTC, datetime

    with store.writing() as repo:
        exercise_id = repo.pick(exercise_id)
        if not repo.has_lot(exercise_id, lot):
            raise NotFound(
                f"no lot '{lot}' in exercise {exercise_id}",
                [Problem("unknown-lot", "unknown lot", value=lot)],
            )
        issued = datetime.now(UTC)
        repo.insert_decision(exercise_id, lot, digest, provisional, files, issued)
        details = {"lot": lot, "digest": digest, "provisional": provisional, "files": files}
        repo.append_audit(exercise_id, [("decision-issued", details)])
    return {"exercise": exercise_id, **details, "issued_at": issued.isoformat()}


def decide(
    store: Store,
    out_dir: str | Path,
    *,
    lot: str | None = None,
    provisional: bool = False,
    name_evaluators: bool = False,
    exercise_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    invariant: bool = True,
    force: bool = False,
) -> DecisionOutcome:
    """Write the decision PDF of each lot (or of ``lot``) and every tender's summary.

    ``progress(done, total)`` is called as summaries are rendered (``done`` since last call).
    Raises :class:`DecisionRefused` (one problem per incomplete tender) for a final decision
    while any tender of a chosen lot is incomplete; nothing is written then. Existing files are
    not overwritten without ``force``; symbolic links are never followed (safe_write.py)."""
    from ..documents import digest as digests
    from ..documents.decision import DecisionOptions, render_decision
    from ..documents.render import render_summaries, set_invariant
    from ..documents.summary import SummaryJob
    from .evaluation import results as store_results

    results: Results = store_results(store, exercise_id)
    exercise = results.exercise
    if lot is not None and lot not in exercise.lot_ids:
        raise NotFound(
            f"exercise {exercise.id} has no lot {lot!r}; its lots are {', '.join(exercise.lot_ids)}"
        )
    lots = [lot] if lot is not None else list(exercise.lot_ids)
    if not provisional:
        problems = refusal_problems(results, lots)
        if problems:
            raise DecisionRefused(
                f"no final decision: {len(problems)} "
                f"tender{'s are' if len(problems) != 1 else ' is'} incomplete",
                problems,
            )
    out = Path(out_dir)
    set_invariant(invariant)
    prefix = "provisional-decision" if provisional else "decision"
    staging = _staging(results, lots, out, prefix, provisional, force)
    decisions: list[LotDecision] = []
    jobs: list[SummaryJob] = []
    head = _audit_head(store)
    for lot_id in lots:
        data = digests.decision_data(results, lot_id)
        digest_hex = digests.digest(data)
        info = json.dumps(
            # the chain head rides along so that `verify FILE` can tell a truncated trail
            {
                **digests.compact(data, digest_hex=digest_hex, provisional=provisional),
                "audit_head": head,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        path = out / f"{prefix}-{safe_filename(exercise.id)}-{safe_filename(lot_id)}.pdf"
        render_decision(results, lot_id, staging.temporary(path), DecisionOptions(
            provisional=provisional, name_evaluators=name_evaluators, digest=digest_hex,
            audit_head=head, info_json=info))
        lot_result = results.lot(lot_id)
        decisions.append(
            LotDecision(lot_id, path, digest_hex, lot_result.outcome, lot_result.recommended)
        )
        in_lot = results.in_lot(lot_id)
        winners = tuple((w, results.tender(w).total_score) for w in lot_result.recommended)
        for t in in_lot:
            name = f"{'provisional-' if provisional else ''}summary-{safe_filename(t.tender)}.pdf"
            jobs.append(SummaryJob(t, tuple(results.comments_on(t.tender)), winners,
                                   lot_result.title, len(in_lot),
                                   str(staging.temporary(out / "summaries" / name)),
                                   digest_hex, head, provisional, lot_result.complete))
    def report(done: int) -> None:
        if progress is not None:
            progress(done, len(jobs))

    with staging:
        render_summaries(exercise, jobs, workers=workers, invariant=invariant, progress=report)
        staging.publish()
    summaries = [out / "summaries" / Path(job.path).name for job in jobs]
    by_lot: dict[str, list[str]] = {}
    for job, final in zip(jobs, summaries, strict=True):
        by_lot.setdefault(job.tender.lot, []).append(str(final))
    for decision in decisions:
        files = [str(decision.path), *by_lot.get(decision.lot, [])]
        record_decision(store, exercise.id, decision.lot, decision.digest, provisional, files)
    return DecisionOutcome(
        exercise.id, provisional, tuple(decisions), tuple(summaries), _audit_head(store)
    )


def _staging(results: Results, lots: list[str], out: Path, prefix: str, provisional: bool,
             force: bool) -> Any:
    """Every file ``decide`` will write, checked before any is (see commission/safe_write.py)."""
    from ..safe_write import Staging

    exercise = results.exercise
    targets = []
    for lot_id in lots:
        targets.append(out / f"{prefix}-{safe_filename(exercise.id)}-{safe_filename(lot_id)}.pdf")
        for t in results.in_lot(lot_id):
            name = f"{'provisional-' if provisional else ''}summary-{safe_filename(t.tender)}.pdf"
            targets.append(out / "summaries" / name)
    return Staging(targets, force=force, folders=[out, out / "summaries"])


def read_decision_info(path: str | Path) -> dict[str, Any]:
    """The decision data a decision PDF carries in its document information."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from ..documents.layout import INFO_KEY

    try:
        reader = PdfReader(str(path))
        info: Any = reader.metadata or {}
    except (PdfReadError, ValueError) as error:
        raise InvalidDocument(f"{path}: not a readable PDF ({error})") from error
    raw = info.get("/" + INFO_KEY)
    if not raw:
        raise InvalidDocument(
            f"{path}: this PDF carries no commission decision data; only decision PDFs written "
            f"by 'commission decide' can be verified"
        )
    try:
        recorded = json.loads(str(raw))
    except json.JSONDecodeError as error:
        raise InvalidDocument(f"{path}: the decision data in this PDF is damaged") from error
    from ..decision_info import decision_info_problem

    wrong = decision_info_problem(recorded)  # a PDF is editable: its data is untrusted
    if wrong is not None:
        raise InvalidDocument(
            f"{path}: the decision data in this PDF is damaged or was not written by "
            f"'commission decide' ({wrong}); verify the PDF the council issued")
    return dict(recorded)


def verify_pdf(store: Store, path: str | Path) -> VerifyOutcome:
    """Whether the stored data still gives the decision recorded in the PDF at ``path``."""
    from ..documents import digest as digests
    from .evaluation import results as store_results

    recorded = read_decision_info(path)
    try:
        results: Results = store_results(store, recorded.get("exercise"))
    except NotFound as error:
        raise CommissionError(f"{path}: {error}") from error
    lot = str(recorded.get("lot"))
    if lot not in results.exercise.lot_ids:
        raise NotFound(f"{path}: lot {lot} is no longer in exercise {results.exercise.id}")
    data = digests.decision_data(results, lot)
    now_digest = digests.digest(data)
    now = digests.compact(data, digest_hex=now_digest, provisional=bool(recorded["provisional"]))
    matches = now_digest == recorded["digest"]
    # issue 15: the trail must still reach the head the file carries and record this decision
    from .audit import head_in_document, require_witnessed

    head = str(recorded.get("audit_head") or head_in_document(path))
    require_witnessed(store, head, results.exercise.id, lot, str(recorded["digest"]))
    changes = (
        ()
        if matches
        else tuple(digests.differences(recorded, now))
        or ("the decision data differs (comments, bidder names or per-panel counts)",)
    )
    return VerifyOutcome(
        Path(path),
        matches,
        str(recorded.get("exercise")),
        lot,
        str(recorded["digest"]),
        now_digest,
        bool(recorded["provisional"]),
        changes,
    )
