"""Open data (issue 12): the demo's OCDS release package, its validation, and its agreement with
``results --format json``."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from commission.app.publish import publish_ocds
from commission.errors import InvalidOcds, PublishRefused
from commission.publish import (
    IssuedDecision,
    IssuedFile,
    OcdsOptions,
    from_audit,
    ocds_package,
    problems,
    release_schema,
)
from commission.publish.schema import merge_patch
from commission.scoring import score

from .scoring_helpers import criteria_set, every_criterion, exercise, frame, tender
from .store_helpers import EXERCISE, cli, loaded


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled example flow (init, tenders add, scores import, final decide) and its package."""
    from commission.app.demo import run_demo
    from commission.store import open_store

    out = tmp_path_factory.mktemp("demo")
    outcome = run_demo(out)
    url = f"sqlite:///{outcome.database}"
    with open_store(url) as store:
        package = publish_ocds(store).package
    return {"url": url, "package": package, "out": out}


def release(package: dict[str, Any]) -> dict[str, Any]:
    releases: list[dict[str, Any]] = package["releases"]
    return releases[0]


def kinds(package: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p.type, p.path or "") for p in problems(package)}


# -- validation ------------------------------------------------------------------------------


def test_demo_package_validates_with_zero_errors(demo: dict[str, Any]) -> None:
    package = demo["package"]
    assert problems(package) == []
    r = release(package)
    assert r["ocid"] == "ocds-exmdc1-wellbeing-hubs-2027"
    assert r["tag"] == ["award"]
    assert package["version"] == "1.1"
    assert r["tender"]["awardCriteria"] == "ratedCriteria"
    assert "50% each" in r["tender"]["awardCriteriaDetails"]
    assert [lot["id"] for lot in r["tender"]["lots"]] == ["east", "west"]


def test_dates_are_the_decision_issue_time(demo: dict[str, Any]) -> None:
    from commission.app import audit_entries
    from commission.store import open_store

    with open_store(demo["url"]) as store:
        decisions = from_audit(audit_entries(store))
    issued = max(d.issued_at for d in decisions if not d.provisional)
    stamp = issued.astimezone(UTC).isoformat().replace("+00:00", "Z")
    package = demo["package"]
    assert package["publishedDate"] == stamp
    assert release(package)["date"] == stamp
    for award in release(package)["awards"]:
        assert award["assessmentSummariesDateSent"] == award["date"]


def test_missing_bid_id_is_caught(demo: dict[str, Any]) -> None:
    package = copy.deepcopy(demo["package"])
    del release(package)["bids"]["details"][0]["id"]
    assert ("missing-field", "releases/0/bids/details/0") in kinds(package)


def test_bad_threshold_code_is_caught(demo: dict[str, Any]) -> None:
    package = copy.deepcopy(demo["package"])
    numbers = release(package)["tender"]["lots"][0]["awardCriteria"]["criteria"][0]["numbers"]
    numbers.append({"number": 2, "threshold": "minimumMark"})
    path = "releases/0/tender/lots/0/awardCriteria/criteria/0/numbers/1/threshold"
    assert ("codelist-error", path) in kinds(package)


def test_wrong_rank_type_is_caught(demo: dict[str, Any]) -> None:
    package = copy.deepcopy(demo["package"])
    release(package)["bids"]["details"][0]["rank"] = "1"
    assert ("type-error", "releases/0/bids/details/0/rank") in kinds(package)


def test_open_codelists_are_closed_to_the_codes_we_publish(demo: dict[str, Any]) -> None:
    package = copy.deepcopy(demo["package"])
    release(package)["parties"][0]["roles"] = ["buyr"]
    release(package)["bids"]["statistics"][0]["measure"] = "bidz"
    found = kinds(package)
    assert ("codelist-error", "releases/0/parties/0/roles/0") in found
    assert ("codelist-error", "releases/0/bids/statistics/0/measure") in found


def test_every_mutation_is_reported_at_once(demo: dict[str, Any]) -> None:
    package = copy.deepcopy(demo["package"])
    r = release(package)
    del r["bids"]["details"][0]["id"]
    r["bids"]["details"][1]["rank"] = 1.5
    r["awards"][0]["relatedBids"] = ["T-999"]
    with pytest.raises(InvalidOcds) as caught:
        from commission.publish import validate

        validate(package)
    assert len(caught.value.problems) == 3
    assert {p.type for p in caught.value.problems} == {
        "missing-field",
        "type-error",
        "reference-error",
    }


def test_extensions_are_merged_with_json_merge_patch() -> None:
    schema = release_schema()
    bid = schema["definitions"]["Bid"]["properties"]
    assert bid["rank"]["type"] == ["integer", "null"]
    assert "commissionScores" in bid
    details = schema["definitions"]["Organization"]["properties"]["details"]
    assert set(details["properties"]) >= {"scale", "vcse"}
    assert details["type"] == ["object", "null"]  # the core's, kept by the patch
    assert merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": 3}}) == {
        "a": {"c": 2, "d": 3}
    }


# -- agreement with results --format json ----------------------------------------------------


@pytest.fixture(scope="module")
def results_json(demo: dict[str, Any]) -> dict[str, Any]:
    run = cli(demo["url"], "results", "--format", "json")
    assert run.exit_code == 0, run.output
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def test_bids_ranks_statuses_and_scores_equal_results_json(
    demo: dict[str, Any], results_json: dict[str, Any]
) -> None:
    bids = {b["id"]: b for b in release(demo["package"])["bids"]["details"]}
    assert set(bids) == {t["tender"] for t in results_json["tenders"]}
    for t in results_json["tenders"]:
        bid = bids[t["tender"]]
        assert bid["status"] == ("valid" if t["passed"] else "disqualified")
        assert bid["hasRank"] is (t["rank"] is not None)
        assert bid.get("rank") == t["rank"]
        assert bid["relatedLots"] == [t["lot"]]
        assert bid["tenderers"][0]["name"] == t["bidder"]
        scores = bid["commissionScores"]
        assert scores["panelWeighting"]["community"] == results_json["weighting"]["community"]
        assert scores["panelWeighting"]["officer"] == results_json["weighting"]["officer"]
        assert scores["status"] == t["status"]
        assert scores["passed"] == t["passed"]
        assert scores["tie"] == t["tie"]
        for field, name in (
            ("quality_score", "qualityScore"),
            ("price_score", "priceScore"),
            ("total_score", "totalScore"),
        ):
            assert scores[name] == t[field]
            assert scores[name + "Exact"] == t["exact"][field]
        assert [c["criterion"] for c in scores["criteria"]] == [
            c["criterion"] for c in t["criteria"]
        ]
        for mine, theirs in zip(scores["criteria"], t["criteria"], strict=True):
            assert mine["communityMean"] == theirs["community_mean"]
            assert mine["officerMean"] == theirs["officer_mean"]
            assert mine["combined"] == theirs["combined"]
            assert mine["communityCount"] == theirs["community_n"]
            assert mine["officerCount"] == theirs["officer_n"]
            assert mine["divergent"] == theirs["divergent"]
            assert mine["belowMinimum"] == theirs["below_minimum"]


def test_winners_equal_results_json(demo: dict[str, Any], results_json: dict[str, Any]) -> None:
    awards = {a["relatedLots"][0]: a for a in release(demo["package"])["awards"]}
    winners = {
        lot["lot"]: lot["recommended"] for lot in results_json["lots"] if lot["outcome"] == "winner"
    }
    assert winners and set(awards) == set(winners)
    for lot, recommended in winners.items():
        award = awards[lot]
        assert award["status"] == "pending"
        assert award["relatedBids"] == recommended
        assert award["relatedBid"] == recommended[0]
        winner = next(t for t in results_json["tenders"] if t["tender"] == recommended[0])
        assert award["suppliers"][0]["name"] == winner["bidder"]
        # the decision's PDF and its HTML edition
        assert {d["documentType"] for d in award["documents"]} == {"evaluationReports"}
        assert len(award["documents"]) == 2
        assert award["documents"][0]["format"] == "application/pdf"


def test_weights_equal_the_exercise(demo: dict[str, Any]) -> None:
    from commission.inputs.exercise import load_exercise

    ex = load_exercise(EXERCISE)
    p = ex.price_weight
    total = sum(c.weight for c in ex.criteria.criteria)
    for lot in release(demo["package"])["tender"]["lots"]:
        criteria = lot["awardCriteria"]["criteria"]
        weights = {
            c["id"]: Fraction(n["numberExact"])
            for c in criteria
            for n in c["numbers"]
            if n.get("weight") == "percentageExact"
        }
        assert sum(weights.values()) == 100
        assert weights.pop("price") == p
        assert weights == {c.id: (100 - p) * c.weight / total for c in ex.criteria.criteria}
        assert [c["type"] for c in criteria] == ["quality"] * len(ex.criteria.criteria) + ["price"]


def test_extension_exact_values_equal_the_exact_scores(demo: dict[str, Any]) -> None:
    from commission.app import results
    from commission.store import open_store

    with open_store(demo["url"]) as store:
        computed = results(store)
    for bid in release(demo["package"])["bids"]["details"]:
        t = computed.tender(bid["id"])
        exact = t.to_dict()["exact"]
        scores = bid["commissionScores"]
        assert scores["qualityScoreExact"] == exact["quality_score"]
        assert scores["priceScoreExact"] == exact["price_score"]
        assert scores["totalScoreExact"] == exact["total_score"]
        if t.total_score is not None:
            assert Fraction(scores["totalScoreExact"]) == t.total_score
        else:
            assert scores["totalScoreExact"] is None and scores["totalScore"] is None
        for mine, c in zip(scores["criteria"], t.criteria, strict=True):
            assert Fraction(mine["communityMeanExact"]) == c.community_mean
            assert Fraction(mine["officerMeanExact"]) == c.officer_mean
            assert Fraction(mine["combinedExact"]) == c.combined
            assert c.community_mean is not None and c.officer_mean is not None
            assert Fraction(mine["divergenceExact"]) == abs(c.community_mean - c.officer_mean)
            assert mine["divergence"] == float(Fraction(mine["divergenceExact"]))


# -- what is never published -----------------------------------------------------------------


def test_evaluator_names_never_and_comments_only_when_asked(demo: dict[str, Any]) -> None:
    from commission.inputs.exercise import load_exercise
    from commission.store import open_store

    names = [e.name for e in load_exercise(EXERCISE).evaluators]
    text = json.dumps(demo["package"], ensure_ascii=False)
    assert not [n for n in names if n in text]
    assert "comments" not in text
    assert "contact_email" not in text and "bids@" not in text
    with open_store(demo["url"]) as store:
        with_comments = publish_ocds(store, options=OcdsOptions(include_comments=True)).package
    text = json.dumps(with_comments, ensure_ascii=False)
    assert not [n for n in names if n in text]
    comments = [
        c
        for b in release(with_comments)["bids"]["details"]
        for c in b["commissionScores"].get("comments", [])
    ]
    assert comments, "the sample sheets carry comments"
    assert all(set(c) == {"criterion", "panel", "score", "comment"} for c in comments)


# -- refusals --------------------------------------------------------------------------------


def test_publish_before_a_final_decision_exits_1_with_the_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    loaded(url, scores=True)
    run = cli(url, "publish", "--ocds", "-o", tmp_path / "p.json")
    assert run.exit_code == 1
    assert "no final decision has been issued for wellbeing-hubs-2027" in run.stderr
    assert not (tmp_path / "p.json").exists()


def test_a_provisional_decision_is_never_published(tmp_path: Path) -> None:
    from commission.app.decisions import record_decision
    from commission.store import open_store

    url = f"sqlite:///{tmp_path / 'c.db'}"
    loaded(url, scores=True)
    with open_store(url) as store:
        record_decision(store, None, "east", "0" * 64, True, ["provisional-decision-x.pdf"])
    run = cli(url, "publish", "--ocds")
    assert run.exit_code == 1
    assert "only provisional ones, which are never published" in run.stderr
    run = cli(url, "publish", "--ocds", "--lot", "east")
    assert run.exit_code == 1
    assert "no final decision has been issued for lot east" in run.stderr


def test_scores_changed_after_the_decision_refuse(tmp_path: Path) -> None:
    from commission.app import results
    from commission.app.decisions import record_decision
    from commission.documents import digest as digests
    from commission.store import open_store

    url = f"sqlite:///{tmp_path / 'c.db'}"
    loaded(url, scores=True)
    with open_store(url) as store:
        now = digests.digest(digests.decision_data(results(store), "west"))
        record_decision(store, None, "west", now, False, ["decision-x-west.pdf"])
        record_decision(store, None, "east", "f" * 64, False, ["decision-x-east.pdf"])
    run = cli(url, "publish", "--ocds", "--lot", "west")
    assert run.exit_code == 0, run.stderr
    assert [a["relatedLots"] for a in release(json.loads(run.stdout))["awards"]] == [["west"]]
    run = cli(url, "publish", "--ocds")
    assert run.exit_code == 1
    assert "lot east: the stored scores no longer give the final decision" in run.stderr


def test_cli_writes_the_library_package(demo: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "package.json"
    run = cli(demo["url"], "publish", "--ocds", "-o", target)
    assert run.exit_code == 0, run.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == demo["package"]
    assert "valid against OCDS 1.1.5" in run.stderr
    run = cli(demo["url"], "publish", "--ocds", "--lot", "west")
    assert [lot["id"] for lot in release(json.loads(run.stdout))["tender"]["lots"]] == ["west"]
    assert cli(demo["url"], "publish").exit_code == 2


# -- a tie, thresholds, and both shapes of the audit entry -----------------------------------

ISSUED = datetime(2027, 2, 1, 10, 30, tzinfo=UTC)


def tie_exercise() -> Any:
    ex = exercise(("C1", "C2"), ("O1",), criteria=criteria_set(minimums={"a": 2}))
    return replace(ex, ocid_prefix="ocds-test01")


def tie_results() -> Any:
    ex = tie_exercise()
    tenders = [tender("T1"), tender("T2"), tender("T3")]
    rows = []
    for who in ("C1", "C2", "O1"):
        rows += every_criterion(who, "T1", [4, 3])
        rows += every_criterion(who, "T2", [3, 4])
        rows += every_criterion(who, "T3", [1, 5])
    return ex, tenders, score(ex, tenders, frame(rows))


def test_a_tie_lot_has_no_award_and_says_why() -> None:
    ex, tenders, results = tie_results()
    assert results.lot("main").outcome == "tie"
    decision = IssuedDecision("main", ISSUED, False, (IssuedFile("decision-ex-main.pdf"),))
    package = ocds_package(ex, tenders, results, [decision])
    r = release(package)
    assert "awards" not in r
    assert r["tag"] == ["tenderUpdate"]
    assert "T1, T2 tied for first place" in r["tender"]["awardCriteriaDetails"]
    assert "no award is published for this lot" in r["tender"]["awardCriteriaDetails"]
    bids = {b["id"]: b for b in r["bids"]["details"]}
    assert [bids[t].get("rank") for t in ("T1", "T2", "T3")] == [1, 1, None]
    assert [bids[t]["status"] for t in ("T1", "T2", "T3")] == ["valid", "valid", "disqualified"]
    assert bids["T3"]["hasRank"] is False
    assert bids["T1"]["commissionScores"]["tie"] is True
    assert bids["T3"]["commissionScores"]["failures"]
    numbers = r["tender"]["lots"][0]["awardCriteria"]["criteria"][0]["numbers"]
    assert {"number": 2, "numberExact": "2", "threshold": "minimumScore"} in numbers
    assert package["publishedDate"] == r["date"] == "2027-02-01T10:30:00Z"
    measures = [m["measure"] for m in r["bids"]["statistics"]]
    # The tenders do not say whether they are SMEs or VCSEs, so no such count is published.
    assert measures == ["bids", "validBids", "disqualifiedBids", "finalStageBids"]
    assert problems(package) == []


def test_statistics_count_the_bids_of_each_lot(demo: dict[str, Any]) -> None:
    from commission.inputs.exercise import load_exercise
    from commission.inputs.tenders import read_tenders

    ex = load_exercise(EXERCISE)
    docs = {t.id: t.document["bidder"] for t in read_tenders([EXERCISE.parent / "tenders"], ex)}
    stats = {
        (s["relatedLot"], s["measure"]): s["value"]
        for s in release(demo["package"])["bids"]["statistics"]
    }
    bids = release(demo["package"])["bids"]["details"]
    for lot in ex.lot_ids:
        in_lot = [b for b in bids if b["relatedLots"] == [lot]]
        assert stats[(lot, "bids")] == stats[(lot, "finalStageBids")] == len(in_lot)
        assert stats[(lot, "validBids")] == sum(b["status"] == "valid" for b in in_lot)
        failed = sum(b["status"] == "disqualified" for b in in_lot)
        assert stats[(lot, "disqualifiedBids")] == failed
        # Every sample tender states both flags, so both counts are published.
        assert all("sme" in docs[b["id"]] and "vcse" in docs[b["id"]] for b in in_lot)
        assert stats[(lot, "smeBids")] == sum(docs[b["id"]]["sme"] for b in in_lot)
        assert stats[(lot, "vcseFinalStageBids")] == sum(docs[b["id"]]["vcse"] for b in in_lot)


def test_no_ocid_prefix_is_refused() -> None:
    ex, tenders, results = tie_results()
    decision = IssuedDecision("main", ISSUED, False)
    with pytest.raises(PublishRefused, match="has no ocid_prefix: give .* for this publication"):
        ocds_package(replace(ex, ocid_prefix=None), tenders, results, [decision])
    given = ocds_package(
        replace(ex, ocid_prefix=None),
        tenders,
        results,
        [decision],
        OcdsOptions(ocid_prefix="ocds-zz9xx1"),
    )
    assert release(given)["ocid"] == "ocds-zz9xx1-ex"
    with pytest.raises(PublishRefused, match="not of the form ocds-xxxxxx"):
        ocds_package(ex, tenders, results, [decision], OcdsOptions(ocid_prefix="OCDS-1"))


def test_decisions_read_from_both_shapes_of_audit_entry() -> None:
    today = {
        "action": "decision-issued",
        "at": "2027-02-01T10:30:00.000001+00:00",
        "details": {
            "lot": "main",
            "digest": "a" * 64,
            "provisional": False,
            "files": ["/srv/out/decision-ex-main.pdf", "/srv/out/summaries/s.pdf"],
        },
    }
    # Issue 10's entry: file names as issued, a name -> SHA-256 mapping, and the issue time.
    richer = {
        "action": "decision-issued",
        "at": "2027-02-02T09:00:00+00:00",
        "details": {
            "lot": "main",
            "digest": "b" * 64,
            "provisional": False,
            "issued_at": "2027-02-02T08:59:59+00:00",
            "files": [
                "/srv/out/decision-ex-main.pdf",
                "/srv/out/decision-ex-main.html",
                "/srv/out/summaries/summary-T1.pdf",
            ],
            "sha256": {
                "/srv/out/decision-ex-main.pdf": "c" * 64,
                "/srv/out/decision-ex-main.html": "d" * 64,
                "/srv/out/summaries/summary-T1.pdf": "e" * 64,
            },
        },
    }
    pairs = {
        "action": "decision-issued",
        "at": "2027-02-03T09:00:00+00:00",
        "details": {
            "lot": "main",
            "provisional": True,
            "files": [
                {"name": "provisional-decision-ex-main.pdf", "sha256": "f" * 64},
                ["provisional-summary-T1.pdf", "0" * 64],
            ],
        },
    }
    other = {"action": "scores-imported", "at": "2027-01-01T00:00:00+00:00", "details": {}}
    first, second, third = from_audit([today, other, richer, pairs])
    assert first.files == (IssuedFile("decision-ex-main.pdf"), IssuedFile("s.pdf"))
    assert first.decision_files == (IssuedFile("decision-ex-main.pdf"),)
    assert first.issued_at == datetime(2027, 2, 1, 10, 30, 0, 1, tzinfo=UTC)
    assert second.issued_at == datetime(2027, 2, 2, 8, 59, 59, tzinfo=UTC)
    assert second.files[2] == IssuedFile("summary-T1.pdf", "e" * 64)
    assert [f.media_type for f in second.decision_files] == ["application/pdf", "text/html"]
    assert third.provisional and third.files == (
        IssuedFile("provisional-decision-ex-main.pdf", "f" * 64),
        IssuedFile("provisional-summary-T1.pdf", "0" * 64),
    )

    ex, tenders, results = exercise_with_winner()
    package = ocds_package(
        ex,
        tenders,
        results,
        [first, second, third],
        OcdsOptions(documents_url="https://council.example/ocds/"),
    )
    award = release(package)["awards"][0]
    assert award["date"] == "2027-02-02T08:59:59Z"  # the newest final decision, not the draft
    documents = award["documents"]
    assert [d["url"] for d in documents] == [
        "https://council.example/ocds/decision-ex-main.pdf",
        "https://council.example/ocds/decision-ex-main.html",
    ]
    assert "SHA-256 " + "c" * 64 in documents[0]["description"]
    text = json.dumps(package)
    assert "/srv/out" not in text
    assert "summary-T1" not in text  # a bidder's assessment summary is theirs, not open data


def exercise_with_winner() -> Any:
    ex = replace(exercise(), ocid_prefix="ocds-test01")
    tenders = [tender("T1", price=1000), tender("T2", price=900)]
    rows = every_criterion("C1", "T1", [5, 5]) + every_criterion("O1", "T1", [4, 4])
    rows += every_criterion("C1", "T2", [2, 3]) + every_criterion("O1", "T2", [3, 3])
    return ex, tenders, score(ex, tenders, frame(rows))


def test_the_compiled_and_the_reference_validator_agree(demo: dict[str, Any]) -> None:
    from commission.publish import schema

    fast, reference = schema._fast_validator(), schema._validator()
    package = demo["package"]
    assert fast is not None and fast.is_valid(package)
    assert list(reference.iter_errors(package)) == []

    def mutated(change: Any) -> dict[str, Any]:
        copied = copy.deepcopy(package)
        change(release(copied))
        return copied

    for change in (
        lambda r: r["bids"]["details"][0].pop("id"),
        lambda r: r["bids"]["details"][0].update(rank="1"),
        lambda r: r["bids"]["details"][0].update(rank=1.0),
        lambda r: r.update(date="yesterday"),
        lambda r: r["awards"][0].update(status="won"),
        lambda r: r["parties"][1]["details"].update(scale="medium-ish"),
        lambda r: r["parties"][1]["details"].update(vcse="yes"),
        lambda r: r["bids"]["details"][0]["commissionScores"].update(totalScoreExact="81.27"),
        lambda r: r["tender"]["lots"][0]["awardCriteria"]["criteria"][0]["numbers"][0].update(
            weight="percent"
        ),
    ):
        wrong = mutated(change)
        assert not fast.is_valid(wrong)
        assert list(reference.iter_errors(wrong))


def test_a_tie_lot_has_no_award_through_the_command(tmp_path: Path) -> None:
    """The whole flow, with two tenders scored alike: the decision issues, publish says why."""
    from .store_helpers import TENDERS, long_sheet

    doc = json.loads(EXERCISE.read_text(encoding="utf-8"))
    doc.pop("$schema", None)
    doc.update(
        lots=[{"id": "east", "title": "East"}],
        price_weight=0,
        min_evaluators={"community": 1, "officer": 1},
        evaluators=[
            {"id": "R1", "name": "Resident one", "panel": "community", "conflicts": []},
            {"id": "OF1", "name": "Officer one", "panel": "officer", "conflicts": []},
        ],
    )
    exercise_file = tmp_path / "exercise.json"
    exercise_file.write_text(json.dumps(doc), encoding="utf-8")
    pair = [p for p in TENDERS if p.stem in ("T-001", "T-002")]
    criteria = ["local-assets", "local-insights", "collaboration", "innovation", "long-term"]
    rows = [
        (who, t, c, 4, "") for who in ("R1", "OF1") for t in ("T-001", "T-002") for c in criteria
    ]
    sheet = long_sheet(tmp_path / "scores.csv", rows)
    url = f"sqlite:///{tmp_path / 'tie.db'}"
    for args in (
        ("init", exercise_file),
        ("tenders", "add", *pair),
        ("scores", "import", sheet),
        ("decide", "--out", tmp_path / "out"),
    ):
        run = cli(url, *args)
        assert run.exit_code == 0, (args, run.output)
    run = cli(url, "publish", "--ocds")
    assert run.exit_code == 0, run.stderr
    r = release(json.loads(run.stdout))
    assert "awards" not in r
    assert "tied for first place" in r["tender"]["awardCriteriaDetails"]
    assert [b.get("rank") for b in r["bids"]["details"]] == [1, 1]
    assert "awards for none" in run.stderr
