"""PDF structure: an outline per section and per tender, DisplayDocTitle, XMP metadata."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from commission.documents.summary import SummaryJob, render_summary

from .hostile_data import NAMES, URDU_TITLE, hostile_results
from .test_documents import decide_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs poppler-utils")


def _outline(reader: PdfReader) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title)))

    walk(reader.outline, 0)
    return out


@pytest.fixture(scope="module")
def decision(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("structure") / "decision.pdf"
    decide_pdf(hostile_results(), path)
    return path


def test_the_decision_has_an_outline_per_section_and_per_tender(decision: Path) -> None:
    entries = _outline(PdfReader(str(decision)))
    top = [title for depth, title in entries if depth == 0]
    for section in (
        "Recommendation",
        "Ranked tenders",
        "How the tenders were scored",
        "Who was on the panels",
        "Where the panels diverged (not moderated)",  # a final decision: no moderation record
        "Each tender, criterion by criterion",
        "Sign-off",
    ):
        assert section in top, section
    assert any(URDU_TITLE in title for title in top)
    tenders = [title for depth, title in entries if depth == 1 and " — " in title]
    assert [t.split(" — ")[0] for t in tenders] == [
        "T-001",
        "T-005",
        "T-002",
        "T-004",
        "T-003",
        "T-006",
    ]
    assert NAMES["T-001"] in tenders[0]  # in logical order, not shaped glyphs


def test_viewer_shows_the_title_and_the_outline(decision: Path) -> None:
    root = PdfReader(str(decision)).trailer["/Root"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean)
    assert root["/PageMode"] == "/UseOutlines"
    assert root["/Lang"] == "en-GB"


def test_xmp_metadata_has_title_and_language(decision: Path) -> None:
    reader = PdfReader(str(decision))
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert URDU_TITLE in xmp.dc_title["x-default"]
    assert xmp.dc_title["x-default"] == reader.metadata.title
    assert xmp.dc_language == ["en-GB"]
    assert xmp.dc_creator == [reader.metadata.author]


def test_summaries_have_structure_and_only_embedded_fonts(tmp_path: Path) -> None:
    results = hostile_results()
    t = results.tender("T-002")
    path = render_summary(
        results.exercise,
        SummaryJob(
            t,
            tuple(results.comments_on("T-002")),
            (("T-001", t.total_score),),
            "Lot",
            6,
            str(tmp_path / "summary.pdf"),
        ),
    )
    reader = PdfReader(str(path))
    titles = [title for _, title in _outline(reader)]
    for section in (
        "Assessment summary",
        "Why your tender was not the most advantageous tender",
        "Your scores",
        "Explanation, criterion by criterion",
        "Standstill period and contact",
    ):
        assert section in titles, (section, titles)
    assert reader.xmp_metadata.dc_language == ["en-GB"]
    rows = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert rows and all(" yes yes yes " in row for row in rows), rows


def test_layout_keeps_the_scale_together_and_the_header_matches_the_body(tmp_path: Path) -> None:
    from . import documents_data as data
    from .test_pdf_scripts import page_texts

    path = tmp_path / "decision.pdf"
    decide_pdf(data.results(), path)
    pages = page_texts(path)
    descriptors = list(data.DESCRIPTORS.values())
    holding = [n for n, text in enumerate(pages) if "What the scores mean" in text]
    assert len(holding) == 1
    flat = " ".join(pages[holding[0]].split())
    assert all(f"{point} — {words}" in flat for point, words in data.DESCRIPTORS.items()), (
        descriptors
    )
    # The running header names the lot as the body does.
    for text in pages:
        assert text.strip().splitlines()[0].endswith("· Lot: Main lot")
    assert "Lot: Main lot" in pages[0]
    # The tenders' section heading starts on the page of the first tender's table.
    section = next(text for text in pages if "Each tender, criterion by criterion" in text)
    assert "Officer mean" in section and "Recognising local assets" in section
