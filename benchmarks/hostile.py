"""Hostile inputs (issue 16): time and peak memory of each answer, one fresh process per case.

    python benchmarks/hostile.py            # every case
    python benchmarks/hostile.py --json out.json

Cases: the adversarial 5 MB JSON documents of ``tests/hostile_inputs.py`` read by
``commission.inputs.jsonio.load_json`` (what ``validate`` and ``tenders add`` run first), and the
XLSX dimension bombs (one cell at XFD1048576, one at CV1048576) read by
``commission.inputs.sheets.read_sheet``.
Each case runs in its own Python process (``--child``) so its peak memory (``VmHWM``) is its own;
libraries are imported and the input is built before the clock starts. No assertions: the tests
assert the answers, this prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

XLSX_CASES = {
    "xlsx-bomb-XFD1048576": "XFD1048576",
    "xlsx-bomb-CV1048576": "CV1048576",
    # inside the size caps (10 columns x 1,000,000 rows) but nearly empty: the sparseness cap
    "xlsx-sparse-J1000000": "J1000000",
}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(case: str) -> dict[str, object]:
    from commission.errors import CommissionError
    from tests import hostile_inputs

    if case in XLSX_CASES:
        import pandas  # noqa: F401  (imported before the clock, as every stage is)
        import python_calamine  # noqa: F401

        from commission.inputs.exercise import load_exercise
        from commission.inputs.sheets import read_sheet

        exercise = load_exercise(ROOT / "examples" / "exercise.json")
        folder = Path(tempfile.mkdtemp())
        path = hostile_inputs.dimension_bomb(folder / "bomb.xlsx", XLSX_CASES[case])
        size = path.stat().st_size
        start, cpu = time.perf_counter(), time.process_time()
        try:
            frame, problems = read_sheet(path, exercise=exercise)
            answer = str(problems[0]) if problems else f"read {len(frame)} rows"
        except CommissionError as error:
            answer = str(error)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    else:
        import numpy  # noqa: F401

        from commission.inputs.jsonio import load_json

        data = hostile_inputs.JSON_CASES[case]()
        size = len(data)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            document = load_json(data, file=case)
            answer = f"parsed ({type(document).__name__})"
        except CommissionError as error:
            answer = str(error.problems[0]) if error.problems else str(error)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "case": case,
        "bytes": size,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_mb": round(_peak_mb(), 1),
        "answer": answer[:110],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child)))
        return
    from tests.hostile_inputs import JSON_CASES

    figures = []
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores {os.cpu_count()}, load average {load:.1f} (wall time is inflated on a busy box)")
    print(f"{'case':26} {'bytes':>10} {'wall s':>8} {'cpu s':>7} {'peak MB':>8}  answer")
    for case in [*JSON_CASES, *XLSX_CASES]:
        done = subprocess.run(
            [sys.executable, __file__, "--child", case],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        figures.append(row)
        print(
            f"{row['case']:26} {row['bytes']:>10,} {row['seconds']:>8.3f} "
            f"{row['cpu_seconds']:>7.3f} {row['peak_mb']:>8.1f}  {row['answer']}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
