"""The quick canonical JSON (orjson) and the digests proved with it.

``exactjson.canonical_bytes`` writes the import payloads, so its bytes must be json's canonical
bytes exactly; ``exactjson.is_canonical_digest`` lets ``audit --verify`` prove a tender document
intact without json's slower writer, so it may answer "intact" only when the document is the one
hashed, never for a document that differs (a float written another way, a NaN, a Decimal)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commission import exactjson
from commission.store.audit import canonical_json, sha256_of

from .store_helpers import cli
from .test_audit_data import _broken, _imported, _sql

pytest.importorskip("orjson")

# every code point a str can carry in UTF-8 (surrogates cannot)
EVERY = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
INT64 = st.integers(min_value=-(2**63), max_value=2**64 - 1)
TEXT = st.text(st.characters(exclude_categories=("Cs",)))
PLAIN = st.recursive(
    st.none() | st.booleans() | INT64 | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=30,
)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
WITH_FLOATS = st.recursive(
    st.none() | st.booleans() | INT64 | TEXT | FLOATS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=30,
)


def _json_bytes(document: Any) -> bytes:
    return canonical_json(document).encode("utf-8")


def test_every_code_point_is_written_as_json_writes_it() -> None:
    document = {"text": EVERY, EVERY[::-1]: [EVERY[:5000]], "\x00": -(2**63), "é": 2**64 - 1}
    document.update({chr(c): c for c in range(0, 0x110000, 997) if not 0xD800 <= c < 0xE000})
    assert exactjson.canonical_bytes(document) == _json_bytes(document)


@settings(max_examples=300, deadline=None)
@given(PLAIN)
def test_documents_without_floats_are_written_as_json_writes_them(document: Any) -> None:
    assert exactjson.canonical_bytes(document) == _json_bytes(document)


@pytest.mark.parametrize(
    "document", [{"amount": Decimal("0.10000000000000000001")}, [2**64], {"n": -(2**63) - 1}]
)
def test_what_orjson_cannot_write_is_left_to_json(document: Any) -> None:
    assert exactjson.canonical_bytes(document) is None
    text = exactjson.dumps(document)
    assert exactjson.is_canonical_digest(document, text, sha256_of(document)) is None


@settings(max_examples=300, deadline=None)
@given(WITH_FLOATS, WITH_FLOATS)
def test_a_quick_proof_is_never_wrong(document: Any, other: Any) -> None:
    """Intact (True) only when the canonical texts are the same; never False (undecided)."""
    text = exactjson.dumps(document)
    read = exactjson.loads(text)
    answer = exactjson.is_canonical_digest(read, text, sha256_of(document))
    assert answer in (True, None)
    if answer is None and exactjson.canonical_bytes(read) is not None:
        assert any(isinstance(x, float) for x in _leaves(read))  # only a float differs
    other_text = exactjson.dumps(other)
    if exactjson.is_canonical_digest(exactjson.loads(other_text), other_text, sha256_of(document)):
        assert canonical_json(other) == canonical_json(document)


def _leaves(document: Any) -> list[Any]:
    if isinstance(document, dict):
        return [leaf for value in document.values() for leaf in _leaves(value)]
    if isinstance(document, list):
        return [leaf for value in document for leaf in _leaves(value)]
    return [document]


def test_a_float_orjson_writes_differently_is_undecided_not_changed() -> None:
    document = {"price": {"amount": 1e-07}}
    assert exactjson.canonical_bytes(document) != _json_bytes(document)  # 1e-7 against 1e-07
    text = exactjson.dumps(document)
    assert exactjson.is_canonical_digest(document, text, sha256_of(document)) is None


def test_nan_written_as_null_is_never_taken_for_null() -> None:
    """orjson writes NaN as null: a document with null hashed, NaN stored, must not pass."""
    recorded = {"price": None}
    stored_text = '{"price": NaN}'
    stored = json.loads(stored_text)
    assert exactjson.canonical_bytes(stored) == _json_bytes(recorded)  # the trap
    assert exactjson.is_canonical_digest(stored, stored_text, sha256_of(recorded)) is None


def test_a_tender_document_given_a_nan_by_hand_is_named_not_a_crash(
    sqlite_url: str, tmp_path: Path
) -> None:
    """SQLite only: PostgreSQL's json type refuses NaN itself."""
    db_url = sqlite_url
    _imported(db_url, tmp_path)
    with (Path(__file__).parent.parent / "examples" / "tenders" / "T-004.json").open() as f:
        document = json.load(f)
    document["price"]["amount"] = float("nan")
    _sql(
        db_url,
        "UPDATE tenders SET document = :d WHERE id = 'T-004'",
        d=json.dumps(document),  # allow_nan: NaN, as a hand edit would write it
    )
    output = _broken(cli(db_url, "audit", "--verify"))
    assert "tender T-004: its document in the database does not match the SHA-256" in output
    assert "Traceback" not in output


def test_a_tender_document_given_a_digit_beyond_a_float_is_named(
    db_url: str, tmp_path: Path
) -> None:
    """611000.0000000000000001 reads as the float 611000.0 to orjson, but not to the store."""
    _imported(db_url, tmp_path)
    path = Path(__file__).parent.parent / "examples" / "tenders" / "T-004.json"
    text = path.read_text(encoding="utf-8")
    amount = json.loads(text)["price"]["amount"]
    edited = json.dumps(json.loads(text)).replace(
        f'"amount": {json.dumps(amount)}', f'"amount": {amount}.0000000000000000001'
    )
    assert edited != json.dumps(json.loads(text))
    _sql(db_url, "UPDATE tenders SET document = :d WHERE id = 'T-004'", d=edited)
    output = _broken(cli(db_url, "audit", "--verify"))
    assert "tender T-004: its document in the database does not match the SHA-256" in output


def test_the_payload_is_the_same_text_with_or_without_orjson(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from commission.app import payload

    rows = pd.DataFrame(
        {
            "evaluator": ["R1", "R2", "R1"],
            "tender": ["T-1", "T-2", "T-2"],
            "criterion": ["local-assets"] * 3,
            "column": [None, "local-assets", None],
            "score": [1, 2, 3],
            "row": [2, 3, 4],
            "comment": [None, 'Dobrze "zrobione" \\ ہم\n=1+1', EVERY[:3000]],
        }
    )
    quick = payload.score_payload(rows)
    monkeypatch.setattr(payload, "canonical_bytes", lambda document: None)
    slow = payload.score_payload(rows)
    assert quick == slow
    assert hashlib.sha256(quick[0].encode("utf-8")).hexdigest() == quick[1]["sha256"]
