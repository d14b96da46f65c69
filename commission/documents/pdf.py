"""The PDF edition of a :class:`~.content.Document`, laid out with reportlab.

Long text never breaks the layout. Untrusted text only ever reaches a page as paragraphs that
flow: a paragraph longer than :data:`CHUNK` characters is cut, at a line end, a sentence end or
a space, into consecutive paragraphs of at most that size, so a page break can fall between them
and the cost of laying it out grows linearly with its length (reportlab re-breaks the rest of a
paragraph at every page it splits over, which is quadratic for one huge paragraph). A word longer
than the line is broken at the line width. Tables hold our own short figures and names; a row
that is still taller than a page splits inside the row.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

from . import content as c
from .charts import panel_chart
from .layout import Metadata, PageFurniture, build, edition_note, styles, table_style
from .layout import paragraph as make_paragraph
from .text import markup

#: The most characters of text in one laid-out paragraph (see the module's docstring).
CHUNK = 1200

#: Tables of up to this many rows (header included) are kept on one page.
KEEP_ROWS = 25

#: Usable width of an A4 page inside our margins, in points.
FRAME_WIDTH = 595.27 - 84


def render_pdf(
    document: c.Document,
    path: str | Path,
    issued_at: datetime | None = None,
    *,
    html_name: str = "",
) -> Path:
    """Write ``document`` as a PDF to ``path``; ``issued_at`` becomes its CreationDate.
    ``html_name`` names the HTML edition beside it."""
    furniture = PageFurniture(
        heading=document.heading,
        digest=document.digest,
        audit_head=document.audit_head,
        provisional=document.provisional,
        label=document.digest_label,
        issued=document.issued,
    )
    meta = Metadata(
        title=document.meta_title or document.title,
        author=document.author,
        subject=document.subject,
        keywords=document.keywords,
        lang=document.lang,
        extra=dict(document.extra_info),
    )
    build(path, story(document, html_name), furniture, meta, issued_at)
    return Path(path)


def story(document: c.Document, html_name: str = "") -> list[Any]:
    st = _styles()
    flow: list[Any] = []
    if document.provisional:
        flow.append(make_paragraph("PROVISIONAL — this is not a final decision", st["banner"]))
    flow.append(make_paragraph(_markup(c.text(document.title)), st["title"]))
    if html_name:
        flow.append(make_paragraph(edition_note(html_name), st["edition"]))
    for block in document.blocks:
        flow += _block(block, st)
    return flow


@functools.cache
def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    st = dict(styles())
    st["h1"] = ParagraphStyle("h1-keep", parent=st["h1"], keepWithNext=1)
    st["h2"] = ParagraphStyle("h2-keep", parent=st["h2"], keepWithNext=1)
    st["warning"] = ParagraphStyle(
        "warning",
        parent=st["body"],
        borderWidth=1.2,
        borderColor=colors.black,
        borderPadding=5,
        spaceBefore=4,
        spaceAfter=10,
    )
    st["lead"] = st["summary"]
    st["cellnum"] = ParagraphStyle("cellnum", parent=st["cell"], alignment=TA_RIGHT)
    st["cellboldnum"] = ParagraphStyle("cellboldnum", parent=st["cellbold"], alignment=TA_RIGHT)
    st["caption"] = ParagraphStyle("caption", parent=st["small"], spaceBefore=2, spaceAfter=6)
    st["edition"] = ParagraphStyle("edition", parent=st["small"], spaceAfter=8)
    return st


def _markup(value: c.Text) -> str:
    parts = []
    for part in value:
        words = part if isinstance(part, str) else part.text
        shown = markup(words)
        if not isinstance(part, str):
            if part.italic:
                shown = f"<i>{shown}</i>"
            if part.bold:
                shown = f"<b>{shown}</b>"
        # markup() trims its text; the spaces between parts are ours to keep.
        lead = " " if words[:1].isspace() else ""
        tail = " " if words[-1:].isspace() and words.strip() else ""
        parts.append(f"{lead}{shown}{tail}")
    return "".join(parts)


def chunks(value: c.Text, limit: int = CHUNK) -> list[c.Text]:
    """``value`` cut into consecutive pieces of at most ``limit`` characters each, cutting at a
    line end, else a sentence end, else a space, else anywhere; emphasis is kept."""
    pieces: list[list[c.Inline]] = [[]]
    room = limit
    for part in value:
        words = part if isinstance(part, str) else part.text
        while words:
            if len(words) <= room:
                cut = len(words)
            else:
                cut = _cut(words, room, limit)
            head, words = words[:cut], words[cut:]
            if head:
                pieces[-1].append(
                    head if isinstance(part, str) else c.Span(head, part.bold, part.italic)
                )
                room -= len(head)
            if words:
                pieces.append([])
                room = limit
                words = words.lstrip(" \n") or ""
    return [tuple(p) for p in pieces if p]


def _cut(words: str, room: int, limit: int) -> int:
    """Where to end a piece that may take ``room`` more characters of ``words`` (0: start a
    new piece first)."""
    window = words[:room]
    for mark in ("\n", ". ", "; ", " "):
        at = window.rfind(mark)
        if at > 0 and at >= room // 2:
            return at if mark == "\n" else at + len(mark) - 1
    if room < limit // 4:
        return 0
    at = window.rfind(" ")
    return at if at > 0 else room


def _paragraphs(value: c.Text, style: Any, prefix: str = "") -> list[Any]:
    from reportlab.lib.styles import ParagraphStyle

    pieces = chunks(value)
    if not pieces:
        return []
    if len(pieces) == 1:
        return [make_paragraph(prefix + _markup(pieces[0]), style)]
    first = ParagraphStyle(style.name + "-first", parent=style, spaceAfter=0)
    middle = ParagraphStyle(style.name + "-cont", parent=style, spaceBefore=0, spaceAfter=0)
    last = ParagraphStyle(style.name + "-last", parent=style, spaceBefore=0)
    out = []
    for index, piece in enumerate(pieces):
        kind = first if index == 0 else last if index == len(pieces) - 1 else middle
        out.append(make_paragraph((prefix if index == 0 else "") + _markup(piece), kind))
    return out


def _block(block: c.Block, st: dict[str, Any]) -> list[Any]:
    if isinstance(block, c.Paragraph) and block.role == "write-in":
        return [_write_in(block, st)]
    if isinstance(block, c.Paragraph):
        return _paragraphs(block.text, st.get(block.role, st["body"]))
    if isinstance(block, c.Bullets):
        from reportlab.lib.styles import ParagraphStyle

        hanging = ParagraphStyle("bullet", parent=st["body"], leftIndent=12, firstLineIndent=-9)
        out: list[Any] = []
        for item in block.items:
            out += _paragraphs(item, hanging, prefix="• ")
        return out
    if isinstance(block, c.KeyValues):
        from reportlab.platypus import Spacer

        return [_key_values(block, st), Spacer(1, 8)]
    if isinstance(block, c.Table):
        return _table(block, st)
    if isinstance(block, c.Chart):
        from .charts import Bar

        bars = [Bar(b.label, b.community, b.officer) for b in block.bars]
        return [
            panel_chart(bars, block.scale_max),
            make_paragraph(_markup(c.text(block.caption)), st["caption"]),
        ]
    if isinstance(block, c.SignOff):
        return [_signoff(block, st)]
    if isinstance(block, c.Section):
        return _section(block, st)
    raise TypeError(f"no PDF layout for {type(block).__name__}")


def _section(section: c.Section, st: dict[str, Any], lead: list[Any] | None = None) -> list[Any]:
    """A section's flowables; ``lead`` (the heading of the section around it) is kept on the
    page of this section's first table and chart."""
    from reportlab.platypus import KeepTogether, PageBreak

    heading = make_paragraph(
        _markup(c.text(section.heading)), st["h1" if section.level == 1 else "h2"]
    )
    out: list[Any] = [PageBreak()] if section.new_page else []
    rest = list(section.blocks)
    if section.keep:
        # The heading with its first table and chart on one page; the rest flows on.
        head = [*(lead or []), heading]
        taken: list[type] = []
        while (
            rest
            and isinstance(rest[0], c.Paragraph | c.Table | c.Chart)
            and len(taken) < 5
            and not (c.Table in taken and c.Chart in taken)
        ):
            taken.append(type(rest[0]))
            for flowable in _block(rest.pop(0), st):
                # (a KeepTogether inside a KeepTogether always measures as too tall, which
                # would start every such section on a new page: take its content instead)
                head += flowable._content if isinstance(flowable, KeepTogether) else [flowable]
        out.append(KeepTogether(head))
    elif rest and isinstance(first := rest[0], c.Section) and first.keep and not first.new_page:
        # A section that opens with a kept section: its heading goes with that one's table.
        rest.pop(0)
        out += _section(first, st, lead=[*(lead or []), heading])
    else:
        out += [*(lead or []), heading]
    for block in rest:
        out += _block(block, st)
    return out


def _table(table: c.Table, st: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Table

    widths = table.widths or tuple(1.0 for _ in table.header)
    scale = FRAME_WIDTH / sum(widths)
    rows: list[list[Any]] = [
        [
            make_paragraph(
                _markup(c.text(h)), st["cellboldnum" if i in table.numeric else "cellbold"]
            )
            for i, h in enumerate(table.header)
        ]
    ]
    for row in table.rows:
        rows.append(
            [
                make_paragraph(_markup(cell), st["cellnum" if i in table.numeric else "cell"])
                for i, cell in enumerate(row)
            ]
        )
    flow: Any = Table(
        rows, colWidths=[w * scale for w in widths], repeatRows=1, splitInRow=1, style=table_style()
    )
    from reportlab.platypus import Spacer

    parts = [flow]
    if table.caption:
        parts.append(make_paragraph(_markup(c.text(table.caption)), st["caption"]))
    if len(rows) <= KEEP_ROWS:
        from reportlab.platypus import KeepTogether

        # A short table is not split (a header and one row left at the foot of a page).
        return [KeepTogether(parts), Spacer(1, 6)]
    return [*parts, Spacer(1, 6)]


def _write_in(block: c.Paragraph, st: dict[str, Any]) -> Any:
    """A label over a blank ruled box, to be written in by hand (a meeting's agreed words)."""
    from reportlab.platypus import KeepTogether, Spacer, Table

    box = Table([[""]], colWidths=[FRAME_WIDTH], rowHeights=[44], style=table_style(0))
    return KeepTogether([make_paragraph(_markup(block.text), st["cellbold"]), box, Spacer(1, 8)])


def _key_values(block: c.KeyValues, st: dict[str, Any]) -> Any:
    from reportlab.platypus import Table

    rows = [
        [
            make_paragraph(_markup(c.text(key)), st["cellbold"]),
            make_paragraph(_markup(value), st["cell"]),
        ]
        for key, value in block.items
    ]
    return Table(
        rows, colWidths=[130, FRAME_WIDTH - 130], splitInRow=1, style=table_style(header_rows=0)
    )


def _signoff(block: c.SignOff, st: dict[str, Any]) -> Any:
    from reportlab.platypus import KeepTogether, Spacer, Table

    def column(role: str) -> list[Any]:
        return [
            make_paragraph(_markup(c.text(c.bold(role))), st["body"]),
            Spacer(1, 14),
            make_paragraph("Name: ______________________________", st["body"]),
            Spacer(1, 14),
            make_paragraph("Signature: __________________________", st["body"]),
            Spacer(1, 14),
            make_paragraph("Date signed: ________________________", st["body"]),
        ]

    width = FRAME_WIDTH / max(1, len(block.roles))
    grid = Table(
        [[column(role) for role in block.roles]],
        colWidths=[width] * len(block.roles),
        style=table_style(header_rows=0),
    )
    return KeepTogether(
        [
            make_paragraph("Sign-off", st["h1"]),
            make_paragraph(_markup(c.text(block.statement)), st["body"]),
            grid,
        ]
    )
