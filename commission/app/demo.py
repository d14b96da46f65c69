"""``commission demo``: the whole flow on the bundled sample exercise.

A fresh SQLite database in the output folder, the sample exercise stored, its twelve tenders
added, the panels' score sheets imported, the results computed and the decision and assessment
summary PDFs written — the same library calls the commands make, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..resources import examples_dir

if TYPE_CHECKING:
    from ..scoring import Results


@dataclass
class DemoOutcome:
    out_dir: Path
    database: Path
    results: Results
    decisions: list[Path] = field(default_factory=list)
    summaries: list[Path] = field(default_factory=list)
    #: The accessible HTML edition of every document.
    html: list[Path] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [f"Demo database: {self.database}"]
        lines += [f"Panel decision: {path}" for path in self.decisions]
        if self.summaries:
            lines.append(
                f"Assessment summaries: {len(self.summaries)} PDFs in {self.summaries[0].parent}"
            )
        if self.html:
            lines.append(
                f"Accessible HTML editions: {len(self.html)} web pages (.html) beside the PDFs"
            )
        return lines


def sample_sheets() -> list[Path]:
    folder = examples_dir() / "sheets"
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".csv", ".xlsx"})


def run_demo(out_dir: Path, progress: Callable[[str], None] | None = None) -> DemoOutcome:
    from ..store import open_store
    from .decisions import decide
    from .evaluation import results as store_results
    from .exercises import init_exercise
    from .scores import import_scores
    from .tenders import add_tenders

    say = progress or (lambda message: None)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / "demo.db"
    for stale in (database, database.with_name("demo.db-wal"), database.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)

    examples = examples_dir()
    with open_store(f"sqlite:///{database}", create=True) as store:
        init_exercise(store, examples / "exercise.json")
        say("Stored the sample exercise 'wellbeing-hubs-2027'.")
        add_tenders(store, [examples / "tenders"])
        say("Added 12 tenders.")
        sheets = sample_sheets()
        import_scores(store, sheets)
        say(f"Imported {len(sheets)} score sheets.")
        results = store_results(store)
        outcome = decide(store, out_dir, force=True)  # the demo's own folder, made again
    return DemoOutcome(
        out_dir=out_dir,
        database=database,
        results=results,
        decisions=[decision.path for decision in outcome.decisions],
        summaries=list(outcome.summaries),
        html=list(outcome.html),
    )
