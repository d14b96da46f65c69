"""A document as generic blocks, for the HTML edition: headings, paragraphs, lists, key–value
lists, tables and charts, made of spans of text that say whether they are ours or untrusted.

The HTML renderer (:mod:`commission.documents.html`) knows nothing about decisions or summaries:
it lays out a :class:`Document`. :mod:`commission.documents.editions` builds the decision and the
assessment summary as Documents from the same data the PDFs are laid out from; a richer content
model can replace those builders without touching the templates.

Untrusted text (bidder names, answers, comments, criterion and exercise names) is a
:class:`Span` with ``untrusted=True``: the renderer escapes it and marks the language of every
passage in another script (see :mod:`commission.documents.languages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Span:
    text: str
    strong: bool = False
    em: bool = False
    #: Text someone else wrote: always escaped, language detected, never our wording.
    untrusted: bool = False


#: A run of spans read as one piece of text.
Rich = tuple[Span, ...]


def ours(text: str, *, strong: bool = False, em: bool = False) -> Span:
    return Span(text, strong=strong, em=em)


def theirs(text: object, *, strong: bool = False, em: bool = False) -> Span:
    return Span("" if text is None else str(text), strong=strong, em=em, untrusted=True)


def rich(*parts: Span | str) -> Rich:
    """Spans from spans and plain strings (plain strings are our own wording)."""
    return tuple(p if isinstance(p, Span) else Span(p) for p in parts)


def plain_text(text: Rich) -> str:
    return "".join(span.text for span in text)


@dataclass(frozen=True)
class Heading:
    level: int
    text: Rich
    #: The fragment id the heading can be linked to (and the outline entry's name).
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: Rich
    #: "body", "small", "summary" (the boxed summary), "banner" (PROVISIONAL), "note"
    kind: str = "body"


@dataclass(frozen=True)
class Items:
    """A bulleted list."""

    items: tuple[Rich, ...]


@dataclass(frozen=True)
class KeyValues:
    """A description list: each key (our wording) with its value."""

    items: tuple[tuple[str, Rich], ...]


#: A table cell: one or more paragraphs.
Cell = tuple[Rich, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: The first column heads its row (``<th scope="row">``).
    row_headers: bool = True
    #: Numeric columns (right-aligned), by index.
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class Bar:
    label: str
    community: Fraction | None
    officer: Fraction | None


@dataclass(frozen=True)
class Chart:
    """Both panels' means per criterion, drawn as bars, with the same numbers as a table."""

    title: str
    description: str
    bars: tuple[Bar, ...]
    scale_max: int
    #: Unique within its document (the SVG's ids are made from it).
    ident: str = "chart"


Block = Heading | Paragraph | Items | KeyValues | Table | Chart


@dataclass(frozen=True)
class Document:
    title: str
    #: The running header of the PDF: shown at the top of the page.
    header: Rich
    blocks: tuple[Block, ...]
    lang: str = "en-GB"
    provisional: bool = False
    #: Facts printed at the foot (digest, audit chain head, the PDF edition's name).
    footer: tuple[tuple[str, Rich], ...] = ()
    author: str = ""
    description: str = ""
    keywords: Sequence[str] = field(default=())


__all__ = [
    "Bar",
    "Block",
    "Cell",
    "Chart",
    "Document",
    "Heading",
    "Items",
    "KeyValues",
    "Paragraph",
    "Rich",
    "Span",
    "Table",
    "ours",
    "plain_text",
    "rich",
    "theirs",
]
