"""Issuing panel decisions: store → results → decision and assessment summary PDFs → audit.

:func:`decide` reads the results from the store, refuses a final decision while any tender of a
lot is incomplete, renders one decision PDF per lot and one assessment summary per tender into a
temporary folder, and only when all have rendered moves them into place in the same transaction
that records, per lot, the audit entry with each file's name and SHA-256 and the issue time:
a run issues all its files or none. :func:`verify_pdf` checks a decision or summary PDF's own
bytes against the audit trail and whether the stored scores still give the same decision.
:func:`rerender` renders an issued run again, byte for byte. The PDF code never touches the
database.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CommissionError, DecisionRefused, NotFound, Problem
from ..safe_write import check_targets
from ..scoring import Results
from . import decision_inputs
from .evaluation import results as store_results
from .issuing import (
    Interrupted,
    IssuedLot,
    IssueFailed,
    Progress,
    check_writable,
    issued_entries,
    place,
    plan_run,
    record_issue,
    remove_empty,
    render_run,
    sha256_of,
    stopped_by_signals,
)
from .tenders import load_tenders
from .verification import VerifyOutcome, read_decision_info, verify_pdf  # noqa: F401

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
    issued_at: datetime | None = None
    #: The HTML editions written (decisions, then summaries).
    html: tuple[Path, ...] = ()
    #: Characters no bundled font can draw: the PDFs show the marker [U+XXXX] for each.
    missing_glyphs: tuple[str, ...] = ()

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
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "html": [str(p) for p in self.html],
            "missing_glyphs": [f"U+{ord(ch):04X}" for ch in self.missing_glyphs],
        }


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


def _entries(store: Store, exercise_id: str | None = None) -> list[dict[str, Any]]:
    with store.reading() as repo:
        return repo.audit_entries(exercise_id)


def record_decision(
    store: Store,
    exercise_id: str | None,
    lot: str,
    digest: str,
    provisional: bool,
    files: list[str],
) -> dict[str, Any]:
    """Record that a decision was issued for a lot, with its digest, in the audit trail, for a
    decision issued elsewhere (``decide`` records its own runs with each file's SHA-256)."""
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
    progress: Progress | None = None,
    workers: int | None = None,
    issued_at: datetime | None = None,
    formats: str = "both",
    force: bool = False,
) -> DecisionOutcome:
    """Issue the decision of each lot (or of ``lot``) and every tender's summary, each as a PDF
    and as its accessible HTML edition (``formats`` "both"), or only one ("pdf", "html").

    All or nothing: every file is rendered into a temporary folder next to ``out_dir``, and
    only when all have rendered are they moved into place, in the same transaction that records
    the audit entry (each file's name and SHA-256, and the issue time). Any failure, SIGTERM or
    SIGINT leaves no new file and no entry, and raises a :class:`CommissionError`.

    ``issued_at`` is the issue time (now, to the second, when None); tests fix it. An existing
    file is replaced only with ``force``, and a symbolic link where a file or ``summaries/`` goes
    is never followed (:mod:`commission.safe_write`).
    ``progress(stage, done, total)`` is called from the start until ``done == total``.
    Raises :class:`DecisionRefused` (one problem per incomplete tender) for a final decision
    while any tender of a chosen lot is incomplete."""

    if progress is not None:
        progress("Reading the stored scores", 0, 1)
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
    # Every document is a step, between reading (one) and placing the files (one).
    total = 2 + len(lots) + sum(len(results.in_lot(lot_id)) for lot_id in lots)
    if progress is not None:
        progress("Reading the tenders", 0, total)
    tenders = load_tenders(store, exercise.id, documents=True)
    if progress is not None:
        progress("Planning the documents", 0, total)
    moment = (issued_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    head = _audit_head(store)
    plan = plan_run(
        results,
        tenders,
        lots,
        provisional=provisional,
        name_evaluators=name_evaluators,
        issued_at=moment,
        head=head,
        formats=formats,
    )
    if progress is not None:
        progress("Checking how robust each result is", 0, total)
    plan = decision_inputs.apply(plan, decision_inputs.gather(store, results, lots, tenders))
    if progress is not None:
        progress("Reading the stored scores", 1, total)

    out = Path(out_dir)
    made_out = not out.exists()
    staging: Path | None = None
    try:
        with stopped_by_signals():
            try:
                out.mkdir(parents=True, exist_ok=True)
                if not out.is_dir():
                    raise NotADirectoryError(20, "not a folder", str(out))
                check_writable(out)
                try:
                    staging = Path(
                        tempfile.mkdtemp(prefix=f".{out.name}.issuing-", dir=out.resolve().parent)
                    )
                except PermissionError:  # a folder we may write in, under one we may not
                    staging = Path(tempfile.mkdtemp(prefix=".issuing-", dir=out))
                rendered = render_run(
                    results,
                    plan,
                    staging / "new",
                    workers=workers,
                    progress=progress,
                    done=1,
                    total=total,
                )
                if progress is not None:
                    progress("Placing files", total - 1, total)
                check_targets(
                    [out / name for files in rendered.values() for name in files],
                    force=force,
                    folders=[out, out / "summaries"],
                )
                issued = []
                staged: dict[str, Path] = {}
                for lot_id, digest_hex, *_ in plan.lots:
                    files = {
                        str(out / name): sha256_of(path) for name, path in rendered[lot_id].items()
                    }
                    staged.update(rendered[lot_id])
                    issued.append(
                        IssuedLot(
                            lot_id,
                            digest_hex,
                            provisional,
                            files,
                            {
                                "name_evaluators": name_evaluators,
                                "audit_head": head,
                                "folder": str(out),
                                "lots": lots,
                                "formats": formats,
                            },
                        )
                    )
                backup = staging / "replaced"
                record_issue(store, exercise.id, issued, moment, lambda: place(staged, out, backup))
            except Interrupted as stop:
                raise IssueFailed(
                    f"interrupted by {stop}: nothing was issued and no file was left in {out}"
                ) from None
            except KeyboardInterrupt:
                raise IssueFailed(
                    f"interrupted: nothing was issued and no file was left in {out}"
                ) from None
            except CommissionError as error:
                raise IssueFailed(f"nothing was issued: {error}", error.problems) from error
            except OSError as error:
                where = error.filename or out
                raise IssueFailed(
                    f"nothing was issued: could not write {where}: {error.strerror or error}"
                ) from error
            except Exception as error:  # a layout or rendering failure: never a traceback
                raise IssueFailed(
                    f"nothing was issued: a document could not be rendered "
                    f"({type(error).__name__}: {error})"
                ) from error
    except BaseException:
        if made_out:
            with contextlib.suppress(OSError):
                remove_empty(out)
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    if progress is not None:
        progress("Issued", total, total)
    return _outcome(results, plan, out, _audit_head(store), moment)


def _outcome(
    results: Results, plan: Any, out: Path, head: str, moment: datetime
) -> DecisionOutcome:
    """What a run issued: per lot its decision (the PDF, or the HTML edition alone), the
    summaries likewise, every HTML edition, and the characters the PDFs show as markers."""
    from ..documents.coverage import missing_glyphs

    decisions = []
    summaries: list[Path] = []
    html: list[Path] = []
    for lot_id, digest_hex, name, _, jobs in plan.lots:
        lot_result = results.lot(lot_id)
        names = plan.names(name)
        decisions.append(
            LotDecision(
                lot_id, out / names[0], digest_hex, lot_result.outcome, lot_result.recommended
            )
        )
        summaries += [out / plan.names(job.path)[0] for job in jobs]
        html += [
            out / n
            for n in [*names, *(m for j in jobs for m in plan.names(j.path))]
            if n.endswith(".html")
        ]
    html.sort(key=lambda p: ("summaries" in p.parts, str(p)))
    return DecisionOutcome(
        results.exercise.id,
        plan.provisional,
        tuple(decisions),
        tuple(summaries),
        head,
        moment,
        tuple(html),
        missing_glyphs(results) if plan.pdf else (),
    )


def rerender(
    store: Store,
    out_dir: str | Path,
    *,
    exercise_id: str | None = None,
    issued_at: str | None = None,
    workers: int | None = None,
) -> dict[str, Path]:
    """Render an issued run again, from the store, with its recorded issue time and options,
    into ``out_dir``, recording nothing. Returns issued file name → new file. With unchanged
    data the new files have the SHA-256 the audit trail records (byte-identical).

    ``issued_at`` picks the run (its ISO time as recorded); the newest run when None."""
    results: Results = store_results(store, exercise_id)
    exercise = results.exercise
    runs = [
        e
        for e in issued_entries(_entries(store, exercise.id))
        if isinstance(e.get("details"), dict) and "rendering" in e["details"]
    ]
    if issued_at is not None:
        runs = [e for e in runs if e["details"].get("issued_at") == issued_at]
    if not runs:
        raise NotFound(
            f"no issued run of exercise {exercise.id} to render again"
            + (f" at {issued_at}" if issued_at else "")
        )
    moment_text = runs[-1]["details"]["issued_at"]
    run = [e["details"] for e in runs if e["details"].get("issued_at") == moment_text]
    first = run[0]
    rendering = first["rendering"]
    tenders = load_tenders(store, exercise.id, documents=True)
    plan = plan_run(
        results,
        tenders,
        [d["lot"] for d in run],
        provisional=bool(first["provisional"]),
        name_evaluators=bool(rendering.get("name_evaluators")),
        issued_at=datetime.fromisoformat(moment_text),
        head=str(rendering.get("audit_head") or ""),
        formats=str(rendering.get("formats") or "pdf"),
    )
    lots = [d["lot"] for d in run]
    plan = decision_inputs.apply(plan, decision_inputs.gather(store, results, lots, tenders))
    out = Path(out_dir)
    rendered = render_run(results, plan, out, workers=workers, progress=None, done=0, total=0)
    folder = Path(str(rendering.get("folder") or ""))
    return {str(folder / name): path for files in rendered.values() for name, path in files.items()}
