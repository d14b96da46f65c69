"""The fast paths give exactly the SPEC §6 numbers of the straightforward path.

The fast paths aggregate (a pandas groupby in ``scoring.tally``, SQL ``SUM``/``COUNT`` in the
store) and import in bulk. Here a few thousand random scores are scored again the plain way: a
Python loop over the rows and :class:`fractions.Fraction` arithmetic written out in this file.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from commission import scoring
from commission.inputs.exercise import exercise_from_dict
from commission.records import Tender

CRITERIA = ("local-assets", "local-insights", "collaboration", "innovation", "long-term")


def make_case(seed: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    community = [f"C{i}" for i in range(1, 31)]
    officers = [f"O{i}" for i in range(1, 13)]
    tenders = [f"T-{i:03d}" for i in range(1, 121)]
    lots = ["east", "west", "north"]
    conflicts = {e: set(rng.sample(tenders, 2)) for e in community + officers}
    exercise = {
        "id": "exactness",
        "title": "Exactness",
        "authority": "Test council",
        "criteria": "co-production",
        "lots": [{"id": lot, "title": lot.title()} for lot in lots],
        "price_weight": 30,
        "quality_threshold": 45,
        "divergence_threshold": 1.5,
        "min_evaluators": {"community": 2, "officer": 1},
        "evaluators": [
            {
                "id": e,
                "name": e,
                "panel": "community" if e.startswith("C") else "officer",
                "conflicts": sorted(conflicts[e]),
            }
            for e in community + officers
        ],
    }
    docs = []
    for i, tender in enumerate(tenders):
        docs.append(
            {
                "id": tender,
                "lot": lots[i % len(lots)],
                "bidder": {
                    "name": f"Bidder {i}",
                    "organisation_type": "charity",
                    "contact_email": f"b{i}@example.org",
                },
                # a few equal prices, so exact ties happen
                "price": {"amount": rng.choice([100000, 120000, 150000, 99999.5])},
                "responses": {c: {"answer": "yes"} for c in CRITERIA},
            }
        )
    rows = []
    for tender in tenders:
        # A handful of tenders get identical score patterns, to make exact ties likely.
        twin = rng.random() < 0.15
        pattern_rng = random.Random(7) if twin else rng
        scorers = [e for e in community + officers if tender not in conflicts[e]]
        chosen = pattern_rng.sample(sorted(scorers), k=min(len(scorers), pattern_rng.randint(2, 9)))
        for evaluator in chosen:
            for criterion in CRITERIA:
                if pattern_rng.random() < 0.08:
                    continue  # not scored: some tenders stay incomplete
                rows.append(
                    {
                        "evaluator": evaluator,
                        "tender": tender,
                        "criterion": criterion,
                        "score": pattern_rng.randint(0, 5),
                        "comment": rng.choice([None, None, None, "ok", " fine "]),
                    }
                )
    return exercise, docs, rows


def straightforward(
    exercise_doc: dict[str, Any], tender_docs: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """SPEC §6 the plain way: a loop over rows and Fractions, nothing aggregated in bulk."""
    exercise = exercise_from_dict(exercise_doc)
    panel = {e["id"]: e["panel"] for e in exercise_doc["evaluators"]}
    scores: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for row in rows:
        scores[(row["tender"], row["criterion"], panel[row["evaluator"]])].append(row["score"])
    out: dict[str, dict[str, Any]] = {}
    for doc in tender_docs:
        tid = doc["id"]
        weighted = Fraction(0)
        total_weight = Fraction(0)
        computable, failed, complete = True, False, True
        criteria = {}
        for c in exercise.criteria.criteria:
            cs, os_ = scores[(tid, c.id, "community")], scores[(tid, c.id, "officer")]
            if (
                len(cs) < exercise.min_evaluators["community"]
                or len(os_) < exercise.min_evaluators["officer"]
            ):
                complete = False
            cm = Fraction(sum(cs), len(cs)) if cs else None
            om = Fraction(sum(os_), len(os_)) if os_ else None
            combined = (cm + om) / 2 if cm is not None and om is not None else None
            if combined is None:
                computable = False
            else:
                weighted += c.weight * combined / c.scale.max
                if c.minimum is not None and combined < c.minimum:
                    failed = True
            total_weight += c.weight
            divergent = (
                abs(cm - om) >= exercise.divergence_threshold
                if cm is not None and om is not None
                else None
            )
            criteria[c.id] = (cm, om, combined, len(cs), len(os_), divergent)
        quality = 100 * weighted / total_weight if computable else None
        if quality is not None and exercise.quality_threshold is not None:
            failed = failed or quality < exercise.quality_threshold
        passed = None if quality is None and not failed else not failed
        out[tid] = {
            "lot": doc["lot"],
            "price": Fraction(str(doc["price"]["amount"])),
            "quality": quality,
            "passed": passed,
            "complete": complete,
            "criteria": criteria,
        }
    p = exercise.price_weight
    for lot in exercise.lot_ids:
        members = [t for t, r in out.items() if r["lot"] == lot]
        passing = [out[t]["price"] for t in members if out[t]["passed"]]
        lowest = min(passing) if passing else None
        for t in members:
            r = out[t]
            r["total"] = None
            if r["passed"] and lowest is not None:
                r["total"] = (100 - p) / 100 * r["quality"] + p * lowest / r["price"]
        eligible = [t for t in members if out[t]["complete"] and out[t]["passed"]]
        for t in members:
            r = out[t]
            if t in eligible:
                better = sum(1 for u in eligible if out[u]["total"] > r["total"])
                same = sum(1 for u in eligible if out[u]["total"] == r["total"])
                r["rank"], r["tie"] = better + 1, same > 1
            else:
                r["rank"], r["tie"] = None, False
    return out


def assert_same(results: scoring.Results, expected: dict[str, dict[str, Any]]) -> None:
    assert {t.tender for t in results.tenders} == set(expected)
    for t in results.tenders:
        e = expected[t.tender]
        assert t.quality_score == e["quality"], t.tender
        assert t.total_score == e["total"], t.tender
        assert t.passed == e["passed"], t.tender
        assert t.complete == e["complete"], t.tender
        assert (t.rank, t.tie) == (e["rank"], e["tie"]), t.tender
        for c in t.criteria:
            cm, om, combined, cn, on, divergent = e["criteria"][c.criterion]
            assert (c.community_mean, c.officer_mean, c.combined) == (cm, om, combined)
            assert (c.community_n, c.officer_n, c.divergent) == (cn, on, divergent)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scoring_a_frame_is_exact(seed: int) -> None:
    exercise_doc, docs, rows = make_case(seed)
    assert len(rows) > 2000
    exercise = exercise_from_dict(exercise_doc)
    tenders = [Tender.from_document(d) for d in docs]
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=seed)  # order must not matter
    results = scoring.score(exercise, tenders, frame)
    expected = straightforward(exercise_doc, docs, rows)
    assert_same(results, expected)
    assert any(t.tie for t in results.tenders), "the case should hold exact ties"


def test_the_store_import_and_results_are_exact(tmp_path: Path) -> None:
    from commission import app as store_mod
    from commission.store import open_store

    exercise_doc, docs, rows = make_case(4)
    (tmp_path / "exercise.json").write_text(json.dumps(exercise_doc), encoding="utf-8")
    folder = tmp_path / "tenders"
    folder.mkdir()
    for doc in docs:
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc), encoding="utf-8")
    sheet = tmp_path / "scores.csv"
    pd.DataFrame(rows).to_csv(sheet, index=False)
    with open_store(f"sqlite:///{tmp_path / 'x.db'}", create=True) as store:
        store_mod.init_exercise(store, tmp_path / "exercise.json")
        store_mod.add_tenders(store, [folder])
        outcome = store_mod.import_scores(store, [sheet])
        assert outcome.added == len(rows)
        results = store_mod.results(store)
    assert_same(results, straightforward(exercise_doc, docs, rows))
