"""The HTML edition: a :class:`~commission.documents.blocks.Document` as one self-contained page.

Jinja2 templates (``templates/``, autoescape on) lay out generic blocks; inline CSS with a print
stylesheet; the panel chart as inline SVG with ``<title>`` and ``<desc>`` and its data table;
tables with ``<caption>`` and ``<th scope>``; no script, and a Content-Security-Policy that lets
the page fetch nothing. Untrusted text is cleaned (controls and bidi overrides dropped, as in the
PDF), escaped, and every passage in another language carries ``lang`` (and ``dir="rtl"`` for
Urdu) — see :mod:`commission.documents.languages`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from ..scoring import display
from .blocks import Cell, Chart, Document, Rich, Span
from .languages import language_of, passages
from .text import clean

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _span_html(span: Span) -> Markup:
    if not span.untrusted:
        out = escape(span.text)
    else:
        parts = []
        for passage in passages(clean(span.text)):
            text = escape(passage.text).replace("\n", Markup("<br>"))
            if passage.lang or passage.dir:
                attrs = Markup(' lang="{}"').format(passage.lang) if passage.lang else Markup()
                if passage.dir:
                    attrs += Markup(' dir="{}"').format(passage.dir)
                parts.append(Markup("<span{}>{}</span>").format(attrs, text))
            else:
                parts.append(text)
        out = Markup("").join(parts)
    if span.em:
        out = Markup("<em>{}</em>").format(out)
    if span.strong:
        out = Markup("<strong>{}</strong>").format(out)
    return out


def rich(text: Rich | Span | str) -> Markup:
    """Spans as HTML: untrusted text escaped and marked with its language."""
    if isinstance(text, str):
        return escape(text)
    if isinstance(text, Span):
        return _span_html(text)
    return Markup("").join(_span_html(span) for span in text)


def block_lang(text: Rich) -> Markup:
    """``lang``/``dir`` attributes for a block whose whole text is one untrusted passage in
    another language (so a whole Urdu comment is a right-to-left paragraph)."""
    if isinstance(text, Span):
        text = (text,)
    if len(text) != 1 or not text[0].untrusted:
        return Markup("")
    found = language_of(clean(text[0].text))
    if found is None:
        return Markup("")
    attrs = Markup(' lang="{}"').format(found.lang)
    if found.dir:
        attrs += Markup(' dir="{}"').format(found.dir)
    return attrs


def cell_lang(cell: Cell) -> Markup:
    return block_lang(cell[0]) if len(cell) == 1 else Markup("")


@dataclass(frozen=True)
class _BarValue:
    y: float
    width: float | None
    solid: bool
    text: str


@dataclass(frozen=True)
class _BarGeometry:
    label: str
    full: Span
    lang: str
    rtl: bool
    label_y: float
    values: tuple[_BarValue, _BarValue]


def chart_geometry(chart: Chart) -> dict[str, Any]:
    """Where each bar of the SVG chart goes (the template draws it)."""
    width, label_w, bar_h, gap, top = 680.0, 230.0, 16.0, 14.0, 34.0
    plot_w = width - label_w - 60
    bars = []
    y = top
    for bar in chart.bars:
        name = clean(bar.label, keep_newlines=False)
        short = name if len(name) <= 30 else name[:29] + "…"
        found = language_of(name)
        values = []
        for offset, value, solid in ((0.0, bar.community, True), (bar_h + 2, bar.officer, False)):
            bar_w = None if value is None else max(plot_w * float(value) / chart.scale_max, 0.5)
            values.append(_BarValue(y + offset, bar_w, solid, display(value)))
        bars.append(
            _BarGeometry(
                short,
                Span(bar.label, untrusted=True),
                found.lang if found else "",
                bool(found and found.dir),
                y + bar_h + 5,
                (values[0], values[1]),
            )
        )
        y += 2 * bar_h + 2 + gap
    axis_y = y + 2
    ticks = [
        {"x": label_w + plot_w * p / chart.scale_max, "text": str(p)}
        for p in range(0, chart.scale_max + 1)
    ]
    ident = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chart.ident)
    return {
        "id": ident,
        "width": width,
        "height": axis_y + 26,
        "label_w": label_w,
        "plot_w": plot_w,
        "bar_h": bar_h,
        "bars": bars,
        "axis_y": axis_y,
        "ticks": ticks,
    }


@functools.cache
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters.update(
        rich=rich,
        block_lang=block_lang,
        cell_lang=cell_lang,
        chart_geometry=chart_geometry,
        kind=lambda x: type(x).__name__,
    )
    return env


#: Bundled faces embedded in a page that holds their script, so it reads on a device without
#: them (family, file, weight, a character of the script).
_EMBEDDED = (
    ("Commission Naskh", "NotoNaskhArabic-Regular.ttf", 400, "\u0627"),
    ("Commission Naskh", "NotoNaskhArabic-Bold.ttf", 700, "\u0627"),
    ("Commission Bengali", "NotoSansBengali-Regular.ttf", 400, "\u0995"),
    ("Commission Bengali", "NotoSansBengali-Bold.ttf", 700, "\u0995"),
)


@functools.cache
def _font_face(family: str, filename: str, weight: int) -> str:
    import base64

    from ..resources import fonts_dir

    data = base64.b64encode((fonts_dir() / filename).read_bytes()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}'
    )


def _fonts_for(page: str) -> str:
    from .fonts import script_of

    used = {script_of(ch) for ch in set(page)}
    wanted = {"Commission Naskh": "arabic" in used, "Commission Bengali": "bengali" in used}
    return "\n".join(
        _font_face(family, filename, weight)
        for family, filename, weight, _ in _EMBEDDED
        if wanted[family]
    )


def render_html(document: Document) -> str:
    """The page, as text: self-contained, with the bundled Naskh and Bengali faces embedded
    when the page holds those scripts."""
    template = environment().get_template("document.html.j2")
    page = str(template.render(doc=document, font_faces=""))
    faces = _fonts_for(page)
    if not faces:
        return page
    return str(template.render(doc=document, font_faces=Markup(faces)))


def write_html(document: Document, path: Path | str) -> Path:
    target = Path(path)
    target.write_text(render_html(document), encoding="utf-8")
    return target


__all__ = ["block_lang", "render_html", "rich", "write_html"]
