"""Render a run's decisions and assessment summaries at once, over every core.

The decisions' jobs (each edition apart) and the summaries' chunks go to one
:class:`~concurrent.futures.ProcessPoolExecutor`, the decisions first; each worker receives the
exercise once (initializer), registers the fonts and builds the styles once, then renders its
chunks. reportlab always runs in its invariant mode (see :func:`.layout.build`): the only time in
a file is the issue time it is given, so identical data and issue time give byte-identical files.
On any failure or interruption the workers are terminated before the error goes on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records import Exercise
from ..scoring import Results
from .decision import DecisionOptions
from .summary import SummaryJob, render_summary

_exercise: Exercise | None = None


def set_invariant(invariant: bool) -> None:
    from reportlab import rl_config

    rl_config.invariant = 1 if invariant else 0


def _init_worker(exercise: Exercise, invariant: bool) -> None:
    global _exercise
    import signal

    from .layout import styles

    if _in_worker():
        # The parent handles Ctrl-C and SIGTERM, and stops the workers itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    set_invariant(invariant)
    _exercise = exercise
    styles()


def _render_chunk(jobs: Sequence[SummaryJob]) -> list[str]:
    assert _exercise is not None
    return [str(render_summary(_exercise, job)) for job in jobs]


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class DecisionJob:
    """One edition of a lot's decision, as a job for the pool: its PDF or its HTML edition,
    each naming the other (``pdf_path`` / ``html_path``: "" when that edition is not written)."""

    results: Results
    lot_id: str
    options: DecisionOptions
    edition: str  # "pdf" or "html"
    pdf_path: str = ""
    html_path: str = ""
    #: reportlab's ``rl_config.invariant`` where the run was asked for: a decision has always
    #: been laid out under the caller's setting, and keeps its bytes.
    invariant: int = 0


def decision_jobs(
    results: Results,
    lot_id: str,
    pdf_path: str | Path | None,
    html_path: str | Path | None,
    options: DecisionOptions,
) -> list[DecisionJob]:
    """The jobs that write a lot's decision: the PDF and the HTML edition apart, so that two
    workers can lay them out at once (the files are those :func:`.decision.issue_decision`
    writes, byte for byte)."""
    from reportlab import rl_config

    pdf, html = str(pdf_path or ""), str(html_path or "")
    return [
        DecisionJob(results, lot_id, options, edition, pdf, html, int(rl_config.invariant))
        for edition, path in (("pdf", pdf), ("html", html))
        if path
    ]


def _render_decision(job: DecisionJob) -> str:
    from .decision_content import build_decision
    from .html import write_html
    from .pdf import render_pdf

    document = build_decision(job.results, job.lot_id, job.options.context())
    if job.edition == "pdf":
        from reportlab import rl_config

        html_name = Path(job.html_path).name if job.html_path else ""
        kept, rl_config.invariant = rl_config.invariant, job.invariant
        try:
            path = render_pdf(document, job.pdf_path, job.options.issued_at, html_name=html_name)
        finally:
            rl_config.invariant = kept
        return str(path)
    pdf_name = Path(job.pdf_path).name if job.pdf_path else ""
    return str(write_html(document, job.html_path, pdf_name=pdf_name))


#: ``progress(decisions done, summaries done)``: a decision is done when all its editions are.
Progress = Callable[[int, int], None]


def render_documents(
    exercise: Exercise,
    decisions: Sequence[DecisionJob],
    jobs: Sequence[SummaryJob],
    *,
    workers: int | None = None,
    invariant: bool = True,
    chunk_size: int | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Render the decisions' jobs and the summaries in ONE pool run: the decisions first (the
    largest lot's PDF, the longest job, at the head of the queue, so that it is laid out while
    the other workers render summaries, not alone at the end), then the summaries in small
    chunks. ``progress`` is called as each piece is done. The summaries' paths, in order."""
    workers = workers or default_workers()
    editions: dict[str, int] = {}
    for job in decisions:
        editions[job.lot_id] = editions.get(job.lot_id, 0) + 1
    if workers == 1 or len(decisions) + len(jobs) < 4:
        return _render_here(exercise, decisions, jobs, invariant, editions, progress)
    size = chunk_size or max(1, min(10, len(jobs) // (workers * 8) or 1))
    chunks = [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]
    order = sorted(
        decisions,
        key=lambda d: (d.edition != "pdf", -len(d.results.in_lot(d.lot_id))),
    )
    pool = _executor(workers, exercise, invariant)
    futures: dict[Any, tuple[str, Any]] = {}
    results: dict[int, list[str]] = {}
    counts = [0, 0]
    reported = (0, 0)
    try:
        with _starting_workers():  # an interruption waits until every worker has started
            for decision in order:
                futures[pool.submit(_render_decision, decision)] = ("decision", decision.lot_id)
            for number, chunk in enumerate(chunks):
                futures[pool.submit(_render_chunk, chunk)] = ("summaries", number)
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                kind, key = futures[future]
                value = future.result()
                if kind == "decision":
                    editions[key] -= 1
                    counts[0] += not editions[key]
                else:
                    results[key] = value
                    counts[1] += len(value)
            if progress and tuple(counts) != reported:
                reported = tuple(counts)
                progress(*reported)
    except BaseException:
        # A failure or an interruption: stop every worker now rather than wait for their
        # jobs, so nothing is left running or writing. (The jobs not yet started are
        # cancelled first.)
        for future in futures:
            future.cancel()
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return [Path(p) for number in range(len(chunks)) for p in results[number]]


def _executor(workers: int, exercise: Exercise, invariant: bool) -> Any:
    import multiprocessing

    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(exercise, invariant)
    )


def _render_here(
    exercise: Exercise,
    decisions: Sequence[DecisionJob],
    jobs: Sequence[SummaryJob],
    invariant: bool,
    editions: dict[str, int],
    progress: Progress | None,
) -> list[Path]:
    """The same run in this process, one document after another (one worker, or a few jobs)."""
    _init_worker(exercise, invariant)
    counts = [0, 0]
    for decision in decisions:
        _render_decision(decision)
        editions[decision.lot_id] -= 1
        if not editions[decision.lot_id]:
            counts[0] += 1
            if progress:
                progress(counts[0], counts[1])
    done = []
    for job in jobs:
        done.append(render_summary(exercise, job))
        counts[1] += 1
        if progress:
            progress(counts[0], counts[1])
    return done


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
    seen = [0]

    def step(_decisions: int, summaries: int) -> None:
        if progress and summaries > seen[0]:
            progress(summaries - seen[0])
        seen[0] = summaries

    return render_documents(
        exercise,
        (),
        jobs,
        workers=workers,
        invariant=invariant,
        chunk_size=chunk_size,
        progress=step,
    )


_held = 0
_pending: list[BaseException] = []


@contextlib.contextmanager
def _starting_workers() -> Iterator[None]:
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending:
            raise _pending.pop()


def stop_now(error: BaseException) -> None:
    """Raise ``error`` (from a signal handler): now, or if the pool is starting its workers,
    as soon as they have all started, so that none is left half-started."""
    if _held:
        _pending[:] = [error]
        return
    raise error


def _in_worker() -> bool:
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _stop(pool: ProcessPoolExecutor) -> None:
    # Chunks already cancelled must not stay in the pool's pending work: when the workers are
    # terminated its manager thread marks every pending chunk as failed, and on Python 3.11
    # that raises (InvalidStateError, printed as a thread's traceback) for a cancelled one.
    pending = getattr(pool, "_pending_work_items", None)
    if isinstance(pending, dict):
        for work_id, item in list(pending.items()):
            if item.future.done():
                pending.pop(work_id, None)
    # Terminate the workers before shutting the pool down: shutting down first would release
    # the queues' semaphores under a worker that is still starting.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    # Jobs still queued for the dead workers must not keep the feeder thread (and so the
    # process's exit) waiting on a full pipe nobody reads: close its reading end.
    queue = getattr(pool, "_call_queue", None)
    if queue is not None:
        queue.cancel_join_thread()
        reader = getattr(queue, "_reader", None)
        if reader is not None:
            with contextlib.suppress(OSError):
                reader.close()
    pool.shutdown(wait=False, cancel_futures=True)
