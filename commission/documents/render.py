"""Render many assessment summaries at once, over every core.

Jobs go to a :class:`~concurrent.futures.ProcessPoolExecutor` in chunks; each worker receives the
exercise once (initializer), registers the fonts and builds the styles once, then renders its
chunks. With ``invariant`` set, reportlab writes no timestamps or random ids, so identical data
gives byte-identical files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..model import Exercise
from .summary import SummaryJob, render_summary


def issue_summary(exercise: Exercise, job: SummaryJob) -> Path:
    """Write the job's PDF and/or HTML edition; the path of the first file written."""
    written = []
    if job.pdf:
        written.append(render_summary(exercise, job))
    if job.html_path:
        from .editions import summary_document
        from .html import write_html

        pdf_name = Path(job.path).name if job.pdf else ""
        written.append(write_html(summary_document(exercise, job, pdf_name=pdf_name),
                                  job.html_path))
    return written[0]


_exercise: Exercise | None = None


def set_invariant(invariant: bool) -> None:
    from reportlab import rl_config

    rl_config.invariant = 1 if invariant else 0


def _init_worker(exercise: Exercise, invariant: bool) -> None:
    global _exercise
    from .layout import styles

    set_invariant(invariant)
    _exercise = exercise
    styles()


def _render_chunk(jobs: Sequence[SummaryJob]) -> list[str]:
    assert _exercise is not None
    return [str(issue_summary(_exercise, job)) for job in jobs]


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_summaries(
    exercise: Exercise,
    jobs: Sequence[SummaryJob],
    *,
    workers: int | None = None,
    invariant: bool = True,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Render every job; ``progress(n)`` is called as each chunk of ``n`` summaries is done."""
    workers = workers or default_workers()
    if not jobs:
        return []
    if workers == 1 or len(jobs) < 4:
        _init_worker(exercise, invariant)
        done = []
        for job in jobs:
            done.append(issue_summary(exercise, job))
            if progress:
                progress(1)
        return done
    size = chunk_size or max(1, min(50, len(jobs) // (workers * 4) or 1))
    chunks = [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]
    paths: list[Path] = []
    import multiprocessing

    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(exercise, invariant)) as pool:
        for rendered in pool.map(_render_chunk, chunks):
            paths.extend(Path(p) for p in rendered)
            if progress:
                progress(len(rendered))
    return paths
