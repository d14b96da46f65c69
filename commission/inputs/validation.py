"""JSON Schema validation of tenders, exercises and criteria sets, as lists of problems.

The schemas in ``schemas/`` refer to each other by ``$id`` (``https://schemas.commission.example/...``).
Those addresses are never fetched: every schema is loaded once into a local ``referencing``
registry, so validation works offline and a bidder cannot make us fetch a URL. ``format`` is
asserted (an e-mail address or a date-time that is not one is an error, not an annotation).

Schemas may carry an ``x-fix`` keyword: the advice shown when a value breaks that subschema.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from commission.errors import Problem

from .schema_problems import _problem, _to_problems, json_path, path_sort_key  # noqa: F401

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

SCHEMA_BASE = "https://schemas.commission.example/"

# Stricter than jsonschema's own email check, which only asks for an "@".
_EMAIL = re.compile(r"^[^@\s\"<>(),;:]+@[^@\s\"<>(),;:]+\.[^@\s\"<>(),;:.]+$")


def schema_id(name: str) -> str:
    """``tender`` / ``tender.schema.json`` / full ``$id`` → the full ``$id``."""
    if name.startswith(SCHEMA_BASE):
        return name
    if not name.endswith(".schema.json"):
        name = f"{name}.schema.json"
    return SCHEMA_BASE + name


@functools.cache
def registry() -> Registry:
    """Every bundled schema, checked against the Draft 2020-12 metaschema, by ``$id``."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    from commission.resources import schemas_dir

    resources = []
    for path in sorted(schemas_dir().glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        expected = SCHEMA_BASE + path.name
        if schema.get("$id") != expected:
            raise RuntimeError(f"{path}: $id must be {expected}")
        resources.append((expected, Resource.from_contents(schema, DRAFT202012)))
    return Registry().with_resources(resources)


def load_schema(name: str) -> dict[str, Any]:
    """A bundled schema as a fresh dict (callers may change their copy)."""
    contents = registry().contents(schema_id(name))
    copied: dict[str, Any] = json.loads(json.dumps(contents))
    return copied


@functools.cache
def format_checker() -> Any:
    """Draft 2020-12's format checker, with a stricter e-mail check."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker()
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)

    def is_email(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        return bool(_EMAIL.fullmatch(instance))  # "$" alone lets a final newline through

    checker.checks("email")(is_email)

    # date-time is only asserted when rfc3339-validator is installed; make its absence loud.
    if "date-time" not in checker.checkers:  # pragma: no cover - packaging error
        raise RuntimeError("install rfc3339-validator so date-times are checked")
    return checker


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A cached validator for a bundled schema (``tender``, ``exercise``, ``criteria``, ...)."""
    return validator_for(registry().contents(schema_id(name)))


def validator_for(contents: Mapping[str, Any]) -> Draft202012Validator:
    """A validator for a schema built at run time (such as an exercise's own tender schema)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(contents, registry=registry(), format_checker=format_checker())


def problems(
    doc: Any, schema_name: str | Draft202012Validator, file: str | None = None
) -> list[Problem]:
    """Every way ``doc`` breaks the schema, sorted by JSON path, one :class:`Problem` each."""
    if isinstance(schema_name, str) and fast_valid(doc, schema_name):
        return []
    checker = validator(schema_name) if isinstance(schema_name, str) else schema_name
    found = [p for error in checker.iter_errors(doc) for p in _to_problems(error, file)]
    return sorted(found, key=lambda p: (path_sort_key(p.path), p.type, p.message))


def best_match(
    doc: Any, schema_name: str | Draft202012Validator, file: str | None = None
) -> Problem | None:
    """The one problem most worth a one-line summary, or None when ``doc`` is valid."""
    from jsonschema.exceptions import best_match as pick

    checker = validator(schema_name) if isinstance(schema_name, str) else schema_name
    error = pick(checker.iter_errors(doc))
    if error is None:
        return None
    return next(iter(_to_problems(error, file)), None)


# --------------------------------------------------------------------------------------------
# the compiled fast path
#
# jsonschema (above) is the reference: it defines what is valid and writes the error report. A
# compiled validator (jsonschema-rs, ~100 times faster) may only ever answer "valid"; whenever it
# says anything else, or cannot read the document, the reference decides and reports. For that
# to be safe the compiled validator must never accept what the reference refuses, so it gets:
#
# * the reference's own format checks (the stricter e-mail rule included), called back into
#   Python for every ``format`` the schema uses;
# * patterns rewritten to mean what Python's ``re.search`` means: ``\s``/``\S`` as Python's
#   whitespace (jsonschema-rs follows ECMA-262, which differs on U+001C..U+001F and U+FEFF), and
#   a final ``$`` that, as in Python, also matches before one trailing newline;
# * only documents made of plain JSON types (exact ``dict``/``list``/``str``/``int``/``float``/
#   ``bool``/``None``, string keys): jsonschema-rs reads a tuple as an array, which the reference
#   does not.
# A schema using anything the rewrite does not know keeps the reference alone.
# tests/test_fast_validation.py checks the two agree on a generated corpus.

#: Bundled schemas validated through the fast path first.
FAST_SCHEMAS = frozenset({"tender"})

#: The characters Python's ``re`` ``\s`` matches in text (``str.isspace``).
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_WS_CLASS = "".join(f"\\u{ord(c):04x}" for c in PY_WHITESPACE)
# Escapes whose meaning is the same in Python and ECMA-262 regular expressions.
_SAME_ESCAPES = frozenset(".-_\\/[]{}()*+?^$|")


class _Untranslatable(ValueError):
    pass


def rust_pattern(pattern: str) -> str:
    """``pattern`` rewritten so jsonschema-rs matches exactly the strings ``re.search`` does.

    Raises :class:`_Untranslatable` for anything whose meaning might differ between the engines.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise _Untranslatable(pattern)
            nxt = pattern[i + 1]
            if nxt == "S" and not in_class:
                out.append(f"[^{_WS_CLASS}]")
            elif nxt == "s" and not in_class:
                out.append(f"[{_WS_CLASS}]")
            elif nxt in _SAME_ESCAPES:
                out.append(ch + nxt)
            else:
                raise _Untranslatable(pattern)
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                raise _Untranslatable(pattern)
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                raise _Untranslatable(pattern)
        elif ch == ".":
            raise _Untranslatable(pattern)  # ECMA's dot also stops at \r and U+2028/9
        elif ch == "$":
            if i != n - 1:
                raise _Untranslatable(pattern)
            out.append("\\n?$")
        elif ch == "(" and pattern[i + 1 : i + 2] == "?":
            raise _Untranslatable(pattern)
        else:
            out.append(ch)
        i += 1
    if in_class:
        raise _Untranslatable(pattern)
    return "".join(out)


_SAFE_KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "$ref",
        "$defs",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "x-fix",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "items",
        "minItems",
        "maxItems",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
_SCHEMA_MAPS = frozenset({"properties", "$defs"})
_SCHEMA_VALUES = frozenset({"additionalProperties", "propertyNames", "items"})


def _fast_schema(node: Any, formats: set[str]) -> Any:
    """A copy of a schema with patterns rewritten; raises when a keyword is not known safe."""
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise _Untranslatable(repr(node))
    copy: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _SAFE_KEYWORDS:
            raise _Untranslatable(key)
        if key == "$ref" and not str(value).startswith("#"):
            raise _Untranslatable(value)
        if key in _SCHEMA_MAPS:
            copy[key] = {k: _fast_schema(v, formats) for k, v in value.items()}
        elif key in _SCHEMA_VALUES:
            copy[key] = _fast_schema(value, formats)
        elif key == "pattern":
            copy[key] = rust_pattern(value)
        elif key == "enum" and not all(isinstance(v, str) for v in value):
            raise _Untranslatable("enum")  # 1 == True in Python, not in JSON
        elif key == "const" and not isinstance(value, str):
            raise _Untranslatable("const")
        else:
            if key == "format":
                formats.add(str(value))
            copy[key] = value
    return copy


@functools.cache
def fast_validator(name: str) -> Any | None:
    """The compiled validator for a bundled schema, or None when only the reference may judge."""
    if name not in FAST_SCHEMAS:
        return None
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - packaging error: the reference still works
        return None
    formats: set[str] = set()
    try:
        contents = _fast_schema(registry().contents(schema_id(name)), formats)
    except _Untranslatable:
        return None
    checker = format_checker()
    return jsonschema_rs.Draft202012Validator(
        contents,
        validate_formats=True,
        formats={f: functools.partial(_conforms, checker, f) for f in sorted(formats)},
    )


def _conforms(checker: Any, format_name: str, instance: Any) -> bool:
    return bool(checker.conforms(instance, format_name))


_SCALARS = (str, int, float, bool, type(None))


def _plain_json(doc: Any) -> bool:
    """True when ``doc`` holds only the exact Python types ``json.loads`` produces."""
    stack = [doc]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, value in item.items():
                if type(key) is not str:
                    return False
                if type(value) in (dict, list):
                    stack.append(value)
                elif type(value) not in _SCALARS:
                    return False
        elif kind is list:
            for value in item:
                if type(value) in (dict, list):
                    stack.append(value)
                elif type(value) not in _SCALARS:
                    return False
        elif kind not in _SCALARS:
            return False
    return True


def fast_valid(doc: Any, name: str) -> bool:
    """True only when the compiled validator accepts ``doc`` (so the reference would too)."""
    fast = fast_validator(name)
    if fast is None or not _plain_json(doc):
        return False
    try:
        return bool(fast.is_valid(doc))
    except Exception:  # text it cannot encode (lone surrogates), numbers it cannot read ...
        return False
