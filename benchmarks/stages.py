"""The measurements, each run by ``run.py --child STAGE SIDE`` in a fresh Python process.

Every measurement takes a :class:`Job` (the data folder, a work folder, the database URL it
works on, the summaries to render, the lot to decide) and returns its seconds and a count that
proves it did the work. The project's side calls the project the way a user does: the use cases
of :mod:`commission.app` that ``init``, ``scores import``, ``results``, ``audit --verify`` and
``decide`` call, on a store opened by URL (``sqlite:///...`` or ``postgresql+psycopg://...``),
so nothing here depends on how the store lays out its tables. Floors are in ``floors.py`` and
``render_stage.py``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass(frozen=True)
class Job:
    data: Path
    work: Path
    url: str
    summaries: int
    lot: str | None
    show: bool


def progress_printer(label: str, enabled: bool) -> Any:
    """A ``(done, total)`` progress callback on stderr, or None."""
    if not enabled:
        return None
    state = {"last": 0.0}

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if now - state["last"] > 0.2 or done >= total:
            state["last"] = now
            sys.stderr.write(f"\r  {label}: {done:,}/{total:,}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def _tender_docs(data: Path) -> list[tuple[str, Any]]:
    return [
        (str(p), json.loads(p.read_text(encoding="utf-8")))
        for p in sorted((data / "tenders").glob("*.json"))
    ]


# --------------------------------------------------------------------------------------------
# validate (no store)


def validate_project(job: Job) -> tuple[float, int]:
    from commission.inputs.exercise import load_exercise
    from commission.inputs.tenders import check_tender

    exercise = load_exercise(job.data / "exercise.json")
    docs = _tender_docs(job.data)
    start = time.perf_counter()
    bad = sum(1 for name, doc in docs if check_tender(doc, exercise, name))
    elapsed = time.perf_counter() - start
    assert bad == 0, f"{bad} generated tenders were refused"
    return elapsed, len(docs)


def validate_floor(job: Job) -> tuple[float, int]:
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "schemas" / "tender.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    docs = _tender_docs(job.data)
    start = time.perf_counter()
    bad = sum(1 for _, doc in docs if not validator.is_valid(doc))
    elapsed = time.perf_counter() - start
    assert bad == 0
    return elapsed, len(docs)


# --------------------------------------------------------------------------------------------
# the store stages: the project's use cases on a store opened by URL


def import_project(job: Job) -> tuple[float, int]:
    """``commission scores import scores.csv`` into a store holding the exercise and tenders."""
    from commission.app import import_scores
    from commission.store import open_store

    printer = progress_printer("import", job.show)
    progress = (lambda stage, done, total: printer(done, total)) if printer else None
    with open_store(job.url) as store:
        start = time.perf_counter()
        outcome = import_scores(store, [str(job.data / "scores.csv")], progress=progress)
        elapsed = time.perf_counter() - start
    assert outcome.added > 0, outcome.message
    return elapsed, int(outcome.added)


def results_project(job: Job) -> tuple[float, int]:
    """``commission results``: the tally from the store, then SPEC §6 exactly."""
    from commission.app import results
    from commission.store import open_store

    with open_store(job.url) as store:
        start = time.perf_counter()
        found = results(store)
        elapsed = time.perf_counter() - start
    assert len(found.tenders) > 0
    return elapsed, len(found.tenders)


def audit_project(job: Job) -> tuple[float, int]:
    """``commission audit --verify``: the chain, the trail replayed, every stored row compared."""
    from commission.app.audit import require_intact_audit
    from commission.store import open_store

    with open_store(job.url) as store:
        start = time.perf_counter()
        check = require_intact_audit(store, None)
        elapsed = time.perf_counter() - start
    assert check.ok, check.problems[:3]
    return elapsed, int(getattr(check.head, "seq", 0))


def decide_project(job: Job) -> tuple[float, int]:
    """``commission decide --lot LOT --format pdf``: the lot's decision and its summaries."""
    from commission.app import decide
    from commission.store import open_store

    out = job.work / "decide"
    shutil.rmtree(out, ignore_errors=True)
    printer = progress_printer("decide", job.show)
    progress = (lambda stage, done, total: printer(done, total)) if printer else None
    with open_store(job.url) as store:
        start = time.perf_counter()
        decide(store, out, lot=job.lot, formats="pdf", progress=progress)
        elapsed = time.perf_counter() - start
    return elapsed, sum(1 for _ in out.rglob("*.pdf"))


# --------------------------------------------------------------------------------------------
# score (frame): no store, an informational row kept from the first benchmark


def _weights() -> dict[str, tuple[float, float]]:
    from commission.inputs.criteria import load_criteria

    criteria = load_criteria("co-production")
    return {c.id: (float(c.weight), float(c.scale.max)) for c in criteria.criteria}


def _bare_scoring(frame: Any, weights: dict[str, tuple[float, float]]) -> Any:
    """Panel means per tender and criterion, combined half and half, weighted and summed."""
    import pandas as pd

    means = frame.groupby(["tender", "criterion", "panel"], sort=False)["score"].mean()
    panels = means.unstack("panel")
    combined = (panels["community"] + panels["officer"]) / 2
    factor = pd.Series({c: w / top for c, (w, top) in weights.items()})
    total_weight = sum(w for w, _ in weights.values())
    scaled = combined * factor.reindex(combined.index.get_level_values("criterion")).to_numpy()
    return 100 * scaled.groupby(level="tender").sum() / total_weight


def _score_frame(data: Path) -> Any:
    from commission.inputs.exercise import load_exercise
    from commission.inputs.sheets import read_scores
    from commission.inputs.tenders import read_tenders

    exercise = load_exercise(data / "exercise.json")
    tenders = read_tenders(data / "tenders", exercise)
    frame = read_scores([data / "scores.csv"], exercise=exercise, tenders=tenders)
    return exercise, tenders, frame


def score_frame_project(job: Job) -> tuple[float, int]:
    from commission.scoring import score

    exercise, tenders, frame = _score_frame(job.data)
    start = time.perf_counter()
    found = score(exercise, tenders, frame)
    elapsed = time.perf_counter() - start
    assert len(found.tenders) == len(tenders)
    return elapsed, len(frame)


def score_frame_floor(job: Job) -> tuple[float, int]:
    exercise, tenders, frame = _score_frame(job.data)
    weights = _weights()
    start = time.perf_counter()
    panel = frame["evaluator"].map(exercise.panel_of())
    quality = _bare_scoring(frame.assign(panel=panel), weights)
    elapsed = time.perf_counter() - start
    assert len(quality) > 0
    return elapsed, len(frame)


# --------------------------------------------------------------------------------------------
# the floors and the render stage, with the same signature


def import_floor(job: Job) -> tuple[float, int]:
    import floors

    return floors.import_floor(job.url, job.data / "scores.csv")


def results_floor(job: Job) -> tuple[float, int]:
    import floors

    panels = floors.panels_of(job.data / "exercise.json")
    return floors.results_floor(job.url, panels)


def audit_floor(job: Job) -> tuple[float, int]:
    import floors

    return floors.audit_floor(job.url)


def render_project(job: Job) -> tuple[float, int]:
    import render_stage

    printer = progress_printer("render", job.show)
    return render_stage.render_project(job.url, job.work, job.summaries, printer), job.summaries


def render_floor(job: Job) -> tuple[float, int]:
    import render_stage

    return render_stage.render_floor(job.url, job.work, job.summaries), job.summaries


MEASURES = {
    ("validate", "project"): validate_project,
    ("validate", "floor"): validate_floor,
    ("import", "project"): import_project,
    ("import", "floor"): import_floor,
    ("results", "project"): results_project,
    ("results", "floor"): results_floor,
    ("audit", "project"): audit_project,
    ("audit", "floor"): audit_floor,
    ("decide", "project"): decide_project,
    ("score-frame", "project"): score_frame_project,
    ("score-frame", "floor"): score_frame_floor,
    ("render", "project"): render_project,
    ("render", "floor"): render_floor,
}
