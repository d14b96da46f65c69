"""What every commission PDF shares: styles, page furniture and metadata.

Every page carries a header (the authority, exercise and lot in any script, set through the same
text pipeline as the body, and PROVISIONAL when the decision is provisional, also as a diagonal
watermark) and a footer with "Page x of y", the SHA-256 digest of the decision data
and the head of the audit chain. "Page x of y" needs the page count, so the canvas keeps each
page's state and draws the furniture when the document is saved (the reportlab canvasmaker idiom).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .fonts import ARABIC, ARABIC_BOLD, BOLD_OF, SANS, SANS_BOLD, register_fonts
from .text import markup, plain

BODY_SIZE = 10.5
#: The key in the PDF's document information dictionary that holds the decision data.
INFO_KEY = "CommissionDecision"


@dataclass(frozen=True)
class PageFurniture:
    """What goes on every page besides the flowing content."""

    heading: str
    digest: str = ""
    audit_head: str = ""
    provisional: bool = False
    label: str = "Decision data SHA-256"
    #: "Issued 1 December 2026 at 14:05 GMT", printed on every page.
    issued: str = ""


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    keywords: Sequence[str] = ()
    lang: str = "en-GB"
    #: Extra entries for the document information dictionary (name → text).
    extra: Mapping[str, str] = field(default_factory=dict)


@functools.cache
def styles() -> dict[str, Any]:
    """Paragraph and table styles, built once per process (and so once per render worker)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    base = ParagraphStyle(
        "body",
        fontName=SANS,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.35,
        shaping=0,
        splitLongWords=1,
        spaceAfter=4,
    )

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "small": derive("small", fontSize=10, leading=13, spaceAfter=2),
        "cell": derive("cell", fontSize=10, leading=12.5, spaceAfter=0),
        "cellbold": derive("cellbold", fontName=SANS_BOLD, fontSize=10, leading=12.5, spaceAfter=0),
        "title": derive("title", fontName=SANS_BOLD, fontSize=18, leading=23, spaceAfter=6),
        # (headings stay on the page of what follows them)
        "h1": derive(
            "h1",
            fontName=SANS_BOLD,
            fontSize=14,
            leading=18,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h2": derive(
            "h2",
            fontName=SANS_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=1,
        ),
        # The box is drawn borderPadding outside the text: the space around it is larger, so
        # the box never covers the descenders of the line above (Naskh descends deep).
        "summary": derive(
            "summary",
            fontSize=11.5,
            leading=16,
            borderWidth=0.8,
            borderColor=colors.black,
            borderPadding=7,
            spaceBefore=16,
            spaceAfter=18,
            backColor=colors.Color(0.95, 0.95, 0.95),
        ),
        "header": derive("header", fontSize=9, leading=11.5, spaceAfter=0),
        "label": derive("label", fontSize=9, leading=11, spaceAfter=0),
        "banner": derive(
            "banner",
            fontName=SANS_BOLD,
            fontSize=13,
            leading=17,
            alignment=TA_CENTER,
            textColor=colors.black,
            spaceAfter=8,
        ),
    }


@functools.cache
def _shaped(style: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "-shaped", parent=style, shaping=1)


@functools.cache
def _paragraph_class() -> type:
    from reportlab.platypus import Paragraph

    class WrapOnceParagraph(Paragraph):  # type: ignore[misc]
        """A Paragraph that does not break its lines again for a width it has just broken at.

        A table wraps every cell once to size its rows and again when it draws them; the line
        breaks depend only on the width, so the second wrap reuses the first."""

        _wrapped: tuple[float, float] | None = None

        #: The paragraph's direction is right-to-left (its first strong letter is).
        rtl = False
        #: False when no run of it is in a right-to-left font: its lines need no reordering.
        bidi = True

        def drawPara(self, debug: int = 0) -> Any:  # noqa: N802 - reportlab's name
            """Draw each line in visual order (the bidi algorithm, after line breaking)."""
            if not self.bidi:
                return super().drawPara(debug)
            from .bidi_lines import needs_reordering, visual_para

            logical: Any = self.__dict__["blPara"]
            if not (self.rtl or _has_rtl(logical, needs_reordering)):
                return super().drawPara(debug)
            self.blPara = visual_para(logical, self.rtl)
            try:
                return super().drawPara(debug)
            finally:
                self.blPara = logical

        def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
            parts = super().split(availWidth, availHeight)
            for part in parts:
                if isinstance(part, WrapOnceParagraph):
                    part.rtl, part.bidi = self.rtl, self.bidi
            return list(parts)

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
            done = self._wrapped
            # (split() may drop blPara; then break the lines again)
            if done is not None and done[0] == availWidth and "blPara" in self.__dict__:
                self.width, self.height = done
                return done
            width, height = super().wrap(availWidth, availHeight)
            self._wrapped = (width, height)
            return width, height

    return WrapOnceParagraph


def _has_rtl(bl_para: Any, needs_reordering: Any) -> bool:
    from .bidi_lines import RTL_FONTS

    if bl_para.kind == 0:
        return bool(getattr(bl_para, "fontName", None) in RTL_FONTS)
    return any(needs_reordering(line.words) for line in bl_para.lines)


@functools.cache
def _right_aligned(style: Any) -> Any:
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    if style.alignment != TA_LEFT:
        return style
    return ParagraphStyle(style.name + "-rtl", parent=style, alignment=TA_RIGHT)


_SCRIPT_FONT_TAG = re.compile(
    r'<font name="(CommissionArabic|CommissionBengali)">(.*?)</font>', re.S
)


def _in_bold(match: re.Match[str]) -> str:
    """A script run moved to its bold face; the bold face learns the run's words, so its
    shaped glyphs extract as the letters they show (see ExtractableTTFont.learn)."""
    import html

    from .fonts import font

    bold = BOLD_OF[match.group(1)]
    learner = font(bold)
    for word in html.unescape(match.group(2)).split(" "):
        learner.learn(word)
    return f'<font name="{bold}">{match.group(2)}</font>'


def paragraph(text: str, style: Any) -> Any:
    """A Paragraph, shaped by HarfBuzz only when it holds Arabic-script, Bengali or emoji runs.

    Shaping every Latin word costs about half the render time and buys only kerning, so
    Latin-only paragraphs are laid out unshaped. In a bold style (headings, table headers) the
    script runs use the bundled bold faces. A paragraph whose first letter is right-to-left is
    a right-to-left paragraph, right-aligned; every line is put in visual order when drawn."""
    rtl = False
    if "CommissionArabic" in text or "CommissionBengali" in text or "CommissionEmoji" in text:
        if style.fontName == SANS_BOLD:
            text = _SCRIPT_FONT_TAG.sub(_in_bold, text)
        from .bidi_lines import starts_right_to_left

        rtl = "CommissionArabic" in text and starts_right_to_left(text)
        style = _shaped(_right_aligned(style) if rtl else style)
    made = _paragraph_class()(text, style)
    made.rtl = rtl
    # (right-to-left runs come only from an Arabic-script font: its <font> tag, or the style's)
    made.bidi = ARABIC in text or style.fontName in (ARABIC, ARABIC_BOLD)
    made.source_markup = text
    return made


def table_style(header_rows: int = 1, extra: Sequence[tuple[Any, ...]] = ()) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    commands: list[tuple[Any, ...]] = [
        # (cells that are plain strings; reportlab's default would be Helvetica)
        ("FONT", (0, 0), (-1, -1), SANS, 10, 12.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        commands.append(
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(0.88, 0.88, 0.88))
        )
    commands.extend(extra)
    return TableStyle(commands)


@functools.cache
def pdf_string_class() -> type:
    """reportlab's ``PDFString``, escaping printable ASCII by three byte replacements: the same
    bytes, but reportlab's pure-Python ``escapePDF`` walks every byte (~45 ms for the ~170 KB of
    decision data a 2,500-tender lot's summary carries). Anything else takes reportlab's path."""
    from reportlab.pdfbase.pdfdoc import NoEncryption, PDFString

    class FastString(PDFString):  # type: ignore[misc]
        def format(self, document: Any) -> Any:
            text = self.s
            if not (
                isinstance(text, str)
                and text.isascii()
                and text.isprintable()
                and isinstance(document.encrypt, NoEncryption)
                and getattr(self, "enc", "auto") == "auto"
                and getattr(self, "escape", 1) == 1
            ):
                return super().format(document)
            escaped = text.encode("ascii").replace(b"\\", b"\\\\")
            return b"(" + escaped.replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    return FastString


def _info_class() -> type:
    from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName

    PDFString = pdf_string_class()  # noqa: N806 - reportlab's name, our class

    class Info(PDFInfo):  # type: ignore[misc]
        """reportlab's document information, plus our own keys (the decision data)."""

        extra: Mapping[str, str] = {}
        issued_at: datetime | None = None

        def format(self, document: Any) -> Any:
            entries: dict[str, Any] = {
                "Title": PDFString(self.title),
                "Author": PDFString(self.author),
                "Subject": PDFString(self.subject),
                "Keywords": PDFString(self.keywords),
                "Producer": PDFString(self.producer),
                "Creator": PDFString(self.creator),
                "Trapped": PDFName(self.trapped),
            }
            entries["ModDate"] = entries["CreationDate"] = PDFDate(
                ts=document._timeStamp, dateFormatter=self._dateFormatter
            )
            if self.issued_at is not None:  # the recorded issue time, in UTC
                stamp = self.issued_at.astimezone(UTC)
                entries["ModDate"] = entries["CreationDate"] = PDFString(
                    f"D:{stamp:%Y%m%d%H%M%S}+00'00'"
                )
            for key, value in sorted(self.extra.items()):
                entries[key] = PDFString(value)
            return PDFDictionary(entries).format(document)

    return Info


@functools.cache
def canvas_class() -> type:
    from reportlab.pdfgen.canvas import Canvas

    info_class = _info_class()

    class FurnishedCanvas(Canvas):  # type: ignore[misc]
        furniture: PageFurniture = PageFurniture("")
        extra_info: Mapping[str, str] = {}
        issued_at: datetime | None = None
        meta: Metadata | None = None

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Start in our own font: reportlab's default, Helvetica, would be a base-14 font
            # referenced (never embedded) by every page.
            if not kwargs.get("initialFontName"):
                kwargs["initialFontName"] = SANS
            super().__init__(*args, **kwargs)
            info = info_class()
            info.__dict__.update(self._doc.info.__dict__)
            info.extra = dict(self.extra_info)
            info.issued_at = self.issued_at
            self._doc.info = info
            if self.issued_at is not None:
                # The file's /ID is a digest of what reportlab is given; the issue time is
                # part of it, so two issues of the same data do not share an ID.
                self._doc.updateSignature(self.issued_at.isoformat())
            if self.meta is not None:
                from .structure import add_structure

                add_structure(self, self.meta)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                draw_furniture(self, self.furniture, number, total)
                super().showPage()
            super().save()

    return FurnishedCanvas


def draw_furniture(canvas: Any, furniture: PageFurniture, number: int, total: int) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4

    width, height = A4
    canvas.saveState()
    if furniture.provisional:
        canvas.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.25))
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        _draw_outlined(canvas, "PROVISIONAL", 72)
        canvas.rotate(-45)
        canvas.translate(-width / 2, -height / 2)
    canvas.setFillColor(colors.black)
    canvas.setFont(SANS, 9)
    room = width - 84 - (200 if furniture.provisional else 0)
    header = one_line(furniture.heading, room, "header")
    header.wrapOn(canvas, room, 40)
    header.drawOn(canvas, 42, height - 33)
    if furniture.provisional:
        canvas.setFont(SANS_BOLD, 11)
        canvas.drawRightString(width - 42, height - 31, "PROVISIONAL — not a final decision")
    canvas.setStrokeColor(colors.grey)
    canvas.line(42, height - 36, width - 42, height - 36)
    canvas.line(42, 50, width - 42, 50)
    canvas.setFont(SANS, 10)
    canvas.drawRightString(width - 42, 38, f"Page {number} of {total}")
    lines = [f"{furniture.label}: {furniture.digest}"] if furniture.digest else []
    if furniture.audit_head:
        lines.append(f"Audit chain head before issue: {furniture.audit_head}")
    y = 38.0
    if furniture.issued:
        canvas.setFont(SANS_BOLD, 8.5)
        canvas.drawString(42, y, furniture.issued)
        y -= 10
    canvas.setFont(SANS, 7.5)
    for line in lines:
        canvas.drawString(42, y, line)
        y -= 9
    canvas.restoreState()


@functools.cache
def _outline_ops(text: str) -> tuple[float, tuple[tuple[Any, ...], ...]]:
    """Glyph outlines of ``text`` in Noto Sans Bold (font units), and its advance width.

    The watermark is drawn as shapes, not text, so it cannot interleave with the page's words
    when the PDF is read aloud, searched or copied (the header says PROVISIONAL as text)."""
    import uharfbuzz

    from ..resources import fonts_dir

    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(fonts_dir() / "NotoSans-Bold.ttf")))
    hb_font = uharfbuzz.Font(face)
    ops: list[tuple[Any, ...]] = []

    class Pen:
        def __init__(self, dx: float) -> None:
            self.dx = dx

        def moveTo(self, p: Any) -> None:  # noqa: N802 - the pen protocol's names
            ops.append(("m", p[0] + self.dx, p[1]))

        def lineTo(self, p: Any) -> None:  # noqa: N802
            ops.append(("l", p[0] + self.dx, p[1]))

        def qCurveTo(self, q: Any, p: Any) -> None:  # noqa: N802
            ops.append(("q", q[0] + self.dx, q[1], p[0] + self.dx, p[1]))

        def curveTo(self, a: Any, b: Any, c: Any) -> None:  # noqa: N802
            ops.append(("c", a[0] + self.dx, a[1], b[0] + self.dx, b[1], c[0] + self.dx, c[1]))

        def closePath(self) -> None:  # noqa: N802
            ops.append(("z",))

    x = 0.0
    for char in text:
        gid = hb_font.get_nominal_glyph(ord(char)) or 0
        hb_font.draw_glyph_with_pen(gid, Pen(x))
        x += hb_font.get_glyph_h_advance(gid)
    return x, tuple(ops)


def _draw_outlined(canvas: Any, text: str, size: float) -> None:
    advance, ops = _outline_ops(text)
    scale = size / 1000
    dx, dy = -advance * scale / 2, -size * 0.35
    path = canvas.beginPath()
    cx = cy = 0.0
    for op in ops:
        if op[0] == "m":
            cx, cy = op[1], op[2]
            path.moveTo(dx + cx * scale, dy + cy * scale)
        elif op[0] == "l":
            cx, cy = op[1], op[2]
            path.lineTo(dx + cx * scale, dy + cy * scale)
        elif op[0] == "q":
            qx, qy, ex, ey = op[1:]
            c1 = (cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy))
            c2 = (ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey))
            path.curveTo(
                dx + c1[0] * scale,
                dy + c1[1] * scale,
                dx + c2[0] * scale,
                dy + c2[1] * scale,
                dx + ex * scale,
                dy + ey * scale,
            )
            cx, cy = ex, ey
        elif op[0] == "c":
            path.curveTo(
                *(dx + v * scale if i % 2 == 0 else dy + v * scale for i, v in enumerate(op[1:]))
            )
            cx, cy = op[5], op[6]
        else:
            path.close()
    canvas.drawPath(path, stroke=0, fill=1)


_ONE_LINE_CACHE: dict[tuple[str, float, str], Any] = {}


def one_line(text: str, room: float, style_name: str = "header") -> Any:
    """``text`` (untrusted, any script) as a one-line Paragraph at most ``room`` wide, cut
    with "…" when too long: the running header and chart labels go through the same text
    pipeline (fonts by script, bidi, emoji) as the body."""
    from .text import clean

    key = (text, room, style_name)
    made = _ONE_LINE_CACHE.get(key)
    if made is not None:
        return made
    style = styles()[style_name]
    value = clean(text, keep_newlines=False)

    def fits(candidate: str) -> Any:
        p = paragraph(markup(candidate, newlines=False), style)
        p.wrap(room, 1000)
        return p if len(p.blPara.lines) <= 1 else None

    made = fits(value)
    if made is None:
        low, high = 0, len(value)
        best = fits("…")
        while low < high:
            mid = (low + high + 1) // 2
            candidate = fits(value[:mid].rstrip() + "…")
            if candidate is not None:
                best, low = candidate, mid
            else:
                high = mid - 1
        made = best
    if len(_ONE_LINE_CACHE) > 2000:
        _ONE_LINE_CACHE.clear()
    _ONE_LINE_CACHE[key] = made
    return made


def build(
    path: Path | str,
    story: list[Any],
    furniture: PageFurniture,
    meta: Metadata,
    issued_at: datetime | None = None,
) -> None:
    """Lay the story out on A4 pages with the furniture, and write the PDF to ``path``.

    reportlab runs in its invariant mode (no clock, no random ids), so the same story and
    ``issued_at`` give the same bytes; ``issued_at`` is the CreationDate and ModDate."""
    from reportlab.lib.pagesizes import A4

    from .structure import outlined_template

    register_fonts()
    canvas = type(
        "Canvas",
        (canvas_class(),),
        {
            "furniture": furniture,
            "extra_info": dict(meta.extra),
            "issued_at": issued_at,
            "meta": meta,
        },
    )
    doc = outlined_template()(
        str(path),
        pagesize=A4,
        leftMargin=42,
        rightMargin=42,
        topMargin=50,
        bottomMargin=62,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        keywords=", ".join(meta.keywords),
        creator="commission",
        lang=meta.lang,
        invariant=1,
        initialFontName=SANS,
    )
    from reportlab import rl_config

    # Page streams compressed only, not also ASCII85-armoured (a 7-bit transport relic that
    # makes them a quarter larger and costs a pass over every page): scoped to our builds.
    a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        doc.build(story, canvasmaker=canvas)
    finally:
        rl_config.useA85 = a85


def edition_note(html_name: str) -> str:
    """The sentence that names a PDF's accessible HTML edition (a file beside it)."""
    return (
        f"This document is also published as an accessible web page (HTML edition): "
        f"{plain(html_name)}, in the same folder as this PDF."
    )


__all__ = ["INFO_KEY", "Metadata", "PageFurniture", "build", "plain", "styles", "table_style"]
