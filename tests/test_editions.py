"""One content model, two editions: `decide` issues each document as a PDF and as its HTML
edition from the same content object, both in the audit trail, both verifiable."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.app import audit_entries, results
from commission.app.decisions import decide, verify_pdf
from commission.cli import cli
from commission.documents import content as c
from commission.documents.decision_content import DecisionContext, build_decision
from commission.documents.html import render_html

from .test_decide import ALL_SHEETS, _store

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

ISSUED = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)


class _Text(HTMLParser):
    """The words of a page's body, as a reader gets them."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title", "svg"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "svg"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.words.append(data)


def _words(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join("".join(parser.words).split())


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("editions")
    url, store = _store(tmp, ALL_SHEETS)
    out = tmp / "out"
    with store:
        outcome = decide(store, out, workers=1, issued_at=ISSUED, lot="west")
        entries = audit_entries(store)
    yield url, out, outcome, entries


def test_both_editions_are_issued_and_recorded(issued) -> None:
    _, out, outcome, entries = issued
    decision = outcome.decisions[0].path
    assert decision.suffix == ".pdf" and decision.with_suffix(".html").is_file()
    pdfs = sorted(p.name for p in (out / "summaries").glob("*.pdf"))
    pages = sorted(p.name for p in (out / "summaries").glob("*.html"))
    assert pdfs and [Path(p).stem for p in pdfs] == [Path(p).stem for p in pages]
    assert len(outcome.html) == 1 + len(pages)
    recorded = entries[-1]["details"]["sha256"]
    assert str(decision.with_suffix(".html")) in recorded
    assert all(str(out / "summaries" / name) in recorded for name in pages)
    # each edition names the other
    assert decision.name in decision.with_suffix(".html").read_text(encoding="utf-8")


def test_an_html_edition_verifies_and_an_edited_one_fails(issued, tmp_path) -> None:
    url, out, outcome, _ = issued
    from commission.store import open_store

    page = outcome.decisions[0].path.with_suffix(".html")
    summary = sorted((out / "summaries").glob("*.html"))[0]
    with open_store(url) as store:
        assert verify_pdf(store, page).matches
        checked = verify_pdf(store, summary)
        assert checked.matches and checked.document == "summary"
        edited = tmp_path / page.name
        edited.write_text(
            page.read_text(encoding="utf-8").replace("recommended", "not recommended", 1),
            encoding="utf-8",
        )
        assert not verify_pdf(store, edited).matches


def test_the_html_edition_says_what_the_pdf_says(issued) -> None:
    """Every paragraph, bullet, key and table cell of the content object is on the page."""
    url, *_ = issued
    from commission.store import open_store

    with open_store(url) as store:
        scored = results(store)
    document = build_decision(scored, "west", DecisionContext(issued="Issued 1 December 2026"))
    words = _words(render_html(document))
    pieces: list[str] = []
    for block in document.walk():
        if isinstance(block, c.Paragraph):
            pieces.append(c.plain_text(block.text))
        elif isinstance(block, c.Bullets):
            pieces += [c.plain_text(item) for item in block.items]
        elif isinstance(block, c.KeyValues):
            pieces += [key for key, _ in block.items]
        elif isinstance(block, c.Table):
            pieces += [c.plain_text(cell) for row in block.rows for cell in row]
        elif isinstance(block, c.Section):
            pieces.append(block.heading)
    assert len(pieces) > 50
    missing = [p for p in pieces if " ".join(p.split()) not in words]
    assert missing == []
    # the price-decided sentence of issue 10 is in the HTML edition too
    assert "lower price gave it the higher total" in words


def test_decide_format_pdf_writes_no_html_and_json_reports_the_editions(tmp_path) -> None:
    url, store = _store(tmp_path, ALL_SHEETS)
    store.close()
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["--db", url, "decide", "--out", str(out), "--quiet", "--format", "pdf"]
    )
    assert result.exit_code == 0, result.output
    assert not list(out.rglob("*.html")) and list(out.rglob("*.pdf"))
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            url,
            "decide",
            "--out",
            str(tmp_path / "j"),
            "--quiet",
            "--format",
            "json",
            "--editions",
            "html",
            "--lot",
            "east",
        ],
    )
    assert result.exit_code == 0, result.output
    import json

    outcome = json.loads(result.output)
    assert outcome["html"] and all(p.endswith(".html") for p in outcome["html"])
    assert outcome["decisions"][0]["file"].endswith(".html")
    disagree = CliRunner().invoke(
        cli,
        [
            "--db",
            url,
            "decide",
            "--out",
            str(tmp_path / "k"),
            "--format",
            "pdf",
            "--editions",
            "html",
        ],
    )
    assert disagree.exit_code == 2 and "disagree" in disagree.output
