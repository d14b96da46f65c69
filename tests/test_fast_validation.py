"""The compiled fast path and the jsonschema reference never disagree on a tender's verdict.

The reference (jsonschema) defines what is valid and writes the report; jsonschema-rs may only
answer "valid" first. The corpus is generated from the tender schema (hypothesis-jsonschema), then
mutated in the ways bidders get tenders wrong, plus hand-picked strings where the two regular
expression engines and the two format checkers could differ.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.inputs import validation
from commission.inputs.tenders import check_tender

hypothesis_jsonschema = pytest.importorskip("hypothesis_jsonschema")


def _old_many_for_hypothesis_jsonschema() -> None:
    """hypothesis-jsonschema 0.23 draws objects with ``cu.many(...).more()``, which newer
    Hypothesis releases replaced by an iterator; give it the old interface back."""
    from types import SimpleNamespace

    from hypothesis.internal.conjecture import utils as cu
    from hypothesis_jsonschema import _from_schema

    if hasattr(cu.many, "more"):
        return

    class Many:
        def __init__(self, data: Any, min_size: int, max_size: float, average_size: float) -> None:
            self.data, self.min_size, self.max_size, self.count = data, min_size, max_size, 0
            self.p_continue = cu._calc_p_continue(average_size - min_size, max_size - min_size)

        def more(self) -> bool:
            if self.count < self.min_size:
                more = True
            elif self.count >= self.max_size:
                more = False
            else:
                more = bool(self.data.draw_boolean(self.p_continue))
            self.count += more
            return more

        def reject(self) -> None:
            self.count -= 1

    _from_schema.cu = SimpleNamespace(many=Many)


_old_many_for_hypothesis_jsonschema()


def reference(doc: Any) -> list[Any]:
    """The reference report: a validator object is never sent down the fast path."""
    return validation.problems(doc, validation.validator("tender"))


def fast(doc: Any) -> list[Any]:
    return validation.problems(doc, "tender")


def agree(doc: Any, *, raw: bool = True) -> None:
    expected = reference(doc)
    assert fast(doc) == expected
    fast_says_valid = validation.fast_valid(doc, "tender")
    # Soundness: the fast path never accepts what the reference refuses.
    if fast_says_valid:
        assert expected == []
    if raw:
        # And on JSON documents the two verdicts are the same both ways.
        assert fast_says_valid == (expected == [])


def _generation_schema() -> dict[str, Any]:
    """The tender schema with answers kept short, so generation stays quick."""
    schema = validation.load_schema("tender")
    answer = schema["$defs"]["response"]["properties"]["answer"]
    answer["maxLength"] = 200
    schema["$defs"]["response"]["properties"]["evidence"]["maxItems"] = 3
    schema["properties"]["responses"]["maxProperties"] = 6
    return schema


TENDERS = hypothesis_jsonschema.from_schema(_generation_schema())


def test_the_tender_schema_has_a_fast_path() -> None:
    assert validation.fast_validator("tender") is not None


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(TENDERS)
def test_generated_tenders_agree(doc: dict[str, Any]) -> None:
    agree(doc)


def _drop_required(doc: dict[str, Any], pick: int) -> None:
    targets = [(doc, k) for k in ("id", "bidder", "responses")]
    bidder = doc.get("bidder")
    if isinstance(bidder, dict):
        targets += [(bidder, k) for k in ("name", "organisation_type", "contact_email")]
    for response in (doc.get("responses") or {}).values():
        targets.append((response, "answer"))
    owner, key = targets[pick % len(targets)]
    owner.pop(key, None)


def _set_path(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            return
    node[path[-1]] = value


def _first_response(doc: dict[str, Any]) -> dict[str, Any] | None:
    responses = doc.get("responses") or {}
    return next(iter(responses.values()), None)


BAD_EMAILS = [
    "bids",
    "bids@",
    "@example.org",
    "bids@example",
    "a b@example.org",
    "bids@@x.org",
    "bids@example.org.",
    "<bids@example.org>",
    "bids@exa mple.org",
    "bids@ex\u00e9.org",
]
BAD_DATES = [
    "2027-03-01",
    "2027-03-01 12:00:00Z",
    "2027-03-01T12:00:00",
    "2027-13-01T12:00:00Z",
    "2027-02-30T12:00:00Z",
    "yesterday",
    "2027-03-01T25:00:00+00:00",
    "",
]
GOOD_DATES = ["2027-03-01T12:00:00Z", "2027-03-01T12:00:00.5+01:00", "2027-03-01t12:00:00z"]
ODD_TEXT = [
    "\x1c",
    "\x1f",
    "\ufeff",
    " \u3000",
    "\u200b",
    "\x85",
    "a",
    "\t\n",
    "GBP\n",
    "T-1\n",
    "T-1\n\n",
    "gbp",
    "GB",
    "GBPX",
    "\u00c5BC",
    "-T",
    "T" * 64,
    "T" * 65,
    "\u0661\u0662",
]
ORG_TYPES = ["charity", "Charity", "company ", "plc", "", "cooperative", 3, None]


MUTATIONS = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 20)),
    st.tuples(
        st.just("type"),
        st.sampled_from(
            [
                ("id",),
                ("bidder",),
                ("bidder", "name"),
                ("bidder", "sme"),
                ("price",),
                ("price", "amount"),
                ("responses",),
                ("submitted_at",),
                ("bidder", "contact_email"),
            ]
        ),
        st.sampled_from([1, 1.5, "x", True, None, [], {}]),
    ),
    st.tuples(st.just("email"), st.sampled_from(BAD_EMAILS)),
    st.tuples(st.just("date"), st.sampled_from(BAD_DATES + GOOD_DATES)),
    st.tuples(
        st.just("price"),
        st.sampled_from(
            [-1, 0, -0.0, 0.0, 1e-9, 1, 10**12, 10**12 + 1, 1e12, 1.0000001e12, 10**30, True]
        ),
    ),
    st.tuples(st.just("org"), st.sampled_from(ORG_TYPES)),
    st.tuples(st.just("extra"), st.sampled_from([(), ("bidder",), ("price",), ("response",)])),
    st.tuples(
        st.just("text"),
        st.sampled_from(
            [
                ("id",),
                ("lot",),
                ("bidder", "name"),
                ("price", "currency"),
                ("answer",),
                ("key",),
                ("url",),
            ]
        ),
        st.sampled_from(
            ODD_TEXT + ["not a uri", "https://example.org/a b", "https://example.org/x"]
        ),
    ),
)


def mutate(doc: dict[str, Any], mutation: tuple[Any, ...]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    kind = mutation[0]
    if kind == "drop":
        _drop_required(doc, mutation[1])
    elif kind == "type":
        _set_path(doc, mutation[1], mutation[2])
    elif kind == "email":
        _set_path(doc, ("bidder", "contact_email"), mutation[1])
    elif kind == "date":
        doc["submitted_at"] = mutation[1]
    elif kind == "price":
        doc["price"] = {"amount": mutation[1], "currency": "GBP"}
    elif kind == "org":
        _set_path(doc, ("bidder", "organisation_type"), mutation[1])
    elif kind == "extra":
        where = mutation[1]
        if where == ("response",):
            target = _first_response(doc)
            if target is not None:
                target["score"] = 5
        elif where:
            _set_path(doc, (*where, "extra"), 1)
        else:
            doc["extra_key"] = "x"
    elif kind == "text":
        where, text = mutation[1], mutation[2]
        if where == ("answer",):
            target = _first_response(doc)
            if target is not None:
                target["answer"] = text
        elif where == ("key",):
            responses = doc.get("responses")
            if isinstance(responses, dict):
                responses[text] = {"answer": "a"}
        elif where == ("url",):
            target = _first_response(doc)
            if target is not None:
                target["evidence"] = [{"title": "report", "url": text}]
        else:
            _set_path(doc, where, text)
    return doc


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(TENDERS, MUTATIONS)
def test_mutated_tenders_agree(doc: dict[str, Any], mutation: tuple[Any, ...]) -> None:
    agree(mutate(doc, mutation))


def example_tender() -> dict[str, Any]:
    from commission.resources import examples_dir

    path = sorted((examples_dir() / "tenders").glob("*.json"))[0]
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("email", BAD_EMAILS + ["bids@example.org", "a.b+c@sub.example.co.uk"])
def test_the_stricter_email_rule_is_mirrored(email: str) -> None:
    doc = example_tender()
    doc["bidder"]["contact_email"] = email
    agree(doc)


@pytest.mark.parametrize("text", ODD_TEXT)
@pytest.mark.parametrize("field", ["id", "currency", "name", "answer", "key"])
def test_odd_text_agrees(field: str, text: str) -> None:
    doc = mutate(
        example_tender(),
        (
            "text",
            {
                "id": ("id",),
                "currency": ("price", "currency"),
                "name": ("bidder", "name"),
                "answer": ("answer",),
                "key": ("key",),
            }[field],
            text,
        ),
    )
    agree(doc)


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), Decimal("5"), (1, 2), "\ud800", {1: "x"}],
    ids=["nan", "inf", "decimal", "tuple", "surrogate", "int-key"],
)
def test_documents_json_cannot_hold_go_to_the_reference(value: Any) -> None:
    doc = example_tender()
    doc["price"]["amount"] = value
    agree(doc, raw=False)
    doc = example_tender()
    doc["responses"]["local-assets"]["evidence"] = value
    agree(doc, raw=False)


def test_a_tuple_is_not_an_array_on_either_path() -> None:
    doc = example_tender()
    doc["responses"]["local-assets"]["evidence"] = ({"title": "report"},)
    assert reference(doc) != []
    assert not validation.fast_valid(doc, "tender")
    agree(doc, raw=False)


def test_python_whitespace_is_what_re_calls_whitespace() -> None:
    assert set(validation.PY_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert all(re.fullmatch(r"\s", c) for c in validation.PY_WHITESPACE)


def test_rewritten_patterns_match_what_python_matches() -> None:
    import jsonschema_rs

    for pattern in (r"\S", r"^[A-Z]{3}$", r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"):
        compiled = jsonschema_rs.Draft202012Validator({"pattern": validation.rust_pattern(pattern)})
        samples = [chr(c) for c in range(0x3100)] + ODD_TEXT
        samples += [s + t for s in ("A", "ABC", "T-1") for t in ("", "\n", "\n\n", "\r", " ")]
        for text in samples:
            if 0xD800 <= ord(text[0]) < 0xE000:
                continue
            assert compiled.is_valid(text) == bool(re.search(pattern, text)), (pattern, text)


@pytest.mark.parametrize("pattern", [r"\d", r"a.b", r"(?i)x", r"\w+", r"a$b", r"[[:alpha:]]"])
def test_unknown_pattern_features_keep_the_reference_alone(pattern: str) -> None:
    with pytest.raises(ValueError):
        validation.rust_pattern(pattern)


def test_check_tender_reports_the_same_problems_either_way() -> None:
    doc = example_tender()
    doc["bidder"]["contact_email"] = "bids@localhost"
    doc["price"]["amount"] = -5
    doc["extra"] = 1
    found = check_tender(doc)
    assert [p.path for p in found] == ["bidder/contact_email", "extra", "price/amount"]
    assert found == reference(doc)
