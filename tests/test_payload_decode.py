"""The audit payload's fast reader (issue 13): the score rows an import recorded, read with their
integer lists parsed by numpy, must be exactly what ``json.loads`` reads, whatever the text."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commission.app.payload import _load_scores, decode_scores, score_payload
from commission.integers import integer_list as _integers


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in data.items()}


@pytest.mark.parametrize(
    "text",
    [
        "1,-",  # numpy reads a lone sign as 0
        "01",  # and a leading zero
        "-01",
        "1,01",
        "-0,5",
        "99999999999999999999",  # and saturates beyond int64
        "-99999999999999999999",
        "9223372036854775808",
        "9223372036854775807",  # int64's bound: where numpy saturates, so json reads it
        "1,,2",
        ",1",
        "1,2,",
        "-",
        "1-2",
        "1 ,2",
        "1.5",
        "1e3",
        "é",
        "1,]",
    ],
)
def test_text_numpy_would_misread_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        _integers(text)


@given(st.lists(st.integers(min_value=-(2**63) + 1, max_value=2**63 - 2), max_size=50))
def test_integer_lists_read_as_json_reads_them(values: list[int]) -> None:
    text = json.dumps(values, separators=(",", ":"))[1:-1]
    assert _integers(text).tolist() == values


_ids = st.text(min_size=1, max_size=12)
_comment = st.one_of(st.none(), st.text(max_size=30))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_ids, _ids, _ids, st.integers(0, 5), _comment, st.integers(1, 10**6)),
        min_size=1,
        max_size=30,
    )
)
def test_a_payload_reads_back_exactly(rows: list[tuple[Any, ...]]) -> None:
    """Hostile ids and comments (brackets, quotes, digits, any script) change nothing."""
    columns = ["evaluator", "tender", "criterion", "score", "comment", "row"]
    frame = pd.DataFrame(rows, columns=columns, dtype=object).assign(column="score")
    text, _ = score_payload(frame)
    assert _plain(_load_scores(text)) == json.loads(text)
    back = decode_scores(text, {"exercise": "EX-1", "seq": 7})
    for name in ("evaluator", "tender", "criterion", "comment"):
        assert back[name].tolist() == frame[name].tolist()
    assert back["score"].tolist() == frame["score"].tolist()
    assert back["row"].tolist() == frame["row"].tolist()
    assert set(back["exercise"]) == {"EX-1"} and set(back["seq"]) == {7}


@pytest.mark.parametrize(
    "text",
    [
        '{"row":[1,-],"score":[1]}',  # not JSON: json's own error, not numpy's guess
        '{"row":[01],"score":[1]}',
        '{"row": [1, 2],"score":[1]}',  # spaces: not canonical, read by json whole
        '{"row":[1,2],"score":[1]} ',
        '{"row":[1,2],"score":[[1]]}',
        '{"row":"[1,2]","score":[1]}',
        '{"row":[1,2],"row":[3],"score":[1]}',  # json keeps the last of a repeated key
        "{}",
    ],
)
def test_any_other_text_is_read_by_json_itself(text: str) -> None:
    try:
        want: Any = json.loads(text)
    except ValueError as error:
        with pytest.raises(type(error)):
            _load_scores(text)
        return
    assert _plain(_load_scores(text)) == want
