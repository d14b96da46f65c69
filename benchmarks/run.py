"""The scale benchmark of SPEC §10: every stage on SQLite and on PostgreSQL, beside its floor.

    python benchmarks/run.py                                  # full size: 10,000 tenders, 1M rows
    python benchmarks/run.py --quick                          # a smoke run (CI), a minute or two
    python benchmarks/run.py --rows 100000 --tenders 1000 --runs 3 --engine both --json out.json

Every measurement runs in its own fresh Python process (``--child STAGE SIDE``), so each has its
own peak memory (``VmHWM``) and no stage warms a cache for another; libraries are imported
before any clock starts, on both sides. Set-up (generating the data, storing the exercise and
tenders, building render jobs) is not timed. PostgreSQL is a throwaway server this script starts
in a temporary folder (``tests/pgcluster.py``, shared with the tests) and stops at the end; when
no server is installed its rows are printed as skipped, with the reason.

What each stage times, project and floor, is in ``stages.py``, ``floors.py``, ``render_stage.py``
and the README. ``--runs N`` repeats every measurement N times and prints the median and the
spread (min–max) of each ratio; ``--quick`` has no timing assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

#: Stages run on each engine, in this order (decide last: it writes to the store).
STORE_STAGES = ("import", "results", "audit", "decide")
#: Stages with no engine of their own (render reads its jobs from the first engine's store).
OTHER_STAGES = ("validate", "score-frame", "render")
STAGES = STORE_STAGES + OTHER_STAGES
#: Target ratios, project / floor (None: informational, no floor).
TARGETS: dict[str, float | None] = {
    "import": 1.5,
    "results": 1.5,
    "audit": 2.0,
    "decide": None,
    "validate": 1.3,
    "score-frame": 1.5,
    "render": 1.1,
}
MEMORY_TARGET_MIB = 1024
ENGINES = ("sqlite", "postgresql")

#: Imported before any clock starts, on both sides (a name missing after a refactor is skipped).
WARM = (
    "sqlite3",
    "pandas",
    "numpy",
    "sqlalchemy",
    "psycopg",
    "alembic.command",
    "alembic.runtime.migration",
    "alembic.script",
    "jsonschema",
    "jsonschema_rs",
    "commission.scoring",
    "commission.inputs.sheets",
    "commission.inputs.tenders",
    "commission.inputs.exercise",
    "commission.store",
    "commission.store.repository",
    "commission.app.scores",
    "commission.app.evaluation",
    "commission.app.audit",
    "commission.app.ledger",
    "commission.app.decisions",
    "floors",
)


# --------------------------------------------------------------------------------------------
# the child: one measurement


def child(stage: str, side: str, job: Any) -> None:
    import importlib

    import stages

    for module in WARM:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    seconds, count = stages.MEASURES[(stage, side)](job)
    print(json.dumps({"seconds": seconds, "count": count, "peak_mib": peak_mib()}))


def peak_mib() -> float:
    """This process's peak resident memory (``VmHWM``: its own address space, unlike
    ``ru_maxrss``, which Linux carries across ``exec`` from the parent)."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------------
# the engines: a seed store (exercise and tenders, not timed), a fresh copy per run, a floor db


class SqliteEngine:
    name = "sqlite"

    def __init__(self, work: Path) -> None:
        self.work = work / "sqlite"
        self.work.mkdir(parents=True, exist_ok=True)
        self.seed = self.work / "seed.db"
        self.project = self.work / "project.db"

    def seed_url(self) -> str:
        _remove_sqlite(self.seed)
        return f"sqlite:///{self.seed}"

    def seeded(self) -> None:
        # one file, no WAL beside it, so a plain copy is a fresh database
        import sqlite3

        connection = sqlite3.connect(self.seed)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.close()

    def fresh_project(self) -> str:
        _remove_sqlite(self.project)
        shutil.copyfile(self.seed, self.project)
        return f"sqlite:///{self.project}"

    def floor_url(self) -> str:
        return f"sqlite:///{self.work / 'floor.db'}"

    def settle(self) -> None:
        pass

    def close(self) -> None:
        pass


class PostgresEngine:
    name = "postgresql"

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster

    def seed_url(self) -> str:
        self.cluster.drop_database("seed")
        return str(self.cluster.new_database("seed"))

    def seeded(self) -> None:
        pass

    def fresh_project(self) -> str:
        self.cluster.drop_database("project")
        return str(self.cluster.new_database("project", template="seed"))

    def floor_url(self) -> str:
        self.cluster.drop_database("floor")
        return str(self.cluster.new_database("floor"))

    def settle(self) -> None:
        """A checkpoint: the pages the last measurement (or ``CREATE DATABASE``) dirtied are
        written now, not by the server's background writer during the next measurement."""
        with self.cluster.connect(autocommit=True) as connection:
            connection.execute("CHECKPOINT")

    def close(self) -> None:
        self.cluster.stop()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def start_postgres() -> tuple[PostgresEngine | None, str]:
    """A throwaway server, or None and the reason there is none."""
    from tests.pgcluster import PostgresCluster, pg_bindir

    bindir = pg_bindir()
    if bindir is None:
        return None, "no PostgreSQL server binaries (initdb, pg_ctl)"
    try:
        import psycopg  # noqa: F401
    except ImportError as error:
        return None, f"the psycopg driver is not installed ({error})"
    cluster = PostgresCluster(bindir)
    try:
        cluster.start()
    except subprocess.CalledProcessError as error:
        cluster.stop()
        tail = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
        return None, f"the server did not start: {' '.join(tail) or error}"
    return PostgresEngine(cluster), ""


def seed_store(engine: Any, data: Path, show: bool) -> None:
    """``commission init`` and ``commission tenders add`` (set-up, not timed)."""
    from commission.app import add_tenders, init_exercise
    from commission.store import open_store

    _say(show, f"{engine.name}: storing the exercise and tenders (set-up, not timed)")
    with open_store(engine.seed_url(), create=True) as store:
        init_exercise(store, data / "exercise.json")
        add_tenders(store, [data / "tenders"])
    engine.seeded()


# --------------------------------------------------------------------------------------------
# the parent: data, set-up, one child per measurement, the table


class Runner:
    def __init__(self, args: argparse.Namespace, data: Path, work: Path, show: bool) -> None:
        self.args, self.data, self.work, self.show = args, data, work, show
        self.figures: dict[tuple[str, str], dict[str, list[float]]] = {}
        self.engines: dict[str, Any] = {}

    def measure(self, stage: str, side: str, url: str = "", engine: str = "") -> dict[str, Any]:
        _say(self.show, f"  {stage} ({side})")
        if engine in self.engines:
            self.engines[engine].settle()
        command = [sys.executable, str(Path(__file__).resolve()), "--child", stage, side]
        command += ["--data", str(self.data), "--work", str(self.work), "--url", url]
        command += ["--summaries", str(self.args.summaries), "--lot", self.args.lot or ""]
        if not self.show:
            command.append("--quiet")
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{stage} ({side}, {url or 'no store'}) failed: {done.returncode}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def record(self, stage: str, engine: str, side: str, figure: dict[str, Any]) -> None:
        row = self.figures.setdefault((stage, engine), {})
        row.setdefault(f"{side}_s", []).append(figure["seconds"])
        row.setdefault(f"{side}_peak_mib", []).append(figure["peak_mib"])
        row.setdefault(f"{side}_count", []).append(figure["count"])

    def pair(self, stage: str, engine: str, project_url: str, floor_url: str) -> None:
        if TARGETS[stage] is not None:
            self.record(stage, engine, "floor", self.measure(stage, "floor", floor_url, engine))
        self.record(stage, engine, "project", self.measure(stage, "project", project_url, engine))

    def run_engine(self, engine: Any, wanted: list[str]) -> str:
        _say(self.show, f"{engine.name}:")
        self.engines[engine.name] = engine
        floor = engine.floor_url()
        if {"import", "results", "audit"} & set(wanted):
            figure = self.measure("import", "floor", floor, engine.name)
            self.record("import", engine.name, "floor", figure)
        project = engine.fresh_project()
        imported = self.measure("import", "project", project, engine.name)
        self.record("import", engine.name, "project", imported)
        floored = self.figures[("import", engine.name)].get("floor_count", [imported["count"]])
        if floored[-1] != imported["count"]:
            raise SystemExit(
                f"{engine.name}: the project imported {imported['count']:,} rows, "
                f"the floor {floored[-1]:,}: they must write the same rows"
            )
        for stage in ("results", "audit", "decide"):
            if stage in wanted:
                self.pair(stage, engine.name, project, floor)
        return str(project)

    def run_once(self, engines: list[Any], wanted: list[str]) -> None:
        store_url = ""
        if set(STORE_STAGES) & set(wanted) or "render" in wanted:
            for engine in engines:
                url = self.run_engine(engine, wanted)
                store_url = store_url or url
        for stage in OTHER_STAGES:
            if stage in wanted and (stage != "render" or store_url):
                _say(self.show, f"{stage}:")
                self.pair(stage, "-", store_url, store_url)


def _prepare_data(args: argparse.Namespace, data: Path, show: bool) -> dict[str, Any]:
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
    return dict(json.loads(marker.read_text()))


def _say(show: bool, text: str) -> None:
    if show:
        print(text, file=sys.stderr, flush=True)


def machine() -> dict[str, str]:
    model = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "load_at_end": load,
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The commission scale benchmark (SPEC §10).")
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--evaluators", type=int, default=None)
    parser.add_argument(
        "--summaries", type=int, default=None, help="summaries to render (default: every tender)"
    )
    parser.add_argument("--lot", default=None, help="the lot decide issues (default: the first)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=1, help="repeat every measurement N times")
    parser.add_argument("--stages", default=",".join(STAGES), help=", ".join(STAGES))
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--child", nargs=2, metavar=("STAGE", "SIDE"), help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.tenders, args.rows = 100, 10_000
        if args.summaries is None:
            args.summaries = 40
    if args.evaluators is None:
        args.evaluators = 1_000 if args.tenders >= 5_000 else max(40, args.tenders // 5)
    if args.summaries is None:
        args.summaries = args.tenders
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    stages = [{"score": "results"}.get(s.strip(), s.strip()) for s in args.stages.split(",")]
    args.stage_list = [s for s in STAGES if s in stages]
    unknown = set(stages) - set(STAGES) - {""}
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    import report

    args = parse(argv)
    show = not args.quiet and sys.stderr.isatty()
    name = f"t{args.tenders}-r{args.rows}-e{args.evaluators}-s{args.seed}"
    data = args.data or HERE / "data" / name
    work = args.work or HERE / "data" / f"{name}-work"
    if args.child:
        from stages import Job

        job = Job(data, work, args.url, args.summaries, args.lot or None, show)
        child(args.child[0], args.child[1], job)
        return 0

    load_at_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    sizes = _prepare_data(args, data, show)
    if args.lot is None:
        exercise = json.loads((data / "exercise.json").read_text(encoding="utf-8"))
        args.lot = exercise["lots"][0]["id"]
    wanted = args.stage_list
    names = ENGINES if args.engine == "both" else (args.engine,)
    needs_store = bool(set(STORE_STAGES) & set(wanted)) or "render" in wanted
    engines: list[Any] = []
    skipped: dict[str, str] = {}
    status = 0
    try:
        if needs_store and "sqlite" in names:
            engines.append(SqliteEngine(work))
        if needs_store and "postgresql" in names:
            engine, reason = start_postgres()
            if engine is None:
                skipped["postgresql"] = reason
                if args.engine == "postgresql" or os.environ.get("COMMISSION_REQUIRE_POSTGRES"):
                    status = 1
            else:
                engines.append(engine)
        for engine in engines:
            seed_store(engine, data, show)
        runner = Runner(args, data, work, show)
        for number in range(args.runs):
            _say(show, f"run {number + 1} of {args.runs}")
            runner.run_once(engines, wanted)
    finally:
        for engine in engines:
            engine.close()
    rows = report.rows(runner.figures, wanted, [e.name for e in engines], skipped, TARGETS)
    info = machine() | {"load_at_start": load_at_start}
    print(report.table(rows, sizes, args, info, MEMORY_TARGET_MIB))
    if args.json:
        document = {"machine": info, "sizes": sizes, "runs": args.runs, "rows": rows}
        document["command"] = " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])])
        args.json.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
