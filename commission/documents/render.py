"""Render many assessment summaries at once, over every core.

Jobs go to a :class:`~concurrent.futures.ProcessPoolExecutor` in chunks; each worker receives the
exercise once (initializer), registers the fonts and builds the styles once, then renders its
chunks. reportlab always runs in its invariant mode (see :func:`.layout.build`): the only time in
a file is the issue time it is given, so identical data and issue time give byte-identical files.
On any failure or interruption the workers are terminated before the error goes on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..records import Exercise
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
            done.append(render_summary(exercise, job))
            if progress:
                progress(1)
        return done
    size = chunk_size or max(1, min(50, len(jobs) // (workers * 4) or 1))
    chunks = [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]
    paths: list[Path] = []
    import multiprocessing

    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(exercise, invariant)
    )
    mapped = None
    try:
        with _starting_workers():  # an interruption waits until every worker has started
            mapped = pool.map(_render_chunk, chunks)
        for rendered in mapped:
            paths.extend(Path(p) for p in rendered)
            if progress:
                progress(len(rendered))
    except BaseException:
        # A failure or an interruption: stop every worker now rather than wait for their
        # chunks, so nothing is left running or writing. (Closing the results cancels the
        # chunks not yet started, now rather than when it is collected.)
        close = getattr(mapped, "close", None)
        if close is not None:
            close()
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return paths


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
