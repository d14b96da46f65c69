"""What every part of the score-sheet reader shares: the score frame's columns, how headers
and criteria names are compared, and column-at-a-time text cleaning."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...records import Criterion, Exercise, Tender

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The columns of the score frame, in order.
COLUMNS: tuple[str, ...] = (
    "evaluator",
    "tender",
    "criterion",
    "score",
    "comment",
    "file",
    "row",
    "column",
)
#: The header of a long sheet.
LONG_COLUMNS: tuple[str, ...] = ("evaluator", "tender", "criterion", "score", "comment")
#: Columns a sheet may carry for the reader's information; they are not imported.
INFO_COLUMNS: tuple[str, ...] = ("lot", "bidder")
#: How many problems are listed before a ``too-many-errors`` summary says how many more.

_INTEGER = r"[+-]?[0-9]{1,15}"
_SEPARATORS = re.compile(r"[\s_\-]+")


def header_key(text: str) -> str:
    """A header or criterion name as compared: lower case, without spaces, ``-`` or ``_``
    (``Long-term``, ``long_term``, ``long term`` and ``longterm`` are one header)."""
    return _SEPARATORS.sub("", str(text).casefold())


def scale_fix(criterion: Criterion | None, exercise: Exercise) -> str:
    scale = criterion.scale if criterion is not None else exercise.criteria.scale
    return f"use a whole number from {scale.min} to {scale.max}"


def criterion_of(exercise: Exercise, criterion_id: Any) -> Criterion | None:
    try:
        return exercise.criteria[str(criterion_id)]
    except KeyError:
        return None


def criterion_keys(exercise: Exercise) -> dict[str, str]:
    """Normalised id or name → criterion id."""
    keys: dict[str, str] = {}
    for criterion in exercise.criteria.criteria:
        keys.setdefault(header_key(criterion.name), criterion.id)
    for criterion in exercise.criteria.criteria:
        keys[header_key(criterion.id)] = criterion.id  # an id wins over another criterion's name
    return keys


def tender_map(tenders: Iterable[Tender] | Mapping[str, Tender]) -> dict[str, Tender]:
    if isinstance(tenders, Mapping):
        return {str(k): v for k, v in tenders.items()}
    return {t.id: t for t in tenders}


def empty_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "evaluator": pd.Series([], dtype="str"),
            "tender": pd.Series([], dtype="str"),
            "criterion": pd.Series([], dtype="str"),
            "score": pd.Series([], dtype="int64"),
            "comment": pd.Series([], dtype=object),
            "file": pd.Series([], dtype=object),
            "row": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="str"),
        }
    )


def clean(series: pd.Series, *, unescape: bool = False) -> pd.Series:
    """Text stripped of surrounding whitespace; blanks and missing values become ``""``.

    Work is done on the distinct values only (a score column holds a handful), so a million
    rows cost one hash pass.
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).map(str).str.strip()
    if unescape:
        escaped = text.str.match(r"'[=+\-@\t\r]")
        text = text.where(~escaped, text.str.slice(1))
    table = np.append(text.to_numpy(dtype=object), "")
    return pd.Series(table[codes], index=series.index, dtype="str")


def parse_integers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers in cleaned text: (values as float, True where the text is no whole number)."""
    import pandas as pd

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="str")
    good = distinct.str.fullmatch(_INTEGER).fillna(False).astype(bool)
    values = pd.to_numeric(distinct.where(good), errors="coerce")
    values = pd.Series(values.to_numpy(dtype="float64"))
    value_of = values.reindex(codes).set_axis(text.index)
    return value_of, value_of.isna()


def nullable(value: Any) -> Any:
    """A pandas cell as plain Python (numpy ints become ints, NaN becomes None)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
