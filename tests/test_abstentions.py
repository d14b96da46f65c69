"""Abstentions (issue 14 point 3): an ``abstain`` score cell is recorded, never a 0, left out of
n and the means, shown in results; completeness still counts scores, and says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commission.app import import_scores, results, score_files
from commission.errors import InvalidScores
from commission.inputs.sheets import read_marked_scores, read_scores
from commission.inputs.validation import problems
from commission.store import open_store

from .store_helpers import EXERCISE, TENDERS, cli, loaded, long_sheet

CRITERIA = ["local-assets", "local-insights", "collaboration", "innovation", "long-term"]


def _t001(
    path: Path, *, r2: str = "ABSTAIN", r2_comment: str = "I volunteer with the bidder"
) -> Path:
    """T-001 scored by R1, R2, R3 and OF1 on every criterion; R2 abstains on local-assets."""
    rows = []
    for evaluator, score in (("R1", 4), ("R2", 5), ("R3", 2), ("OF1", 3)):
        for criterion in CRITERIA:
            given, comment = str(score), ""
            if evaluator == "R2" and criterion == "local-assets":
                given, comment = r2, r2_comment
            rows.append((evaluator, "T-001", criterion, given, comment))
    return long_sheet(path, rows)


def test_an_abstention_is_not_a_score(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    sheet = _t001(tmp_path / "t001.csv")
    with open_store(db_url) as store:
        outcome = import_scores(store, [sheet])
        assert outcome.added == 20
        found = results(store)
    t1 = found.tender("T-001")
    assets = t1.criterion("local-assets")
    assert (assets.community_n, assets.community_total) == (2, 6)  # R1 4 + R3 2, not R2
    assert assets.community_mean == 3
    assert t1.criterion("local-insights").community_n == 3
    document = found.to_dict()
    assert problems(document, "results") == []
    (t1_json,) = [t for t in document["tenders"] if t["tender"] == "T-001"]
    by_criterion = {c["criterion"]: c for c in t1_json["criteria"]}
    assert by_criterion["local-assets"]["community_abstained"] == 1
    assert by_criterion["local-assets"]["community_n"] == 2
    assert by_criterion["local-insights"]["community_abstained"] == 0
    assert by_criterion["local-assets"]["officer_abstained"] == 0
    # the same JSON from the files alone
    from_files = score_files(EXERCISE, TENDERS, [sheet]).to_dict()
    assert from_files["tenders"] == document["tenders"]
    with open_store(db_url) as store, store.reading() as repo:
        stored = repo.abstentions(repo.pick(None))
    assert stored[["evaluator", "tender", "criterion", "comment"]].values.tolist() == [
        ["R2", "T-001", "local-assets", "I volunteer with the bidder"]
    ]


def test_an_abstention_can_leave_a_tender_incomplete(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    rows = [("R1", "T-001", c, 4, "") for c in CRITERIA]
    rows += [("R2", "T-001", c, "abstained" if c == "innovation" else 3, "") for c in CRITERIA]
    rows += [("OF1", "T-001", c, 3, "") for c in CRITERIA]
    sheet = long_sheet(tmp_path / "s.csv", rows)
    with open_store(db_url) as store:
        import_scores(store, [sheet])
        t1 = results(store).tender("T-001")
    assert not t1.complete
    assert t1.missing == (
        "innovation: community panel has 1 of 2 scores needed (1 abstained: an abstention is "
        "not a score, so another panel member must score it)",
    )
    table = cli(db_url, "results", "--format", "json")
    (t1_json,) = [t for t in json.loads(table.output)["tenders"] if t["tender"] == "T-001"]
    assert t1_json["status"] == "incomplete" and t1_json["rank"] is None


@pytest.mark.parametrize("word", ["abstain", "Abstained", "ABSTAIN", " abstention "])
def test_every_documented_word_abstains(word: str, tmp_path: Path) -> None:
    from commission.inputs.exercise import load_exercise
    from commission.inputs.tenders import read_tenders

    exercise = load_exercise(EXERCISE)
    tenders = read_tenders(TENDERS, exercise)
    sheet = _t001(tmp_path / "s.csv", r2=word)
    marked = read_marked_scores([sheet], exercise=exercise, tenders=tenders)
    assert int(marked["abstain"].sum()) == 1
    assert len(read_scores([sheet], exercise=exercise, tenders=tenders)) == 19


def test_a_word_that_is_no_abstention_is_still_a_type_error(tmp_path: Path) -> None:
    from commission.inputs.exercise import load_exercise
    from commission.inputs.tenders import read_tenders

    exercise = load_exercise(EXERCISE)
    tenders = read_tenders(TENDERS, exercise)
    sheet = _t001(tmp_path / "s.csv", r2="skip")
    with pytest.raises(InvalidScores) as raised:
        read_scores([sheet], exercise=exercise, tenders=tenders)
    assert raised.value.problems[0].type == "type-error"
    assert raised.value.problems[0].row == 7


def test_wide_sheets_abstain_too(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "evaluator,tender,local-assets,local-assets comment,innovation\n"
        "R4,T-001,abstain,Conflict I only found out about today,3\n",
        encoding="utf-8",
    )
    found = score_files(EXERCISE, TENDERS, [wide]).to_dict()
    (t1,) = [t for t in found["tenders"] if t["tender"] == "T-001"]
    by = {c["criterion"]: c for c in t1["criteria"]}
    assert by["local-assets"]["community_abstained"] == 1
    assert by["local-assets"]["community_n"] == 0
    assert by["innovation"]["community_n"] == 1


def test_turning_an_abstention_into_a_score_is_an_overwrite(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    assert cli(db_url, "scores", "import", _t001(tmp_path / "a.csv")).exit_code == 0
    scored = _t001(tmp_path / "b.csv", r2="5", r2_comment="")
    refused = cli(db_url, "scores", "import", scored)
    assert refused.exit_code == 1
    assert "would replace R2's stored abstention" in refused.output
    replaced = cli(db_url, "scores", "import", "--replace", scored)
    assert replaced.exit_code == 0, replaced.output
    assert "replaced 1" in replaced.output
    with open_store(db_url) as store:
        t1 = results(store).tender("T-001")
        with store.reading() as repo:
            entries = [e for e in repo.audit_entries() if e["action"] == "score-replaced"]
            assert repo.abstentions(repo.pick(None)).empty
    assert t1.criterion("local-assets").community_n == 3
    assert entries[-1]["details"]["old"]["abstained"] is True
    assert entries[-1]["details"]["new"]["score"] == 5
    # and back again: a score replaced by an abstention
    back = cli(db_url, "scores", "import", "--replace", _t001(tmp_path / "c.csv"))
    assert back.exit_code == 0, back.output
    with open_store(db_url) as store:
        assert results(store).tender("T-001").criterion("local-assets").community_n == 2
    assert cli(db_url, "audit", "--verify").exit_code == 0
