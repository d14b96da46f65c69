"""Tender submissions: the generic schema, an exercise's own rules, and reading tender files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from commission.errors import InvalidTender
from commission.inputs.exercise import exercise_from_dict, load_exercise
from commission.inputs.tenders import check_tender, load_tenders, read_tenders, tender_schema
from commission.inputs.validation import problems, validator_for
from commission.records import Exercise
from commission.resources import examples_dir

EXAMPLES = examples_dir()


@pytest.fixture(scope="module")
def exercise() -> Exercise:
    return load_exercise(EXAMPLES / "exercise.json")


@pytest.fixture
def tender() -> dict[str, Any]:
    return json.loads((EXAMPLES / "tenders" / "T-001.json").read_text(encoding="utf-8"))


def found(doc: Any, exercise: Exercise | None) -> list[tuple[str | None, str]]:
    return [(p.path, p.type) for p in check_tender(doc, exercise, "T-001.json")]


def test_all_twelve_examples_are_valid(exercise: Exercise) -> None:
    tenders = read_tenders([EXAMPLES / "tenders"], exercise)
    assert [t.id for t in tenders] == [f"T-{i:03d}" for i in range(1, 13)]
    assert [t.lot for t in tenders] == ["east"] * 6 + ["west"] * 6
    assert all(300_000 <= t.price <= 600_000 and t.currency == "GBP" for t in tenders)
    types = {t.document["bidder"]["organisation_type"] for t in tenders}
    assert {
        "charity",
        "community-interest-company",
        "cooperative",
        "company",
        "consortium",
    } <= types
    names = {t.bidder for t in tenders}
    assert "Stowarzyszenie Łączy Nas – Żółć" in names
    assert "Cymdeithas Gymunedol Llanfair ŵ ŷ" in names
    assert "بزم خواتین ویلفیئر ٹرسٹ" in names
    assert "বাংলা কমিউনিটি সেবা সংঘ" in names


def test_examples_are_valid_against_the_published_schema(exercise: Exercise) -> None:
    schema = tender_schema(exercise)
    Draft202012Validator.check_schema(schema)
    checker = validator_for(schema)
    for path in sorted((EXAMPLES / "tenders").glob("*.json")):
        assert problems(json.loads(path.read_bytes()), checker) == [], path


def test_missing_criterion_response_names_its_path(
    exercise: Exercise, tender: dict[str, Any]
) -> None:
    del tender["responses"]["long-term"]
    assert problems(tender, "tender") == []  # the generic schema does not know the criteria
    (problem,) = check_tender(tender, exercise, "T-001.json")
    assert problem.type == "missing-response"
    assert problem.path == "responses/long-term"
    assert problem.file == "T-001.json"
    assert "Taking a long-term view" in problem.message
    assert str(problem).startswith("T-001.json, at responses/long-term: no answer to criterion")
    # The published schema says the same to bidders' own tools.
    published = problems(tender, validator_for(tender_schema(exercise)))
    assert [(p.path, p.type) for p in published] == [("responses/long-term", "required-error")]


@pytest.mark.parametrize("amount", [-1, -0.01, 0])
def test_negative_or_zero_price_is_refused(
    exercise: Exercise, tender: dict[str, Any], amount: float
) -> None:
    tender["price"]["amount"] = amount
    assert found(tender, exercise) == [("price/amount", "schema-error")]


def test_price_must_be_a_number(tender: dict[str, Any]) -> None:
    tender["price"]["amount"] = "£420,000"
    assert found(tender, None) == [("price/amount", "type-error")]


def test_bad_email_is_refused(exercise: Exercise, tender: dict[str, Any]) -> None:
    tender["bidder"]["contact_email"] = "bids at example.org"
    (problem,) = check_tender(tender, exercise, "T-001.json")
    assert (problem.path, problem.type) == ("bidder/contact_email", "format-error")
    assert problem.value == "bids at example.org"


def test_unknown_organisation_type_is_refused(exercise: Exercise, tender: dict[str, Any]) -> None:
    tender["bidder"]["organisation_type"] = "social-enterprise"
    (problem,) = check_tender(tender, exercise, "T-001.json")
    assert (problem.path, problem.type) == ("bidder/organisation_type", "enum-error")
    assert problem.fix == (
        "use one of charity, community-interest-company, cooperative, company, public-body, "
        "consortium, other"
    )


def test_wrong_lot_is_refused(exercise: Exercise, tender: dict[str, Any]) -> None:
    tender["lot"] = "north"
    (problem,) = check_tender(tender, exercise, "T-001.json")
    assert (problem.path, problem.type, problem.value) == ("lot", "unknown-lot", "north")
    assert problem.fix == "use one of east, west"
    del tender["lot"]
    assert found(tender, exercise) == [("lot", "missing-lot")]


def test_single_lot_exercise_needs_no_lot(tender: dict[str, Any]) -> None:
    doc = json.loads((EXAMPLES / "exercise.json").read_text(encoding="utf-8"))
    del doc["lots"]
    single = exercise_from_dict(doc)
    del tender["lot"]
    assert found(tender, single) == []
    tender["lot"] = "east"
    assert found(tender, single) == [("lot", "unknown-lot")]


def test_price_required_only_when_weighted(exercise: Exercise, tender: dict[str, Any]) -> None:
    del tender["price"]
    assert found(tender, exercise) == [("price", "missing-price")]
    doc = dict(exercise.document, price_weight=0)
    assert found(tender, exercise_from_dict(doc)) == []
    assert "price" not in tender_schema(exercise_from_dict(doc))["required"]
    assert "price" in tender_schema(exercise)["required"]


def test_unknown_criterion_is_refused_with_a_suggestion(
    exercise: Exercise, tender: dict[str, Any]
) -> None:
    tender["responses"]["innovaton"] = tender["responses"].pop("innovation")
    problems_ = check_tender(tender, exercise, "T-001.json")
    assert [(p.path, p.type) for p in problems_] == [
        ("responses/innovation", "missing-response"),
        ("responses/innovaton", "unknown-criterion"),
    ]
    assert problems_[1].fix.startswith("did you mean 'innovation'?")


def test_every_problem_is_collected(exercise: Exercise, tender: dict[str, Any]) -> None:
    tender["id"] = "T 001"
    tender["bidder"]["contact_email"] = "x"
    tender["responses"]["collaboration"]["answer"] = "   "
    tender["responses"]["innovation"]["evidence"] = [{"title": "Report", "url": "not a url"}]
    tender["submitted_at"] = "2027-02-30T10:00:00Z"
    tender["notes"] = "extra"
    del tender["responses"]["long-term"]
    assert found(tender, exercise) == [
        ("bidder/contact_email", "format-error"),
        ("id", "schema-error"),
        ("notes", "unknown-property"),
        ("responses/collaboration/answer", "schema-error"),
        ("responses/innovation/evidence/0/url", "format-error"),
        ("responses/long-term", "missing-response"),
        ("submitted_at", "format-error"),
    ]


def test_answer_length_cap(exercise: Exercise, tender: dict[str, Any]) -> None:
    tender["responses"]["innovation"]["answer"] = "x" * 20_001
    (problem,) = check_tender(tender, exercise, "T-001.json")
    assert problem.path == "responses/innovation/answer"
    assert "20,001 characters" in problem.message
    assert len(problem.value) == 80


def test_published_schema_is_specialised(exercise: Exercise) -> None:
    schema = tender_schema(exercise)
    assert schema["$id"].endswith("/exercises/wellbeing-hubs-2027/tender.schema.json")
    assert schema["properties"]["lot"]["enum"] == ["east", "west"]
    assert set(schema["required"]) == {"id", "bidder", "responses", "lot", "price"}
    responses = schema["properties"]["responses"]
    assert responses["required"] == [
        "local-assets",
        "local-insights",
        "collaboration",
        "innovation",
        "long-term",
    ]
    assert responses["additionalProperties"] is False
    assert responses["properties"]["long-term"]["title"] == "Taking a long-term view"
    # Self-contained: every $ref points inside the document.
    text = json.dumps(schema)
    assert '"$ref": "#/' in text and '"$ref": "http' not in text


def write(folder: Path, name: str, doc: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_tenders_collects_every_problem_of_every_file(
    tmp_path: Path, exercise: Exercise, tender: dict[str, Any]
) -> None:
    good = write(tmp_path, "a-good.json", tender)
    dup = write(tmp_path, "b-dup.json", tender)
    bad = copy.deepcopy(tender)
    bad["id"] = "T-099"
    bad["price"]["amount"] = -3
    del bad["responses"]["long-term"]
    write(tmp_path, "c-bad.json", bad)
    (tmp_path / "d-broken.json").write_bytes(b'{"id": "T-100", "bidder": ')
    write(tmp_path, "e-array.json", [tender])
    (tmp_path / "notes.txt").write_text("not a tender")

    tenders, report = load_tenders(tmp_path, exercise)
    assert [t.id for t in tenders] == ["T-001"]
    assert report.checked == 5
    assert not report.valid
    assert [(Path(p.file).name, p.path, p.type) for p in report.problems] == [
        ("b-dup.json", "id", "duplicate-tender"),
        ("c-bad.json", "price/amount", "schema-error"),
        ("c-bad.json", "responses/long-term", "missing-response"),
        ("d-broken.json", None, "json-syntax-error"),
        ("e-array.json", "", "type-error"),
    ]
    assert str(good) in report.problems[0].message
    assert report.to_dict()["error_count"] == 5

    with pytest.raises(InvalidTender) as caught:
        read_tenders([good, dup], exercise)
    assert [p.type for p in caught.value.problems] == ["duplicate-tender"]
    assert str(caught.value).startswith("1 problem in 1 tender file")


def test_load_tenders_without_exercise_checks_generic_schema_only(
    tmp_path: Path, tender: dict[str, Any]
) -> None:
    del tender["responses"]["long-term"]
    tender["lot"] = "anywhere"
    path = write(tmp_path, "t.json", tender)
    tenders, report = load_tenders([path])
    assert report.valid and report.checked == 1
    assert tenders[0].lot == "anywhere"


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    tenders, report = load_tenders(tmp_path)
    assert tenders == []
    assert [p.type for p in report.problems] == ["no-tenders"]


def test_tender_default_lot_for_single_lot_exercise(tmp_path: Path, tender: dict[str, Any]) -> None:
    doc = json.loads((EXAMPLES / "exercise.json").read_text(encoding="utf-8"))
    doc["lots"] = [{"id": "only", "title": "The only lot"}]
    single = exercise_from_dict(doc)
    del tender["lot"]
    (record,) = read_tenders([write(tmp_path, "t.json", tender)], single)
    assert record.lot == "only"
