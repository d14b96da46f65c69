"""The scale benchmark of SPEC §10: each stage's time beside a baseline measured in the same run.

    python benchmarks/run.py --tenders 10000 --rows 1000000     # the full size (several minutes)
    python benchmarks/run.py --quick                            # a smoke run, under a minute

Every measurement runs in its own fresh Python process (``--child``), so each has its own peak
memory (``ru_maxrss`` of that process) and no stage warms a cache for another. Data set-up
(generating files, parsing JSON, storing the exercise and tenders, building render jobs) is done
outside the timed part. Baselines, as SPEC §10 names them:

1. validate: a cached ``jsonschema`` Draft 2020-12 validator with the format checker, ``is_valid``
   on each parsed document; project: ``commission.inputs.tenders.check_tender`` (the path of
   ``commission validate`` and ``tenders add``) with the exercise's rules, on the same documents.
2. import: ``pandas.read_csv`` + raw ``sqlite3`` ``executemany`` of tuples in one transaction into
   an equivalent ``scores`` table (same columns, unique key and indexes) in a fresh database;
   project: ``commission.app.import_scores`` into a fresh copy of a database holding
   the exercise and tenders (reading, every check, comparison with stored scores, audit entry).
3. score: from the same stored scores: raw ``sqlite3`` read into pandas, then a groupby-mean per
   tender, criterion and panel and the weighted sum; project: ``commission.app.results``
   (exact SQL ``SUM``/``COUNT``, then SPEC §6 in exact rationals: passes, prices, ranks, ties,
   divergence, completeness). A second row does both from an in-memory score frame
   (``commission.scoring.score`` vs a bare groupby on the same frame).
4. render: assessment summaries with bare reportlab platypus (the same content object, built
   the same way, laid out as plain escaped paragraphs and tables in the same bundled TTF fonts
   registered once per worker) in a process pool of the same size as the project's; project:
   ``commission.documents.render.render_summaries`` with every core. Both
   sides use every core, so the ratio compares the documents, not the core count.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

TARGETS = {"validate": 1.3, "import": 2.0, "score": 1.5, "score-frame": 1.5, "render": 1.3}
STAGES = ("validate", "import", "score", "score-frame", "render")


# --------------------------------------------------------------------------------------------
# progress on stderr (only when it is a terminal and not --quiet)


def _progress_printer(label: str, enabled: bool) -> Any:
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


# --------------------------------------------------------------------------------------------
# the measurements, each run in a child process


def _tender_docs(data: Path) -> list[tuple[str, Any]]:
    return [
        (str(p), json.loads(p.read_text(encoding="utf-8")))
        for p in sorted((data / "tenders").glob("*.json"))
    ]


def validate_project(data: Path, work: Path, show: bool) -> float:
    from commission.inputs.exercise import load_exercise
    from commission.inputs.tenders import check_tender

    exercise = load_exercise(data / "exercise.json")
    docs = _tender_docs(data)
    start = time.perf_counter()
    bad = sum(1 for name, doc in docs if check_tender(doc, exercise, name))
    elapsed = time.perf_counter() - start
    assert bad == 0, f"{bad} generated tenders were refused"
    return elapsed


def validate_baseline(data: Path, work: Path, show: bool) -> float:
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "schemas" / "tender.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    docs = _tender_docs(data)
    start = time.perf_counter()
    bad = sum(1 for _, doc in docs if not validator.is_valid(doc))
    elapsed = time.perf_counter() - start
    assert bad == 0
    return elapsed


def import_project(data: Path, work: Path, show: bool) -> float:
    from commission.app import import_scores
    from commission.store import open_store

    target = work / "import.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(work / "seed.db", target)
    printer = _progress_printer("import", show)
    progress = (lambda stage, done, total: printer(done, total)) if printer else None
    with open_store(f"sqlite:///{target}") as store:
        start = time.perf_counter()
        outcome = import_scores(store, [str(data / "scores.csv")], progress=progress)
        elapsed = time.perf_counter() - start
    assert outcome.added > 0, outcome.message
    return elapsed


BASELINE_DDL = """
CREATE TABLE scores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exercise_id VARCHAR(64) NOT NULL,
    evaluator_id VARCHAR(64) NOT NULL,
    tender_id VARCHAR(64) NOT NULL,
    criterion_id VARCHAR(64) NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT,
    source_file TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    source_column VARCHAR(200),
    source_sha256 VARCHAR(64) NOT NULL,
    UNIQUE (exercise_id, evaluator_id, tender_id, criterion_id)
)
"""


def _baseline_indexes(target: Path) -> list[str]:
    """The project's own indexes on ``scores`` (other than the unique key), to build the same."""
    import sqlite3

    seed = sqlite3.connect(target)
    try:
        return [
            sql
            for (sql,) in seed.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'scores' "
                "AND sql IS NOT NULL"
            )
        ]
    finally:
        seed.close()


def import_baseline(data: Path, work: Path, show: bool) -> float:
    import sqlite3

    import pandas as pd

    target = work / "baseline.db"
    target.unlink(missing_ok=True)
    indexes = _baseline_indexes(work / "seed.db")
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.executescript(BASELINE_DDL + ";\n" + ";\n".join(indexes))
    source = str(data / "scores.csv")
    start = time.perf_counter()
    frame = pd.read_csv(source, dtype={"comment": object}, keep_default_na=False)
    comment = frame["comment"].where(frame["comment"] != "", None)
    rows = zip(
        ["benchmark-programme"] * len(frame),
        frame["evaluator"].tolist(),
        frame["tender"].tolist(),
        frame["criterion"].tolist(),
        frame["score"].tolist(),
        comment.tolist(),
        [source] * len(frame),
        range(2, len(frame) + 2),
        ["score"] * len(frame),
        ["0" * 64] * len(frame),
        strict=True,
    )
    with connection:
        connection.executemany(
            "INSERT INTO scores (exercise_id, evaluator_id, tender_id, criterion_id, score, "
            "comment, source_file, source_row, source_column, source_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def score_project(data: Path, work: Path, show: bool) -> float:
    from commission.app import results
    from commission.store import open_store

    with open_store(f"sqlite:///{work / 'import.db'}") as store:
        start = time.perf_counter()
        found = results(store)
        elapsed = time.perf_counter() - start
    assert len(found.tenders) > 0
    return elapsed


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


def score_baseline(data: Path, work: Path, show: bool) -> float:
    import sqlite3

    import pandas as pd

    weights = _weights()
    connection = sqlite3.connect(work / "import.db")
    start = time.perf_counter()
    cursor = connection.execute(
        "SELECT s.tender_id, s.criterion_id, e.panel, s.score FROM scores s JOIN evaluators e "
        "ON e.exercise_id = s.exercise_id AND e.id = s.evaluator_id"
    )
    frame = pd.DataFrame(cursor.fetchall(), columns=["tender", "criterion", "panel", "score"])
    quality = _bare_scoring(frame, weights)
    elapsed = time.perf_counter() - start
    connection.close()
    assert len(quality) > 0
    return elapsed


def _score_frame(data: Path) -> Any:
    from commission.inputs.exercise import load_exercise
    from commission.inputs.sheets import read_scores
    from commission.inputs.tenders import read_tenders

    exercise = load_exercise(data / "exercise.json")
    tenders = read_tenders(data / "tenders", exercise)
    frame = read_scores([data / "scores.csv"], exercise=exercise, tenders=tenders)
    return exercise, tenders, frame


def score_frame_project(data: Path, work: Path, show: bool) -> float:
    from commission.scoring import score

    exercise, tenders, frame = _score_frame(data)
    start = time.perf_counter()
    found = score(exercise, tenders, frame)
    elapsed = time.perf_counter() - start
    assert len(found.tenders) == len(tenders)
    return elapsed


def score_frame_baseline(data: Path, work: Path, show: bool) -> float:
    exercise, tenders, frame = _score_frame(data)
    weights = _weights()
    start = time.perf_counter()
    panel = frame["evaluator"].map(exercise.panel_of())
    quality = _bare_scoring(frame.assign(panel=panel), weights)
    elapsed = time.perf_counter() - start
    assert len(quality) > 0
    return elapsed


def _render_jobs(data: Path, work: Path, count: int, out: Path) -> tuple[Any, list[Any]]:
    """One assessment summary job per tender, the first ``count`` of them, as decide builds
    them (bidder details, prices, the most advantageous tender with its comments)."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from commission.app import load_tenders, results
    from commission.app.issuing import plan_run
    from commission.store import open_store

    with open_store(f"sqlite:///{work / 'import.db'}") as store:
        found = results(store)
        tenders = load_tenders(store, documents=True)
    # (the PDFs only: SPEC §10 times the PDF against a bare reportlab baseline)
    plan = plan_run(
        found,
        tenders,
        list(found.exercise.lot_ids),
        provisional=False,
        name_evaluators=False,
        issued_at=datetime(2026, 12, 1, 14, 5, tzinfo=UTC),
        head="0" * 64,
        formats="pdf",
    )
    jobs = [
        replace(job, path=str(out / Path(job.path).name))
        for *_, lot_jobs in plan.lots
        for job in lot_jobs
    ]
    jobs.sort(key=lambda j: j.tender.tender)
    return found.exercise, jobs[:count]


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def render_project(data: Path, work: Path, show: bool, count: int = 0) -> float:
    from commission.documents.render import default_workers, render_summaries

    out = _fresh(work / "pdf-project")
    exercise, jobs = _render_jobs(data, work, count, out)
    printer = _progress_printer("render", show)
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        printer(done[0], len(jobs))

    start = time.perf_counter()
    paths = render_summaries(
        exercise, jobs, workers=default_workers(), progress=progress if printer else None
    )
    elapsed = time.perf_counter() - start
    assert len(paths) == len(jobs)
    return elapsed


# The bare-platypus baseline: the same words, the same table, the same TTF fonts; no markup
# escaping, script detection, shaping, page furniture, digest or metadata.

_bare_styles: Any = None


def _bare_init() -> None:
    global _bare_styles
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from commission.resources import fonts_dir

    pdfmetrics.registerFont(TTFont("BareSans", str(fonts_dir() / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("BareSans-Bold", str(fonts_dir() / "NotoSans-Bold.ttf")))
    body = ParagraphStyle("body", fontName="BareSans", fontSize=10, leading=13)
    _bare_styles = {
        "title": ParagraphStyle(
            "title", parent=body, fontName="BareSans-Bold", fontSize=18, leading=22
        ),
        "h1": ParagraphStyle("h1", parent=body, fontName="BareSans-Bold", fontSize=13),
        "h2": ParagraphStyle("h2", parent=body, fontName="BareSans-Bold", fontSize=11),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bare_render(args: tuple[Any, list[Any]]) -> int:
    """The same content (the same :class:`Document` the project builds) laid out with bare
    platypus: escaped text only, plain tables, no script fonts, shaping or page furniture."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from commission.documents import content as c
    from commission.documents.summary_content import build_summary

    exercise, jobs = args
    st = _bare_styles
    grid = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.5, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    )

    def words(value: Any) -> str:
        return _esc(c.plain_text(value))

    def lay(blocks: Any, story: list[Any]) -> None:
        for block in blocks:
            if isinstance(block, c.Section):
                story.append(Paragraph(_esc(block.heading), st["h1" if block.level == 1 else "h2"]))
                lay(block.blocks, story)
            elif isinstance(block, c.Paragraph):
                story.append(Paragraph(words(block.text), st["body"]))
            elif isinstance(block, c.Bullets):
                story += [Paragraph("• " + words(item), st["body"]) for item in block.items]
            elif isinstance(block, c.KeyValues):
                story.append(
                    Table(
                        [
                            [Paragraph(_esc(k), st["cell"]), Paragraph(words(v), st["cell"])]
                            for k, v in block.items
                        ],
                        colWidths=[130, 381],
                        style=grid,
                    )
                )
            elif isinstance(block, c.Table):
                rows = [[Paragraph(_esc(h), st["cell"]) for h in block.header]]
                rows += [[Paragraph(words(cell), st["cell"]) for cell in row] for row in block.rows]
                scale = 511 / sum(block.widths or [1.0] * len(block.header))
                story.append(
                    Table(
                        rows,
                        repeatRows=1,
                        style=grid,
                        colWidths=[w * scale for w in block.widths] if block.widths else None,
                    )
                )

    for job in jobs:
        document = build_summary(exercise, job)
        story: list[Any] = [Paragraph(_esc(document.title), st["title"])]
        lay(document.blocks, story)
        SimpleDocTemplate(job.path, pagesize=A4).build(story)
    return len(jobs)


def render_baseline(data: Path, work: Path, show: bool, count: int = 0) -> float:
    import multiprocessing

    from commission.documents.render import default_workers

    out = _fresh(work / "pdf-baseline")
    exercise, jobs = _render_jobs(data, work, count, out)
    workers = default_workers()
    size = max(1, min(50, len(jobs) // (workers * 4) or 1))
    chunks = [(exercise, jobs[i : i + size]) for i in range(0, len(jobs), size)]
    context = multiprocessing.get_context("forkserver")
    start = time.perf_counter()
    with context.Pool(workers, initializer=_bare_init) as pool:
        done = sum(pool.imap(_bare_render, chunks))
    elapsed = time.perf_counter() - start
    assert done == len(jobs)
    return elapsed


MEASURES = {
    ("validate", "project"): validate_project,
    ("validate", "baseline"): validate_baseline,
    ("import", "project"): import_project,
    ("import", "baseline"): import_baseline,
    ("score", "project"): score_project,
    ("score", "baseline"): score_baseline,
    ("score-frame", "project"): score_frame_project,
    ("score-frame", "baseline"): score_frame_baseline,
    ("render", "project"): render_project,
    ("render", "baseline"): render_baseline,
}


#: Modules imported before any clock starts, on both sides: a stage is timed, not Python's
#: import system (the baselines import pandas, sqlite3, jsonschema and reportlab untimed too).
WARM = (
    "pandas",
    "numpy",
    "sqlalchemy",
    "alembic.command",
    "alembic.runtime.migration",
    "alembic.script",
    "jsonschema",
    "jsonschema_rs",
    "commission.scoring",
    "commission.inputs.sheets",
    "commission.inputs.tenders",
    "commission.inputs.exercise",
    "commission.store.repository",
    "commission.app.scores",
    "commission.app.evaluation",
)


def child(stage: str, side: str, data: Path, work: Path, show: bool, count: int) -> None:
    import importlib

    for module in WARM:
        importlib.import_module(module)
    measure = MEASURES[(stage, side)]
    extra = {"count": count} if stage == "render" else {}
    seconds = measure(data, work, show, **extra)
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib()}))


def peak_mib() -> float:
    """This process's peak resident memory.

    ``VmHWM`` belongs to the process's own address space, so unlike ``ru_maxrss`` (which Linux
    carries across ``exec`` from the parent) it is not raised by the parent that started us.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------------
# the parent: data, set-up, one child per measurement, the table


def _run_child(
    stage: str, side: str, args: argparse.Namespace, data: Path, work: Path, show: bool
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        stage,
        side,
        "--data",
        str(data),
        "--work",
        str(work),
        "--summaries",
        str(args.summaries),
    ]
    if not show:
        command.append("--quiet")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{stage} ({side}) failed with exit status {done.returncode}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _prepare(args: argparse.Namespace, data: Path, work: Path, show: bool) -> None:
    from generate import generate

    marker = data / "summary.json"
    wanted = {
        "tenders": args.tenders,
        "rows_asked": args.rows,
        "evaluators": args.evaluators,
        "seed": args.seed,
    }
    if not marker.exists() or json.loads(marker.read_text()).get("asked") != wanted:
        shutil.rmtree(data, ignore_errors=True)
        _say(show, f"generating {args.tenders:,} tenders and ~{args.rows:,} score rows in {data}")
        summary = generate(
            data, tenders=args.tenders, rows=args.rows, evaluators=args.evaluators, seed=args.seed
        )
        summary["asked"] = wanted
        marker.write_text(json.dumps(summary, indent=1))
    from commission.app import add_tenders, init_exercise
    from commission.store import open_store

    work.mkdir(parents=True, exist_ok=True)
    seed = work / "seed.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{seed}{suffix}").unlink(missing_ok=True)
    _say(show, "storing the exercise and tenders (set-up, not timed)")
    with open_store(f"sqlite:///{seed}", create=True) as store:
        init_exercise(store, data / "exercise.json")
        add_tenders(store, [data / "tenders"])
    # one file, no WAL beside it, so a plain copy is a fresh database
    import sqlite3

    connection = sqlite3.connect(seed)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()


def _say(show: bool, text: str) -> None:
    if show:
        print(text, file=sys.stderr, flush=True)


def machine() -> dict[str, str]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The commission scale benchmark (SPEC §10).")
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--evaluators", type=int, default=None)
    parser.add_argument(
        "--summaries",
        type=int,
        default=None,
        help="assessment summaries to render (default: one per tender)",
    )
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--child", nargs=2, metavar=("STAGE", "SIDE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.tenders, args.rows = 100, 10_000
        if args.summaries is None:
            args.summaries = 40
    if args.evaluators is None:
        args.evaluators = 1_000 if args.tenders >= 5_000 else max(40, args.tenders // 5)
    if args.summaries is None:
        args.summaries = args.tenders
    show = not args.quiet and sys.stderr.isatty()

    name = f"t{args.tenders}-r{args.rows}-e{args.evaluators}-s{args.seed}"
    data = args.data or HERE / "data" / name
    work = args.work or HERE / "data" / f"{name}-work"
    if args.child:
        child(args.child[0], args.child[1], data, work, show, args.summaries)
        return 0

    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    _prepare(args, data, work, show)
    sizes = json.loads((data / "summary.json").read_text())
    figures = []
    for stage in STAGES:
        if stage not in stages:
            continue
        if stage in ("score", "render") and "import" not in stages:
            _run_child("import", "project", args, data, work, show)  # they read its database
        _say(show, f"{stage}: baseline")
        baseline = _run_child(stage, "baseline", args, data, work, show)
        _say(show, f"{stage}: project")
        project = _run_child(stage, "project", args, data, work, show)
        figures.append(
            {
                "stage": stage,
                "project_s": project["seconds"],
                "baseline_s": baseline["seconds"],
                "ratio": project["seconds"] / baseline["seconds"],
                "target": TARGETS[stage],
                "project_peak_mib": project["peak_mib"],
                "baseline_peak_mib": baseline["peak_mib"],
            }
        )
    describe = {
        "validate": f"validate {sizes['tenders']:,} tenders",
        "import": f"import {sizes['rows']:,} score rows",
        "score": f"score {sizes['rows']:,} rows (store)",
        "score-frame": f"score {sizes['rows']:,} rows (frame)",
        "render": f"render {min(args.summaries, sizes['tenders']):,} summaries",
    }
    info = machine()
    print(
        f"commission benchmark · {time.strftime('%Y-%m-%d')} · {info['cores']} cores · "
        f"{info['cpu']} · {info['memory']} · Python {info['python']}"
    )
    print(
        f"{'stage':36} {'project s':>10} {'baseline s':>11} {'ratio':>6} {'target':>7} "
        f"{'ok':>3} {'peak MiB':>9}"
    )
    for row in figures:
        ok = "yes" if row["ratio"] <= row["target"] else "NO"
        print(
            f"{describe[row['stage']]:36} {row['project_s']:10.2f} {row['baseline_s']:11.2f} "
            f"{row['ratio']:6.2f} {'≤ ' + str(row['target']):>7} {ok:>3} "
            f"{row['project_peak_mib']:9.0f}"
        )
    imported = next((r for r in figures if r["stage"] == "import"), None)
    if imported is not None:
        under = imported["project_peak_mib"] < 1024
        print(
            f"peak memory of the import: {imported['project_peak_mib']:.0f} MiB "
            f"({'under' if under else 'OVER'} 1 GiB)"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "sizes": sizes, "figures": figures}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
