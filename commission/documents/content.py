"""The content of a document, apart from its layout: what a decision or summary *says*.

A builder (:mod:`.decision_content`, :mod:`.summary_content`) turns results into one
:class:`Document`: sections with headings, paragraphs, bullet lists, key/value lists, tables with
header cells, charts and a sign-off block. The PDF edition (:mod:`.pdf`) lays that object out;
an HTML edition can render the very same object, so both always say the same thing.

Text is kept as written, never as markup: a :class:`Span` is plain text with emphasis flags, and
every renderer escapes it for its own format. Untrusted text (bidder names, answers, comments)
may be any length; renderers must let it flow across pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Union

from ..scoring import display


@dataclass(frozen=True)
class Span:
    """A run of text with one emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


#: Inline content: plain strings and spans, in reading order.
Inline = str | Span
Text = tuple[Inline, ...]


def text(*parts: Inline | None) -> Text:
    """A :data:`Text` of the given parts, leaving out None and empty strings."""
    return tuple(p for p in parts if p)


def bold(value: str) -> Span:
    return Span(value, bold=True)


def italic(value: str) -> Span:
    return Span(value, italic=True)


def plain_text(value: Text | str) -> str:
    """The words of inline content without emphasis (for tests, metadata, alt text)."""
    if isinstance(value, str):
        return value
    return "".join(p if isinstance(p, str) else p.text for p in value)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph. ``role``: body, small, lead (the boxed summary), warning, banner, write-in
    (a label over a blank space to be written in by hand)."""

    text: Text
    role: str = "body"


@dataclass(frozen=True)
class Bullets:
    items: tuple[Text, ...]


@dataclass(frozen=True)
class KeyValues:
    """A definition list: each key (our own words) with its value."""

    items: tuple[tuple[str, Text], ...]


@dataclass(frozen=True)
class Table:
    """A table with one row of header cells. ``widths`` are relative column widths;
    ``numeric`` names the columns whose cells are figures (aligned right)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Text, ...], ...]
    widths: tuple[float, ...] = ()
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Bar:
    label: str
    community: Fraction | None
    officer: Fraction | None


@dataclass(frozen=True)
class Chart:
    """Both panels' means per criterion, side by side (the figures are also in a table)."""

    caption: str
    bars: tuple[Bar, ...]
    scale_max: int


@dataclass(frozen=True)
class SignOff:
    statement: str
    roles: tuple[str, ...]


Block = Union[Paragraph, Bullets, KeyValues, Table, Chart, SignOff, "Section"]


@dataclass(frozen=True)
class Section:
    """A heading and what it heads. ``level`` 1 or 2; ``new_page`` starts it on a fresh page;
    ``keep`` asks a renderer to keep the heading, its first table and chart on one page."""

    heading: str
    blocks: tuple[Block, ...]
    level: int = 1
    new_page: bool = False
    keep: bool = False


@dataclass(frozen=True)
class Document:
    """One whole document and what every page of it carries."""

    kind: str  # "decision" or "summary"
    title: str
    #: Page header text (exercise, lot or tender).
    heading: str
    issued: str
    provisional: bool
    blocks: tuple[Block, ...]
    digest: str = ""
    audit_head: str = ""
    digest_label: str = "Decision data SHA-256"
    #: Document metadata: title, author (the authority), subject, keywords, language.
    meta_title: str = ""
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    lang: str = "en-GB"
    extra_info: tuple[tuple[str, str], ...] = field(default=())

    def walk(self) -> Iterable[Block]:
        """Every block, sections' contents included, in reading order."""
        return _walk(self.blocks)


def _walk(blocks: Sequence[Block]) -> Iterable[Block]:
    for block in blocks:
        yield block
        if isinstance(block, Section):
            yield from _walk(block.blocks)


# --- shared wording helpers -----------------------------------------------------------------

CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: Fraction | None, currency: str | None = "GBP") -> str:
    """A price as people read it: ``£420,000`` (pence only when there are any)."""
    if amount is None:
        return "no price given"
    pence = amount * 100
    whole = (pence.numerator * 2 + pence.denominator) // (2 * pence.denominator)
    pounds, rest = divmod(whole, 100)
    figure = f"{pounds:,}" + (f".{rest:02d}" if rest else "")
    sign = CURRENCY_SIGNS.get(currency or "GBP")
    return f"{sign}{figure}" if sign else f"{figure} {currency}"


def points(value: Fraction | None, out_of: Fraction | int | None = None) -> str:
    shown = display(value)
    if out_of is None or value is None:
        return shown
    return f"{shown} of {display(Fraction(out_of)).removesuffix('.00')}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


__all__ = [
    "Bar",
    "Block",
    "Bullets",
    "Chart",
    "Document",
    "KeyValues",
    "Paragraph",
    "Section",
    "SignOff",
    "Span",
    "Table",
    "Text",
    "bold",
    "issued_text",
    "italic",
    "money",
    "plain_text",
    "plural",
    "points",
    "text",
]


def issued_text(issued_at: datetime) -> str:
    """``Issued 1 December 2026 at 14:05 GMT``: the issue time in UK time, as printed."""
    local = _uk_time(issued_at)
    zone = local.tzname() or "UTC"
    return f"Issued {local.day} {local:%B %Y} at {local:%H:%M} {zone}"


def _uk_time(moment: datetime) -> datetime:
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/London"))
    except (ImportError, LookupError, OSError):  # no time zone data: UTC is still true
        return moment.astimezone(UTC)
