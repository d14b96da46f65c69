"""Reading untrusted JSON: tenders come from bidders outside the council, so nothing is assumed.

:func:`load_json` refuses, with one :class:`~commission.errors.Problem` saying where and how to
fix it: files over a size cap, empty files, binary files, text that is not UTF-8, syntax errors,
duplicate keys (the standard library silently keeps the last one, so a bidder could hide an answer),
``NaN``/``Infinity`` (not JSON, and poison for scores), numbers too large to be finite, and nesting
deeper than a limit (checked before parsing, so no ``RecursionError`` can escape).
"""

from __future__ import annotations

import json
import math
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from commission.errors import InvalidDocument, Problem
from commission.exactjson import parse_float

MAX_BYTES = 5_000_000
MAX_DEPTH = 64

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx or Word .docx file is one)",
    b"\xd0\xcf\x11\xe0": "an old-style Microsoft Office document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
_SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: Save As, then choose the UTF-8 encoding)"

# A JSON string (skipped whole, at C speed). Possessive, and an unterminated string runs to the
# end of the text: a failed match never restarts at every later quote (quadratic time).
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\Z)'
_CONSTANTS = re.compile(_STRING + r"|-?\bInfinity\b|\bNaN\b", re.DOTALL)


class _Refusal(Exception):
    """Raised from the decoder hooks; carries what was refused so the caller can place it."""

    def __init__(self, kind: str, token: str) -> None:
        super().__init__(kind, token)
        self.kind = kind
        self.token = token


def load_json(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    file: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Parse one untrusted JSON document from a file path or from bytes.

    ``file`` names the document in problems (defaults to the path). Raises
    :class:`~commission.errors.InvalidDocument` carrying exactly one problem.
    """
    if isinstance(path_or_bytes, bytes | bytearray):
        data = bytes(path_or_bytes)
        name = file
    else:
        path = Path(path_or_bytes)
        name = file if file is not None else str(path)
        data = _read_capped(path, name, max_bytes)
    if len(data) > max_bytes:
        _too_large(name, len(data), max_bytes)

    text = _decode(data, name)
    if not text.strip():
        _refuse(
            "empty-file",
            "the file is empty",
            name,
            fix="the file should hold one JSON object, starting with {",
        )
    _check_depth(text, name, max_depth)
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as error:
        _syntax_error(error, text, name)
    except _Refusal as refusal:
        _refused_token(refusal, text, name)
    except RecursionError:
        # Belt and braces: the depth scan should have refused this already.
        _refuse("too-deep", f"the JSON is nested too deeply (more than {max_depth} levels)", name)
    except ValueError as error:
        # int() refuses numbers with thousands of digits (CPython's int_max_str_digits).
        _refuse(
            "json-syntax-error",
            f"a number could not be read: {error}",
            name,
            fix="write numbers with at most a few dozen digits",
        )


def _read_capped(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            # Read one byte past the cap so we know it is over without reading all of it.
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        _refuse("file-not-found", "the file does not exist", name, fix="check the path")
    except IsADirectoryError:
        _refuse("file-not-found", "this is a folder, not a JSON file", name)
    except OSError as error:
        _refuse("file-unreadable", f"the file could not be read: {error.strerror}", name)
    if len(data) > max_bytes:
        try:
            size = path.stat().st_size
        except OSError:
            size = len(data)
        _too_large(name, size, max_bytes)
    return data


def _too_large(name: str | None, size: int, max_bytes: int) -> NoReturn:
    _refuse(
        "too-large",
        f"the file is {size:,} bytes, more than the limit of {max_bytes:,}",
        name,
        fix="link to large evidence by URL instead of pasting it into the submission",
    )


def _decode(data: bytes, name: str | None) -> str:
    if data.startswith(_UTF8_BOM):
        # Notepad and Excel write a BOM; it is harmless, so accept it.
        data = data[len(_UTF8_BOM) :]
    for bom, encoding in _OTHER_BOMS.items():
        if data.startswith(bom):
            _refuse(
                "encoding-error",
                f"the file is saved as {encoding}, not UTF-8",
                name,
                fix=_SAVE_AS_UTF8,
            )
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            _refuse(
                "encoding-error",
                f"this is {kind}, not a JSON text file",
                name,
                fix="give the JSON file itself (a text file that starts with {)",
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _place_in_bytes(data, nul)
        _refuse(
            "encoding-error",
            f"this looks like a binary file, not JSON text (a NUL byte at byte offset {nul})",
            name,
            line=line,
            column=column,
            fix="give the JSON file itself, saved as UTF-8 text",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _place_in_bytes(data, error.start)
        bad = data[error.start : error.start + 4]
        fix = _SAVE_AS_UTF8
        from commission.inputs.encodings import NAMES, detect

        likely = detect(data)  # scored on the letters, so Polish text is never called cp1252
        if likely:
            fix += f" — it looks like it was saved as {NAMES[likely[0][0]]}"
        _refuse(
            "encoding-error",
            f"the file is not valid UTF-8: byte 0x{bad[0]:02x} at byte offset {error.start}",
            name,
            line=line,
            column=column,
            fix=fix,
        )


def _place_in_bytes(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _place_in_text(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _check_depth(text: str, name: str | None, max_depth: int) -> None:
    # A linear scan (commission.inputs.json_depth): no regex that can backtrack on bidder input.
    from commission.inputs.json_depth import first_too_deep

    data = text.encode("utf-8")
    offset = first_too_deep(data, max_depth)
    if offset is not None:
        line, column = _place_in_bytes(data, offset)
        _refuse(
            "too-deep",
            f"the JSON is nested more than {max_depth} levels deep",
            name,
            line=line,
            column=column,
            fix=f"keep objects and arrays at most {max_depth} levels deep",
        )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refusal("duplicate-key", key)
            seen.add(key)
    return result


def _no_constant(token: str) -> NoReturn:
    raise _Refusal("json-constant", token)


def _finite_float(token: str) -> float | Decimal:
    # The number as written: a float when that is exact, else the Decimal (commission.exactjson).
    value = parse_float(token)
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refusal("json-constant", token)
    return value


def _refused_token(refusal: _Refusal, text: str, name: str | None) -> NoReturn:
    if refusal.kind == "duplicate-key":
        key = refusal.token
        place = _second_key(text, key)
        line, column = place if place else (None, None)
        _refuse(
            "duplicate-key",
            f"the key '{key}' appears twice in the same object",
            name,
            line=line,
            column=column,
            value=key,
            fix=f"keep one '{key}' (JSON readers disagree on which one wins)",
        )
    token = refusal.token
    place = _find_constant(text, token)
    line, column = place if place else (None, None)
    if token in ("NaN", "Infinity", "-Infinity"):
        message = f"{token} is not a JSON number"
    else:
        message = f"the number {token} is too large"
    _refuse(
        "json-constant",
        message,
        name,
        line=line,
        column=column,
        value=token,
        fix="write a finite number, or leave the field out",
    )


def _second_key(text: str, key: str) -> tuple[int, int] | None:
    """Where a duplicated key is written the second time (best effort: escapes may differ)."""
    pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    matches = pattern.finditer(text)
    next(matches, None)
    second = next(matches, None)
    return _place_in_text(text, second.start()) if second else None


def _find_constant(text: str, token: str) -> tuple[int, int] | None:
    if token in ("NaN", "Infinity", "-Infinity"):
        for match in _CONSTANTS.finditer(text):
            if not match.group().startswith('"'):
                return _place_in_text(text, match.start())
        return None
    offset = text.find(token)
    return _place_in_text(text, offset) if offset >= 0 else None


def _syntax_error(error: json.JSONDecodeError, text: str, name: str | None) -> NoReturn:
    message = error.msg
    rest = text[error.pos :]
    cut_in_string = error.msg.startswith("Unterminated string") and '"' not in rest[1:]
    if (not rest.strip() or cut_in_string) and error.msg != "Extra data":
        message = f"the file ends too early ({error.msg.lower()})"
        fix = "the file looks cut off: send the complete file, ending with }"
    elif error.msg.startswith("Expecting property name"):
        fix = "object keys need double quotes, and JSON allows no comma after the last item"
    elif error.msg.startswith("Expecting ',' delimiter"):
        fix = "a comma is probably missing between two items"
    elif error.msg.startswith("Unterminated string"):
        fix = 'a string is missing its closing double quote "'
    elif error.msg.startswith("Invalid control character"):
        fix = r"write line breaks and tabs inside strings as \n and \t"
    elif error.msg.startswith("Invalid \\escape"):
        fix = r"write a backslash inside a string as \\"
    elif error.msg == "Extra data":
        message = "there is more text after the end of the JSON document"
        fix = "a file holds exactly one JSON document: remove what follows it"
    elif error.msg == "Expecting value" and error.pos == 0:
        message = "this is not JSON: it does not start with a JSON value"
        fix = "a tender file is one JSON object, starting with {"
    else:
        fix = "check the JSON syntax at this place (a JSON validator or editor will point to it)"
    _refuse(
        "json-syntax-error",
        f"JSON syntax error: {message}",
        name,
        line=error.lineno,
        column=error.colno,
        fix=fix,
    )


def _refuse(
    kind: str,
    message: str,
    name: str | None,
    *,
    line: int | None = None,
    column: int | None = None,
    value: Any = None,
    fix: str | None = None,
) -> NoReturn:
    problem = Problem(
        type=kind,
        message=message,
        file=name,
        line=line,
        column=str(column) if column is not None else None,
        value=value,
        fix=fix,
    )
    raise InvalidDocument(f"{name or 'the document'}: {message}", [problem])
