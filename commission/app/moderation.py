"""``moderation start`` and ``moderation notes``: the joint moderation meeting as a stage.

``start`` freezes the independent round of a lot (or of every lot) and writes the moderation
pack into a folder, all or nothing: the figures per tender and criterion (``moderation.csv``),
the outlying scores (``outliers.csv``), one pre-filled moderation sheet per panel member
(``sheet-<evaluator>.csv``, long layout with a ``reason`` column), the agenda as data
(``agenda.json``, :mod:`commission.analysis.agenda`) and as documents: ``agenda.pdf`` and its
accessible HTML edition ``agenda.html`` (:mod:`commission.documents.agenda`), one file each with
a section per lot. The pack is always written from the independent round. ``notes`` records
the panel's agreed explanation per tender and criterion. Both are audited.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..csv_safe import escape_formula
from ..errors import InvalidScores, NotFound, Problem
from ..inputs.problems import did_you_mean, plural
from .outcomes import Outcome

if TYPE_CHECKING:
    import pandas as pd

    from ..analysis.agenda import Agenda
    from ..analysis.agreement import Agreement
    from ..analysis.spread import Spread
    from ..records import Exercise, Tender
    from ..store import Store

PACK_CSV = "moderation.csv"
AGENDA_PDF = "agenda.pdf"
AGENDA_HTML = "agenda.html"
OUTLIERS_CSV = "outliers.csv"
AGENDA_JSON = "agenda.json"
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+|/[0-9]+)?")
SHEET_COLUMNS = ("evaluator", "lot", "tender", "bidder", "criterion", "score", "comment", "reason")


def start_moderation(
    store: Store,
    out_dir: str | os.PathLike[str],
    *,
    lot: str | None = None,
    exercise_id: str | None = None,
) -> Outcome:
    """Freeze the independent round of ``lot`` (every lot when None) and write the pack."""
    with store.reading() as repo:
        exercise_id = repo.pick(exercise_id)
        exercise = repo.exercise(exercise_id)
        if lot is not None and not repo.has_lot(exercise_id, lot):
            raise NotFound(
                f"no lot '{lot}' in exercise {exercise_id}",
                [
                    Problem(
                        "unknown-lot",
                        f"unknown lot '{lot}'",
                        value=lot,
                        fix=did_you_mean(lot, list(exercise.lot_ids), "the lots"),
                    )
                ],
            )
        lots = [lot] if lot is not None else list(exercise.lot_ids)
        tenders = [t for t in repo.tenders(exercise_id) if t.lot in lots]
    with store.writing() as repo:
        frozen = repo.frozen_lots(exercise_id)
        newly = [x for x in lots if x not in frozen]
        scores = repo.round_score_frame(exercise_id, "independent")
        abstentions = repo.abstentions(exercise_id, "independent")
        prepared_at = datetime.now(UTC).replace(microsecond=0)
        files = write_pack(Path(out_dir), exercise, lots, tenders, scores, abstentions, prepared_at)
        if newly:
            repo.freeze_lots(exercise_id, newly)
            repo.append_audit(
                exercise_id,
                [("moderation-started", {"lots": newly, "pack": files})],
            )
    if newly:
        message = (
            f"froze the independent round of lot {', '.join(newly)} and wrote the moderation "
            f"pack to {os.fspath(out_dir)} ({plural(len(files), 'file')})"
        )
    else:
        message = (
            f"the independent round of lot {', '.join(lots)} was already frozen; wrote the "
            f"moderation pack to {os.fspath(out_dir)} ({plural(len(files), 'file')})"
        )
    return Outcome(
        "moderation-started",
        exercise_id,
        bool(newly),
        message,
        {
            "lots": lots,
            "frozen": newly,
            "folder": os.fspath(out_dir),
            "agenda": {"pdf": AGENDA_PDF, "html": AGENDA_HTML, "data": AGENDA_JSON},
            "files": files,
        },
    )


def write_pack(
    folder: Path,
    exercise: Exercise,
    lots: Sequence[str],
    tenders: Sequence[Tender],
    scores: pd.DataFrame,
    abstentions: pd.DataFrame,
    prepared_at: datetime | None = None,
) -> list[dict[str, str]]:
    """The moderation pack's files, all or nothing; each as {file, sha256}.

    Every file is written under a private temporary name in ``folder`` and moved into place
    only once all of them are written (:class:`~commission.safe_write.Staging`): a link left
    where a file goes is never followed, and a failure (a PDF that cannot be laid out) leaves
    the folder as it was."""
    from ..analysis.agenda import agenda
    from ..analysis.agreement import agreement_by_lot
    from ..analysis.spread import spreads
    from ..safe_write import Staging

    ids = {t.id for t in tenders}
    mine = scores[scores["tender"].isin(ids)] if len(scores) else scores
    theirs = abstentions[abstentions["tender"].isin(ids)] if len(abstentions) else abstentions
    found = spreads(exercise, tenders, mine, theirs)
    sheets = [(e.id, f"sheet-{e.id}.csv") for e in exercise.evaluators]
    names = [PACK_CSV, OUTLIERS_CSV, AGENDA_JSON, AGENDA_PDF, AGENDA_HTML] + [n for _, n in sheets]
    # the pack is made again at each start, so its files are replaced (force)
    with Staging([folder / n for n in names], force=True, folders=[folder]) as staging:

        def at(name: str) -> Path:
            return staging.temporary(folder / name)

        rows = [s.row() for s in found]
        columns = list(rows[0]) if rows else ["lot", "tender", "bidder", "criterion"]
        _csv(at(PACK_CSV), columns, [[r[c] for c in columns] for r in rows])
        outliers = [
            [s.lot, o.tender, o.criterion, o.panel, o.evaluator, o.score]
            + [_text(o.panel_mean), _text(o.distance)]
            for s in found
            for o in s.outliers
        ]
        _csv(
            at(OUTLIERS_CSV),
            ["lot", "tender", "criterion", "panel", "evaluator", "score", "panel_mean", "distance"],
            outliers,
        )
        plan = agenda(exercise, lots, found)
        with open(at(AGENDA_JSON), "x", encoding="utf-8") as out:
            out.write(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2) + "\n")
        _agenda_editions(
            at, exercise, plan, found, agreement_by_lot(exercise, tenders, mine), prepared_at
        )
        for evaluator, name in sheets:
            _csv(
                at(name),
                list(SHEET_COLUMNS),
                _sheet_rows(exercise, evaluator, tenders, mine, theirs),
            )
        written = [_digest(at(n)) for n in names]
        staging.publish()
    return written


def _agenda_editions(
    at: Callable[[str], Path],
    exercise: Exercise,
    plan: Agenda,
    found: Sequence[Spread],
    agreement: Mapping[str, Sequence[Agreement]],
    prepared_at: datetime | None,
) -> None:
    """agenda.pdf and agenda.html: one document, a section per lot, from one content object."""
    from ..documents.agenda import agenda_document, render_agenda_html, render_agenda_pdf

    document = agenda_document(exercise, plan, found, agreement, prepared_at)
    render_agenda_pdf(document, at(AGENDA_PDF), prepared_at=prepared_at, html_name=AGENDA_HTML)
    render_agenda_html(document, at(AGENDA_HTML), pdf_name=AGENDA_PDF)


def _sheet_rows(
    exercise: Exercise,
    evaluator: str,
    tenders: Sequence[Tender],
    scores: pd.DataFrame,
    abstentions: pd.DataFrame,
) -> list[list[Any]]:
    """One row per tender (conflicts left out) and criterion, the independent score filled in."""
    from ..inputs.sheets.marks import ABSTAIN

    conflicts = next(e.conflicts for e in exercise.evaluators if e.id == evaluator)
    given: dict[tuple[str, str], tuple[Any, Any]] = {}
    if len(scores):
        for t, c, s, comment in _of(scores, evaluator, ["tender", "criterion", "score", "comment"]):
            given[(t, c)] = (int(s), comment)
    if len(abstentions):
        for t, c, comment in _of(abstentions, evaluator, ["tender", "criterion", "comment"]):
            given[(t, c)] = (ABSTAIN, comment)
    rows = []
    for tender in sorted(tenders, key=lambda t: (t.lot, t.id)):
        if tender.id in conflicts:
            continue
        for criterion in exercise.criteria.ids:
            score, comment = given.get((tender.id, criterion), ("", None))
            rows.append(
                [evaluator, tender.lot, tender.id, tender.bidder, criterion, score]
                + [_cell(comment), ""]
            )
    return rows


def _of(frame: pd.DataFrame, evaluator: str, columns: list[str]) -> list[tuple[Any, ...]]:
    chosen = frame[frame["evaluator"] == evaluator]
    return list(zip(*(chosen[c].tolist() for c in columns), strict=True))


def _text(value: Any) -> str:
    from ..scoring.results import display

    return display(value)


def _csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """A CSV at ``path`` (a staged temporary name: see :func:`write_pack`)."""
    from ..csv_safe import write_rows

    with open(path, "x", encoding="utf-8-sig", newline="") as out:
        write_rows(out, [header, *[[_cell(v) for v in row] for row in rows]], lineterminator="\r\n")


def _cell(value: Any) -> Any:
    """A CSV cell: numbers the pack writes as text (``-0.17``, ``-1/6``) stay numbers for the
    spreadsheet; any other text is escaped against formula injection."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return value
    return escape_formula(value)


def _digest(path: Path) -> dict[str, str]:
    return {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


# --------------------------------------------------------------------------------------------
# moderation notes


def record_notes(
    store: Store, path: str | os.PathLike[str], *, exercise_id: str | None = None
) -> Outcome:
    """Record the agreed explanations in a CSV of tender, criterion, note: all or nothing.

    A note equal to the stored one changes nothing; a different one replaces it (the audit
    trail keeps the old text)."""
    from .scores import file_sha256

    with store.reading() as repo:
        exercise_id = repo.pick(exercise_id)
        exercise = repo.exercise(exercise_id)
        tenders = repo.tenders(exercise_id)
    shown = os.fspath(path)
    notes = read_notes(Path(path), shown, exercise, tenders)
    with store.writing() as repo:
        stored = repo.moderation_notes(exercise_id)
        fresh = [n for n in notes if stored.get((n["tender"], n["criterion"])) != n["note"]]
        replacing = {(n["tender"], n["criterion"]) for n in fresh} & set(stored)
        if fresh:
            repo.write_notes(exercise_id, fresh, replacing)
            events: list[tuple[str, Mapping[str, Any]]] = [
                (
                    "moderation-note",
                    {
                        "tender": n["tender"],
                        "criterion": n["criterion"],
                        "note": n["note"],
                        "old": stored.get((n["tender"], n["criterion"])),
                        "file": shown,
                        "row": n["row"],
                        "sha256": file_sha256(path),
                    },
                )
                for n in fresh
            ]
            repo.append_audit(exercise_id, events)
    unchanged = len(notes) - len(fresh)
    message = (
        f"recorded {plural(len(fresh) - len(replacing), 'new moderation note')}"
        + (f", replaced {len(replacing)}" if replacing else "")
        + (f", {unchanged} unchanged" if unchanged else "")
        if fresh
        else f"nothing to record: all {plural(len(notes), 'note')} are stored, unchanged"
    )
    return Outcome(
        "moderation-notes",
        exercise_id,
        bool(fresh),
        message,
        {"notes": len(notes), "recorded": len(fresh), "replaced": len(replacing)},
    )


def read_notes(
    path: Path, shown: str, exercise: Exercise, tenders: Sequence[Tender]
) -> list[dict[str, Any]]:
    """The notes of a CSV (UTF-8, comma or semicolon), every problem raised at once."""
    from ..inputs.sheets.common import criterion_keys, header_key

    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    table = list(csv.reader(text.splitlines(), delimiter=delimiter))
    problems: list[Problem] = []
    header = [header_key(h) for h in table[0]] if table else []
    where = {name: header.index(name) for name in ("tender", "criterion", "note") if name in header}
    for name in ("tender", "criterion", "note"):
        if name not in where:
            problems.append(
                Problem(
                    type="missing-column",
                    message=f"the notes have no '{name}' column",
                    file=shown,
                    row=1,
                    column=name,
                    fix="the header must be: tender, criterion, note",
                )
            )
    if problems:
        raise InvalidScores("the moderation notes cannot be read; nothing was recorded", problems)
    known_tenders = {t.id for t in tenders}
    keys = criterion_keys(exercise)
    notes: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        cell: dict[str, str] = {
            k: (cells[i].strip() if i < len(cells) else "") for k, i in where.items()
        }
        tender, note = cell["tender"], cell["note"]
        criterion = keys.get(header_key(cell["criterion"]))
        found = _note_problems(shown, number, cell, tender, criterion, known_tenders, exercise)
        if not found and (tender, criterion) in seen:
            found.append(
                Problem(
                    type="unique-error",
                    message=f"a second note for tender {tender}, {criterion}: the first is at "
                    f"row {seen[(tender, str(criterion))]}",
                    file=shown,
                    row=number,
                    column="tender",
                    fix="keep one note for each tender and criterion",
                )
            )
        problems += found
        if not found:
            seen[(tender, str(criterion))] = number
            notes.append(
                {
                    "tender": tender,
                    "criterion": criterion,
                    "note": note,
                    "file": shown,
                    "row": number,
                }
            )
    if problems:
        raise InvalidScores(
            f"{plural(len(problems), 'error')} in the moderation notes; nothing was recorded",
            problems,
        )
    return notes


def _note_problems(
    shown: str,
    number: int,
    cell: Mapping[str, str],
    tender: str,
    criterion: str | None,
    known_tenders: set[str],
    exercise: Exercise,
) -> list[Problem]:
    found = []
    if tender not in known_tenders:
        found.append(
            Problem(
                type="unknown-tender",
                message=f"unknown tender '{tender}'",
                file=shown,
                row=number,
                column="tender",
                value=tender,
                fix=did_you_mean(tender, sorted(known_tenders), "the stored tenders"),
            )
        )
    if criterion is None:
        found.append(
            Problem(
                type="unknown-criterion",
                message=f"unknown criterion '{cell['criterion']}'",
                file=shown,
                row=number,
                column="criterion",
                value=cell["criterion"],
                fix=did_you_mean(cell["criterion"], list(exercise.criteria.ids), "the criteria"),
            )
        )
    if not cell["note"]:
        found.append(
            Problem(
                type="missing-value",
                message="the note is blank",
                file=shown,
                row=number,
                column="note",
                fix="write the panel's agreed explanation, or delete the row",
            )
        )
    return found
