"""``audit --verify`` over many score rows beside its floor, hashing the same rows (SPEC §10).

    python benchmarks/audit_verify.py --tenders 10000 --rows 1000000
    python benchmarks/audit_verify.py --engine postgresql --url postgresql://...

Set-up (not timed): the data of ``generate.py``, stored with ``init``, ``tenders add`` and one
``scores import`` (its time is printed too: the import now also writes the rows' payload).

- project: :func:`commission.app.audit.check_audit` on that store: the hash chain, then replaying
  every entry (the score rows decoded from their payloads) and comparing every stored exercise,
  lot, evaluator, conflict, tender, score and decision with what the trail gives.
- baseline: the same score rows (the same ten columns) read with the raw driver, and SHA-256 of
  their canonical JSON: the least a check of the stored rows against a digest must do.

Each side runs ``--repeat`` times (default 3) in this process, alternating, so the page cache is
warm for both; the fastest run of each counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

COLUMNS = (
    "exercise_id, evaluator_id, tender_id, criterion_id, score, comment, source_file, "
    "source_row, source_column, source_sha256"
)


def baseline(url: str) -> float:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as connection:
        start = time.perf_counter()
        cursor = connection.connection.cursor()  # the raw driver: plain tuples
        cursor.execute(f"SELECT {COLUMNS} FROM scores")
        rows = cursor.fetchall()
        text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False)
        hashlib.sha256(text.encode("utf-8")).hexdigest()
        elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def project(url: str) -> float:
    import numpy  # noqa: F401  libraries imported before the clock, as in run.py
    import pandas  # noqa: F401

    from commission.app import ledger  # noqa: F401
    from commission.app.audit import check_audit
    from commission.store import open_store

    with open_store(url) as store:
        start = time.perf_counter()
        check = check_audit(store)
        elapsed = time.perf_counter() - start
    assert check.ok, check.problems[:3]
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--evaluators", type=int, default=1_000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--url", default=None, help="an empty database (default: SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="verify the database made before")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (best counts)")
    args = parser.parse_args(argv)
    data = args.data or HERE / "data" / f"audit-{args.tenders}-{args.rows}"
    if not (data / "summary.json").exists():
        from generate import generate

        generate(data, tenders=args.tenders, rows=args.rows, evaluators=args.evaluators, seed=2027)
    from commission.app import add_tenders, import_scores, init_exercise
    from commission.store import open_store

    url = args.url
    if args.reuse:
        url = url or f"sqlite:///{data / 'audit.db'}"
    elif url is None:
        db = data / "audit.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    rows = 0
    if not args.reuse:
        with open_store(url, create=True) as store:
            init_exercise(store, data / "exercise.json")
            add_tenders(store, [data / "tenders"])
            start = time.perf_counter()
            rows = import_scores(store, [str(data / "scores.csv")]).added
            imported = time.perf_counter() - start
        print(f"import of {rows:,} rows: {imported:.2f} s (set-up)", flush=True)
    times = {"baseline": [], "project": []}
    for _ in range(args.repeat):
        times["baseline"].append(baseline(url))
        times["project"].append(project(url))
    best = {side: min(values) for side, values in times.items()}
    figures = {
        "rows": rows or "reused",
        "project_s": round(best["project"], 3),
        "baseline_s": round(best["baseline"], 3),
        "ratio": round(best["project"] / best["baseline"], 2),
        "runs": {side: [round(v, 3) for v in values] for side, values in times.items()},
    }
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
