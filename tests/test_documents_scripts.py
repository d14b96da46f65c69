"""Words mixing our Latin wording with a bidder's Bengali or Urdu: each glyph from its own font."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

from commission.documents.layout import paragraph, styles
from commission.documents.text import markup, runs

BENGALI = "বাংলা কমিউনিটি সেবা সংঘ"
URDU = "بزم خواتین ویلفیئر ٹرسٹ"


def _render(texts: list[str]) -> str:
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([paragraph(t, styles()["body"]) for t in texts])
    return "".join(page.extract_text() for page in PdfReader(buffer).pages)


def _letters(text: str, block: range) -> set[str]:
    return {ch for ch in text if ord(ch) in block and unicodedata.category(ch).startswith("L")}


@pytest.mark.parametrize("name", [BENGALI, URDU], ids=["bengali", "urdu"])
def test_brackets_glued_to_a_name_in_another_script_do_not_garble_it(name: str) -> None:
    texts = [
        f"• T-009 ({markup(name)}), Innovating: community panel 4.80",
        f"Recommended: T-001 ({markup(name)}), total score 81.27.",
    ]
    extracted = _render(texts)
    block = range(0x0980, 0x0A00) if name == BENGALI else range(0x0600, 0x0700)
    assert _letters(name, block) <= _letters(extracted, block)
    # The wrong font's glyph numbers used to come out as boxes and stray Cyrillic letters.
    assert "\ufffd" not in extracted
    assert not any(0x0400 <= ord(ch) <= 0x04FF for ch in extracted)
    assert "Innovating" in extracted and "total score 81.27" in extracted


def test_punctuation_at_the_edge_of_an_urdu_run_stays_with_the_latin_text() -> None:
    assert runs(f"Café {URDU}, Łódź") == [
        ("latin", "Café "),
        ("arabic", URDU),
        ("latin", ", Łódź"),
    ]
    assert runs(f"({URDU})") == [("latin", "("), ("arabic", URDU), ("latin", ")")]


def test_a_failed_tender_without_a_total_is_told_why() -> None:
    from commission.documents.summary_content import score_sentence
    from commission.scoring import score

    from .scoring_helpers import criteria_set, exercise, frame, tender

    ex = exercise(criteria=criteria_set(["a"]), price_weight=20, quality_threshold=50)
    rows = [("C1", "T1", "a", 1), ("O1", "T1", "a", 1), ("C1", "T2", "a", 4), ("O1", "T2", "a", 4)]
    results = score(ex, [tender("T1", price=100), tender("T2", price=200)], frame(rows))
    failed, passed = results.tender("T1"), results.tender("T2")
    assert score_sentence(ex, failed) == (
        "Quality score: 20.00 out of 100. A tender that does not pass is given no price "
        "points and no total score."
    )
    # The total visibly adds up: 80% of quality 80.00 is 64.00 points, plus 20.00 for price.
    assert score_sentence(ex, passed) == (
        "Total score: 84.00 out of 100 = quality 64.00 points + price 20.00 points."
    )
