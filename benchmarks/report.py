"""The benchmark's figures as rows (for ``--json``) and as the printed table."""

from __future__ import annotations

import statistics
import time
from typing import Any

STORE_STAGES = ("import", "results", "audit", "decide")
ENGINES = ("sqlite", "postgresql")


def _row(stage: str, engine: str, got: dict[str, list[float]], target: float | None) -> dict:
    project = got.get("project_s", [])
    floor = got.get("floor_s", [])
    ratios = [p / f for p, f in zip(project, floor, strict=False) if f > 0]
    row: dict[str, Any] = {
        "stage": stage,
        "engine": engine,
        "project_s": project,
        "floor_s": floor,
        "ratio": ratios,
        "target": target,
        "project_peak_mib": got.get("project_peak_mib", []),
        "floor_peak_mib": got.get("floor_peak_mib", []),
        "count": (got.get("project_count") or [0])[-1],
    }
    if ratios and target is not None:
        row["met"] = statistics.median(ratios) <= target
    return row


def rows(
    figures: dict[tuple[str, str], dict[str, list[float]]],
    wanted: list[str],
    engines: list[str],
    skipped: dict[str, str],
    targets: dict[str, float | None],
) -> list[dict[str, Any]]:
    """One row per stage and engine (PostgreSQL rows that could not run say why), in order; then
    the import's peak memory per engine."""
    out: list[dict[str, Any]] = []
    for stage in wanted:
        if stage not in STORE_STAGES:
            if (stage, "-") in figures:
                out.append(_row(stage, "-", figures[(stage, "-")], targets[stage]))
            else:
                out.append({"stage": stage, "engine": "-", "skipped": "no store to read from"})
            continue
        for engine in ENGINES:
            if engine in skipped:
                out.append({"stage": stage, "engine": engine, "skipped": skipped[engine]})
            elif engine in engines and (stage, engine) in figures:
                out.append(_row(stage, engine, figures[(stage, engine)], targets[stage]))
    if "import" in wanted:
        for engine in ENGINES:
            if engine in skipped:
                out.append({"stage": "memory", "engine": engine, "skipped": skipped[engine]})
            elif ("import", engine) in figures:
                peaks = figures[("import", engine)]["project_peak_mib"]
                out.append(
                    {
                        "stage": "memory",
                        "engine": engine,
                        "project_peak_mib": peaks,
                        "target_mib": 1024,
                        "met": max(peaks) < 1024,
                    }
                )
    return out


def _describe(row: dict[str, Any], sizes: dict[str, Any], args: Any) -> str:
    rows = f"{sizes['rows']:,}"
    return {
        "import": f"import {rows} score rows",
        "results": f"results over {rows} rows",
        "audit": f"audit --verify over {rows} rows",
        "decide": f"decide lot {args.lot} (PDF)",
        "validate": f"validate {sizes['tenders']:,} tenders",
        "score-frame": f"score {rows} rows (frame)",
        "render": f"render {min(args.summaries, sizes['tenders']):,} summaries",
        "memory": "peak memory of the import",
    }[row["stage"]]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(
    rows: list[dict[str, Any]], sizes: dict[str, Any], args: Any, info: dict[str, str], mib: int
) -> str:
    runs = f"{args.runs} runs, medians" if args.runs > 1 else "1 run"
    lines = [
        f"commission benchmark · {time.strftime('%Y-%m-%d %H:%M')} · {info['cores']} cores · "
        f"{info['cpu']} · {info['memory']} · Python {info['python']} · "
        f"load {info['load_at_start']} → {info['load_at_end']} · {runs}",
        f"{'stage':34} {'engine':10} {'project s':>9} {'floor s':>8} {'ratio':>6} "
        f"{'spread':>11} {'target':>7} {'ok':>3} {'peak MiB':>8}",
    ]
    for row in rows:
        what = f"{_describe(row, sizes, args):34} {row['engine']:10}"
        if "skipped" in row:
            lines.append(f"{what} skipped: {row['skipped']}")
            continue
        if row["stage"] == "memory":
            peak = max(row["project_peak_mib"])
            ok = "yes" if row["met"] else "NO"
            lines.append(
                f"{what} {'':9} {'':8} {'':6} {'':11} {'< ' + str(mib):>7} {ok:>3} {peak:8.0f}"
            )
            continue
        project, floor, ratios = row["project_s"], row["floor_s"], row["ratio"]
        peak = max(row["project_peak_mib"]) if row["project_peak_mib"] else float("nan")
        if row["target"] is None:
            lines.append(
                f"{what} {_median(project):9.2f} {'—':>8} {'—':>6} {'':11} "
                f"{'—':>7} {'':>3} {peak:8.0f}"
            )
            continue
        spread = f"{min(ratios):.2f}–{max(ratios):.2f}" if ratios else ""
        ok = "yes" if row.get("met") else "NO"
        lines.append(
            f"{what} {_median(project):9.2f} {_median(floor):8.2f} {_median(ratios):6.2f} "
            f"{spread:>11} {'≤ ' + str(row['target']):>7} {ok:>3} {peak:8.0f}"
        )
    return "\n".join(lines)
