"""Integers written as JSON writes them, read by numpy in one call: the audit payload's lists
(:mod:`commission.app.payload`) and the store's columns read in one grouped scan
(:mod:`commission.store.current`)."""

from __future__ import annotations

from typing import Any

#: 10, 100, ... 10**18: the number of digits of n is 1 + how many of these are at most n.
_TENS = [10**k for k in range(1, 19)]


def integer_list(text: str) -> Any:
    """The int64 array of ``text``, the inside of a JSON list of integers, or ValueError when
    ``text`` is anything else (so that it is read by ``json``, exactly).

    numpy reads digits, commas and minus signs more loosely than JSON ("1,-" as 1, 0; "01" as
    1; beyond int64 as its bound): the text must hold nothing else, no empty item or lone sign,
    and exactly as many characters as the numbers read, written as ``json`` writes them."""
    import warnings

    import numpy as np

    if not text:
        return np.empty(0, dtype=np.int64)
    if (
        text.encode("ascii").translate(None, b"0123456789,-")
        or text.startswith(",")
        or text.endswith((",", "-"))
        or any(bad in text for bad in (",,", "-,", "--"))
    ):
        raise ValueError(text[:40])
    with warnings.catch_warnings(action="error"):  # text numpy cannot read to its end
        values = np.fromstring(text, dtype=np.int64, sep=",")
    bounds = np.iinfo(np.int64)
    size = np.abs(values[(values != bounds.min) & (values != bounds.max)])
    digits = np.searchsorted(_TENS, size, side="right") + 1
    written = int(digits.sum()) + int((values < 0).sum()) + len(values) - 1
    if len(size) != len(values) or len(values) != text.count(",") + 1 or written != len(text):
        raise ValueError(text[:40])  # numpy's bounds are where it saturates: left to json
    return values
