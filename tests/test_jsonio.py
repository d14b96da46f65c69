"""Reading untrusted JSON: each bad file is refused with one problem saying where and how to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commission.errors import InvalidDocument
from commission.inputs.jsonio import load_json


def refused(source: Path | bytes, **kwargs: object) -> tuple[str, object]:
    with pytest.raises(InvalidDocument) as caught:
        load_json(source, **kwargs)  # type: ignore[arg-type]
    (problem,) = caught.value.problems
    return problem.type, problem


def write(tmp_path: Path, data: bytes, name: str = "t.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_reads_a_file_and_names_it_in_problems(tmp_path: Path) -> None:
    path = write(tmp_path, b'{"id": "T-1", "n": [1, 2.5]}')
    assert load_json(path) == {"id": "T-1", "n": [1, 2.5]}
    kind, problem = refused(write(tmp_path, b"{", "cut.json"))
    assert problem.file == str(tmp_path / "cut.json")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + '{"name": "Łączy Nas"}'.encode())
    assert load_json(path) == {"name": "Łączy Nas"}


def test_truncated_file_says_it_ends_too_early(tmp_path: Path) -> None:
    text = b'{\n  "id": "T-1",\n  "responses": {"a": {"answer": "We build'
    kind, problem = refused(write(tmp_path, text))
    assert kind == "json-syntax-error"
    assert problem.line == 3
    assert problem.column is not None
    assert "ends too early" in problem.message
    assert "cut off" in problem.fix


def test_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    kind, problem = refused(write(tmp_path, b'{\n  "id": "T-1",\n  "lot": "east",\n}'))
    assert kind == "json-syntax-error"
    assert (problem.line, problem.column) == (4, "1")
    assert "no comma after the last item" in problem.fix
    assert str(problem).startswith(f"{tmp_path / 't.json'}:4:1: JSON syntax error")


def test_binary_junk_is_refused_clearly(tmp_path: Path) -> None:
    kind, problem = refused(write(tmp_path, bytes(range(256)) * 4))
    assert kind == "encoding-error"
    assert "binary file" in problem.message
    kind, problem = refused(write(tmp_path, b"PK\x03\x04\x14\x00junk", "t.xlsx"))
    assert kind == "encoding-error"
    assert "ZIP" in problem.message and "Excel" in problem.message


def test_empty_file(tmp_path: Path) -> None:
    assert refused(write(tmp_path, b""))[0] == "empty-file"
    assert refused(write(tmp_path, b" \r\n\t "))[0] == "empty-file"
    assert refused(write(tmp_path, b"\xef\xbb\xbf"))[0] == "empty-file"


def test_invalid_utf8_gives_byte_offset_and_suggests_utf8(tmp_path: Path) -> None:
    data = b'{"name": "Caf' + b"\xe9" + b'"}'  # é as Windows-1252
    kind, problem = refused(write(tmp_path, data))
    assert kind == "encoding-error"
    assert "byte offset 13" in problem.message
    assert (problem.line, problem.column) == (1, "14")
    assert "UTF-8" in problem.fix and "Windows-1252" in problem.fix


def test_utf16_is_named(tmp_path: Path) -> None:
    kind, problem = refused(write(tmp_path, '{"a": 1}'.encode("utf-16")))
    assert kind == "encoding-error"
    assert "UTF-16" in problem.message


def test_duplicate_keys_are_refused_naming_key_and_place(tmp_path: Path) -> None:
    data = b'{\n  "id": "T-1",\n  "bidder": {"name": "A", "name": "B"}\n}'
    kind, problem = refused(write(tmp_path, data))
    assert kind == "duplicate-key"
    assert "'name'" in problem.message
    assert problem.value == "name"
    assert (problem.line, problem.column) == (3, "27")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(tmp_path: Path, token: str) -> None:
    data = f'{{"note": "NaN in text is fine",\n "price": {{"amount": {token}}}}}'.encode()
    kind, problem = refused(write(tmp_path, data))
    assert kind == "json-constant"
    assert problem.value == token
    assert (problem.line, problem.column) == (2, "22")


def test_number_overflowing_to_infinity_is_refused() -> None:
    kind, problem = refused(b'{"amount": 1e400}')
    assert kind == "json-constant"
    assert "too large" in problem.message


def test_number_with_too_many_digits_is_refused_cleanly() -> None:
    kind, _ = refused(b'{"amount": ' + b"9" * 5000 + b"}")
    assert kind == "json-syntax-error"


def test_deep_nesting_is_refused_without_recursion_error(tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    kind, problem = refused(write(tmp_path, deep))
    assert kind == "too-deep"
    assert (problem.line, problem.column) == (1, "65")
    objects = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    assert refused(objects)[0] == "too-deep"
    # Brackets inside strings are text, not nesting.
    assert load_json(json.dumps({"answer": "[" * 1000}).encode()) == {"answer": "[" * 1000}


def test_nesting_limit_is_configurable() -> None:
    assert load_json(b"[[[1]]]", max_depth=3) == [[[1]]]
    assert refused(b"[[[1]]]", max_depth=2)[0] == "too-deep"


def test_size_cap(tmp_path: Path) -> None:
    path = write(tmp_path, b'{"a": "' + b"x" * 2000 + b'"}')
    kind, problem = refused(path, max_bytes=1000)
    assert kind == "too-large"
    assert "2,009 bytes" in problem.message
    assert refused(b"[" + b"1," * 600 + b"1]", max_bytes=1000)[0] == "too-large"


def test_missing_file(tmp_path: Path) -> None:
    assert refused(tmp_path / "nope.json")[0] == "file-not-found"


def test_extra_data_after_document() -> None:
    kind, problem = refused(b'{"a": 1}\n{"b": 2}', file="two.json")
    assert kind == "json-syntax-error"
    assert problem.file == "two.json"
    assert problem.line == 2
    assert "one JSON document" in problem.fix


def test_an_array_at_top_level_is_refused_as_a_tender(tmp_path: Path) -> None:
    from commission.inputs.tenders import load_tenders

    path = write(tmp_path, b'[{"id": "T-1"}]', "T-1.json")
    assert load_json(path) == [{"id": "T-1"}]  # valid JSON: the tender check refuses it
    tenders, report = load_tenders([path])
    assert tenders == []
    (problem,) = report.problems
    assert problem.message == "a tender is one JSON object, not an array"
    assert problem.file == str(path)
