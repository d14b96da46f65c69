"""``decide`` at scale (issue 13 point 4): progress from the first moment to 100% with honest
counts, and the decisions rendered in the same pool run as the summaries, first in its queue."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from commission.app.decisions import decide, rerender
from commission.cli import ProgressBar, cli
from commission.documents import render

from .test_decisions_defensible import files_under, make_store

ISSUED = datetime(2026, 12, 1, 14, 5, 33, tzinfo=UTC)


def _rendered(folder: Path) -> list[Path]:
    """Documents already written into a run's temporary folder (next to the output folder)."""
    return [
        p
        for staging in folder.iterdir()
        if ".issuing-" in staging.name
        for p in staging.rglob("*")
        if p.suffix in (".pdf", ".html")
    ]


def test_progress_starts_before_anything_renders_and_ends_at_the_total(tmp_path):
    url, store = make_store(tmp_path)
    events: list[tuple[str, int, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        events.append((stage, done, total, len(_rendered(tmp_path))))

    with store:
        outcome = decide(store, tmp_path / "out", workers=2, progress=progress, issued_at=ISSUED)
    documents = len(outcome.decisions) + len(outcome.summaries)
    assert (len(outcome.decisions), len(outcome.summaries)) == (2, 12)
    total = 1 + documents + 1  # reading, every document, placing the files
    stages = [stage for stage, *_ in events]
    # The first report comes before the store is read, the rendering stage before any file.
    assert events[0][:2] == ("Reading the stored scores", 0)
    assert stages[1:3] == ["Reading the tenders", "Planning the documents"]
    rendering = [e for e in events if e[0].startswith("Rendering")]
    assert rendering[0] == ("Rendering decisions and summaries", 1, total, 0)
    # Counts only go up, by documents, and the bar ends full.
    assert [done for _, done, *_ in events] == sorted(done for _, done, *_ in events)
    assert {t for _, _, t, _ in events[1:]} == {total}
    assert rendering[-1][1] == 1 + documents
    assert events[-2][:2] == ("Placing files", total - 1)
    assert events[-1][:3] == ("Issued", total, total)
    assert stages.index("Placing files") > max(i for i, s in enumerate(stages) if "Render" in s)


def test_one_worker_reports_each_document_as_it_is_done(tmp_path):
    url, store = make_store(tmp_path)
    events: list[tuple[str, int, int]] = []
    with store:
        decide(
            store,
            tmp_path / "out",
            workers=1,
            lot="west",
            progress=lambda *e: events.append(e),
            issued_at=ISSUED,
        )
    rendering = [e for e in events if e[0].startswith("Rendering")]
    # The decision first (alone, then done), then one step per summary: 1 + 1 + 6 steps.
    assert [done for _, done, _ in rendering] == list(range(1, 1 + 1 + 6 + 1))
    assert rendering[0][0] == "Rendering decisions and summaries"
    assert rendering[1][0] == rendering[-1][0] == "Rendering summaries"


class RecordingPool(ThreadPoolExecutor):
    """A stand-in for the process pool that records what it is given, in order."""

    made: list[RecordingPool] = []

    def __init__(self, workers, exercise, invariant):
        super().__init__(1, initializer=render._init_worker, initargs=(exercise, invariant))
        self.submitted: list[tuple[str, object]] = []
        RecordingPool.made.append(self)

    def submit(self, fn, /, *args, **kwargs):
        self.submitted.append((fn.__name__, args[0]))
        return super().submit(fn, *args, **kwargs)


def test_decisions_and_summaries_go_to_one_pool_decisions_first(tmp_path, monkeypatch):
    RecordingPool.made.clear()
    monkeypatch.setattr(render, "_executor", RecordingPool)
    url, store = make_store(tmp_path)
    with store:
        outcome = decide(store, tmp_path / "out", workers=2, issued_at=ISSUED)
    assert len(RecordingPool.made) == 1  # one pool run for the whole decide
    submitted = RecordingPool.made[0].submitted
    kinds = [name for name, _ in submitted]
    # Both lots' decisions, each edition its own job, PDFs first, ahead of every summary.
    assert kinds[:4] == ["_render_decision"] * 4
    assert [job.edition for _, job in submitted[:4]] == ["pdf", "pdf", "html", "html"]
    assert set(kinds[4:]) == {"_render_chunk"}
    assert sum(len(chunk) for _, chunk in submitted[4:]) == len(outcome.summaries) == 12
    for decision in outcome.decisions:
        assert decision.path.is_file() and decision.path.with_suffix(".html").is_file()


def test_the_pool_and_one_process_give_the_same_bytes(tmp_path):
    """A run laid out by two workers, rendered again in this process alone: byte for byte
    the files it issued (the decision laid out in a worker, then here)."""
    url, store = make_store(tmp_path)
    with store:
        decide(store, tmp_path / "out", workers=2, issued_at=ISSUED)
        again = rerender(store, tmp_path / "again", workers=1)
    assert len(again) == 2 * (2 + 12)
    for issued, path in again.items():
        assert Path(issued).read_bytes() == path.read_bytes(), issued


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_follows_the_stages_to_100_percent(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with ProgressBar(True, "Reading the stored scores") as bar:
        bar("Reading the stored scores", 0, 1)
        bar("Reading the stored scores", 1, 10)
        bar("Rendering decisions and summaries", 4, 10)
        bar("Rendering summaries", 9, 10)
        bar("Placing files", 9, 10)
        bar("Issued", 10, 10)
    shown = terminal.getvalue()
    for stage in ("Reading the stored scores", "Rendering decisions and summaries", "Issued"):
        assert stage in shown
    frames = [frame for frame in shown.split("\r") if frame.strip()]
    assert "40%" in shown and "Issued" in frames[-1] and "100%" in frames[-1]


def test_no_progress_when_stderr_is_not_a_terminal_or_quiet(tmp_path):
    url, store = make_store(tmp_path)
    store.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", url, "decide", "--out", str(tmp_path / "a"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    result = runner.invoke(
        cli, ["--db", url, "decide", "--out", str(tmp_path / "b"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "%" not in result.stderr and "Rendering" not in result.stderr
    assert files_under(tmp_path / "b")
