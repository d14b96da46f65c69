"""Issuing decisions from the store, the refusal of final decisions, verify, and the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from commission.app import add_tenders, audit_entries, import_scores, init_exercise
from commission.app.decisions import decide, verify_pdf
from commission.cli import cli
from commission.errors import DecisionRefused
from commission.resources import examples_dir
from commission.store import open_store

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

EXAMPLES = examples_dir()


def _store(tmp_path: Path, sheets: list[str]):
    url = f"sqlite:///{tmp_path / 'commission.db'}"
    store = open_store(url, create=True)
    init_exercise(store, EXAMPLES / "exercise.json")
    add_tenders(store, sorted((EXAMPLES / "tenders").glob("*.json")))
    import_scores(store, [EXAMPLES / "sheets" / s for s in sheets])
    return url, store


ALL_SHEETS = ["community-long.csv", "officers-wide.csv", "R5-wide.xlsx", "R6-wide-semicolon.csv"]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scored")
    url, store = _store(tmp, ALL_SHEETS)
    yield tmp, url, store
    store.close()


def test_final_decision_refused_while_incomplete(tmp_path):
    _, store = _store(tmp_path, ["officers-wide.csv"])
    with store, pytest.raises(DecisionRefused) as caught:
        decide(store, tmp_path / "out", workers=1)
    assert caught.value.problems
    first = caught.value.problems[0]
    assert first.type == "incomplete-tender"
    assert "community panel has 0 of 2 scores needed" in first.message
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))
    with store:
        outcome = decide(store, tmp_path / "out", provisional=True, workers=1, lot="east")
    assert [d.lot for d in outcome.decisions] == ["east"]
    for page in PdfReader(str(outcome.decisions[0].path)).pages:
        assert "PROVISIONAL" in page.extract_text()


def test_decide_records_audit_and_verify_detects_replaced_score(scored, tmp_path):
    _, url, store = scored
    before = len(audit_entries(store))
    progress: list[tuple[str, int, int]] = []
    outcome = decide(
        store,
        tmp_path / "out",
        workers=2,
        progress=lambda stage, done, total: progress.append((stage, done, total)),
    )
    assert {d.lot for d in outcome.decisions} == {"east", "west"}
    assert len(outcome.summaries) == 12
    # From the first moment (reading the store) to 100%, never going back.
    assert progress[0] == ("Reading the stored scores", 0, 1)
    assert progress[-1][1] == progress[-1][2] == 2 + 2 + 12
    assert [done for _, done, _ in progress] == sorted(done for _, done, _ in progress)
    assert {"Rendering decisions and summaries", "Placing files", "Issued"} <= {
        stage for stage, _, _ in progress
    }
    entries = audit_entries(store)
    issued = [e for e in entries[before:] if e["action"] == "decision-issued"]
    assert {e["details"]["digest"] for e in issued} == {d.digest for d in outcome.decisions}
    east = next(d for d in outcome.decisions if d.lot == "east")
    assert verify_pdf(store, east.path).matches

    runner = CliRunner()
    result = runner.invoke(cli, ["--db", url, "verify", str(east.path)])
    assert result.exit_code == 0, result.output
    assert "matches" in result.output

    # Replace one community score of the winning tender: the decision no longer matches.
    sheet = tmp_path / "replace.csv"
    sheet.write_text("evaluator,tender,criterion,score,comment\nR1,T-001,local-assets,0,\n")
    import_scores(store, [sheet], replace=True)
    check = verify_pdf(store, east.path)
    assert not check.matches
    assert any(change.startswith("T-001: total score was") for change in check.changes)
    result = runner.invoke(cli, ["--db", url, "verify", str(east.path)])
    assert result.exit_code == 1
    assert "does not match" in result.output and "T-001: total score was" in result.output


def test_cli_decide_writes_pdfs_and_refuses_cleanly(tmp_path):
    url, store = _store(tmp_path, ["officers-wide.csv"])
    store.close()
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(cli, ["--db", url, "decide", "--out", str(out), "--quiet"])
    assert result.exit_code == 1
    assert "no final decision" in result.output and "T-001" in result.output
    result = runner.invoke(
        cli,
        [
            "--db",
            url,
            "decide",
            "--out",
            str(out),
            "--provisional",
            "--lot",
            "west",
            "--name-evaluators",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Provisional decision for lot west" in result.output
    pdfs = list(out.glob("provisional-decision-*-west.pdf"))
    assert len(pdfs) == 1
    assert len(list((out / "summaries").glob("*.pdf"))) == 6


def test_verify_refuses_a_pdf_without_decision_data(tmp_path, scored):
    _, url, _ = scored
    from reportlab.pdfgen.canvas import Canvas

    other = tmp_path / "other.pdf"
    canvas = Canvas(str(other))
    canvas.drawString(100, 100, "not a decision")
    canvas.save()
    result = CliRunner().invoke(cli, ["--db", url, "verify", str(other)])
    assert result.exit_code == 1
    assert "carries no commission decision data" in result.output
