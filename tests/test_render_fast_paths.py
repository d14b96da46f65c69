"""The render's fast paths give exactly what the general paths give.

Rendering 10,000 summaries is timed against bare platypus (issue 13), so the common cases take
shortcuts: Latin text skips the script pipeline, and the document information's large ASCII
values (a summary carries its lot's decision data) skip reportlab's byte-by-byte escaping. A
shortcut that changed one character would change what a bidder's PDF says; these tests hold
each shortcut to the general path's output.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfdoc import PDFDocument, PDFString

from commission.documents.layout import pdf_string_class
from commission.documents.text import markup


class _Slow(str):
    """A str subclass: :func:`markup` takes its general path for anything not exactly a str."""


#: Characters near the fast path's edges: its punctuation, neighbours it must not take (the
#: minus sign, line and paragraph separators, bidi marks, zero-width space, the
#: no-break space), markup characters, Polish and Welsh letters, Urdu and Bengali.
_EDGES = "–—‘’“”•…€−\u2028\u2029\u200e\u200f\u202e\u200b\u00a0\t\n <>&\"'łżŵŷ؟ابকখ"

_texts = st.one_of(
    st.lists(st.sampled_from([*_EDGES, "a", "Z", "1", " ", " "]), max_size=20).map("".join),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(_texts, st.booleans(), st.booleans())
def test_markup_fast_path_equals_the_script_pipeline(text: str, bold: bool, newlines: bool) -> None:
    assert markup(text, bold=bold, newlines=newlines) == markup(
        _Slow(text), bold=bold, newlines=newlines
    )


def test_common_punctuation_and_outer_spaces_take_the_fast_path() -> None:
    for text in ("0 — No response", "Warning: ", " ", "“quoted” – ‘x’ • … €5"):
        assert markup(text) == markup(_Slow(text))
        assert "<font" not in markup(text)


_pdf_texts = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=60),
    st.text(alphabet=st.sampled_from(list("()\\{}[]ab \x18\x7f\té€ł")), max_size=60),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(_pdf_texts)
def test_fast_pdf_string_writes_reportlabs_bytes(text: str) -> None:
    document = PDFDocument()
    assert pdf_string_class()(text).format(document) == PDFString(text).format(document)


def test_fast_pdf_string_escapes_a_large_decision_record_like_reportlab() -> None:
    record = '{"bidder":"Smith (Holdings) \\\\ Ltd","tenders":{' + ',"T":[1,2]' * 20000 + "}"
    document = PDFDocument()
    assert pdf_string_class()(record).format(document) == PDFString(record).format(document)
