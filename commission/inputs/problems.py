"""Problem lists shared by every checker: capped, sorted, summarised, with "did you mean"."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: How many problems are listed before a ``too-many-errors`` summary says how many more.
MAX_PROBLEMS = 1000

# (problems listed, problems found): checks list at most the cap but count everything.
Found = tuple[list[Problem], int]


def plural(n: int, word: str) -> str:
    """``1 score``, ``2 scores``, ``1,000 scores``: the count and the word, agreed."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def near(value: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one known name closest to ``value``, if any is close enough."""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(value: Any, known: Iterable[str], listing: str) -> str:
    known = list(known)
    # "t-1" and "T-01" mean T-001 more surely than any edit distance says
    for loose in (str.casefold, _loose_number):
        alike = [k for k in known if loose(k) == loose(str(value))]
        if len(alike) == 1:
            return f"did you mean {alike[0]}?"
    close = near(str(value), known)
    if close:
        return f"did you mean {close}?"
    shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return f"{listing} are {shown}" if known else f"there are no {listing.removeprefix('the ')} yet"


def _loose_number(text: str) -> str:
    return re.sub(r"[0-9]+", lambda m: str(int(m.group())), text.casefold().strip())


def finish(found: Iterable[Found], cap: int = MAX_PROBLEMS) -> tuple[list[Problem], int]:
    """Every check's problems merged, sorted by (file, row, column) and capped."""
    problems: list[Problem] = []
    total = 0
    for listed, count in found:
        problems.extend(p for p in listed if p.type != "too-many-errors")
        total += count
    problems.sort(key=lambda p: (p.file or "", p.row or 0, p.column or "", p.type))
    return problems[:cap], total


def with_summary(
    problems: list[Problem],
    total: int,
    noun: str = "error",
    fix: str = "correct the errors above and check the sheet again",
) -> list[Problem]:
    """``problems`` and, when ``total`` is more, one ``too-many-errors`` summary of the rest."""
    if total > len(problems):
        more = total - len(problems)
        problems = problems + [
            Problem(
                type="too-many-errors",
                message=f"{plural(more, 'more ' + noun)} not listed "
                f"({total:,} in all, the first {len(problems):,} shown)",
                fix=fix,
                value=more,
            )
        ]
    return problems


def capped(found: Iterable[Problem], total: int, noun: str, fix: str) -> list[Problem]:
    """The first :data:`MAX_PROBLEMS` of ``found`` (``total`` in all) and a summary of the rest."""
    return with_summary(list(itertools.islice(found, MAX_PROBLEMS)), total, noun, fix)


def emit(
    table: pd.DataFrame, make: Callable[[Mapping[str, Any]], Problem], cap: int = MAX_PROBLEMS
) -> Found:
    """Problems for the first ``cap`` rows of ``table`` in (file, row, column) order."""
    if table.empty:
        return [], 0
    order = table.assign(_file=table["file"].fillna("").astype(str)).sort_values(
        ["_file", "row", "column"], kind="stable"
    )
    listed = [make(record) for record in order.head(cap).to_dict("records")]
    return listed, len(table)
