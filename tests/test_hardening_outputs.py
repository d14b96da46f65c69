"""Issue 16, item 7 (and the crafted decision PDF of "Why"): outputs never follow a symlink left
where a file will be written, and never overwrite an existing file without ``--force``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.store_helpers import cli, loaded, snapshot

needs_pdf = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize("name", ["sheet.csv", "sheet.xlsx"])
def test_sheet_never_follows_a_symlink_at_its_output(sqlite_url: str, tmp_path: Path, name) -> None:
    loaded(sqlite_url)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = tmp_path / name
    link.symlink_to(victim)
    for extra in ((), ("--force",)):
        result = cli(sqlite_url, "sheet", "--evaluator", "R1", "-o", link, *extra)
        assert result.exit_code == 1, result.output
        assert f"{link}: a symbolic link stands where the file would be written" in result.output
        assert "Traceback" not in result.output
        assert victim.read_text(encoding="utf-8") == "precious"
        assert link.is_symlink()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["commission.db", name, "victim.txt"])


def test_sheet_does_not_overwrite_a_filled_sheet_without_force(
    sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_url)
    filled = tmp_path / "R1.csv"
    filled.write_text("evaluator,tender,innovation\nR1,T-001,4\n", encoding="utf-8")
    result = cli(sqlite_url, "sheet", "--evaluator", "R1", "-o", filled)
    assert result.exit_code == 1
    assert f"{filled}: the file already exists and would be overwritten" in result.output
    assert "pass --force to overwrite it" in result.output
    assert filled.read_text(encoding="utf-8") == "evaluator,tender,innovation\nR1,T-001,4\n"
    result = cli(sqlite_url, "sheet", "--evaluator", "R1", "-o", filled, "--force")
    assert result.exit_code == 0, result.output
    assert filled.read_bytes().startswith(b"\xef\xbb\xbfevaluator,tender,lot,bidder")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@needs_pdf
def test_decide_refuses_symlinks_and_existing_files_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'commission.db'}"
    loaded(url, scores=True)
    out = tmp_path / "out"
    assert cli(url, "decide", "--out", out, "--provisional", "--lot", "east").exit_code == 0
    issued = _files(out)
    before = snapshot(url)

    # an existing decision: refused without --force, every file named, nothing written
    result = cli(url, "decide", "--out", out, "--provisional", "--lot", "east")
    assert result.exit_code == 1, result.output
    assert "output files refused; nothing was written" in result.output
    assert "provisional-decision-" in result.output and "already exists" in result.output
    assert _files(out) == issued and snapshot(url) == before

    # a link where a summary will go, and a linked summaries/ folder
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"precious")
    summary = next((out / "summaries").iterdir())
    summary.unlink()
    summary.symlink_to(victim)
    result = cli(url, "decide", "--out", out, "--provisional", "--lot", "east", "--force")
    assert result.exit_code == 1
    assert f"{summary}: a symbolic link stands where the file would be written" in result.output
    assert victim.read_bytes() == b"precious" and snapshot(url) == before

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "summaries").symlink_to(elsewhere, target_is_directory=True)
    result = cli(url, "decide", "--out", fresh, "--provisional", "--lot", "east")
    assert result.exit_code == 1
    assert f"{fresh / 'summaries'}: the output folder is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == [] and snapshot(url) == before

    # with --force and no links, the files are replaced
    summary.unlink()
    result = cli(url, "decide", "--out", out, "--provisional", "--lot", "east", "--force")
    assert result.exit_code == 0, result.output
    assert not [p for p in out.rglob(".commission-*")]


@needs_pdf
@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.pop("provisional"), "'provisional' is missing"),
        (lambda d: d.update(digest=5), "'digest' is not a text"),
        (lambda d: d.update(tenders=[1, 2]), "'tenders' is not an object"),
        (lambda d: d.update(tenders={"T-001": "x"}), "is not a list of six values"),
    ],
)
def test_verify_answers_a_crafted_decision_pdf(tmp_path: Path, change, why) -> None:
    from pypdf import PdfReader, PdfWriter

    url = f"sqlite:///{tmp_path / 'commission.db'}"
    loaded(url, scores=True)
    out = tmp_path / "out"
    assert cli(url, "decide", "--out", out, "--provisional", "--lot", "east").exit_code == 0
    issued = next(out.glob("provisional-decision-*.pdf"))
    reader = PdfReader(str(issued))
    data = json.loads(str(reader.metadata["/CommissionDecision"]))
    change(data)
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({"/CommissionDecision": json.dumps(data)})
    crafted = tmp_path / "crafted.pdf"
    with open(crafted, "wb") as stream:
        writer.write(stream)
    before = snapshot(url)
    result = cli(url, "verify", crafted)
    assert result.exit_code == 1
    # a key missing or of the wrong type is named; data the digest check cannot compare makes
    # the file "not match" (it is not the file this database issued)
    out = result.output
    assert ("the decision data in this PDF is damaged" in out and why.split()[0] in out) or (
        "does not match" in out and "check 1, the file itself" in out
    )
    assert "Traceback" not in result.output and "KeyError" not in result.output
    assert snapshot(url) == before
