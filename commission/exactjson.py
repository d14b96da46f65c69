"""JSON numbers kept as written: a number a float cannot hold exactly is read as a Decimal.

``json.loads`` turns ``50.0000000000000001`` into the float ``50.0``; a weight or threshold
written with 25 significant digits would silently become another number. :func:`parse_float`
keeps the float whenever its shortest text is numerically the number written (so ``0.1``,
``12.5`` and ``2`` stay the plain types every consumer knows, and the canonical JSON and
SHA-256 of such documents are unchanged), and returns the exact :class:`~decimal.Decimal`
otherwise. :func:`dumps` writes such a Decimal back as the same JSON number; :func:`loads`
reads it back the same way, so a document survives the store and the audit trail exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import Any

try:  # an optional accelerator: without it every canonical text is written by json
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps a build without it
    _orjson = None

__all__ = ["canonical_bytes", "dumps", "has_decimal", "loads", "parse_float"]


def parse_float(token: str) -> float | Decimal:
    """The JSON number ``token`` (with a fraction or exponent): a float if that is exact."""
    value = float(token)
    if not math.isfinite(value):
        return value  # the caller decides what to do with numbers too large to be finite
    shortest = repr(value)
    if shortest == token or Decimal(shortest) == Decimal(token):
        return value
    return Decimal(token)


def loads(text: str | bytes) -> Any:
    """``json.loads`` with :func:`parse_float`."""
    return json.loads(text, parse_float=parse_float)


def has_decimal(document: Any) -> bool:
    """True when ``document`` holds a Decimal anywhere (no recursion limit is involved)."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, Decimal):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def dumps(document: Any, **options: Any) -> str:
    """``json.dumps`` that writes a Decimal as the JSON number it is.

    Documents without a Decimal go straight to ``json.dumps``, so their text is exactly what it
    always was. With Decimals, the options ``sort_keys``, ``separators``, ``indent``,
    ``ensure_ascii``, ``allow_nan`` and ``default`` mean what they mean to ``json.dumps``.
    """
    if "default" not in options:
        try:  # json refuses a Decimal (it has no default): only then is the document walked
            return json.dumps(document, **options)
        except TypeError:
            if not has_decimal(document):
                raise
    elif not has_decimal(document):
        return json.dumps(document, **options)
    return _Encoder(**options).encode(document, 0)


class _Encoder:
    def __init__(
        self,
        *,
        sort_keys: bool = False,
        separators: tuple[str, str] | None = None,
        indent: int | str | None = None,
        ensure_ascii: bool = True,
        allow_nan: bool = True,
        default: Any = None,
    ) -> None:
        self.sort_keys = sort_keys
        self.indent = " " * indent if isinstance(indent, int) else indent
        item_sep, key_sep = separators or ((",", ": ") if indent is not None else (", ", ": "))
        self.item_sep, self.key_sep = item_sep, key_sep
        self.scalar_options = {
            "ensure_ascii": ensure_ascii,
            "allow_nan": allow_nan,
            "default": default,
        }

    def scalar(self, value: Any) -> str:
        return json.dumps(value, **self.scalar_options)

    def encode(self, value: Any, level: int) -> str:
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError(f"{value} is not a JSON number")
            return str(value)  # digits, a point and an exponent such as E-7: JSON syntax
        if isinstance(value, dict):
            keys = sorted(value) if self.sort_keys else list(value)
            items = [
                self.scalar(str(k)) + self.key_sep + self.encode(value[k], level + 1) for k in keys
            ]
            return self.wrap("{", items, "}", level)
        if isinstance(value, list | tuple):
            return self.wrap("[", [self.encode(v, level + 1) for v in value], "]", level)
        return self.scalar(value)

    def wrap(self, opening: str, items: list[str], closing: str, level: int) -> str:
        if not items:
            return opening + closing
        if self.indent is None:
            return opening + self.item_sep.join(items) + closing
        inner = "\n" + self.indent * (level + 1)
        outer = "\n" + self.indent * level
        return opening + inner + (self.item_sep + inner).join(items) + outer + closing


def canonical_bytes(document: Any) -> bytes | None:
    """The canonical text (sorted keys, no spaces, no escapes; ``store.audit.canonical_json``)
    of a document holding only objects, arrays, strings, integers of at most 64 bits, booleans
    and nulls, as UTF-8, written by orjson (several times faster than ``json``); None when
    orjson is not installed or refuses the document (a Decimal, a larger integer, a string that
    is not Unicode). For such documents the bytes are the same as ``json``'s (tests prove it on
    every code point and on generated documents); a float may be written differently (orjson
    writes ``1e-07`` as ``1e-7`` and NaN as ``null``), so a caller that may meet floats must
    only use these bytes where a difference cannot matter (:func:`is_canonical_digest`)."""
    if _orjson is None:
        return None
    try:
        return bytes(_orjson.dumps(document, option=_orjson.OPT_SORT_KEYS))
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return None


def is_canonical_digest(document: Any, text: str, digest: str) -> bool | None:
    """True when the canonical text of ``document`` (read from the JSON ``text``) has the
    SHA-256 ``digest``, proved the quick way; None when that way cannot tell, and the caller
    hashes the canonical text itself.

    orjson's text of the document hashing to ``digest`` proves the document is the one hashed:
    that text reads back as this document (its floats are shortest round-trip forms) and the
    hashed canonical text reads back as the hashed document, and they are the same text. The
    one exception is NaN and the infinities, which orjson writes as ``null``; ``json`` reads
    them only from the words ``NaN`` and ``Infinity``, so a text holding neither has none. A
    digest that does not match proves nothing (a float written another way): None."""
    if "NaN" in text or "Infinity" in text:
        return None
    quick = canonical_bytes(document)
    if quick is None:
        return None
    return True if hashlib.sha256(quick).hexdigest() == digest else None
