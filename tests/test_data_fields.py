"""The optional fields for documents and open data: exercise contact, service, term, standstill,
criteria_url and ocid_prefix; bidder identifier and address (SPEC §3, §4)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from commission.errors import InvalidExercise
from commission.inputs.exercise import exercise_from_dict, load_exercise
from commission.inputs.tenders import check_tender, read_tenders, tender_from
from commission.records import Contact, Identifier
from commission.resources import examples_dir

EXAMPLES = examples_dir()


def small_exercise(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "ex-1",
        "title": "Exercise",
        "authority": "Council",
        "criteria": "co-production",
        "evaluators": [
            {"id": "R1", "name": "Resident one", "panel": "community"},
            {"id": "OF1", "name": "Officer one", "panel": "officer"},
        ],
    }
    doc.update(changes)
    return doc


def refused_paths(doc: dict[str, Any]) -> list[str | None]:
    with pytest.raises(InvalidExercise) as caught:
        exercise_from_dict(doc)
    return [p.path for p in caught.value.problems]


def test_optional_fields_default_to_none_and_eight_working_days() -> None:
    exercise = exercise_from_dict(small_exercise())
    assert exercise.standstill_days == 8
    assert (exercise.contact, exercise.service, exercise.term) == (None, None, None)
    assert (exercise.criteria_url, exercise.ocid_prefix) == (None, None)


def test_optional_fields_are_read() -> None:
    exercise = exercise_from_dict(
        small_exercise(
            service="Hubs",
            term="Five years",
            contact={"name": "Team", "email": "team@example.gov.uk"},
            standstill_days=10,
            criteria_url="https://example.gov.uk/method",
            ocid_prefix="ocds-ab12cd",
        )
    )
    assert exercise.contact == Contact(name="Team", email="team@example.gov.uk")
    assert exercise.contact.lines() == ["Team", "team@example.gov.uk"]
    assert (exercise.service, exercise.term, exercise.standstill_days) == ("Hubs", "Five years", 10)
    assert exercise.criteria_url == "https://example.gov.uk/method"
    assert exercise.ocid_prefix == "ocds-ab12cd"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ocid_prefix", "ocds-ABC123"),
        ("ocid_prefix", "ocds-abc12"),
        ("standstill_days", 5),
        ("standstill_days", 8.5),
        ("criteria_url", "not a uri"),
        ("contact", {"email": "team@example.gov.uk"}),
        ("contact", {"name": "Team", "email": "not-an-email"}),
    ],
)
def test_bad_optional_fields_are_refused_at_their_path(key: str, value: Any) -> None:
    paths = refused_paths(small_exercise(**{key: value}))
    assert paths and all(path is not None and path.startswith(key) for path in paths)


def test_the_example_uses_the_new_fields() -> None:
    exercise = load_exercise(EXAMPLES / "exercise.json")
    assert exercise.contact is not None and exercise.contact.email
    assert exercise.service and exercise.term
    again = exercise_from_dict(json.loads(json.dumps(exercise.document)), trusted=True)
    assert again == exercise
    tenders = read_tenders([EXAMPLES / "tenders"], exercise)
    assert sum(t.identifier is not None for t in tenders) >= 10
    assert sum(t.address is not None for t in tenders) >= 10
    assert any(t.identifier is None and t.address is None for t in tenders)


def test_bidder_identifier_and_address() -> None:
    doc = json.loads((EXAMPLES / "tenders" / "T-001.json").read_text(encoding="utf-8"))
    tender = tender_from(doc)
    assert tender.identifier == Identifier("GB-COH", "11873402")
    assert str(tender.identifier) == "GB-COH-11873402"
    assert tender.address and tender.address.endswith("BD3 9AB")

    bad = copy.deepcopy(doc)
    bad["bidder"]["identifier"] = {"scheme": "companies house", "id": "1"}
    bad["bidder"]["address"] = "   "
    paths = {p.path for p in check_tender(bad, None, "T-001.json")}
    assert {"bidder/identifier/scheme", "bidder/address"} <= paths
