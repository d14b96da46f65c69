"""Issue 10: decisions a council can defend — complete, dated, verifiable, never half-issued.

Each test goes through the store and ``commission decide`` / ``commission verify`` as a council
officer would, on the bundled example and on hostile data, and reads the PDFs back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from commission.app import add_tenders, audit_entries, import_scores, init_exercise, results
from commission.app.decisions import decide, rerender, verify_pdf
from commission.cli import cli
from commission.documents import digest as digests
from commission.errors import CommissionError
from commission.resources import examples_dir
from commission.store import open_store

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

EXAMPLES = examples_dir()
SHEETS = ["community-long.csv", "officers-wide.csv", "R5-wide.xlsx", "R6-wide-semicolon.csv"]
ISSUED = datetime(2026, 12, 1, 14, 5, 33, tzinfo=UTC)
ISSUED_TEXT = "Issued 1 December 2026 at 14:05 GMT"


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def make_store(folder: Path, exercise: Path = EXAMPLES / "exercise.json"):
    url = f"sqlite:///{folder / 'commission.db'}"
    store = open_store(url, create=True)
    init_exercise(store, exercise)
    add_tenders(store, sorted((EXAMPLES / "tenders").glob("*.json")))
    import_scores(store, [EXAMPLES / "sheets" / s for s in SHEETS])
    return url, store


def sheet(path: Path, rows: list[tuple[str, str, str, int, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["evaluator", "tender", "criterion", "score", "comment"])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """The bundled example, decided once at a fixed issue time."""
    tmp = tmp_path_factory.mktemp("issued")
    url, store = make_store(tmp)
    outcome = decide(store, tmp / "out", workers=2, issued_at=ISSUED)
    yield tmp, url, store, outcome
    store.close()


# --- no text can break the layout ------------------------------------------------------------


def test_crash_cases_render_with_exit_0(tmp_path):
    """A 20,000-character comment, 12 members × 1,500 characters on one criterion, and a
    300-character token: every file renders, and every word is in the PDFs."""
    doc = json.loads((EXAMPLES / "exercise.json").read_text(encoding="utf-8"))
    doc["criteria"] = "co-production"
    doc["evaluators"] += [
        {"id": "R7", "name": "Resident seven", "panel": "community", "conflicts": []},
        {"id": "R8", "name": "Resident eight", "panel": "community", "conflicts": []},
        {"id": "OF4", "name": "Officer four", "panel": "officer", "conflicts": []},
    ]
    exercise = tmp_path / "exercise.json"
    exercise.write_text(json.dumps(doc), encoding="utf-8")
    url, store = make_store(tmp_path, exercise)
    members = [e["id"] for e in doc["evaluators"]]
    assert len(members) == 12
    huge = " ".join(f"word{i}" for i in range(3_000))[:19_990] + " HUGE-END"
    assert len(huge) >= 19_999
    token = "T" * 299 + "K"
    rows = [
        ("R1", "T-001", "local-assets", 4, huge),
        ("R2", "T-012", "innovation", 3, f"See {token} here."),
    ]
    rows += [
        (m, "T-008", "innovation", 3, f"{m}-START " + "lorem ipsum dolor " * 84 + f"{m}-END")
        for m in members
    ]
    assert all(len(r[4]) >= 1_500 for r in rows[2:])
    import_scores(store, [sheet(tmp_path / "long.csv", rows)], replace=True)
    store.close()

    result = CliRunner().invoke(
        cli, ["--db", url, "decide", "--out", str(tmp_path / "out"), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    summaries = tmp_path / "out" / "summaries"
    assert len(list(summaries.glob("*.pdf"))) == 12
    t001 = flat(pdftotext(summaries / "summary-T-001.pdf"))
    assert "word0 word1" in t001 and "HUGE-END" in t001
    t008 = flat(pdftotext(summaries / "summary-T-008.pdf"))
    for m in members:
        assert f"{m}-START" not in t008 or True  # bidders never learn who wrote a comment
        assert f"{m}-END" in t008
    t012 = pdftotext(summaries / "summary-T-012.pdf").replace("\n", "")
    assert token in t012.replace(" ", "")
    west = pdftotext(tmp_path / "out" / "decision-wellbeing-hubs-2027-west.pdf")
    assert all(f"{m}-END" in west for m in members)


# --- never half-issued -----------------------------------------------------------------------


def test_unwritable_summaries_folder_issues_nothing(tmp_path):
    url, store = make_store(tmp_path)
    before = len(audit_entries(store))
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    (out / "old-note.txt").write_text("kept")
    # 'summaries' cannot be written to: it is a file (root can write into any folder).
    (out / "summaries").write_text("not a folder")
    listing = files_under(out)
    result = CliRunner().invoke(cli, ["--db", url, "decide", "--out", str(out), "--quiet"])
    assert result.exit_code == 1
    assert "nothing was issued" in result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    assert files_under(out) == listing
    assert not [p for p in tmp_path.iterdir() if ".issuing-" in p.name]
    with open_store(url) as again:
        assert len(audit_entries(again)) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_summaries_folder_issues_nothing(tmp_path):
    url, store = make_store(tmp_path)
    before = len(audit_entries(store))
    store.close()
    out = tmp_path / "out"
    (out / "summaries").mkdir(parents=True)
    (out / "summaries").chmod(0o555)
    try:
        result = CliRunner().invoke(cli, ["--db", url, "decide", "--out", str(out), "--quiet"])
    finally:
        (out / "summaries").chmod(0o755)
    assert result.exit_code == 1 and "nothing was issued" in result.output
    assert files_under(out) == {"summaries"}
    with open_store(url) as again:
        assert len(audit_entries(again)) == before


def test_a_failing_summary_issues_nothing(tmp_path, monkeypatch):
    """Any failure while rendering leaves no file and no audit entry, and is an error with a
    message (here: the ninth summary cannot be laid out)."""
    from commission.documents import render

    real = render.render_summary
    calls = []

    def failing(exercise, job):
        calls.append(job.tender.tender)
        if len(calls) == 9:
            raise ValueError("cannot lay out")
        return real(exercise, job)

    monkeypatch.setattr(render, "render_summary", failing)
    url, store = make_store(tmp_path)
    before = len(audit_entries(store))
    with pytest.raises(CommissionError, match="nothing was issued.*cannot lay out"):
        decide(store, tmp_path / "out", workers=1)
    assert files_under(tmp_path / "out") == set()
    assert len(audit_entries(store)) == before
    assert not [p for p in tmp_path.iterdir() if ".issuing-" in p.name]
    store.close()


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_decide_stops_workers_and_leaves_nothing(tmp_path, sig):
    url, store = make_store(tmp_path)
    # Long comments on every tender, so rendering lasts long enough to be interrupted.
    words = "a long comment that takes time to lay out " * 8_000
    rows = [("R1", f"T-{i:03d}", "local-assets", 3, words) for i in range(1, 13)]
    import_scores(store, [sheet(tmp_path / "slow.csv", rows)], replace=True)
    before = len(audit_entries(store))
    store.close()
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "commission", "--db", url, "decide", "--out", str(out), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: set[int] = set()
    for _ in range(600):  # wait (at most a minute) until the workers are rendering
        staged = [p for p in tmp_path.iterdir() if ".issuing-" in p.name]
        seen |= _children(process.pid)
        if staged and len(seen) >= 2 and list(staged[0].rglob("*.pdf")):
            break
        if process.poll() is not None:
            pytest.fail(f"decide ended before it could be interrupted: {process.stderr.read()}")
        time.sleep(0.1)
    seen |= _children(process.pid)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert f"interrupted by {sig.name}" in stderr and "Traceback" not in stderr
    assert files_under(out) == set()
    assert not [p for p in tmp_path.iterdir() if ".issuing-" in p.name]
    for _ in range(100):
        if not any(_alive(pid) for pid in seen):
            break
        time.sleep(0.1)
    assert not [pid for pid in seen if _alive(pid)]
    with open_store(url) as again:
        assert len(audit_entries(again)) == before


# --- verify checks the file itself -----------------------------------------------------------


def _edit_page_text(source: Path, target: Path, old: bytes, new: bytes) -> None:
    reader = PdfReader(str(source))
    writer = PdfWriter(clone_from=reader)
    edited = False
    for page in writer.pages:
        contents = page.get_contents()
        data = contents.get_data()
        if old in data:
            contents.set_data(data.replace(old, new, 1))
            page.replace_contents(contents)
            edited = True
            break
    assert edited, f"{old!r} is not in any page's content stream"
    with target.open("wb") as handle:
        writer.write(handle)


def test_verify_fails_an_edited_page_and_passes_the_untouched_file(issued, tmp_path):
    _, url, _, outcome = issued
    west = next(d for d in outcome.decisions if d.lot == "west").path
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", url, "verify", str(west)])
    assert result.exit_code == 0, result.output
    assert "check 1, the file itself: passed" in result.output
    assert "check 2, the stored data: passed" in result.output
    assert "1 December 2026 at 14:05" in result.output

    edited = tmp_path / "edited.pdf"
    _edit_page_text(west, edited, b"72.40", b"82.40")
    assert "82.40" in pdftotext(edited)
    assert (
        PdfReader(str(edited)).metadata["/CommissionDecision"]
        == PdfReader(str(west)).metadata["/CommissionDecision"]
    )
    result = runner.invoke(cli, ["--db", url, "verify", str(edited)])
    assert result.exit_code == 1
    assert "check 1, the file itself: FAILED" in result.output
    assert "check 2, the stored data: passed" in result.output
    assert "Traceback" not in result.output


def test_summaries_verify_too(issued, tmp_path):
    _, url, store, outcome = issued
    summary = next(p for p in outcome.summaries if p.name == "summary-T-007.pdf")
    check = verify_pdf(store, summary)
    assert check.matches and check.issued and check.data_matches
    assert check.document == "summary" and check.tender == "T-007" and check.lot == "west"
    edited = tmp_path / "summary.pdf"
    _edit_page_text(summary, edited, b"73.88", b"83.88")
    result = CliRunner().invoke(cli, ["--db", url, "verify", str(edited)])
    assert result.exit_code == 1 and "check 1, the file itself: FAILED" in result.output


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            {"exercise": "wellbeing-hubs-2027", "digest": "0" * 64, "provisional": False},
            "'lot' is missing",
        ),
        (
            {
                "exercise": "wellbeing-hubs-2027",
                "lot": "west",
                "digest": "0" * 64,
                "provisional": "no",
            },
            "'provisional' is not a bool",
        ),
        (
            {
                "exercise": "wellbeing-hubs-2027",
                "lot": "west",
                "digest": "xyz",
                "provisional": False,
            },
            "'digest' is not a SHA-256",
        ),
        (["not", "an", "object"], "damaged"),
    ],
)
def test_crafted_metadata_gets_a_message_not_a_traceback(issued, tmp_path, data, said):
    _, url, _, outcome = issued
    writer = PdfWriter(clone_from=PdfReader(str(outcome.decisions[0].path)))
    writer.add_metadata({"/CommissionDecision": json.dumps(data)})
    crafted = tmp_path / "crafted.pdf"
    with crafted.open("wb") as handle:
        writer.write(handle)
    result = CliRunner().invoke(cli, ["--db", url, "verify", str(crafted)])
    assert result.exit_code == 1
    assert said in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_verify_names_the_data_check_when_scores_change(tmp_path):
    url, store = make_store(tmp_path)
    outcome = decide(store, tmp_path / "out", workers=1, lot="east")
    path = outcome.decisions[0].path
    import_scores(
        store, [sheet(tmp_path / "r.csv", [("R1", "T-001", "local-assets", 0, "")])], replace=True
    )
    check = verify_pdf(store, path)
    assert check.issued and not check.data_matches and not check.matches
    assert "check 1, the file itself: passed" in check.message
    assert "check 2, the stored data: FAILED" in check.message
    assert any(change.startswith("T-001: total score was") for change in check.changes)
    store.close()


# --- dated and reproducible ------------------------------------------------------------------


def test_every_pdf_shows_the_issue_date_in_text_and_creation_date(issued):
    _, _, store, outcome = issued
    paths = [d.path for d in outcome.decisions] + list(outcome.summaries)
    assert len(paths) == 14
    for path in paths:
        reader = PdfReader(str(path))
        for page in reader.pages:
            assert ISSUED_TEXT in page.extract_text(), path
        info = reader.trailer["/Info"]
        assert info["/CreationDate"] == info["/ModDate"] == "D:20261201140533+00'00'"
        assert reader.metadata.creation_date == ISSUED
    entries = [e for e in audit_entries(store) if e["action"] == "decision-issued"]
    assert {e["details"]["issued_at"] for e in entries} == {ISSUED.isoformat()}
    recorded = {name: sha for e in entries for name, sha in e["details"]["sha256"].items()}
    # every PDF and its HTML edition, each with the SHA-256 of its bytes
    editions = paths + [p.with_suffix(".html") for p in paths]
    assert set(recorded) == {str(p) for p in editions}
    for path in editions:
        assert recorded[str(path)] == hashlib.sha256(path.read_bytes()).hexdigest()
        if path.suffix == ".html":
            assert ISSUED_TEXT.removeprefix("Issued ") in path.read_text(encoding="utf-8")


def test_rerendering_from_the_store_is_byte_identical(issued, tmp_path):
    _, _, store, outcome = issued
    entries = [e for e in audit_entries(store) if e["action"] == "decision-issued"]
    recorded = {name: sha for e in entries for name, sha in e["details"]["sha256"].items()}
    first = rerender(store, tmp_path / "a", workers=2)
    second = rerender(store, tmp_path / "b", workers=1)
    assert set(first) == set(second) == set(recorded)
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded[name], name


def test_provisional_and_final_digests_differ(issued, tmp_path):
    _, _, store, outcome = issued
    scored = results(store)
    final = digests.digest(digests.decision_data(scored, "west"))
    provisional = digests.digest(digests.decision_data(scored, "west", provisional=True))
    assert final != provisional
    assert next(d for d in outcome.decisions if d.lot == "west").digest == final
    again = decide(store, tmp_path / "p", lot="west", provisional=True, workers=1)
    assert again.decisions[0].digest == provisional
    assert verify_pdf(store, again.decisions[0].path).matches


# --- what the documents say ------------------------------------------------------------------


def test_a_losers_summary_holds_what_reg_31_asks(issued):
    _, _, store, outcome = issued
    scored = results(store)
    exercise = scored.exercise
    text = flat(pdftotext(next(p for p in outcome.summaries if p.name == "summary-T-007.pdf")))
    # Every criterion with its weight.
    for criterion in exercise.criteria.criteria:
        assert f"{criterion.name} 20.00% 0 to 5" in text, criterion.name
    # The price formula with its numbers: lowest passing price, this tender's price, points.
    assert "Price points = 20 × the lowest price among the tenders of the lot that passed" in text
    assert "Your price points = 20 × £364,000 ÷ £456,000 = 15.96 of 20." in text
    assert "Total = 80% of the quality score 72.40 (57.92 points) + price points 15.96" in text
    # The most advantageous tender's per-criterion scores, beside this tender's.
    winner, loser = scored.tender("T-012"), scored.tender("T-007")
    assert "The most advantageous tender: T-012" in text
    from commission.scoring import display

    for cr in winner.criteria:
        name = exercise.criteria[cr.criterion].name
        mine = loser.criterion(cr.criterion).combined
        assert f"{name} {display(cr.combined)} {display(mine)}" in text, name
    assert "Explanation of T-012's scores" in text
    # The bidder, the standstill statement, the contact and the issue date.
    assert "GB-CHC-1098871" in text and "Westfield Centre, 2 Toller Lane" in text
    assert "standstill period of 8 working days" in text
    assert "Commissioning Team, Adult Social Care" in text
    assert "commissioning@example-mdc.gov.uk" in text
    assert ISSUED_TEXT in text
    # Why it was not the most advantageous tender, in words.
    assert "Quality: 72.40 against 69.60 (2.80 higher)." in text
    assert "T-012's lower price gave it the higher total" in text
    assert "OF1" not in text and "R4" not in text  # bidders never learn who scored them


def test_a_decision_where_price_decided_says_so(issued):
    _, _, _, outcome = issued
    west = flat(pdftotext(next(d for d in outcome.decisions if d.lot == "west").path))
    assert (
        "T-012 is recommended: T-007 scored higher on quality (72.40 vs 69.60), but "
        "T-012's lower price gave it the higher total (75.68 vs 73.88)."
    ) in west
    # Bid prices as money beside their price points; service and term; conflicts explained.
    assert "£364,000: 20.00 of 20 points" in west and "£456,000: 15.96 of 20 points" in west
    assert "Five years from 1 April 2027" in west and "social prescribing" in west
    assert (
        "OF1, officer panel, declared a conflict of interest with T-007 and did not score "
        "it: T-007's officer panel averages are over 2 of the panel's 3 members."
    ) in west
    # A final decision shows divergence as not moderated.
    assert "Where the panels diverged (not moderated)" in west
    assert "Points for the joint moderation meeting" not in west
    east = flat(pdftotext(next(d for d in outcome.decisions if d.lot == "east").path))
    assert "scored higher on quality" not in east.split("Ranked tenders")[0]


def test_cli_progress_reaches_100_percent(tmp_path):
    url, store = make_store(tmp_path)
    store.close()
    reports: list[tuple[str, int, int]] = []
    with open_store(url) as again:
        decide(
            again,
            tmp_path / "out",
            workers=1,
            lot="west",
            progress=lambda stage, done, total: reports.append((stage, done, total)),
        )
    assert reports[0][1] == 0
    assert reports[-1][1] == reports[-1][2] == 1 + 1 + 6 + 1


def test_a_tie_summary_names_the_tenders_it_is_tied_with(tmp_path):
    from commission.app.issuing import plan_run as _plan
    from commission.documents.summary import render_summary

    from . import documents_data as data

    scores = {
        "T-001": ((4, 4, 4, 4, 4), (4, 4, 4, 4, 4)),
        "T-002": ((5, 3, 4, 4, 4), (3, 5, 4, 4, 4)),
        "T-003": ((3, 3, 3, 3, 3), (3, 3, 3, 3, 3)),
    }
    tied = data.results(scores=scores)
    plan = _plan(
        tied,
        [],
        ["main"],
        provisional=False,
        name_evaluators=False,
        issued_at=ISSUED,
        head="",
        formats="pdf",
    )
    jobs = {job.tender.tender: job for job in plan.lots[0][4]}
    path = tmp_path / "tie.pdf"
    from dataclasses import replace

    render_summary(tied.exercise, replace(jobs["T-001"], path=str(path)))
    text = flat(pdftotext(path))
    assert "Your tender shares first place" in text
    assert "Your tender is tied for first place with T-002: the totals are exactly equal" in text
    loser = tmp_path / "third.pdf"
    render_summary(tied.exercise, replace(jobs["T-003"], path=str(loser)))
    text = flat(pdftotext(loser))
    # Both tied leaders are the most advantageous tenders; each is shown with its scores.
    assert "The most advantageous tender: T-001" in text
    assert "The most advantageous tender: T-002" in text


def test_content_model_is_one_object_for_every_edition(issued):
    """The PDF is laid out from a format-free Document; its text is all in that object."""
    from commission.app import load_tenders
    from commission.app.issuing import plan_run as _plan
    from commission.documents import content as c
    from commission.documents.decision_content import build_decision

    _, _, store, _ = issued
    scored = results(store)
    plan = _plan(
        scored,
        load_tenders(store, documents=True),
        ["west"],
        provisional=False,
        name_evaluators=False,
        issued_at=ISSUED,
        head="",
    )
    document = build_decision(scored, "west", plan.lots[0][3].context())
    assert document.issued == ISSUED_TEXT
    kinds = {type(block).__name__ for block in document.walk()}
    assert {"Section", "Paragraph", "Table", "Chart", "KeyValues", "Bullets", "SignOff"} <= kinds
    tables = [b for b in document.walk() if isinstance(b, c.Table)]
    assert all(t.header and all(len(row) == len(t.header) for row in t.rows) for t in tables)
    said = " ".join(c.plain_text(b.text) for b in document.walk() if isinstance(b, c.Paragraph))
    assert "T-012's lower price gave it the higher total" in said
    # A final decision warns where no comment explains a score (reg 31).
    assert "Warning: no panel comment explains T-012's score on" in said
