"""Every script everywhere in the PDFs: the running header, the summary box, headings, tables and
charts of a hostile multi-script exercise; bidi after line breaking; emoji or the marker."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from commission.documents.bidi_lines import visual_order
from commission.documents.summary import SummaryJob, render_summary
from commission.documents.text import marker, markup, runs, unsupported

from .hostile_data import (
    BENGALI_TITLE,
    EMOJI,
    EMOJI_NAME,
    URDU_FIRST,
    URDU_LAST,
    URDU_TITLE,
    hostile_results,
)
from .test_documents import decide_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

#: What poppler wraps right-to-left text in when it extracts it.
_EMBEDDING = dict.fromkeys([0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x200E, 0x200F], None)
#: Bengali vowel signs drawn before their consonant: extraction gives them first.
_PRE_BASE = "িেৈ"


def page_texts(pdf: Path) -> list[str]:
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout,
        ).group(1)
    )
    return [
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.translate(_EMBEDDING)
        for n in range(1, pages + 1)
    ]


def bengali_logical(text: str) -> str:
    """Extracted Bengali with each pre-base vowel sign moved back after its consonant."""
    chars = list(unicodedata.normalize("NFC", text))
    i = 0
    while i < len(chars) - 1:
        if chars[i] in _PRE_BASE and "\u0995" <= chars[i + 1] <= "\u09b9":
            j = i + 1
            # the consonant cluster: consonant (virama consonant)*
            while (
                j + 2 < len(chars)
                and chars[j + 1] == "\u09cd"
                and "\u0995" <= chars[j + 2] <= "\u09b9"
            ):
                j += 2
            chars[i : j + 1] = chars[i + 1 : j + 1] + [chars[i]]
            i = j + 1
        else:
            i += 1
    return unicodedata.normalize("NFC", "".join(chars).replace("\u09c7\u09be", "\u09cb"))


def first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0]


@pytest.fixture(scope="module")
def hostile_pdfs(tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("hostile-pdf")
    results = hostile_results()
    decision = folder / "decision.pdf"
    decide_pdf(results, decision, provisional=True)
    lot = results.lots[0]
    winners = tuple((w, results.tender(w).total_score) for w in lot.recommended)
    summaries = []
    for t in results.in_lot("main"):
        job = SummaryJob(
            t,
            tuple(results.comments_on(t.tender)),
            winners,
            lot.title,
            len(results.in_lot("main")),
            str(folder / f"summary-{t.tender}.pdf"),
        )
        summaries.append(render_summary(results.exercise, job))
    return decision, summaries


def test_every_page_header_has_the_urdu_and_bengali_title(hostile_pdfs) -> None:
    decision, summaries = hostile_pdfs
    for pdf in [decision, *summaries]:
        pages = page_texts(pdf)
        assert len(pages) >= 1
        for number, text in enumerate(pages, start=1):
            header = first_line(text)
            assert URDU_TITLE in header, (pdf.name, number, header)
            assert BENGALI_TITLE in bengali_logical(header), (pdf.name, number, header)
            assert "\ufffd" not in text, (pdf.name, number)


def test_the_summary_box_and_headings_keep_every_script(hostile_pdfs) -> None:
    decision, _ = hostile_pdfs
    text = " ".join("".join(page_texts(decision)).split())
    assert "\ufffd" not in text
    box = text[text.index("This is a PROVISIONAL decision") : text.index("Both panels count")]
    assert URDU_TITLE in box and BENGALI_TITLE in bengali_logical(box)
    assert "Panel decision:" in text


def test_every_emoji_is_drawn_or_marked(hostile_pdfs) -> None:
    decision, summaries = hostile_pdfs
    text = "".join(page_texts(decision))
    for emoji in EMOJI:
        shown = emoji.replace("\ufe0f", "")
        assert shown in text.replace("\ufe0f", "") or marker(emoji[0]) in text, emoji
    assert "Rainbow Hub" in text and EMOJI_NAME.replace(" ", "") in text.replace(" ", "").replace(
        "\n", ""
    )
    summary = "".join(page_texts(next(p for p in summaries if "T-005" in p.name)))
    assert "🌈" in summary and "\ufffd" not in summary


def test_a_character_no_font_has_gets_the_visible_marker_and_is_reported() -> None:
    assert unsupported("Rainbow ✓ 🌈") == {"✓"}
    assert "[U+2713]" in markup("Rainbow ✓ done")
    assert unsupported("Rainbow 🌈 Hub") == set()
    assert ("emoji", "👩🏽\u200d🦯") in runs("a 👩🏽\u200d🦯 b")


def _words(pdf: Path) -> list[tuple[int, float, str]]:
    """(page, yMin, word) from ``pdftotext -bbox``."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = []
    page = 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'yMin="([\d.]+)"[^>]*>([^<]*)</word>', line)
        if found:
            words.append((page, float(found.group(1)), found.group(2).translate(_EMBEDDING)))
    return words


def test_a_wrapped_urdu_comment_reads_from_the_top(hostile_pdfs) -> None:
    decision, summaries = hostile_pdfs
    for pdf in (decision, next(p for p in summaries if "T-001" in p.name)):
        words = _words(pdf)
        first_word, last_word = URDU_FIRST.split()[0], URDU_LAST.split()[0]
        # (-bbox gives each word's letters in drawing order: right-to-left words reversed)
        first = [(p, y) for p, y, w in words if w in (first_word, first_word[::-1])]
        last = [(p, y) for p, y, w in words if w in (last_word, last_word[::-1])]
        assert first and last, (pdf.name, first_word, last_word)
        # The comment's first sentence is printed above (or on a page before) its last.
        assert min(first) < max(last), (pdf.name, first, last)


def test_mixed_urdu_and_latin_keeps_its_clauses_in_order() -> None:
    # ہم NHS کے ساتھ 2027 میں: in a right-to-left line the Urdu words run right to left and the
    # Latin word and the number keep their own left-to-right order in between.
    proxy = "ا a ا ا 1 ا"  # ہم NHS کے ساتھ 2027 میں
    shown = [i for i, _ in visual_order(proxy, True)]
    # Visual order, left to right: میں 2027 ساتھ کے NHS ہم
    assert [proxy[i] for i in shown if proxy[i] != " "] == ["ا", "1", "ا", "ا", "a", "ا"]
    assert shown[0] == 10 and shown[-1] == 0
    # In a left-to-right line, "Comment: <urdu words>" keeps the Latin first.
    ltr = [i for i, _ in visual_order("a ا ا", False)]
    assert ltr == [0, 1, 4, 3, 2]


def test_pdffonts_lists_only_embedded_fonts(hostile_pdfs) -> None:
    decision, summaries = hostile_pdfs
    for pdf in [decision, *summaries]:
        listing = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert listing
        for row in listing:
            assert " yes yes yes " in row, (pdf.name, row)


def test_decide_reports_characters_shown_as_markers() -> None:
    from dataclasses import replace

    from commission.documents.coverage import missing_glyphs

    results = hostile_results()
    assert missing_glyphs(results) == ()
    marked = replace(results, exercise=replace(results.exercise, title="Hubs ✓ ★ 🌈"))
    assert missing_glyphs(marked) == ("★", "✓")
