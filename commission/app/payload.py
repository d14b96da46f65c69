"""The score rows an import entry wrote, as the canonical JSON kept in ``audit_payloads``.

Column by column, each distinct id written once: about 23 bytes a row, encoded and decoded in one
``json`` call each. The entry's details hold the SHA-256 of this text (:mod:`.ledger`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text, {"format": FORMAT, "rows": len(rows), "sha256": digest}


def decode_scores(body: str) -> pd.DataFrame:
    """The score rows a payload body holds: evaluator, tender, criterion, score, comment, row,
    column (the inverse of :func:`score_payload`)."""
    import numpy as np
    import pandas as pd

    data = json.loads(body)
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown payload format {data.get('format')!r}")
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
    return pd.DataFrame(as_objects(columns), copy=False)


def as_objects(columns: Mapping[str, Any]) -> dict[str, Any]:
    """Object columns kept as Python objects: pandas would make text columns strings, with NaN
    for None, and None must stay None to compare with what the database holds."""
    import pandas as pd

    return {
        name: pd.Series(values, dtype=object, copy=False) if values.dtype == object else values
        for name, values in columns.items()
    }
