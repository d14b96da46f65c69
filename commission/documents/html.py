"""The HTML edition: a :class:`~.content.Document` — the very object the PDF is laid out from —
as one self-contained, accessible web page.

Jinja2 templates (``templates/``, autoescape on) lay out the content blocks: sections as
headings, paragraphs, lists, key–value lists, tables with ``<caption>`` and ``<th scope>``, the
panel chart as inline SVG with ``<title>`` and ``<desc>`` and its data table, and the sign-off.
Inline CSS with a print stylesheet; no script, and a Content-Security-Policy that lets the page
fetch nothing. Every piece of text is cleaned (controls and bidi overrides dropped, as in the
PDF), escaped, and every passage in another language carries ``lang`` (and ``dir="rtl"`` for
Urdu) — see :mod:`.languages`.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from ..scoring import display
from . import content as c
from .languages import language_of, passages

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Bidi embedding/override/isolate controls and other invisible controls a bidder might send.
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]")


def clean(value: str) -> str:
    """NFC text without control characters or bidi controls; spaces at the edges are kept
    (they separate our words from the next part)."""
    value = _CONTROLS.sub("", unicodedata.normalize("NFC", value))
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(
        ch for ch in value if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs", "Co")
    )


def _lines(text: str) -> Markup:
    return escape(text).replace("\n", Markup("<br>"))


def _part_html(part: c.Inline) -> Markup:
    words = clean(part if isinstance(part, str) else part.text)
    out: list[Markup] = []
    for passage in passages(words):
        shown = _lines(passage.text)
        if passage.lang or passage.dir:
            attrs = Markup(' lang="{}"').format(passage.lang) if passage.lang else Markup()
            if passage.dir:
                attrs += Markup(' dir="{}"').format(passage.dir)
            out.append(Markup("<span{}>{}</span>").format(attrs, shown))
        else:
            out.append(shown)
    made = Markup("").join(out)
    if isinstance(part, c.Span):
        if part.italic:
            made = Markup("<em>{}</em>").format(made)
        if part.bold:
            made = Markup("<strong>{}</strong>").format(made)
    return made


def rich(value: c.Text | c.Inline) -> Markup:
    """Inline content as HTML: escaped, each passage in another language marked."""
    if isinstance(value, str | c.Span):
        return _part_html(value)
    return Markup("").join(_part_html(part) for part in value)


def block_lang(value: c.Text | str) -> Markup:
    """``lang``/``dir`` attributes for an element whose whole text is in one other language
    (so a whole Urdu comment is a right-to-left paragraph)."""
    parts = (value,) if isinstance(value, str) else value
    # Judged part by part: our own words between two Urdu names keep the element English.
    found = None
    for part in parts:
        words = clean(part if isinstance(part, str) else part.text)
        if not any(ch.isalpha() for ch in words):
            continue  # spaces, digits, punctuation: neutral
        here = language_of(words)
        if here is None or (found is not None and (here.lang, here.dir) != (found.lang, found.dir)):
            return Markup("")
        found = here
    if found is None:
        return Markup("")
    attrs = Markup(' lang="{}"').format(found.lang)
    if found.dir:
        attrs += Markup(' dir="{}"').format(found.dir)
    return attrs


@dataclass(frozen=True)
class _BarValue:
    y: float
    width: float | None
    solid: bool
    text: str


@dataclass(frozen=True)
class _BarGeometry:
    label: str
    full: str
    lang: str
    rtl: bool
    label_y: float
    values: tuple[_BarValue, _BarValue]


def chart_geometry(chart: c.Chart, ident: str) -> dict[str, Any]:
    """Where each bar of the SVG chart goes (the template draws it)."""
    width, label_w, bar_h, gap, top = 680.0, 230.0, 16.0, 14.0, 34.0
    plot_w = width - label_w - 60
    scale_max = max(1, chart.scale_max)
    bars = []
    y = top
    for bar in chart.bars:
        name = " ".join(clean(bar.label).split())
        short = name if len(name) <= 30 else name[:29] + "…"
        found = language_of(name)
        values = []
        for offset, value, solid in ((0.0, bar.community, True), (bar_h + 2, bar.officer, False)):
            bar_w = None if value is None else max(plot_w * float(value) / scale_max, 0.5)
            values.append(_BarValue(y + offset, bar_w, solid, display(value)))
        bars.append(
            _BarGeometry(
                short,
                name,
                found.lang if found else "",
                bool(found and found.dir),
                y + bar_h + 5,
                (values[0], values[1]),
            )
        )
        y += 2 * bar_h + 2 + gap
    axis_y = y + 2
    ticks = [{"x": label_w + plot_w * p / scale_max, "text": str(p)} for p in range(scale_max + 1)]
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


def chart_description(chart: c.Chart) -> str:
    """The chart in words, for its ``<desc>`` (the data table beside it has every figure)."""
    return (
        f"Bar chart of the community panel's mean score (solid bars) and the officer panel's "
        f"mean score (hatched bars) for each of {len(chart.bars)} criteria, on a scale up to "
        f"{chart.scale_max}. The table below gives the same figures."
    )


class _Ids:
    """Fragment ids for one page: headings and charts, unique and made of safe characters."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.given: dict[int, str] = {}

    def of(self, block: object, text: str = "") -> str:
        key = id(block)
        if key in self.given:
            return self.given[key]
        words = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()[:50] or "part"
        if not words[0].isalpha():
            words = "s-" + words
        if words in self.used:
            words = f"{words}-{hashlib.sha256(f'{text}{len(self.used)}'.encode()).hexdigest()[:6]}"
        self.used.add(words)
        self.given[key] = words
        return words


@functools.cache
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        rich=rich,
        block_lang=block_lang,
        chart_description=chart_description,
        kind=lambda x: type(x).__name__,
        plain=c.plain_text,
    )
    env.globals.update(chart_geometry=chart_geometry)
    return env


#: Bundled faces embedded in a page that holds their script, so it reads on a device without
#: them (family, file, weight).
_EMBEDDED = (
    ("Commission Naskh", "NotoNaskhArabic-Regular.ttf", 400, "arabic"),
    ("Commission Naskh", "NotoNaskhArabic-Bold.ttf", 700, "arabic"),
    ("Commission Bengali", "NotoSansBengali-Regular.ttf", 400, "bengali"),
    ("Commission Bengali", "NotoSansBengali-Bold.ttf", 700, "bengali"),
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
    return "\n".join(
        _font_face(family, filename, weight)
        for family, filename, weight, script in _EMBEDDED
        if script in used
    )


def render_html(document: c.Document, *, pdf_name: str = "") -> str:
    """The page, as text: self-contained, with the bundled Naskh and Bengali faces embedded
    when the page holds those scripts. ``pdf_name`` names the PDF edition beside it."""
    template = environment().get_template("document.html.j2")

    def page(faces: str) -> str:
        return str(
            template.render(doc=document, ids=_Ids(), pdf_name=pdf_name, font_faces=Markup(faces))
        )

    first = page("")
    faces = _fonts_for(first)
    return page(faces) if faces else first


def write_html(document: c.Document, path: Path | str, *, pdf_name: str = "") -> Path:
    target = Path(path)
    target.write_text(render_html(document, pdf_name=pdf_name), encoding="utf-8")
    return target


__all__ = ["block_lang", "clean", "render_html", "rich", "write_html"]
