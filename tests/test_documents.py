"""Decision and assessment summary PDFs, read back with pypdf and pdftotext (no store)."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from fractions import Fraction

import pytest
from pypdf import PdfReader

from commission.documents import digest as digests
from commission.documents.decision import (
    EQUAL_WEIGHT_WORDING,
    NONE_PASSED_WORDING,
    TIE_WORDING,
    DecisionOptions,
    render_decision,
)
from commission.documents.fonts import script_of
from commission.documents.render import set_invariant
from commission.documents.summary import SummaryJob, render_summary
from commission.documents.text import clean, markup
from commission.scoring import Comment

from . import documents_data as data

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


@pytest.fixture(autouse=True)
def invariant():
    set_invariant(True)
    yield


def pdftotext(path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def page_texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def decide_pdf(results, path, *, provisional=False, name_evaluators=False, lot="main"):
    decision = digests.decision_data(results, lot)
    digest = digests.digest(decision)
    info = json.dumps(digests.compact(decision, digest_hex=digest, provisional=provisional))
    render_decision(
        results,
        lot,
        path,
        DecisionOptions(
            provisional=provisional,
            name_evaluators=name_evaluators,
            digest=digest,
            audit_head="a" * 64,
            info_json=info,
        ),
    )
    return digest


def flat(text: str) -> str:
    return " ".join(text.split())


def test_decision_states_method_ranking_and_scores(tmp_path):
    results = data.results()
    path = tmp_path / "decision.pdf"
    digest = decide_pdf(results, path)
    text = flat(pdftotext(path))
    assert flat(EQUAL_WEIGHT_WORDING) in text
    assert "Recognising local assets 20.00% 0 to 5 2.00" in text
    assert "5 — Excellent" in text
    assert "Recommended: T-001 (Eastside Neighbours CIC), total score 76.00." in text
    # Ranked order: T-001 (75.00), T-002 (60.00); T-003 fails its minimum and has no rank.
    ranked = text[text.index("Ranked tenders") : text.index("How the tenders were scored")]
    assert ranked.index("T-001") < ranked.index("T-002") < ranked.index("T-003")
    assert "1 T-001 Eastside Neighbours CIC 76.00 — 76.00 pass" in ranked
    assert "2 T-002 Westfield Trust 60.00 — 60.00 pass" in ranked
    assert "— T-003 Northern Co-op 40.00 — 40.00 fail" in ranked
    assert "below the minimum 2.00" in text
    # A final decision: the divergence was never moderated, and says so.
    assert "Where the panels diverged (not moderated)" in text
    assert "a difference of 4.00 (not moderated)" in text
    assert "Applying local insights" in text and "a difference of 4.00" in text
    assert "Community panel member" in text and "Officer" in text and "Signature" in text
    pages = page_texts(path)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert digest in page
        assert "Audit chain head before issue: " + "a" * 64 in page
        assert "PROVISIONAL" not in page
    # Panel members appear by id only unless named.
    assert "Resident 1" not in text and "R1, R2, R3" in text


def test_metadata_and_digest_in_document_info(tmp_path):
    results = data.results()
    path = tmp_path / "decision.pdf"
    digest = decide_pdf(results, path, provisional=True)
    meta = PdfReader(str(path)).metadata
    assert meta.title == "Provisional panel decision: Community Wellbeing Hubs — Main lot"
    assert meta.author == "Example Metropolitan District Council"
    assert "community and officer panels weighted equally" in meta.subject
    assert f"sha256:{digest}" in meta["/Keywords"]
    assert json.loads(meta["/CommissionDecision"])["digest"] == digest
    root = PdfReader(str(path)).trailer["/Root"]
    assert root["/Lang"] == "en-GB"


def test_provisional_on_every_page_and_tie_wording(tmp_path):
    scores = {
        "T-001": ((4, 4, 4, 4, 4), (4, 4, 4, 4, 4)),
        "T-002": ((5, 3, 4, 4, 4), (3, 5, 4, 4, 4)),
        "T-003": ((3, 3, 3, 3, 3), (3, 3, 3, 3, 3)),
    }
    results = data.results(scores=scores)
    assert results.lot("main").outcome == "tie"
    path = tmp_path / "decision.pdf"
    decide_pdf(results, path, provisional=True)
    pages = page_texts(path)
    assert len(pages) >= 2
    for page in pages:
        assert "PROVISIONAL — not a final decision" in page
    text = flat(pdftotext(path))
    assert f"First place is a {TIE_WORDING}." in text
    ranked = text[text.index("Ranked tenders") : text.index("How the tenders were scored")]
    assert "1 (tie) T-001 Eastside Neighbours CIC 80.00 — 80.00 pass" in ranked
    assert "1 (tie) T-002 Westfield Trust 80.00 — 80.00 pass" in ranked
    assert "3 T-003 Northern Co-op 60.00 — 60.00 pass" in ranked


def test_no_tender_passed_and_two_decimals(tmp_path):
    scores = {"T-001": ((1, 1, 1, 1, 2), (1, 1, 1, 1, 1))}
    results = data.results({"T-001": "Only Bidder"}, scores)
    path = tmp_path / "decision.pdf"
    decide_pdf(results, path)
    text = flat(pdftotext(path))
    assert f"Outcome: {NONE_PASSED_WORDING}." in text
    assert "22.00" in text  # quality 100 × 5.5 / 25 = 22
    assert "1.50" in text  # combined score of long-term, two decimals


def test_bidder_text_is_never_markup(tmp_path):
    names = {f"T-{i:03d}": name for i, name in enumerate(data.NASTY_NAMES, start=1)}
    scores = {t: ((4, 4, 4, 4, 4), (3, 3, 3, 3, 3)) for t in names}
    comments = [
        Comment(
            "T-001",
            "innovation",
            "R1",
            "community",
            4,
            '<a href="http://evil.example">click</a> & <img src="x.png"/>',
        )
    ]
    results = data.results(names, scores, comments)
    path = tmp_path / "decision.pdf"
    decide_pdf(results, path)
    text = pdftotext(path)
    for name in data.NASTY_NAMES:
        assert name in text
    assert '<a href="http://evil.example">click</a> & <img src="x.png"/>' in text
    reader = PdfReader(str(path))
    for page in reader.pages:
        assert "/Annots" not in page
        resources = page["/Resources"]
        assert "/XObject" not in resources  # no image was loaded


def test_clean_removes_controls_and_bidi_overrides():
    assert clean("a\x00b\x1bc\u202ed\u2066e\r\nf") == "abcde\nf"
    assert markup("x < y & z") == "x &lt; y &amp; z"


def test_multilingual_letters_survive_extraction(tmp_path):
    names = {f"T-{i:03d}": name for i, name in enumerate(data.MULTILINGUAL.values(), start=1)}
    scores = {t: ((4, 4, 4, 4, 4), (4, 4, 4, 4, 3)) for t in names}
    comment_texts = {
        "T-001": "Bardzo dobra współpraca z mieszkańcami — źródło, łąka, ćma.",
        "T-002": "Mae'r cynnig yn dda iawn; ŵyr a ŷd.",
        "T-003": "مقامی لوگوں کی آواز کو اچھی طرح شامل کیا گیا ہے",
        "T-004": "স্থানীয় মানুষের কথা শোনা হয়েছে",
    }
    comments = [
        Comment(t, "local-assets", "R1", "community", 4, text) for t, text in comment_texts.items()
    ]
    results = data.results(names, scores, comments)
    path = tmp_path / "decision.pdf"
    decide_pdf(results, path)
    text = pdftotext(path)
    normal = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text)
    for original in [*names.values(), *comment_texts.values()]:
        for letter in unicodedata.normalize("NFKD", original):
            if letter.isspace():
                continue
            assert letter in decomposed, (letter, original)
        for letter in original:
            if script_of(letter) == "bengali":
                continue  # compared by canonical parts above
            if letter.isspace():
                continue
            assert letter in normal, (letter, original)
    # Latin-script and Arabic-script words come back whole and in reading order.
    for original in [names["T-001"], names["T-002"], comment_texts["T-001"]]:
        assert original in flat(text)
    for word in names["T-003"].split() + comment_texts["T-003"].split():
        assert word in normal, word
    summary = tmp_path / "summary.pdf"
    t = results.tender("T-004")
    render_summary(
        results.exercise,
        SummaryJob(
            t,
            tuple(results.comments_on("T-004")),
            (("T-001", Fraction(80)),),
            "Main lot",
            4,
            str(summary),
        ),
    )
    # Bengali vowel signs such as ো are drawn as two parts either side of the consonant
    # (ে before, া after), so they are compared as their canonical parts.
    extracted = unicodedata.normalize("NFKD", pdftotext(summary))
    for letter in unicodedata.normalize("NFKD", names["T-004"] + comment_texts["T-004"]):
        assert letter.isspace() or letter in extracted


def test_invariant_renders_are_byte_identical(tmp_path):
    comments = [Comment("T-002", "innovation", "OF1", "officer", 3, "پاکستان کمیونٹی سینٹر")]
    results = data.results(comments=comments)
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    decide_pdf(results, first, provisional=True)
    decide_pdf(results, second, provisional=True)
    assert first.read_bytes() == second.read_bytes()


def test_300_tenders_long_text_and_many_comments(tmp_path):
    names = {
        f"T-{i:03d}": f"Bidder {i} " + ("Ż" * 500 if i % 50 == 0 else "Ltd") for i in range(300)
    }
    scores = {t: ((i % 6, 3, 4, 2, 5), (3, i % 6, 4, 2, 1)) for i, t in enumerate(names)}
    long_answer = "A long answer with many words. " * 200
    comments = [
        Comment("T-000", c, f"R{1 + n % 3}", "community", 3, f"{long_answer} {'x' * 500}")
        for c in data.exercise().criteria.ids
        for n in range(3)
    ]
    comments += [
        Comment("T-001", "innovation", "OF1", "officer", 2, f"comment {n}") for n in range(200)
    ]
    results = data.results(names, scores, comments)
    path = tmp_path / "decision.pdf"
    decide_pdf(results, path)
    pages = PdfReader(str(path)).pages
    assert len(pages) > 100
    text = pdftotext(path)
    assert "T-299" in text and "comment 199" in text


def test_summary_for_unsuccessful_tender_gives_reasons_and_winner(tmp_path):
    comments = [Comment("T-003", "local-insights", "OF1", "officer", 1, "Little local insight.")]
    results = data.results(comments=comments)
    t = results.tender("T-003")
    path = tmp_path / "summary.pdf"
    render_summary(
        results.exercise,
        SummaryJob(
            t,
            tuple(results.comments_on("T-003")),
            (("T-001", results.tender("T-001").total_score),),
            "Main lot",
            3,
            str(path),
            digest="d" * 64,
            provisional=True,
        ),
    )
    text = flat(pdftotext(path))
    assert "Your tender was not successful." in text
    assert "Applying local insights: combined score 1.00 is below the minimum 2.00" in text
    assert "The most advantageous tender, T-001, scored 76.00; your tender scored 40.00." in text
    assert "nearest scale point 1: Poor." in text
    assert "Officer panel: Little local insight." in text
    assert "OF1" not in text  # bidders do not learn who scored them
    assert "PROVISIONAL" in text
    meta = PdfReader(str(path)).metadata
    assert meta.title == "Provisional assessment summary: tender T-003"
