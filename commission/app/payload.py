"""The score rows an import entry wrote, as the canonical JSON kept in ``audit_payloads``
(plain scores: :func:`score_payload`; round rows such as abstentions: :func:`round_payload`).

Column by column, each distinct id written once: about 23 bytes a row, encoded and decoded in one
``json`` call each. The entry's details hold the SHA-256 of this text (:mod:`.ledger`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..exactjson import canonical_bytes
from ..integers import integer_list
from ..records import is_missing

if TYPE_CHECKING:
    import pandas as pd

FORMAT = "commission-scores/1"


def score_payload(rows: pd.DataFrame) -> tuple[str, dict[str, Any]]:
    """The canonical JSON body of score-frame ``rows`` and the summary its entry holds.

    Columns are coded once (``evaluators``, ``tenders``, ``criteria``, ``columns`` list each
    distinct value; ``evaluator`` ... ``column`` are indexes into them, -1 for no column), scores
    and sheet rows are plain integers, and comments are ``[index, text]`` pairs for the rows that
    have one.
    """
    import numpy as np
    import pandas as pd

    body: dict[str, Any] = {"format": FORMAT}
    for name, values in (
        ("evaluator", "evaluators"),
        ("tender", "tenders"),
        ("criterion", "criteria"),
        ("column", "columns"),
    ):
        source = rows[name].astype(object)
        source = source.where(source.notna(), None)
        codes, uniques = pd.factorize(source)
        body[name] = codes.tolist()
        body[values] = [str(u) for u in uniques]
    body["score"] = rows["score"].astype("int64").tolist()
    body["row"] = rows["row"].astype("int64").tolist()
    # a few rows in twenty have a comment: find them in C, not in a loop over every row
    comments = rows["comment"].astype(object).to_numpy()
    having = np.flatnonzero(comments != None)  # noqa: E711 (elementwise: None is no comment)
    body["comments"] = [[i, str(c)] for i, c in zip(having.tolist(), comments[having], strict=True)]
    text, digest = _canonical(body)
    return text, {"format": FORMAT, "rows": len(rows), "sha256": digest}


def _canonical(body: dict[str, Any]) -> tuple[str, str]:
    """A payload body's canonical JSON and its SHA-256. Bodies hold ids, comments and integers
    only, for which orjson writes json's canonical bytes, five times faster."""
    encoded = canonical_bytes(body)
    if encoded is None:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        encoded = text.encode("utf-8")
    return encoded.decode("utf-8"), hashlib.sha256(encoded).hexdigest()


#: The payload's lists of integers: one per row, read by numpy rather than one ``int`` at a time.
_INTEGER_LISTS = frozenset({"column", "criterion", "evaluator", "row", "score", "tender"})


def _load_scores(body: str) -> dict[str, Any]:
    """``json.loads(body)`` for a score payload, its integer lists as int64 arrays.

    The body is canonical JSON (no spaces) that already hashed to its entry's SHA-256: the top
    object is walked key by key, each integer list read by numpy in one call once
    :func:`~commission.integers.integer_list` has proved it holds integers only; every other
    value goes through ``json``. Any text not of that shape is read by ``json.loads`` whole, so
    the result never differs."""
    decoder = json.JSONDecoder()
    data: dict[str, Any] = {}
    try:
        if not body.startswith("{"):
            raise ValueError
        at = 1
        while not body.startswith("}", at):
            key, at = decoder.raw_decode(body, at)
            if not isinstance(key, str) or not body.startswith(":", at):
                raise ValueError
            at += 1
            if key in _INTEGER_LISTS and body.startswith("[", at):
                end = body.index("]", at)
                data[key], at = integer_list(body[at + 1 : end]), end + 1
            else:
                data[key], at = decoder.raw_decode(body, at)
            if body.startswith(",", at):
                at += 1
            elif not body.startswith("}", at):
                raise ValueError
        if at + 1 != len(body):
            raise ValueError
    except ValueError:
        return dict(json.loads(body))
    return data


@dataclass(frozen=True)
class Recorded:
    """The score rows one ``sheet-imported`` entry recorded: its payload's coded columns
    (:func:`~commission.app.payload.load_scores`) and the sheet they came from."""

    seq: int
    exercise: str
    file: str
    sha256: str
    data: Mapping[str, Any]


def load_scores(body: str) -> dict[str, Any]:
    """A score payload body as its coded columns (:func:`score_payload`): the integer lists as
    int64 arrays, the tables and comments as JSON gives them."""
    data = _load_scores(body)
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown payload format {data.get('format')!r}")
    return data


def decode_scores(body: str, constants: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The score rows a payload body holds: evaluator, tender, criterion, score, comment, row,
    column (the inverse of :func:`score_payload`), and a column of each of ``constants``."""
    return scores_frame(load_scores(body), constants)


def scores_frame(
    data: Mapping[str, Any], constants: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The text rows of a payload :func:`load_scores` read, and a column of each of
    ``constants``."""
    import numpy as np
    import pandas as pd

    columns: dict[str, Any] = {}
    for name, values in (
        ("evaluator", "evaluators"),
        ("tender", "tenders"),
        ("criterion", "criteria"),
        ("column", "columns"),
    ):
        table = np.array(list(data[values]) + [None], dtype=object)
        columns[name] = table[np.asarray(data[name], dtype=np.int64)]
    columns["score"] = np.asarray(data["score"], dtype=np.int64)
    columns["row"] = np.asarray(data["row"], dtype=np.int64)
    comment = np.full(len(columns["score"]), None, dtype=object)
    for index, text in data["comments"]:
        comment[index] = text
    columns["comment"] = comment
    for name, value in (constants or {}).items():
        kind = np.int64 if isinstance(value, int) else object
        columns[name] = np.full(len(comment), value, dtype=kind)
    return pd.DataFrame(as_objects(columns), copy=False)


def as_objects(columns: Mapping[str, Any]) -> dict[str, Any]:
    """Object columns kept as Python objects: pandas would make text columns strings, with NaN
    for None, and None must stay None to compare with what the database holds."""
    import pandas as pd

    return {
        name: pd.Series(values, dtype=object, copy=False) if values.dtype == object else values
        for name, values in columns.items()
    }


ROUNDS_FORMAT = "commission-round-rows/1"


def round_payload(rows: pd.DataFrame) -> tuple[str, dict[str, Any]]:
    """The canonical JSON body of round rows (a marked score frame: evaluator, tender,
    criterion, score or None for an abstention, comment, reason, row, column) as the store
    keeps them, and the summary its entry holds. Coded like :func:`score_payload`; ``score``
    is null for an abstention, ``comments`` and ``reasons`` are ``[index, text]`` pairs."""
    body: dict[str, Any] = {"format": ROUNDS_FORMAT}
    records = [dict(zip(rows.columns, v, strict=True)) for v in rows.itertuples(index=False)]
    for name, values in (
        ("evaluator", "evaluators"),
        ("tender", "tenders"),
        ("criterion", "criteria"),
        ("column", "columns"),
    ):
        seen: dict[str, int] = {}
        codes = []
        for record in records:
            value = stored_text(record.get(name))
            codes.append(-1 if value is None else seen.setdefault(value, len(seen)))
        body[name] = codes
        body[values] = list(seen)
    body["score"] = [_score(r) for r in records]
    body["row"] = [int(r["row"]) for r in records]
    for name, key in (("comment", "comments"), ("reason", "reasons")):
        texts = [stored_text(r.get(name)) for r in records]
        body[key] = [[i, t] for i, t in enumerate(texts) if t is not None]
    text, digest = _canonical(body)
    return text, {"format": ROUNDS_FORMAT, "rows": len(records), "sha256": digest}


def decode_rounds(body: str) -> list[dict[str, Any]]:
    """The round rows a payload body holds, as mappings with evaluator, tender, criterion,
    score (None: abstained), comment, reason, row, column (the inverse of
    :func:`round_payload`)."""
    data = json.loads(body)
    if data.get("format") != ROUNDS_FORMAT:
        raise ValueError(f"unknown payload format {data.get('format')!r}")
    comments, reasons = dict(map(tuple, data["comments"])), dict(map(tuple, data["reasons"]))

    def look(name: str, values: str, i: int) -> str | None:
        code = data[name][i]
        return None if code < 0 else data[values][code]

    return [
        {
            "evaluator": look("evaluator", "evaluators", i),
            "tender": look("tender", "tenders", i),
            "criterion": look("criterion", "criteria", i),
            "score": score,
            "comment": comments.get(i),
            "reason": reasons.get(i),
            "row": data["row"][i],
            "column": look("column", "columns", i),
        }
        for i, score in enumerate(data["score"])
    ]


def stored_text(value: Any) -> str | None:
    """Text as the store keeps it (:mod:`commission.store.rounds`): None for a missing value."""
    return None if is_missing(value) else str(value)


def _score(record: Mapping[str, Any]) -> int | None:
    score = record.get("score")
    if bool(record.get("abstain", False)) or is_missing(score):
        return None
    return int(score)
