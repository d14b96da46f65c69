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

from .errors import CommissionError, DecisionRefused, InvalidDocument, NotFound, Problem
from .scoring import Results

if TYPE_CHECKING:
    from .store import Store


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
    #: The HTML editions written (decisions, then summaries).
    html: tuple[Path, ...] = ()
    #: Characters no bundled font can draw: the PDFs show the marker [U+XXXX] for each.
    missing_glyphs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "provisional": self.provisional,
            "decisions": [
                {"lot": d.lot, "file": str(d.path), "digest": d.digest, "outcome": d.outcome,
                 "recommended": list(d.recommended)}
                for d in self.decisions
            ],
            "summaries": [str(p) for p in self.summaries],
            "html": [str(p) for p in self.html],
            "missing_glyphs": [f"U+{ord(c):04X}" for c in self.missing_glyphs],
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
            return (f"{self.file}: matches — the stored scores give the same {kind} for lot "
                    f"{self.lot} of {self.exercise} (SHA-256 {self.current_digest})")
        lines = [f"{self.file}: does not match — the stored scores now give a different {kind} "
                 f"for lot {self.lot} of {self.exercise}",
                 f"  recorded SHA-256 {self.recorded_digest}",
                 f"  current  SHA-256 {self.current_digest}"]
        lines += [f"  {change}" for change in self.changes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.file), "matches": self.matches, "exercise": self.exercise,
                "lot": self.lot, "recorded_digest": self.recorded_digest,
                "current_digest": self.current_digest, "provisional": self.provisional,
                "changes": list(self.changes)}


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
                problems.append(Problem(
                    type="incomplete-tender",
                    message=f"tender {t.tender} in lot {lot} is incomplete: "
                            + "; ".join(t.missing),
                    value=t.tender,
                    fix="import the missing scores, or issue a provisional decision with "
                        "--provisional",
                ))
    return problems


def _store_api() -> Any:
    from .store import workflow

    return workflow


def _audit_head(store: Store) -> str:
    """The hash of the newest audit entry: the chain is one chain across exercises."""
    entries = _store_api().audit_entries(store)
    if not entries:
        return ""
    last = entries[-1]
    return str(last.get("hash") or last.get("entry_hash") or "")


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
    formats: str = "both",
) -> DecisionOutcome:
    """Write the decision PDF of each lot (or of ``lot``) and every tender's summary.

    ``progress(done, total)`` is called as summaries are rendered (``done`` since last call).
    Raises :class:`DecisionRefused` (one problem per incomplete tender) for a final decision
    while any tender of a chosen lot is incomplete; nothing is written then. ``formats`` is
    "pdf", "html" or "both" (each document as a PDF and as its accessible HTML edition)."""
    from .documents import digest as digests
    from .documents.decision import DecisionOptions, render_decision
    from .documents.editions import write_decision_html
    from .documents.render import render_summaries, set_invariant
    from .documents.summary import SummaryJob

    if formats not in ("pdf", "html", "both"):
        raise CommissionError(f"unknown format {formats!r}: use pdf, html or both")
    want_pdf, want_html = formats != "html", formats != "pdf"
    api = _store_api()
    results: Results = api.results(store, exercise_id)
    exercise = results.exercise
    if lot is not None and lot not in exercise.lot_ids:
        raise NotFound(f"exercise {exercise.id} has no lot {lot!r}; its lots are "
                       f"{', '.join(exercise.lot_ids)}")
    lots = [lot] if lot is not None else list(exercise.lot_ids)
    if not provisional:
        problems = refusal_problems(results, lots)
        if problems:
            raise DecisionRefused(
                f"no final decision: {len(problems)} "
                f"tender{'s are' if len(problems) != 1 else ' is'} incomplete"
                " (use --provisional for a provisional decision)", problems)
    out = Path(out_dir)
    (out / "summaries").mkdir(parents=True, exist_ok=True)
    set_invariant(invariant)
    prefix = "provisional-decision" if provisional else "decision"
    decisions: list[LotDecision] = []
    html_files: list[Path] = []
    jobs: list[SummaryJob] = []
    summary_html: list[Path] = []
    head = _audit_head(store)
    for lot_id in lots:
        data = digests.decision_data(results, lot_id)
        digest_hex = digests.digest(data)
        info = json.dumps(digests.compact(data, digest_hex=digest_hex, provisional=provisional),
                          sort_keys=True, separators=(",", ":"))
        path = out / f"{prefix}-{safe_filename(exercise.id)}-{safe_filename(lot_id)}.pdf"
        options = DecisionOptions(
            provisional=provisional, name_evaluators=name_evaluators, digest=digest_hex,
            audit_head=head, info_json=info,
            html_name=path.with_suffix(".html").name if want_html else "")
        if want_pdf:
            render_decision(results, lot_id, path, options)
        if want_html:
            html_files.append(write_decision_html(results, lot_id, path.with_suffix(".html"),
                                                  options, pdf=want_pdf))
            path = path if want_pdf else path.with_suffix(".html")
        lot_result = results.lot(lot_id)
        decisions.append(LotDecision(lot_id, path, digest_hex, lot_result.outcome,
                                     lot_result.recommended))
        in_lot = results.in_lot(lot_id)
        winners = tuple((w, results.tender(w).total_score) for w in lot_result.recommended)
        for t in in_lot:
            name = f"{'provisional-' if provisional else ''}summary-{safe_filename(t.tender)}.pdf"
            html_path = out / "summaries" / name.replace(".pdf", ".html")
            jobs.append(SummaryJob(t, tuple(results.comments_on(t.tender)), winners,
                                   lot_result.title, len(in_lot), str(out / "summaries" / name),
                                   digest_hex, head, provisional,
                                   str(html_path) if want_html else "", want_pdf))
            if want_html:
                summary_html.append(html_path)
    def report(done: int) -> None:
        if progress is not None:
            progress(done, len(jobs))

    summaries = render_summaries(exercise, jobs, workers=workers, invariant=invariant,
                                 progress=report)
    by_lot: dict[str, list[str]] = {}
    for job in jobs:
        by_lot.setdefault(job.tender.lot, []).extend(
            ([job.path] if job.pdf else []) + ([job.html_path] if job.html_path else []))
    for decision in decisions:
        own = [decision.path]
        if want_pdf and want_html:
            own.append(decision.path.with_suffix(".html"))
        files = [*map(str, own), *by_lot.get(decision.lot, [])]
        api.record_decision(store, exercise.id, decision.lot, decision.digest, provisional,
                            files)
    from .documents.coverage import missing_glyphs

    return DecisionOutcome(exercise.id, provisional, tuple(decisions), tuple(summaries),
                           _audit_head(store), tuple(html_files + summary_html),
                           missing_glyphs(results) if want_pdf else ())


def read_decision_info(path: str | Path) -> dict[str, Any]:
    """The decision data a decision PDF carries in its document information."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from .documents.layout import INFO_KEY

    try:
        reader = PdfReader(str(path))
        info: Any = reader.metadata or {}
    except (PdfReadError, ValueError) as error:
        raise InvalidDocument(f"{path}: not a readable PDF ({error})") from error
    raw = info.get("/" + INFO_KEY)
    if not raw:
        raise InvalidDocument(
            f"{path}: this PDF carries no commission decision data; only decision PDFs written "
            f"by 'commission decide' can be verified")
    try:
        recorded = json.loads(str(raw))
    except json.JSONDecodeError as error:
        raise InvalidDocument(f"{path}: the decision data in this PDF is damaged") from error
    if not isinstance(recorded, dict) or "digest" not in recorded:
        raise InvalidDocument(f"{path}: the decision data in this PDF is damaged")
    return recorded


def verify_pdf(store: Store, path: str | Path) -> VerifyOutcome:
    """Whether the stored data still gives the decision recorded in the PDF at ``path``."""
    from .documents import digest as digests

    recorded = read_decision_info(path)
    api = _store_api()
    try:
        results: Results = api.results(store, recorded.get("exercise"))
    except NotFound as error:
        raise CommissionError(f"{path}: {error}") from error
    lot = str(recorded.get("lot"))
    if lot not in results.exercise.lot_ids:
        raise NotFound(f"{path}: lot {lot} is no longer in exercise {results.exercise.id}")
    data = digests.decision_data(results, lot)
    now_digest = digests.digest(data)
    now = digests.compact(data, digest_hex=now_digest, provisional=bool(recorded["provisional"]))
    matches = now_digest == recorded["digest"]
    changes = () if matches else tuple(digests.differences(recorded, now)) or (
        "the decision data differs (comments, bidder names or per-panel counts)",)
    return VerifyOutcome(Path(path), matches, str(recorded.get("exercise")), lot,
                         str(recorded["digest"]), now_digest, bool(recorded["provisional"]),
                         changes)
