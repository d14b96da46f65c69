"""The JSON contracts: schemas, the bundled criteria set, criteria rules and exercise loading."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from commission.errors import InvalidCriteria, InvalidExercise
from commission.inputs.criteria import bundled_sets, criteria_from_dict, load_criteria
from commission.inputs.exercise import exercise_from_dict, load_exercise
from commission.inputs.validation import best_match, problems, validator
from commission.records import DEFAULT_LOT
from commission.resources import criteria_dir, examples_dir, schemas_dir

SCHEMAS = sorted(p.name.removesuffix(".schema.json") for p in schemas_dir().glob("*.schema.json"))

SPEC_CRITERIA = [
    ("local-assets", "Recognising local assets"),
    ("local-insights", "Applying local insights"),
    ("collaboration", "Working collaboratively"),
    ("innovation", "Innovating"),
    ("long-term", "Taking a long-term view"),
]


def small_set(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "small",
        "title": "Small set",
        "scale": {"min": 0, "max": 5, "descriptors": {str(i): f"point {i}" for i in range(6)}},
        "criteria": [
            {"id": "a", "name": "A", "question": "Q a?", "guidance": "G a"},
            {"id": "b", "name": "B", "question": "Q b?", "guidance": "G b", "weight": 2},
            {"id": "c", "name": "C", "question": "Q c?", "guidance": "G c", "minimum": 2},
        ],
    }
    doc.update(changes)
    return doc


def small_exercise(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "ex-1",
        "title": "Exercise",
        "authority": "Council",
        "criteria": "co-production",
        "evaluators": [
            {"id": "R1", "name": "Resident one", "panel": "community"},
            {"id": "OF1", "name": "Officer one", "panel": "officer", "conflicts": ["T-1"]},
        ],
    }
    doc.update(changes)
    return doc


# --- schemas ---------------------------------------------------------------------------------


def test_all_four_schemas_are_bundled() -> None:
    assert SCHEMAS == ["criteria", "exercise", "results", "tender"]


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_is_valid_draft_2020_12_with_local_id(name: str) -> None:
    schema = json.loads((schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://schemas.commission.example/{name}.schema.json"
    assert schema["additionalProperties"] is False


def test_bad_email_and_bad_date_time_fail_format(examples: Path) -> None:
    doc = json.loads((examples / "tenders" / "T-001.json").read_text(encoding="utf-8"))
    assert problems(doc, "tender") == []
    for email in ["not-an-email", "bids@", "a b@example.org", "bids@localhost"]:
        bad = copy.deepcopy(doc)
        bad["bidder"]["contact_email"] = email
        assert [(p.type, p.path) for p in problems(bad, "tender")] == [
            ("format-error", "bidder/contact_email")
        ], email
    for when in ["2027-13-01T10:00:00Z", "2027-01-10", "yesterday", "2027-01-10T10:00:00"]:
        bad = copy.deepcopy(doc)
        bad["submitted_at"] = when
        assert [(p.type, p.path) for p in problems(bad, "tender")] == [
            ("format-error", "submitted_at")
        ], when


def test_problems_are_sorted_by_path_with_human_fixes(examples: Path) -> None:
    doc = json.loads((examples / "tenders" / "T-001.json").read_text(encoding="utf-8"))
    doc["bidder"]["organisation_type"] = "ngo"
    del doc["bidder"]["name"]
    doc["responses"]["long-term"]["answer"] = ""
    doc["responses"]["long-term"]["colour"] = "red"
    doc["price"]["currency"] = "pounds"
    found = problems(doc, "tender", "t.json")
    assert [(p.path, p.type) for p in found] == [
        ("bidder/name", "required-error"),
        ("bidder/organisation_type", "enum-error"),
        ("price/currency", "schema-error"),
        ("responses/long-term/answer", "schema-error"),
        ("responses/long-term/answer", "schema-error"),
        ("responses/long-term/colour", "unknown-property"),
    ]
    assert {p.file for p in found} == {"t.json"}
    assert found[0].fix == "add 'name'"
    assert found[1].fix.startswith("use one of charity, community-interest-company, cooperative")
    assert found[1].value == "ngo"
    assert "GBP" in found[2].fix
    summary = best_match(doc, "tender", "t.json")
    assert summary is not None and summary.file == "t.json"
    assert (
        best_match(json.loads((examples / "tenders" / "T-002.json").read_bytes()), "tender") is None
    )


def test_long_values_are_truncated_in_problems() -> None:
    found = problems({"id": "x" * 500, "bidder": {}, "responses": {}}, "tender")
    (too_long,) = [p for p in found if p.path == "id"]
    assert len(too_long.value) == 80 and too_long.value.endswith("...")


def test_validators_are_cached() -> None:
    assert validator("tender") is validator("tender")


def test_results_schema_accepts_the_spec_shape() -> None:
    doc = {
        "exercise": "wellbeing-hubs-2027",
        "weighting": {"community": 0.5, "officer": 0.5},
        "tenders": [
            {
                "tender": "T-001",
                "lot": "east",
                "bidder": "Eastside Neighbours CIC",
                "status": "complete",
                "passed": True,
                "rank": 1,
                "tie": False,
                "quality_score": 70.5,
                "price_score": 14.3,
                "total_score": 70.7,
                "exact": {"quality_score": "141/2", "price_score": None, "total_score": "1234/27"},
                "criteria": [
                    {
                        "criterion": "local-assets",
                        "community_mean": 3.5,
                        "officer_mean": 4,
                        "combined": 3.75,
                        "community_n": 2,
                        "officer_n": 1,
                        "below_minimum": False,
                        "divergent": False,
                    }
                ],
            }
        ],
        "lots": [
            {
                "lot": "east",
                "title": "East",
                "complete": True,
                "outcome": "winner",
                "recommended": ["T-001"],
            }
        ],
    }
    assert problems(doc, "results") == []
    doc["weighting"]["community"] = 0.6
    doc["tenders"][0]["status"] = "done"
    doc["tenders"][0]["rank"] = 0
    assert [p.path for p in problems(doc, "results")] == [
        "tenders/0/rank",
        "tenders/0/status",
        "weighting/community",
    ]


# --- the bundled criteria set -----------------------------------------------------------------


def test_bundled_co_production_set_matches_spec() -> None:
    assert "co-production" in bundled_sets()
    criteria = load_criteria("co-production")
    assert criteria.id == "co-production"
    assert [(c.id, c.name) for c in criteria.criteria] == SPEC_CRITERIA
    for criterion in criteria.criteria:
        assert criterion.weight == 1
        assert criterion.question.endswith("?")
        assert len(criterion.guidance) > 100
        assert (criterion.scale.min, criterion.scale.max) == (0, 5)
        assert sorted(criterion.scale.descriptors) == [0, 1, 2, 3, 4, 5]
    assert criteria.scale.descriptors[0].startswith("No response")
    assert criteria.scale.descriptors[5].startswith("Excellent")


def test_bundled_file_passes_schema_and_has_no_extra_keys() -> None:
    doc = json.loads((criteria_dir() / "co-production.json").read_text(encoding="utf-8"))
    assert problems(doc, "criteria") == []


# --- criteria rules ---------------------------------------------------------------------------


def test_small_set_loads_with_exact_numbers() -> None:
    criteria = load_criteria(small_set())
    assert criteria["b"].weight == Fraction(2)
    assert criteria["a"].weight == Fraction(1)
    assert criteria["c"].minimum == Fraction(2)
    assert criteria["a"].minimum is None
    doc = small_set()
    doc["criteria"][0]["weight"] = 0.1
    assert load_criteria(doc)["a"].weight == Fraction(1, 10)


def test_scale_defaults_to_0_to_5() -> None:
    doc = small_set()
    del doc["scale"]
    criteria = load_criteria(doc)
    assert (criteria.scale.min, criteria.scale.max) == (0, 5)
    assert len(criteria.scale.descriptors) == 6


def refusal(doc: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidCriteria) as caught:
        load_criteria(doc, file="set.json")
    assert all(p.file == "set.json" for p in caught.value.problems)
    return [(p.path, p.message) for p in caught.value.problems]


def test_unknown_keys_are_refused() -> None:
    doc = small_set(owner="me")
    doc["criteria"][1]["wieght"] = 3
    assert refusal(doc) == [
        ("criteria/1/wieght", "criterion 'b': unknown property 'wieght'"),
        ("owner", "unknown property 'owner'"),
    ]


def test_duplicate_criterion_ids_are_refused() -> None:
    doc = small_set()
    doc["criteria"][2]["id"] = "A"  # sheets match criteria ignoring case
    assert refusal(doc) == [("criteria/2/id", "criterion 'A' repeats the id of criteria/0")]


@pytest.mark.parametrize("weight", [0, -1, -0.5])
def test_non_positive_weight_is_refused_naming_the_criterion(weight: float) -> None:
    doc = small_set()
    doc["criteria"][1]["weight"] = weight
    [(path, message)] = refusal(doc)
    assert path == "criteria/1/weight"
    assert message.startswith("criterion 'b': ")


@pytest.mark.parametrize("minimum", [-1, 5.5, 6])
def test_minimum_outside_scale_is_refused(minimum: float) -> None:
    doc = small_set()
    doc["criteria"][2]["minimum"] = minimum
    assert refusal(doc) == [
        (
            "criteria/2/minimum",
            f"criterion 'c': the minimum {minimum} is outside its scale 0 to 5",
        )
    ]


def test_minimum_is_checked_against_the_criterion_scale_override() -> None:
    doc = small_set()
    doc["criteria"][2]["scale"] = {"min": 1, "max": 10}
    doc["criteria"][2]["minimum"] = 8
    assert load_criteria(doc)["c"].scale.max == 10
    doc["criteria"][2]["minimum"] = 0
    assert [p for p, _ in refusal(doc)] == ["criteria/2/minimum"]


def test_bad_scales_are_refused() -> None:
    doc = small_set(scale={"min": 5, "max": 5})
    assert refusal(doc) == [
        ("scale/min", "the set's scale: the scale's min (5) must be below its max (5)")
    ]
    doc = small_set()
    doc["criteria"][0]["scale"] = {"min": 1, "max": 4, "descriptors": {"0": "zero", "4": "four"}}
    assert refusal(doc) == [
        (
            "criteria/0/scale/descriptors/0",
            "criterion 'a': a descriptor for point 0, outside the scale 1 to 4",
        )
    ]


def test_every_problem_is_collected() -> None:
    doc = small_set()
    doc["criteria"][1]["id"] = "a"
    doc["criteria"][2]["minimum"] = 9
    assert [p for p, _ in refusal(doc)] == ["criteria/1/id", "criteria/2/minimum"]


def test_set_file_relative_to_base_dir(tmp_path: Path) -> None:
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "mine.json").write_text(json.dumps(small_set()), encoding="utf-8")
    assert load_criteria("sets/mine.json", base_dir=tmp_path).ids == ("a", "b", "c")
    with pytest.raises(InvalidCriteria) as caught:
        load_criteria("sets/missing.json", base_dir=tmp_path)
    assert caught.value.problems[0].type == "file-not-found"


def test_unknown_bundled_set() -> None:
    with pytest.raises(InvalidCriteria) as caught:
        load_criteria("co-prod")
    (problem,) = caught.value.problems
    assert problem.type == "unknown-criteria-set"
    assert "co-production" in problem.fix


def test_frozen_set_round_trips() -> None:
    criteria = load_criteria("co-production")
    assert criteria_from_dict(criteria.to_dict()) == criteria


# --- exercises --------------------------------------------------------------------------------


@pytest.fixture
def examples() -> Path:
    return examples_dir()


def test_example_exercise_loads(examples: Path) -> None:
    exercise = load_exercise(examples / "exercise.json")
    assert exercise.id == "wellbeing-hubs-2027"
    assert exercise.lot_ids == ("east", "west")
    assert exercise.has_lots
    assert exercise.price_weight == 20
    assert exercise.quality_threshold == 50
    assert exercise.divergence_threshold == 2
    assert exercise.min_evaluators == {"community": 2, "officer": 1}
    panels = exercise.panel_of()
    assert [e for e, p in panels.items() if p == "community"] == [f"R{i}" for i in range(1, 7)]
    assert [e for e, p in panels.items() if p == "officer"] == ["OF1", "OF2", "OF3"]
    assert exercise.evaluator("OF1").conflicts == frozenset({"T-007"})
    assert exercise.evaluator("R3").conflicts == frozenset({"T-002"})
    assert exercise.criteria.ids == tuple(i for i, _ in SPEC_CRITERIA)


def test_exercise_defaults() -> None:
    exercise = exercise_from_dict(small_exercise())
    assert [(lot.id, lot.title) for lot in exercise.lots] == [(DEFAULT_LOT, "Main lot")]
    assert not exercise.has_lots
    assert exercise.price_weight == 0
    assert exercise.quality_threshold is None
    assert exercise.divergence_threshold == 2
    assert exercise.min_evaluators == {"community": 1, "officer": 1}
    assert exercise.evaluator("R1").conflicts == frozenset()


def test_exercise_document_freezes_the_set_and_round_trips(examples: Path) -> None:
    exercise = load_exercise(examples / "exercise.json")
    assert exercise.document["criteria"] == exercise.criteria.to_dict()
    assert exercise.document["id"] == "wellbeing-hubs-2027"
    again = exercise_from_dict(json.loads(json.dumps(exercise.document)))
    assert again == exercise
    assert again.document == exercise.document


def test_exercise_with_inline_and_relative_criteria(tmp_path: Path) -> None:
    inline = exercise_from_dict(small_exercise(criteria=small_set()))
    assert inline.criteria.ids == ("a", "b", "c")
    (tmp_path / "set.json").write_text(json.dumps(small_set()), encoding="utf-8")
    (tmp_path / "ex.json").write_text(json.dumps(small_exercise(criteria="set.json")))
    assert load_exercise(tmp_path / "ex.json").criteria == inline.criteria


def exercise_refusal(doc: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidExercise) as caught:
        exercise_from_dict(doc, file="ex.json")
    return [(p.path, p.type) for p in caught.value.problems]


def test_exercise_semantic_errors() -> None:
    doc = small_exercise(
        lots=[{"id": "east"}, {"id": "east"}],
        min_evaluators={"community": 2},
    )
    doc["evaluators"].append({"id": "R1", "name": "Again", "panel": "officer"})
    assert exercise_refusal(doc) == [
        ("lots/1/id", "duplicate-lot"),
        ("evaluators/2/id", "duplicate-evaluator"),
        ("min_evaluators/community", "constraint-error"),
    ]


def test_exercise_schema_errors() -> None:
    doc = small_exercise(price_weight=101, quality_threshold=-1, divergence_threshold=0)
    doc["evaluators"][0]["panel"] = "residents"
    doc["min_evaluators"] = {"community": 0, "councillor": 1}
    assert exercise_refusal(doc) == [
        ("divergence_threshold", "schema-error"),
        ("evaluators/0/panel", "enum-error"),
        ("min_evaluators/community", "schema-error"),
        ("min_evaluators/councillor", "unknown-property"),
        ("price_weight", "schema-error"),
        ("quality_threshold", "schema-error"),
    ]


def test_exercise_criteria_forms() -> None:
    assert exercise_refusal(small_exercise(criteria="Co Production!")) == [
        ("criteria", "schema-error")
    ]
    assert exercise_refusal(small_exercise(criteria="nope")) == [
        ("criteria", "unknown-criteria-set")
    ]
    bad_inline = small_set()
    bad_inline["criteria"][0]["weight"] = 0
    # Inline sets are reported inside the exercise file, under its criteria key.
    assert exercise_refusal(small_exercise(criteria=bad_inline)) == [
        ("criteria/criteria/0/weight", "schema-error")
    ]
    dup_inline = small_set()
    dup_inline["criteria"][1]["id"] = "a"
    assert exercise_refusal(small_exercise(criteria=dup_inline)) == [
        ("criteria/criteria/1/id", "duplicate-criterion")
    ]


def test_exercise_file_errors_are_invalid_exercise(tmp_path: Path) -> None:
    path = tmp_path / "ex.json"
    path.write_bytes(b'{"id": "x",')
    with pytest.raises(InvalidExercise) as caught:
        load_exercise(path)
    assert caught.value.problems[0].type == "json-syntax-error"
