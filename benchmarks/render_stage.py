"""The render stage: assessment summaries by the project's render pool beside bare platypus.

- project: :func:`commission.documents.render.render_summaries` with every core (the pool
  ``decide`` uses: chunks, fonts and styles once per worker), on the summary jobs ``decide``
  builds from the stored results.
- floor: the same content (the same :class:`Document` the project builds) laid out with bare
  reportlab platypus (``SimpleDocTemplate``, plain escaped paragraphs and tables, the same bundled
  Noto TTF fonts registered once per worker), in a process pool of the same size. Both sides use
  every core, so the ratio compares the documents, not the core count.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any


def _render_jobs(url: str, count: int, out: Path) -> tuple[Any, list[Any]]:
    """One assessment summary job per tender, the first ``count`` of them, as decide builds
    them (bidder details, prices, the most advantageous tender with its comments)."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from commission.app import load_tenders, results
    from commission.app.issuing import plan_run
    from commission.store import open_store

    with open_store(url) as store:
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


def render_project(url: str, work: Path, count: int, progress: Any = None) -> float:
    from commission.documents.render import default_workers, render_summaries

    out = _fresh(work / "pdf-project")
    exercise, jobs = _render_jobs(url, count, out)
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        progress(done[0], len(jobs))

    start = time.perf_counter()
    paths = render_summaries(
        exercise, jobs, workers=default_workers(), progress=advance if progress else None
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


def render_floor(url: str, work: Path, count: int) -> float:
    import multiprocessing

    from commission.documents.render import default_workers

    out = _fresh(work / "pdf-floor")
    exercise, jobs = _render_jobs(url, count, out)
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
