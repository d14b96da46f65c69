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


# The bare-platypus baseline: the same document set the same way (the same words and emphasis,
# the project's paragraph and table styles, page size, margins and page breaks, the same TTF
# fonts), with reportlab's stock classes and nothing of the project's own: no markup escaping
# pipeline, script detection, shaping, bidi, page furniture, outline, digest or metadata.

_bare_styles: Any = None


def _bare_init() -> None:
    """Register the fonts under the floor's own names and copy the project's styles onto them
    (set-up once per worker, as the project's pool does)."""
    global _bare_styles
    from reportlab import rl_config
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from commission.documents.fonts import SANS, SANS_BOLD
    from commission.documents.pdf import _styles
    from commission.resources import fonts_dir

    pdfmetrics.registerFont(TTFont("BareSans", str(fonts_dir() / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("BareSans-Bold", str(fonts_dir() / "NotoSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        "BareSans",
        normal="BareSans",
        bold="BareSans-Bold",
        italic="BareSans",
        boldItalic="BareSans-Bold",
    )
    rename = {SANS: "BareSans", SANS_BOLD: "BareSans-Bold"}
    _bare_styles = {
        name: ParagraphStyle(name, parent=style, fontName=rename.get(style.fontName, "BareSans"))
        for name, style in _styles().items()
    }
    _bare_styles["bullet"] = ParagraphStyle(
        "bullet", parent=_bare_styles["body"], leftIndent=12, firstLineIndent=-9
    )
    # (the project writes its page streams compressed, not ASCII85-armoured: so does the floor)
    rl_config.useA85 = 0


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bare_render(args: tuple[Any, list[Any]]) -> int:
    """The same content (the same :class:`Document` the project builds) laid out with bare
    platypus in the project's styles: escaped text with its bold and italic, stock paragraphs
    and tables, short tables kept on one page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

    from commission.documents import content as c
    from commission.documents.layout import table_style
    from commission.documents.pdf import FRAME_WIDTH as width
    from commission.documents.pdf import KEEP_ROWS
    from commission.documents.summary_content import build_summary

    exercise, jobs = args
    st = _bare_styles

    def grid(header: bool) -> Any:
        # the project's table style (a stock TableStyle), its plain-cell font the floor's
        return table_style(int(header), [("FONT", (0, 0), (-1, -1), "BareSans", 10, 12.5)])

    def words(value: Any) -> str:
        if isinstance(value, str):
            return _esc(value)
        out = []
        for part in value:
            if isinstance(part, str):
                out.append(_esc(part))
                continue
            shown = _esc(part.text)
            shown = f"<i>{shown}</i>" if part.italic else shown
            out.append(f"<b>{shown}</b>" if part.bold else shown)
        return "".join(out)

    def lay(blocks: Any, story: list[Any]) -> None:
        for block in blocks:
            if isinstance(block, c.Section):
                story.append(
                    Paragraph(words(block.heading), st["h1" if block.level == 1 else "h2"])
                )
                lay(block.blocks, story)
            elif isinstance(block, c.Paragraph):
                story.append(Paragraph(words(block.text), st.get(block.role, st["body"])))
            elif isinstance(block, c.Bullets):
                story += [Paragraph("• " + words(item), st["bullet"]) for item in block.items]
            elif isinstance(block, c.KeyValues):
                rows = [
                    [Paragraph(words(k), st["cellbold"]), Paragraph(words(v), st["cell"])]
                    for k, v in block.items
                ]
                story += [
                    Table(rows, colWidths=[130, width - 130], style=grid(False)),
                    Spacer(1, 8),
                ]
            elif isinstance(block, c.Table):
                numeric = block.numeric
                rows = [
                    [
                        Paragraph(words(h), st["cellboldnum" if i in numeric else "cellbold"])
                        for i, h in enumerate(block.header)
                    ]
                ]
                rows += [
                    [
                        Paragraph(words(cell), st["cellnum" if i in numeric else "cell"])
                        for i, cell in enumerate(row)
                    ]
                    for row in block.rows
                ]
                widths = block.widths or [1.0] * len(block.header)
                scale = width / sum(widths)
                parts: list[Any] = [
                    Table(
                        rows, colWidths=[w * scale for w in widths], repeatRows=1, style=grid(True)
                    )
                ]
                if block.caption:
                    parts.append(Paragraph(words(block.caption), st["caption"]))
                story += [KeepTogether(parts)] if len(rows) <= KEEP_ROWS else parts
                story.append(Spacer(1, 6))

    for job in jobs:
        document = build_summary(exercise, job)
        story: list[Any] = [Paragraph(words(document.title), st["title"])]
        lay(document.blocks, story)
        SimpleDocTemplate(
            job.path, pagesize=A4, leftMargin=42, rightMargin=42, topMargin=50, bottomMargin=62
        ).build(story)
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
