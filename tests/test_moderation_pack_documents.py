"""The moderation pack's documents (issue 14 point 1): agenda.pdf and its accessible HTML edition
agenda.html, from one content object, written all or nothing with the rest of the pack.

A small fixture with known figures: lot east, criterion local-assets only —

* T-001 (a hostile bidder name): community R1, R2, R4 give 5, 5, 4 (mean 4.67), officers OF1,
  OF2 give 1, 2 (mean 1.50): gap 3.17, divergent;
* T-002 (an Urdu bidder name): community 3, 3, 0 (mean 2.00, R4 outlying by 2.00), officers 2, 3.

Alpha is checked against the ``krippendorff`` package; every other criterion is undefined.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from commission.app import add_tenders, import_scores, init_exercise
from commission.store import open_store

from . import a11y
from .store_helpers import EXERCISE, TENDERS, cli
from .test_pdf_scripts import page_texts

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

HOSTILE = "<b>x</b>&amp; =cmd|"
URDU = "مغربی ویلفیئر ٹرسٹ"
SCORES = [
    ("R1", "T-001", 5),
    ("R2", "T-001", 5),
    ("R4", "T-001", 4),
    ("OF1", "T-001", 1),
    ("OF2", "T-001", 2),
    ("R1", "T-002", 3),
    ("R2", "T-002", 3),
    ("R4", "T-002", 0),
    ("OF1", "T-002", 2),
    ("OF2", "T-002", 3),
]


def _tenders(folder: Path) -> list[Path]:
    """The sample tenders, T-001 and T-002 renamed."""
    folder.mkdir()
    copies = []
    for source in TENDERS:
        data = json.loads(source.read_text(encoding="utf-8"))
        data["bidder"]["name"] = {"T-001": HOSTILE, "T-002": URDU}.get(
            data["id"], data["bidder"]["name"]
        )
        target = folder / source.name
        target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        copies.append(target)
    return copies


def _stored(folder: Path) -> str:
    url = f"sqlite:///{folder / 'commission.db'}"
    sheet = folder / "scores.csv"
    sheet.write_text(
        "evaluator,tender,criterion,score,comment\n"
        + "".join(f"{e},{t},local-assets,{s},\n" for e, t, s in SCORES),
        encoding="utf-8",
    )
    with open_store(url, create=True) as store:
        init_exercise(store, EXERCISE)
        add_tenders(store, _tenders(folder / "tenders"))
        import_scores(store, [sheet])
    return url


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict]:
    folder = tmp_path_factory.mktemp("pack-documents")
    url = _stored(folder)
    out = folder / "pack"
    started = cli(url, "moderation", "start", "--lot", "east", "--out", out)
    assert started.exit_code == 0, started.output
    # made again (the lot already frozen), as JSON: the same files replaced
    again = cli(url, "moderation", "start", "--lot", "east", "--out", out, "--format", "json")
    assert again.exit_code == 0, again.output
    return out, started.output, json.loads(again.output)


class _Text(HTMLParser):
    """The words of a page as a browser shows them (entities decoded, tags dropped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join("".join(parser.parts).split()), parser.tags


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page_texts(path)).split())


def _alpha(rows: list[list[int]]) -> str:
    """Alpha as the krippendorff package computes it, rounded half up to two decimals."""
    from decimal import ROUND_HALF_UP, Decimal

    import numpy as np
    from krippendorff import alpha

    value = alpha(reliability_data=np.array(rows, dtype=float), level_of_measurement="interval")
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


#: Alpha rounded, as the package has it: coders × units (T-001, T-002).
COMMUNITY_ALPHA, OFFICER_ALPHA = "0.52", "0.25"


def test_the_alphas_are_the_krippendorff_packages() -> None:
    assert _alpha([[5, 3], [5, 3], [4, 0]]) == COMMUNITY_ALPHA
    assert _alpha([[1, 2], [2, 3]]) == OFFICER_ALPHA


def test_the_pack_holds_both_editions_named_in_the_outcome(pack) -> None:
    out, printed, outcome = pack
    assert (out / "agenda.pdf").read_bytes().startswith(b"%PDF-")
    assert (out / "agenda.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert outcome["agenda"] == {"pdf": "agenda.pdf", "html": "agenda.html", "data": "agenda.json"}
    files = {f["file"]: f["sha256"] for f in outcome["files"]}
    for name in ("agenda.pdf", "agenda.html", "agenda.json", "moderation.csv", "sheet-OF1.csv"):
        assert files[name] == hashlib.sha256((out / name).read_bytes()).hexdigest(), name
    assert sorted(files) == sorted(p.name for p in out.iterdir())  # nothing else left behind
    assert str(out / "agenda.pdf") in printed and str(out / "agenda.html") in printed
    # each edition names the other
    assert "agenda.html" in pdf_text(out / "agenda.pdf")
    assert "agenda.pdf" in html_text(out / "agenda.html")[0]


@pytest.mark.parametrize("edition", ["agenda.pdf", "agenda.html"])
def test_the_figures_are_the_fixtures(pack, edition: str) -> None:
    out, _, _ = pack
    text = pdf_text(out / edition) if edition.endswith(".pdf") else html_text(out / edition)[0]
    # the agreement table: panel, criterion, alpha; criteria nobody scored are undefined
    assert f"Community panel Recognising local assets {COMMUNITY_ALPHA}" in text
    assert f"Officer panel Recognising local assets {OFFICER_ALPHA}" in text
    assert "Community panel Innovating undefined" in text
    # T-001: community 5, 5, 4 and officers 1, 2 — the divergent point comes first
    first = text.index("Divergent: Recognising local assets, tender T-001")
    assert first < text.index("Recognising local assets, tender T-002")
    assert "Community panel 3 4.67 5.00 4 to 5 0.47" in text
    assert "Officer panel 2 1.50 1.50 1 to 2 0.50" in text
    assert "Community–officer gap: 3.17, divergent" in text
    # T-002: R4 stands apart from the community mean 2.00, named by id only
    assert "Community panel 3 2.00 3.00 0 to 3 1.41" in text
    assert "R4 (community panel) scored 0, 2.00 from the panel mean 2.00" in text
    assert "Siân Llewelyn-Pryce" not in text  # R4's name
    assert text.count("Agreed explanation:") == 2
    assert "2 December" in text or re.search(r"Date \d{1,2} \w+ 20\d\d at", text)


def test_a_hostile_bidder_name_is_printed_literally(pack) -> None:
    out, _, _ = pack
    assert HOSTILE in pdf_text(out / "agenda.pdf")
    text, tags = html_text(out / "agenda.html")
    assert HOSTILE in text
    assert "b" not in tags and "script" not in tags
    raw = (out / "agenda.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;&amp;amp; =cmd|" in raw and "<b>x</b>" not in raw


def test_an_urdu_bidder_name_survives_in_both(pack) -> None:
    out, _, _ = pack
    assert URDU in pdf_text(out / "agenda.pdf")
    assert URDU in html_text(out / "agenda.html")[0]
    raw = (out / "agenda.html").read_text(encoding="utf-8")
    assert f'<span lang="ur" dir="rtl">{URDU}</span>' in raw


def test_the_html_tables_have_captions_and_scoped_headers(pack) -> None:
    out, _, _ = pack
    raw = (out / "agenda.html").read_text(encoding="utf-8")
    tables = raw.count("<table>")
    assert tables == 3  # agreement and two points
    assert raw.count("<caption") == tables
    assert '<th scope="col">Alpha</th>' not in raw  # numeric header cells are classed
    assert '<th scope="col" class="num">Alpha</th>' in raw
    # a row header per criterion in the agreement table, and one per point
    assert raw.count('<th scope="row">Community panel</th>') == 5 + 2


def test_axe_finds_no_violations(pack) -> None:
    out, _, _ = pack
    violations = a11y.axe_violations(out / "agenda.html")
    assert violations == [], a11y.describe(violations)


def test_a_link_in_the_pack_folder_refuses_the_whole_pack(tmp_path: Path) -> None:
    url = _stored(tmp_path)
    out = tmp_path / "pack"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    (out / "agenda.html").symlink_to(precious)
    refused = cli(url, "moderation", "start", "--out", out)
    assert refused.exit_code == 1
    assert "symbolic link" in refused.output
    assert [p.name for p in out.iterdir()] == ["agenda.html"]
    assert precious.read_text(encoding="utf-8") == "keep me"
    with open_store(url) as store, store.reading() as repo:
        assert repo.frozen_lots(repo.pick(None)) == set() or not repo.frozen_lots(repo.pick(None))


def test_a_document_that_fails_leaves_no_pack(tmp_path: Path, monkeypatch) -> None:
    from commission.app.moderation import start_moderation
    from commission.documents import agenda

    url = _stored(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("the HTML edition could not be written")

    monkeypatch.setattr(agenda, "render_agenda_html", broken)
    out = tmp_path / "pack"
    with open_store(url) as store:
        with pytest.raises(RuntimeError):
            start_moderation(store, out)
        with store.reading() as repo:
            assert not repo.frozen_lots(repo.pick(None))
    assert list(out.iterdir()) == []  # no CSV, no PDF, no private temporary folder
