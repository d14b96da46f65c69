"""Text the database cannot hold, or a one-line field should not, refused where it is written.

PostgreSQL refuses a NUL character in text (``DataError``) and both engines would store other C0
control characters that then move a terminal's cursor or split a CSV row. So they are refused at
validation, with their place: a tender's JSON path, a sheet's row and column. Tab, line feed and
carriage return are allowed where a field is free text (a tender's answers, a sheet's comments);
nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from commission.errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["sheet_text_problems", "tender_text_problems"]

#: Every C0 control character.
_ANY_CONTROL = re.compile(r"[\x00-\x1f]")
#: C0 control characters a free-text field may not hold either (all but tab, LF and CR).
_FREE_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FREE_TEXT_PATHS = re.compile(r"responses/[^/]+/answer")
_NAMES = {"\x00": "NUL", "\t": "tab", "\n": "line feed", "\r": "carriage return"}


def _describe(ch: str) -> str:
    name = _NAMES.get(ch) or unicodedata.name(ch, "") or "control character"
    return f"U+{ord(ch):04X} ({name})"


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(JSON path, string) of every key and string value in a parsed document."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{path}/{key}" if path else str(key)
            if isinstance(key, str):
                yield inner, key
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}/{i}" if path else str(i))


def tender_text_problems(doc: Any, file: str | None) -> list[Problem]:
    """A problem for each string of a tender holding a control character it may not hold."""
    found = []
    for path, text in _strings(doc):
        free = _FREE_TEXT_PATHS.fullmatch(path) is not None
        match = (_FREE_TEXT_CONTROL if free else _ANY_CONTROL).search(text)
        if match is None:
            continue
        ch = match.group()
        found.append(
            Problem(
                type="control-character",
                message=f"the text holds the control character {_describe(ch)} at character "
                f"{match.start() + 1}, which "
                + (
                    "the database cannot store"
                    if ch == "\x00"
                    else "a one-line field may not hold"
                    if ch in "\t\n\r"
                    else "a tender may not hold"
                ),
                file=file,
                path=path,
                value=text if len(text) <= 80 else text[:77] + "...",
                fix="remove the control character (it is often left by copying from another "
                "program)" + ("" if free else "; write the field on one line"),
            )
        )
    return found


def sheet_text_problems(
    frame: pd.DataFrame, comment_headers: Mapping[str, str] | str
) -> tuple[list[Problem], int]:
    """Comments of a score frame holding a control character other than tab or a line break.

    ``comment_headers`` is the header of the comment column (long sheet) or, for a wide sheet,
    each criterion's comment header. Ids are checked against the exercise and refused there.
    """
    comments = frame["comment"]
    present = comments.notna()
    if not present.any():
        return [], 0
    distinct = comments[present].astype(str).unique()
    bad = {text for text in distinct if _FREE_TEXT_CONTROL.search(text)}
    if not bad:
        return [], 0
    rows = frame[present & comments.isin(bad)]
    found: list[Problem] = []
    for record in rows.sort_values("row", kind="stable").head(1000).to_dict("records"):
        text = str(record["comment"])
        match = _FREE_TEXT_CONTROL.search(text)
        assert match is not None
        column = (
            comment_headers
            if isinstance(comment_headers, str)
            else comment_headers.get(str(record["criterion"]), "comment")
        )
        found.append(
            Problem(
                type="control-character",
                message=f"the comment holds the control character {_describe(match.group())} at "
                f"character {match.start() + 1}, which "
                + (
                    "the database cannot store"
                    if match.group() == "\x00"
                    else "a sheet may not hold"
                ),
                file=record["file"],
                row=int(record["row"]),
                column=column,
                value=text if len(text) <= 80 else text[:77] + "...",
                fix="remove the control character from the cell (copying from another program "
                "often leaves one)",
            )
        )
    return found, len(rows)


def comment_columns(headers: Sequence[str], layout: Any) -> Mapping[str, str] | str:
    """The comment header(s) of a sheet's layout, as :func:`sheet_text_problems` takes them."""
    if layout.long:
        return headers[layout.comment] if layout.comment is not None else "comment"
    return {
        criterion: headers[comment_at]
        for criterion, (_, comment_at) in layout.criteria.items()
        if comment_at is not None
    }
