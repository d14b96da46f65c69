"""Moderation end to end (issue 14 points 1–2): the independent round, ``moderation start``, a
moderated sheet that changes a lot's winner, notes; both rounds in the results; refusals; all
audited. On SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from commission.inputs.validation import problems
from commission.store import open_store

from .store_helpers import cli, loaded

REASON = "Agreed at moderation: the delivery plan gives no evidence"


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def _moderated_officer_sheets(pack: Path, out: Path) -> list[Path]:
    """Each officer's pre-filled sheet with every T-001 score lowered to 1, with a reason."""
    sheets = []
    for officer in ("OF1", "OF2", "OF3"):
        rows = _rows(pack / f"sheet-{officer}.csv")
        header = rows[0]
        assert header == [
            "evaluator",
            "lot",
            "tender",
            "bidder",
            "criterion",
            "score",
            "comment",
            "reason",
        ]
        for row in rows[1:]:
            if row[2] == "T-001":
                row[5], row[7] = "1", REASON
        sheets.append(_write(out / f"moderated-{officer}.csv", rows))
    return sheets


def _json(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_moderation_changes_the_winner_and_keeps_round_one(db_url: str, tmp_path: Path) -> None:
    loaded(db_url, scores=True)
    before = _json(cli(db_url, "results", "--format", "json"))
    east = next(lot for lot in before["lots"] if lot["lot"] == "east")
    assert east["recommended"] == ["T-001"]

    # a moderated sheet before moderation started is refused, naming the row
    pack = tmp_path / "pack"
    early = _write(
        tmp_path / "early.csv",
        [
            ["evaluator", "tender", "criterion", "score", "comment", "reason"],
            ["OF1", "T-001", "local-assets", "1", "", REASON],
        ],
    )
    refused = cli(db_url, "scores", "import", "--round", "moderated", early)
    assert refused.exit_code == 1
    assert "moderation has not started" in refused.output and "row 2" in refused.output

    started = cli(db_url, "moderation", "start", "--lot", "east", "--out", pack)
    assert started.exit_code == 0, started.output
    assert "froze the independent round of lot east" in started.output
    names = {p.name for p in pack.iterdir()}
    assert {
        "moderation.csv",
        "outliers.csv",
        "agenda.json",
        "sheet-R1.csv",
        "sheet-OF3.csv",
    } <= names
    figures = _rows(pack / "moderation.csv")
    assert figures[0][:7] == [
        "lot",
        "tender",
        "bidder",
        "criterion",
        "divergent",
        "gap",
        "gap_exact",
    ]
    assert {"community_sd", "officer_median", "community_range", "outliers"} <= set(figures[0])
    assert {row[0] for row in figures[1:]} == {"east"}
    agenda = json.loads((pack / "agenda.json").read_text(encoding="utf-8"))
    assert [s["heading"] for s in agenda["lots"][0]["sections"]][0] == "Points of divergence"

    # the pre-filled sheet handed back unchanged changes nothing
    same = cli(db_url, "scores", "import", "--round", "moderated", pack / "sheet-OF1.csv")
    assert same.exit_code == 0, same.output
    assert "nothing to import" in same.output

    # an independent import into the frozen lot is refused
    independent = _write(
        tmp_path / "late.csv",
        [
            ["evaluator", "tender", "criterion", "score", "comment"],
            ["OF1", "T-001", "local-assets", "2", ""],
        ],
    )
    late = cli(db_url, "scores", "import", "--replace", independent)
    assert late.exit_code == 1
    assert "frozen" in late.output and "--reopen" in late.output

    # a changed score without a reason is refused, the row named
    rows = _rows(pack / "sheet-OF2.csv")
    rows[3][5] = "1" if rows[3][5] != "1" else "2"
    no_reason = cli(
        db_url, "scores", "import", "--round", "moderated", _write(tmp_path / "bad.csv", rows)
    )
    assert no_reason.exit_code == 1
    assert "row 4, column reason" in no_reason.output and "gives no reason" in no_reason.output
    as_json = cli(
        db_url, "scores", "import", "--round", "moderated", tmp_path / "bad.csv", "--format", "json"
    )
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["errors"][0]["type"] == "reason-missing"

    sheets = _moderated_officer_sheets(pack, tmp_path)
    done = cli(db_url, "scores", "import", "--round", "moderated", *sheets)
    assert done.exit_code == 0, done.output
    assert "imported 15 new scores" in done.output
    again = cli(db_url, "scores", "import", "--round", "moderated", *sheets)
    assert "nothing to import" in again.output

    notes = _write(
        tmp_path / "notes.csv",
        [
            ["tender", "criterion", "note"],
            [
                "T-001",
                "local-assets",
                "The panel found no evidence the assets named are available.",
            ],
            ["T-001", "Collaboration", "Officers revised after hearing the residents' experience."],
        ],
    )
    recorded = cli(db_url, "moderation", "notes", notes)
    assert recorded.exit_code == 0, recorded.output
    assert "recorded 2 new moderation notes" in recorded.output
    assert "nothing to record" in cli(db_url, "moderation", "notes", notes).output

    after = _json(cli(db_url, "results", "--format", "json"))
    assert problems(after, "results") == []
    east = next(lot for lot in after["lots"] if lot["lot"] == "east")
    assert east["recommended"] == ["T-002"]
    t1 = next(t for t in after["tenders"] if t["tender"] == "T-001")
    assert t1["round"] == "moderated"
    assert t1["independent"]["rank"] == 1 and t1["rank"] == 6
    assert t1["independent"]["total_score"] > t1["total_score"]
    first = t1["criteria"][0]
    assert first["officer_mean"] == 1.0 and first["independent"]["officer_mean"] > 1.0
    assert first["officer_n"] == 3 and first["officer_abstained"] == 0
    t2 = next(t for t in after["tenders"] if t["tender"] == "T-002")
    assert t2["round"] == "independent" and t2["independent"]["rank"] == 2
    west = next(t for t in after["tenders"] if t["tender"] == "T-012")
    assert west["round"] == "independent" and west["rank"] == 1

    round_one = _json(cli(db_url, "results", "--round", "independent", "--format", "json"))
    assert round_one["tenders"] == before["tenders"]
    assert next(x for x in round_one["lots"] if x["lot"] == "east")["recommended"] == ["T-001"]
    analysis = _json(cli(db_url, "results", "--analysis", "--format", "json"))
    assert (
        next(x for x in analysis["lots"] if x["lot"] == "east")["robustness"]["winner"] == "T-002"
    )

    # reopening the independent round is possible on purpose, and audited
    reopened = cli(db_url, "scores", "import", "--replace", "--reopen", independent)
    assert reopened.exit_code == 0, reopened.output

    with open_store(db_url) as store, store.reading() as repo:
        exercise_id = repo.pick(None)
        stored = repo.moderation_notes(exercise_id)
        assert stored[("T-001", "collaboration")].startswith("Officers revised")
        assert repo.frozen_lots(exercise_id) == {"east"}
        record = repo.moderation_changes(exercise_id)
        actions = [e["action"] for e in repo.audit_entries(exercise_id)]
        moderated = [
            e["details"]
            for e in repo.audit_entries(exercise_id)
            if e["action"] == "score-moderated"
        ]
    assert {
        "moderation-started",
        "moderated-sheet-imported",
        "moderation-note",
        "independent-round-reopened",
        "score-replaced",
    } <= set(actions)
    assert len(moderated) == 15
    assert len(record) == 15 and set(record["tender"]) == {"T-001"}
    assert set(record["moderated"]) == {1} and set(record["reason"]) == {REASON}
    assert not record["independent_abstained"].any() and not record["moderated_abstained"].any()
    of1 = record[(record["evaluator"] == "OF1") & (record["criterion"] == "collaboration")]
    assert of1["independent"].tolist() == [5]
    assert all(
        m["new"]["reason"] == REASON and m["old"]["round"] == "independent" for m in moderated
    )
    verify = cli(db_url, "audit", "--verify")
    assert verify.exit_code == 0, verify.output


def test_moderation_start_names_an_unknown_lot(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    found = cli(db_url, "moderation", "start", "--lot", "north", "--out", tmp_path / "p")
    assert found.exit_code == 1
    assert "no lot 'north'" in found.output


def test_bad_notes_are_refused_whole(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    notes = _write(
        tmp_path / "notes.csv",
        [
            ["tender", "criterion", "note"],
            ["T-001", "local-assets", "fine"],
            ["T-999", "nonsense", ""],
        ],
    )
    refused = cli(sqlite_url, "moderation", "notes", notes)
    assert refused.exit_code == 1
    for words in ("unknown tender 'T-999'", "unknown criterion 'nonsense'", "the note is blank"):
        assert words in refused.output
    with open_store(sqlite_url) as store, store.reading() as repo:
        assert repo.moderation_notes(repo.pick(None)) == {}


def test_a_moderated_change_of_a_moderated_score_needs_replace(
    sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_url, scores=True)
    assert cli(sqlite_url, "moderation", "start", "--out", tmp_path / "pack").exit_code == 0
    sheet = [
        ["evaluator", "tender", "criterion", "score", "comment", "reason"],
        ["R1", "T-007", "local-assets", "1", "", "first thoughts"],
    ]
    first = cli(
        sqlite_url, "scores", "import", "--round", "moderated", _write(tmp_path / "a.csv", sheet)
    )
    assert first.exit_code == 0, first.output
    sheet[1][3], sheet[1][5] = "2", "second thoughts"
    second = _write(tmp_path / "b.csv", sheet)
    refused = cli(sqlite_url, "scores", "import", "--round", "moderated", second)
    assert refused.exit_code == 1 and "--replace" in refused.output
    replaced = cli(sqlite_url, "scores", "import", "--round", "moderated", "--replace", second)
    assert replaced.exit_code == 0 and "replaced 1" in replaced.output
    with open_store(sqlite_url) as store, store.reading() as repo:
        frame = repo.round_score_frame(repo.pick(None))
    row = frame[(frame["evaluator"] == "R1") & (frame["tender"] == "T-007")]
    row = row[row["criterion"] == "local-assets"]
    assert row["score"].tolist() == [2] and row["reason"].tolist() == ["second thoughts"]
    assert cli(sqlite_url, "audit", "--verify").exit_code == 0


def test_a_wide_moderated_sheet_gives_one_reason_per_row(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url, scores=True)
    assert cli(sqlite_url, "moderation", "start", "--out", tmp_path / "pack").exit_code == 0
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "tender,local-assets,innovation,reason\n"
        "T-008,1,abstain,Declared an interest at the meeting\n",
        encoding="utf-8",
    )
    dry = cli(
        sqlite_url,
        "scores",
        "import",
        "--round",
        "moderated",
        "--evaluator",
        "OF2",
        wide,
        "--dry-run",
    )
    assert dry.exit_code == 0 and "would import 2 new scores" in dry.output
    done = cli(sqlite_url, "scores", "import", "--round", "moderated", "--evaluator", "OF2", wide)
    assert done.exit_code == 0, done.output
    found = json.loads(cli(sqlite_url, "results", "--format", "json").output)
    (t8,) = [t for t in found["tenders"] if t["tender"] == "T-008"]
    by = {c["criterion"]: c for c in t8["criteria"]}
    assert t8["round"] == "moderated"
    assert by["innovation"]["officer_abstained"] == 1
    assert by["innovation"]["officer_n"] == 2  # OF2 abstained in the moderated round
    assert by["local-assets"]["officer_n"] == 3 and by["local-assets"]["officer_abstained"] == 0
    assert by["local-assets"]["officer_mean"] < by["local-assets"]["independent"]["officer_mean"]
