"""Which characters of an exercise's text no bundled font can draw, for ``decide`` to report.

Such a character is printed in the PDFs as the visible marker ``[U+XXXX]`` (its code point; see
:func:`commission.documents.text.marker`); the HTML edition shows the character itself and
leaves it to the reader's fonts.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..scoring import Results
from .text import unsupported


def texts_of(results: Results) -> Iterable[str]:
    """Every piece of someone else's text the documents print."""
    exercise = results.exercise
    yield exercise.title
    yield exercise.authority
    for lot in exercise.lots:
        yield lot.title
    for value in (exercise.service, exercise.term, exercise.criteria_url):
        if value:
            yield value
    if exercise.contact is not None:
        yield from exercise.contact.lines()
    scales = [exercise.criteria.scale]
    for criterion in exercise.criteria.criteria:
        yield criterion.name
        scales.append(criterion.scale)
    for scale in scales:
        yield from scale.descriptors.values()
    for evaluator in exercise.evaluators:
        yield evaluator.name
    for tender in results.tenders:
        yield tender.tender
        yield tender.bidder
        yield from tender.failures
        yield from tender.missing
    for comment in results.comments:
        yield comment.text


def missing_glyphs(results: Results) -> tuple[str, ...]:
    """The characters shown as markers, in code point order."""
    found: set[str] = set()
    for text in texts_of(results):
        found |= unsupported(text)
    return tuple(sorted(found))


__all__ = ["missing_glyphs", "texts_of"]
