"""JSON Schema errors as problems a bidder can act on: the JSON path, what is wrong, the fix.

One translator per keyword that failed (``required``, ``additionalProperties``, ``enum``,
``type``, ``format`` ...), sorted by path, with ``best_match`` for a one-line summary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .problems import near

if TYPE_CHECKING:
    from jsonschema import ValidationError

_TYPE_NAMES = {
    "object": "an object {...}",
    "array": "a list [...]",
    "string": "text in double quotes",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def json_path(parts: Iterable[Any]) -> str:
    """``('responses', 'long-term', 'answer')`` → ``responses/long-term/answer``."""
    return "/".join(str(part) for part in parts)


def path_sort_key(path: str | None) -> list[tuple[int, int | str]]:
    """A sort key for slash-joined JSON paths."""
    # Numbers sort as numbers, so criteria/10 comes after criteria/2.
    return [(0, int(p)) if p.isdigit() else (1, p) for p in (path or "").split("/") if p]


def _to_problems(error: ValidationError, file: str | None) -> Iterator[Problem]:
    """One schema error as problems a bidder can act on, by the keyword that failed."""
    keyword = error.validator
    if keyword in ("oneOf", "anyOf"):
        branch = _matching_branch(error) if error.context else None
        if branch is not None:
            for sub in branch:
                yield from _to_problems(sub, file)
            return
        if not error.context:
            keyword = "other"
    if keyword in ("additionalProperties", "unevaluatedProperties") and not isinstance(
        error.instance, dict
    ):
        keyword = "other"
    translate = _TRANSLATORS.get(str(keyword), _other)
    yield from translate(error, file, list(error.absolute_path), _schema_fix(error))


Path = list[Any]


def _alternatives(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    yield _problem(
        "schema-error",
        "not one of the accepted forms",
        file,
        path,
        error.instance,
        fix or "see the schema for the forms this field accepts",
    )


def _required(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    missing = _quoted_name(error.message)
    yield _problem(
        "required-error",
        f"the required property '{missing}' is missing",
        file,
        [*path, missing],
        None,
        f"add '{missing}'",
    )


def _unknown_properties(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    allowed = sorted((error.schema.get("properties") or {}).keys())
    known = set(allowed)
    pattern = error.schema.get("patternProperties") or {}
    for key in sorted(error.instance):
        if key in known or any(re.search(p, key) for p in pattern):
            continue
        hint = f"remove it; allowed here: {', '.join(allowed)}" if allowed else "remove it"
        close = _near(key, allowed)
        if close:
            hint = f"did you mean '{close}'? Otherwise {hint}"
        yield _problem(
            "unknown-property", f"unknown property '{key}'", file, [*path, key], None, hint
        )


def _not_allowed_value(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    enum = error.validator == "enum"
    options = error.validator_value if enum else [error.validator_value]
    shown = ", ".join(o if isinstance(o, str) else json.dumps(o) for o in options)
    yield _problem(
        "enum-error",
        "not one of the allowed values",
        file,
        path,
        error.instance,
        f"use one of {shown}" if enum else f"use {shown}",
    )


def _wrong_type(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    wanted = error.validator_value
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    expected = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    yield _problem(
        "type-error",
        f"must be {expected}, not {_json_type(error.instance)}",
        file,
        path,
        error.instance,
        fix or f"write {expected}",
    )


_FORMAT_ADVICE = {
    "email": "write an e-mail address such as bids@example.org",
    "date-time": "write a date and time like 2027-03-01T12:00:00Z (RFC 3339)",
    "uri": "write a full web address such as https://example.org/report.pdf",
    "date": "write a date like 2027-03-01",
}


def _bad_format(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    what = error.validator_value
    yield _problem(
        "format-error",
        f"not a valid {what}",
        file,
        path,
        error.instance,
        fix or _FORMAT_ADVICE.get(what, f"write a valid {what}"),
    )


def _bad_key(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    # The error is about a key, not a value: point the path at the key itself.
    instance = error.instance
    yield _problem(
        "schema-error",
        "this key is not allowed here",
        file,
        [*path, instance] if isinstance(instance, str) else path,
        instance,
        fix or "rename the key",
    )


def _other(
    error: ValidationError, file: str | None, path: Path, fix: str | None
) -> Iterator[Problem]:
    yield _problem(
        "schema-error", _message(error), file, path, error.instance, fix or _default_fix(error)
    )


_TRANSLATORS = {
    "oneOf": _alternatives,
    "anyOf": _alternatives,
    "required": _required,
    "additionalProperties": _unknown_properties,
    "unevaluatedProperties": _unknown_properties,
    "enum": _not_allowed_value,
    "const": _not_allowed_value,
    "type": _wrong_type,
    "format": _bad_format,
    "propertyNames": _bad_key,
}


def _matching_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the one oneOf/anyOf branch whose type fits, so we report what is wrong
    inside it rather than "not valid under any of the given schemas"."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.schema_path[0], []).append(sub)
    fitting = [
        errors
        for errors in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errors)
    ]
    if len(fitting) == 1 and isinstance(error.instance, dict | list):
        return fitting[0]
    return None


def _problem(
    kind: str,
    message: str,
    file: str | None,
    path: list[Any],
    instance: Any,
    fix: str | None,
) -> Problem:
    return Problem(
        type=kind,
        message=message,
        file=file,
        path=json_path(path),
        value=_short_value(instance),
        fix=fix,
    )


def _schema_fix(error: ValidationError) -> str | None:
    schema = error.schema if isinstance(error.schema, dict) else {}
    fix = schema.get("x-fix")
    if fix is None and error.parent is not None and isinstance(error.parent.schema, dict):
        fix = error.parent.schema.get("x-fix")
    return str(fix) if fix else None


def _message(error: ValidationError) -> str:
    keyword, limit, instance = error.validator, error.validator_value, error.instance
    if keyword == "minLength":
        return "must not be empty" if limit == 1 else f"must be at least {limit} characters"
    if keyword == "maxLength":
        return f"is {len(instance):,} characters long, more than the limit of {limit:,}"
    if keyword == "minimum":
        return f"below the minimum of {limit}"
    if keyword == "maximum":
        return f"above the maximum of {limit}"
    if keyword == "exclusiveMinimum":
        return f"must be more than {limit}"
    if keyword == "exclusiveMaximum":
        return f"must be less than {limit}"
    if keyword == "pattern":
        if limit == "\\S":
            return "must not be empty or only spaces"
        return "does not have the expected form"
    if keyword == "minItems":
        return f"must have at least {limit} item{'s' if limit != 1 else ''}"
    if keyword == "maxItems":
        return f"has {len(instance)} items, more than the limit of {limit}"
    if keyword == "uniqueItems":
        return "must not repeat an item"
    return str(error.message)


def _default_fix(error: ValidationError) -> str | None:
    keyword, limit = error.validator, error.validator_value
    if keyword == "pattern":
        return f"it must match the pattern {limit}"
    if keyword == "maxLength":
        return "shorten it"
    if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return "give a number within the limits"
    return None


def _quoted_name(message: str) -> str:
    match = re.match(r"^'((?:[^'\\]|\\.)*)' is a required property", message)
    return match.group(1) if match else message


def _near(key: str, allowed: list[str]) -> str | None:
    return near(key, allowed, cutoff=0.75)


def _json_type(instance: Any) -> str:
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        return "true or false"
    if isinstance(instance, int | float | Decimal):
        return "a number"
    if isinstance(instance, str):
        return "text"
    if isinstance(instance, list):
        return "a list"
    if isinstance(instance, dict):
        return "an object"
    return type(instance).__name__


def _short_value(instance: Any) -> Any:
    """The offending value as a problem carries it: scalars kept, long text and containers cut."""
    if instance is None or isinstance(instance, bool | int | float | Decimal):
        return instance
    if isinstance(instance, str):
        return instance if len(instance) <= 80 else instance[:77] + "..."
    text = json.dumps(instance, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
