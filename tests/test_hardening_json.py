"""Issue 16, item 2: untrusted JSON is read in linear time, and every hostile document is answered.

Timings are not asserted here (they are in ``benchmarks/hostile.py``); each test asserts the
answer a bidder gets.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commission.errors import InvalidDocument
from commission.inputs.json_depth import first_too_deep
from commission.inputs.jsonio import MAX_BYTES, load_json
from tests import hostile_inputs
from tests.store_helpers import cli


def _refusal(data: bytes) -> tuple[str, int | None, str | None]:
    with pytest.raises(InvalidDocument) as caught:
        load_json(data, file="hostile.json")
    (problem,) = caught.value.problems
    return problem.type, problem.line, problem.column


def test_the_documents_are_as_large_as_the_cap_allows() -> None:
    for make in hostile_inputs.JSON_CASES.values():
        assert MAX_BYTES - 2_000 < len(make()) <= MAX_BYTES


def test_an_unterminated_string_of_escaped_quotes_is_a_syntax_error() -> None:
    kind, line, column = _refusal(hostile_inputs.escaped_quotes())
    assert (kind, line, column) == ("json-syntax-error", 1, "7")


def test_five_megabytes_of_brackets_is_too_deep_at_level_65() -> None:
    assert _refusal(hostile_inputs.deep_nesting()) == ("too-deep", 1, "65")


def test_a_nest_at_the_very_end_of_a_wide_document_is_found() -> None:
    data = hostile_inputs.wide_then_deep()
    # the outer array is level 1, so the 64th bracket of the final nest is level 65
    offset = data.rindex(b"[" * 65) + 63
    assert _refusal(data) == ("too-deep", 1, str(offset + 1))


def test_a_long_string_parses() -> None:
    document = load_json(hostile_inputs.long_string())
    assert len(document["bidder"]["name"]) > 4_900_000


def test_many_keys_with_one_duplicate_at_the_end_is_refused_naming_it() -> None:
    with pytest.raises(InvalidDocument) as caught:
        load_json(hostile_inputs.many_keys(), file="hostile.json")
    (problem,) = caught.value.problems
    assert (problem.type, problem.value) == ("duplicate-key", "k0")


def test_escaped_backslashes_and_quotes_with_brackets_inside_strings_parse() -> None:
    document = load_json(hostile_inputs.quotes_and_backslashes())
    assert document["id"][0] == '\\"[{\\'
    assert document["id"][-1] == "end"


@pytest.mark.parametrize("name", ["escaped-quotes", "deep-nesting"])
def test_validate_answers_the_hostile_tender_with_exit_1(tmp_path, name) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(hostile_inputs.JSON_CASES[name]())
    result = cli(f"sqlite:///{tmp_path / 'none.db'}", "validate", path)
    assert result.exit_code == 1
    assert "json-syntax-error" in result.output or "too-deep" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------------------------
# the scan agrees with a plain character-by-character reading


def _reference(text: str, max_depth: int) -> tuple[int | None, bool]:
    """(offset of the first too-deep bracket, whether a backslash stood outside a string)."""
    depth, inside, escaped, stray = 0, False, False, False
    for i, ch in enumerate(text):
        if inside:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                inside = False
            continue
        if ch == '"':
            inside = True
        elif ch == "\\":
            stray = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                return i, stray
        elif ch in "]}":
            depth -= 1
    return None, stray


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='[]{}"\\a,', max_size=60), st.integers(min_value=0, max_value=4))
def test_the_scan_agrees_with_a_reference_reader(text: str, max_depth: int) -> None:
    expected, stray = _reference(text, max_depth)
    # a backslash outside a string is a syntax error the parser reports before nesting deeper
    assume(not stray)
    assert first_too_deep(text.encode(), max_depth) == expected


def test_the_scan_accepts_deep_but_allowed_documents() -> None:
    data = json.dumps({"a": [[[[{"b": '"[[[[[[[[\\"'}]]]]}).encode()
    assert first_too_deep(data, 6) is None
    assert first_too_deep(data, 5) == data.index(b"{", 5)
