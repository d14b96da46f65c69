"""Issuing a run of decisions: what a run renders, rendering it into a folder, and putting its
files in place in the same write transaction that records them in the audit trail.

:func:`record_issue` opens one write transaction, adds a decision row and a ``decision-issued``
audit entry per lot (with every file's name and SHA-256, the issue time and what the documents
were rendered with), then calls ``place`` to move the rendered files into place, and commits. If
placing fails nothing is committed; if the commit fails the files are taken back with the undo
``place`` returned. So the audit trail names exactly the files that were issued.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CommissionError, NotFound, Problem
from ..scoring import Results

if TYPE_CHECKING:
    from ..store import Store

ISSUED = "decision-issued"


def safe_filename(text: str) -> str:
    """A file name from an untrusted id: safe characters only, with a hash when changed."""
    import re

    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", text).strip("._") or "tender"
    if cleaned != text:
        cleaned = f"{cleaned[:60]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return cleaned[:80]


class IssueFailed(CommissionError):
    """A run of ``decide`` could not issue its files; nothing of it was issued."""


class Interrupted(Exception):
    """SIGTERM (or SIGINT) arrived while a run was rendering or issuing."""


Progress = Callable[[str, int, int], None]


@dataclass
class Plan:
    """One run: per lot the decision's options and its summaries' jobs, with file names
    relative to the output folder."""

    exercise_id: str
    issued_at: datetime
    provisional: bool
    lots: list[tuple[str, str, str, Any, list[Any]]] = field(default_factory=list)
    # (lot, digest, decision file name, DecisionOptions, [SummaryJob with relative path])
    #: Which editions are written: each document as a PDF, as its HTML edition, or both.
    pdf: bool = True
    html: bool = True

    def names(self, name: str) -> list[str]:
        """The files a document whose PDF would be ``name`` is issued as, PDF first."""
        html = str(Path(name).with_suffix(".html"))
        return ([name] if self.pdf else []) + ([html] if self.html else [])

    @property
    def total(self) -> int:
        return len(self.lots) + sum(len(jobs) for *_, jobs in self.lots)


FORMATS = ("pdf", "html", "both")


def plan_run(
    results: Results,
    tenders: list[Any],
    lots: list[str],
    *,
    provisional: bool,
    name_evaluators: bool,
    issued_at: datetime,
    head: str,
    formats: str = "both",
) -> Plan:
    """What a run renders: the same for the first issue and for a later re-render.
    ``formats``: "pdf", "html" or "both" (each document as a PDF and as its HTML edition)."""
    from ..documents import digest as digests
    from ..documents.decision import DecisionOptions, Price
    from ..documents.decision_content import lowest_price
    from ..documents.summary import BidderDetails, Leader, SummaryJob

    exercise = results.exercise
    by_id = {t.id: t for t in tenders}
    prices = {t.id: Price(t.price, t.currency) for t in tenders}
    if formats not in FORMATS:
        raise CommissionError(
            f"unknown document format {formats!r}: use pdf, html or both",
            [Problem("unknown-format", "unknown document format", value=formats)],
        )
    plan = Plan(exercise.id, issued_at, provisional, pdf=formats != "html", html=formats != "pdf")
    prefix = "provisional-decision" if provisional else "decision"
    for lot_id in lots:
        data = digests.decision_data(results, lot_id, provisional=provisional)
        digest_hex = digests.digest(data)
        small = digests.compact(data, digest_hex=digest_hex, provisional=provisional)
        # the chain head rides along so that `verify FILE` can tell a truncated trail
        info = json.dumps({**small, "audit_head": head}, sort_keys=True, separators=(",", ":"))
        name = f"{prefix}-{safe_filename(exercise.id)}-{safe_filename(lot_id)}.pdf"
        options = DecisionOptions(
            provisional=provisional,
            name_evaluators=name_evaluators,
            digest=digest_hex,
            audit_head=head,
            info_json=info,
            issued_at=issued_at,
            prices=prices,
        )
        lot_result = results.lot(lot_id)
        in_lot = results.in_lot(lot_id)
        winners = tuple((w, results.tender(w).total_score) for w in lot_result.recommended)
        leaders = tuple(
            Leader(results.tender(w), tuple(results.comments_on(w)), prices.get(w))
            for w in lot_result.recommended
        )
        lowest = lowest_price(results, lot_id, prices)
        jobs = []
        for t in in_lot:
            tender = by_id.get(t.tender)
            bidder = BidderDetails(
                t.bidder,
                str(tender.identifier) if tender is not None and tender.identifier else None,
                tender.address if tender is not None else None,
                _contact_email(tender),
            )
            tied = tuple(
                o.tender
                for o in in_lot
                if t.tie and o.tie and o.rank == t.rank and o.tender != t.tender
            )
            summary_info = json.dumps(
                digests.named_only(
                    small,
                    {t.tender, *lot_result.recommended, *tied, *(lowest[:1] if lowest else ())},
                    document="summary",
                    tender=t.tender,
                ),
                sort_keys=True,
                separators=(",", ":"),
            )
            file = f"{'provisional-' if provisional else ''}summary-{safe_filename(t.tender)}.pdf"
            jobs.append(
                SummaryJob(
                    t,
                    tuple(results.comments_on(t.tender)),
                    winners,
                    lot_result.title,
                    len(in_lot),
                    str(Path("summaries") / file),
                    digest_hex,
                    head,
                    provisional,
                    issued_at=issued_at,
                    bidder=bidder,
                    price=prices.get(t.tender),
                    lowest=lowest,
                    leaders=leaders if t.tender not in lot_result.recommended else (),
                    tied_with=tied,
                    info_json=summary_info,
                    html_path=str(Path("summaries") / file.replace(".pdf", ".html"))
                    if plan.html
                    else "",
                    pdf=plan.pdf,
                    lot_complete=lot_result.complete,
                )
            )
        plan.lots.append((lot_id, digest_hex, name, options, jobs))
    return plan


def _contact_email(tender: Any) -> str | None:
    bidder = (tender.document or {}).get("bidder") if tender is not None else None
    value = bidder.get("contact_email") if isinstance(bidder, dict) else None
    return str(value) if value else None


def render_run(
    results: Results,
    plan: Plan,
    folder: Path,
    *,
    workers: int | None,
    progress: Progress | None,
    done: int,
    total: int,
) -> dict[str, dict[str, Path]]:
    """Render every file of ``plan`` under ``folder``; lot → {relative name: path}.

    The decisions and the summaries are rendered in one pool run, the decisions first, so a
    big lot's decision is laid out while the summaries are (see :mod:`..documents.render`).
    ``progress`` counts one step per document: a decision (both its editions), a summary."""
    from dataclasses import replace

    from ..documents.render import decision_jobs, render_documents

    (folder / "summaries").mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Path]] = {}
    decisions = []
    for lot_id, _, name, options, _jobs in plan.lots:
        html = Path(name).with_suffix(".html")
        decisions += decision_jobs(
            results,
            lot_id,
            folder / name if plan.pdf else None,
            folder / html if plan.html else None,
            options,
        )
        files[lot_id] = {n: folder / n for n in plan.names(name)}
    jobs = [
        replace(
            job,
            path=str(folder / job.path),
            html_path=str(folder / job.html_path) if job.html_path else "",
        )
        for *_, lot_jobs in plan.lots
        for job in lot_jobs
    ]
    lots = len(plan.lots)

    def step(decided: int, summarised: int) -> None:
        if progress is not None:
            progress(
                rendering_stage(lots - decided, len(jobs) - summarised),
                done + decided + summarised,
                total,
            )

    step(0, 0)
    render_documents(results.exercise, decisions, jobs, workers=workers, progress=step)
    for lot_id, *_, lot_jobs in plan.lots:
        for job in lot_jobs:
            for n in plan.names(job.path):
                files[lot_id][n] = folder / n
    return files


def rendering_stage(decisions_left: int, summaries_left: int) -> str:
    """The progress bar's label while a run renders: what is still being rendered."""
    if decisions_left and summaries_left:
        return "Rendering decisions and summaries"
    if decisions_left:
        return "Rendering decisions"
    return "Rendering summaries"


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """SIGTERM (and SIGINT) raise :class:`Interrupted` in the main thread for the duration,
    so the render pool is stopped and the temporary folder removed before the process ends."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        from ..documents.render import stop_now

        stop_now(Interrupted(signal.Signals(signum).name))

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def place(staged: dict[str, Path], out: Path, backup: Path) -> Callable[[], None]:
    """Move each staged file to ``out / name``; an existing file there is kept aside in
    ``backup`` until the run is committed. Returns how to take it all back. On any failure
    the files already moved are taken back before the error goes on."""
    moved: list[tuple[Path, Path | None]] = []
    made: list[Path] = []

    def undo() -> None:
        for target, kept in reversed(moved):
            with contextlib.suppress(OSError):
                target.unlink()
            if kept is not None:
                with contextlib.suppress(OSError):
                    os.replace(kept, target)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        moved.clear()
        made.clear()

    try:
        for name, source in staged.items():
            target = out / name
            if not target.parent.is_dir():
                target.parent.mkdir(parents=True)
                made.append(target.parent)
            kept = None
            if target.exists() or target.is_symlink():
                kept = backup / name
                kept.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, kept)
                moved.append((target, kept))
            os.replace(source, target)
            if kept is None:
                moved.append((target, None))
    except BaseException:
        undo()
        raise
    return undo


def check_writable(out: Path) -> None:
    """Refuse early, before any rendering, an output folder the files cannot go into."""
    for folder in (out, out / "summaries"):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder", str(folder))
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(13, "the folder is not writable", str(folder))


def remove_empty(folder: Path) -> None:
    """Remove ``folder`` and its empty subfolders if a failed run created it (never files)."""
    for sub in sorted(folder.rglob("*"), reverse=True):
        if sub.is_dir():
            sub.rmdir()
    folder.rmdir()


@dataclass(frozen=True)
class IssuedLot:
    """One lot's decision as issued: its digest and every file of it with its SHA-256."""

    lot: str
    digest: str
    provisional: bool
    #: file name as issued → SHA-256 of its bytes (the decision first, then the summaries).
    files: Mapping[str, str]
    #: What the documents were rendered with, so they can be rendered again byte for byte.
    rendering: Mapping[str, Any]


def record_issue(
    store: Store,
    exercise_id: str | None,
    lots: Sequence[IssuedLot],
    issued_at: datetime,
    place_files: Callable[[], Callable[[], None]],
) -> list[dict[str, Any]]:
    """Record ``lots`` as issued at ``issued_at`` and place their files, all or nothing."""
    undo: Callable[[], None] | None = None
    details_list: list[dict[str, Any]] = []
    try:
        with store.writing() as repo:
            exercise_id = repo.pick(exercise_id)
            for item in lots:
                if not repo.has_lot(exercise_id, item.lot):
                    raise NotFound(
                        f"no lot '{item.lot}' in exercise {exercise_id}",
                        [Problem("unknown-lot", "unknown lot", value=item.lot)],
                    )
            events = []
            for item in lots:
                names = list(item.files)
                repo.insert_decision(
                    exercise_id, item.lot, item.digest, item.provisional, names, issued_at
                )
                details = {
                    "lot": item.lot,
                    "digest": item.digest,
                    "provisional": item.provisional,
                    "files": names,
                    "sha256": dict(item.files),
                    "issued_at": issued_at.isoformat(),
                    "rendering": dict(item.rendering),
                }
                events.append((ISSUED, details))
                details_list.append({"exercise": exercise_id, **details})
            repo.append_audit(exercise_id, events)
            undo = place_files()
    except BaseException:
        if undo is not None:
            undo()
        raise
    return details_list


def issued_entries(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The ``decision-issued`` entries of an audit trail."""
    return [e for e in entries if e.get("action") == ISSUED]


def find_file(
    entries: Iterable[Mapping[str, Any]], sha256: str
) -> tuple[Mapping[str, Any], str] | None:
    """The newest issue entry whose files include one with this SHA-256, and that file's name."""
    found = None
    for entry in issued_entries(entries):
        details = entry.get("details")
        hashes = details.get("sha256") if isinstance(details, Mapping) else None
        if not isinstance(hashes, Mapping):
            continue
        for name, value in hashes.items():
            if value == sha256:
                found = (entry, str(name))
    return found
