"""The accessible HTML edition, checked in headless Chromium with axe-core (WCAG 2.2 A/AA)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.cli import cli
from commission.documents.decision_content import DecisionContext, build_decision
from commission.documents.html import render_html, write_html
from commission.documents.languages import passages
from commission.documents.summary import Leader, SummaryJob
from commission.documents.summary_content import build_summary

from . import a11y
from .hostile_data import BENGALI_TITLE, MARKUP, URDU_MIXED, URDU_TITLE, hostile_results

ISSUED = "Issued 1 December 2026 at 14:05 GMT"


def _summary_jobs(results, folder: Path) -> list[SummaryJob]:
    from datetime import UTC, datetime

    lot = results.lots[0]
    winners = tuple((w, results.tender(w).total_score) for w in lot.recommended)
    leaders = tuple(
        Leader(results.tender(w), tuple(results.comments_on(w)), None) for w in lot.recommended
    )
    in_lot = results.in_lot(lot.lot)
    return [
        SummaryJob(
            t,
            tuple(results.comments_on(t.tender)),
            winners,
            lot.title,
            len(in_lot),
            str(folder / f"summary-{t.tender}.pdf"),
            "ab" * 32,
            "cd" * 32,
            False,
            issued_at=datetime(2026, 12, 1, 14, 5, tzinfo=UTC),
            leaders=leaders if t.tender not in lot.recommended else (),
            html_path=str(folder / f"summary-{t.tender}.html"),
        )
        for t in in_lot
    ]


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("hostile-html")
    results = hostile_results()
    context = DecisionContext(
        provisional=True, digest="ab" * 32, audit_head="cd" * 32, issued=ISSUED
    )
    pages = [
        write_html(
            build_decision(results, "main", context),
            folder / "decision.html",
            pdf_name="decision.pdf",
        )
    ]
    for job in _summary_jobs(results, folder):
        pages.append(write_html(build_summary(results.exercise, job), job.html_path))
    return pages


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory) -> list[Path]:
    from commission.app.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    run_demo(out)
    pages = sorted(out.glob("decision-*.html")) + sorted((out / "summaries").glob("*.html"))
    assert len(pages) == 2 + 12
    return pages


def _assert_no_violations(pages: list[Path]) -> None:
    failures = {}
    with a11y.browser() as tools:
        for page in pages:
            tools.open(page)
            violations = a11y.run_axe(tools)
            if violations:
                failures[page.name] = a11y.describe(violations)
            # Nothing is fetched: the page itself is the only request (its embedded fonts are
            # data: URLs inside it).
            others = [
                u[:80]
                for u in tools.requested_urls()
                if u != page.resolve().as_uri() and not u.startswith("data:")
            ]
            assert others == [], f"{page.name} fetched {others}"
    assert not failures, "\n".join(f"{name}:\n{text}" for name, text in failures.items())


def test_demo_html_documents_have_no_wcag_violations(demo_pages: list[Path]) -> None:
    _assert_no_violations(demo_pages)


def test_hostile_html_documents_have_no_wcag_violations(hostile_pages: list[Path]) -> None:
    _assert_no_violations(hostile_pages)


class _Elements(HTMLParser):
    """Every element with its attributes and the text directly inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.found: list[tuple[str, dict[str, str | None], str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("br", "meta", "rect", "line"):
            return
        self.stack.append((tag, dict(attrs)))
        self.found.append((tag, dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for i in range(len(self.found) - 1, -1, -1):
            tag, attrs, text = self.found[i]
            if self.stack and (tag, attrs) == self.stack[-1]:
                self.found[i] = (tag, attrs, text + data)
                return


def _parse(page: Path) -> _Elements:
    parser = _Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_urdu_and_bengali_passages_carry_lang_and_dir(hostile_pages: list[Path]) -> None:
    parsed = _parse(hostile_pages[0])
    urdu = [(tag, attrs) for tag, attrs, text in parsed.found if URDU_MIXED in text]
    assert urdu, "the mixed Urdu sentence is missing"
    # The Latin word and the number belong to the Urdu passage, which is right-to-left.
    assert all(a.get("lang") == "ur" and a.get("dir") == "rtl" for _, a in urdu), urdu
    # (the <title> element holds plain text and cannot mark a passage)
    titles = [
        (attrs, text) for tag, attrs, text in parsed.found if URDU_TITLE in text and tag != "title"
    ]
    assert titles and all(a.get("lang") == "ur" and a.get("dir") == "rtl" for a, _ in titles)
    bengali = [
        attrs for tag, attrs, text in parsed.found if BENGALI_TITLE in text and tag != "title"
    ]
    assert bengali and all(a.get("lang") == "bn" and a.get("dir") is None for a in bengali)
    assert 'lang="pl"' in hostile_pages[0].read_text(encoding="utf-8")
    assert 'lang="cy"' in hostile_pages[0].read_text(encoding="utf-8")
    # The page's own language is English, left to right.
    root = next(attrs for tag, attrs, _ in parsed.found if tag == "html")
    assert root == {"lang": "en-GB", "dir": "ltr"}


def test_bidder_markup_is_shown_as_text(hostile_pages: list[Path]) -> None:
    for page in hostile_pages:
        parsed = _parse(page)
        assert "img" not in parsed.tags and "script" not in parsed.tags and "b" not in parsed.tags
    with a11y.browser() as tools:
        tools.open(hostile_pages[0])
        assert tools.evaluate("document.querySelectorAll('img, script, b').length") == 0
        text = tools.evaluate("document.body.innerText")
    assert '<img src="/etc/passwd">' in text
    assert "<script>alert(1)</script>" in text and "&amp; R&D" in text


def test_every_table_has_a_caption_and_scoped_headers(hostile_pages: list[Path]) -> None:
    text = hostile_pages[0].read_text(encoding="utf-8")
    assert text.count("<table>") + text.count('<table class="chart-data">') == text.count(
        "<caption"
    )
    assert "<th>" not in text and 'scope="col"' in text and 'scope="row"' in text
    assert '<svg role="img"' in text and "<title id=" in text and "<desc id=" in text
    assert "@media print" in text


def test_language_detection() -> None:
    assert [(p.lang, p.dir) for p in passages(URDU_MIXED)] == [("ur", "rtl")]
    assert [(p.text, p.lang) for p in passages("Café بزم, Łódź")] == [
        ("Café ", ""),
        ("بزم", "ur"),
        (", Łódź", "pl"),
    ]
    assert passages("Mae ein cymuned yn gryf")[0].lang == "cy"
    assert passages("We have worked in the area for years")[0].lang == ""
    assert passages(BENGALI_TITLE)[0].lang == "bn"


def test_rendering_is_deterministic_and_escapes_in_attributes() -> None:
    results = hostile_results()
    doc = build_decision(results, "main", DecisionContext())
    assert render_html(doc) == render_html(doc)
    # The title is escaped in <title> too.
    assert "<title>Panel decision:" in render_html(doc)
    assert MARKUP not in render_html(doc)


def test_decide_format_html_writes_no_pdf(tmp_path: Path) -> None:
    from .test_decide import ALL_SHEETS, _store

    url, store = _store(tmp_path, ALL_SHEETS)
    store.close()
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["--db", url, "decide", "--out", str(out), "--quiet", "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in out.rglob("*.*")) == [".html"] * 14
    assert "14 accessible HTML editions" in result.output


def test_the_pdf_names_its_html_edition(demo_pages: list[Path]) -> None:
    import subprocess

    pdf = demo_pages[0].with_suffix(".pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert demo_pages[0].name in text.replace("\n", " ")
    html = demo_pages[0].read_text(encoding="utf-8")
    assert pdf.name in html


def test_screenshot_of_a_page(hostile_pages: list[Path], tmp_path: Path) -> None:
    png = a11y.screenshot(hostile_pages[0], tmp_path / "decision.png", full_page=False)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_decide_notes_characters_printed_as_markers(tmp_path: Path) -> None:
    import json

    from commission.app import add_tenders, import_scores, init_exercise
    from commission.resources import examples_dir
    from commission.store import open_store

    from .test_decide import ALL_SHEETS

    tenders = tmp_path / "tenders"
    tenders.mkdir()
    for source in sorted((examples_dir() / "tenders").glob("*.json")):
        doc = json.loads(source.read_text(encoding="utf-8"))
        if doc["id"] == "T-001":
            doc["bidder"]["name"] = "Eastside ✓ Neighbours 🌈 CIC"
        (tenders / source.name).write_text(json.dumps(doc), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with open_store(url, create=True) as store:
        init_exercise(store, examples_dir() / "exercise.json")
        add_tenders(store, sorted(tenders.glob("*.json")))
        import_scores(store, [examples_dir() / "sheets" / s for s in ALL_SHEETS])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["--db", url, "decide", "--out", str(out), "--quiet", "--format", "pdf", "--lot", "east"],
    )
    assert result.exit_code == 0, result.output
    assert "no bundled font can draw ✓ (U+2713)" in result.output
    assert "🌈" not in result.output.split("Note:")[-1]
    import subprocess

    text = subprocess.run(
        ["pdftotext", str(next(out.glob("decision-*.pdf"))), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Eastside [U+2713] Neighbours 🌈 CIC" in " ".join(text.split())
    assert not list(out.rglob("*.html"))
