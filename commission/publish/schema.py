"""The OCDS profile that ``commission publish --ocds`` writes, compiled and checked offline.

The release schema 1.1.5 and the release package schema 1.1.5 are vendored in ``ocds/standard/``.
Each extension is a JSON Merge Patch (RFC 7386) applied to the release schema in the order
``ocds/profile/index.json`` lists, as OCDS compiles extensions; the last patch is the project's
own extension (``ocds/extension/``). Open codelists the project publishes from are then closed to
the codes in ``ocds/profile/codelists.json``, so validation catches any code we did not mean to
publish; closed codelists are already the ``enum`` of their fields. OCDS 1.1 schemas are JSON
Schema draft 4, validated with ``jsonschema``'s ``Draft4Validator`` and its format checker.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InvalidOcds, Problem
from ..resources import data_dir

RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def ocds_dir() -> Path:
    """The folder with the vendored schemas, the profile's patches and the project's extension."""
    return data_dir("ocds")


def _read(relative: str) -> Any:
    with (ocds_dir() / relative).open(encoding="utf-8") as handle:
        return json.load(handle)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: objects merge key by key, ``null`` deletes, all else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    merged = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def profile_index() -> dict[str, Any]:
    index: dict[str, Any] = _read("profile/index.json")
    return index


def extension_urls() -> list[str]:
    """The ``extension.json`` URLs of the upstream extensions in the profile, in merge order."""
    return [p["extension"] for p in profile_index()["patches"] if p.get("extension")]


def open_codelists() -> dict[str, list[str]]:
    doc = _read("profile/codelists.json")
    return {name: list(entry["codes"]) for name, entry in doc["codelists"].items()}


def _close_codelists(node: Any, codes: Mapping[str, list[str]]) -> None:
    """Give every open-codelist field we publish an ``enum`` of the codes we mean to use."""
    if isinstance(node, list):
        for item in node:
            _close_codelists(item, codes)
        return
    if not isinstance(node, dict):
        return
    name = str(node.get("codelist"))
    if name in codes and node.get("openCodelist") is True:
        types = node.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        if "array" in types:
            node["items"] = {**node.get("items", {}), "enum": list(codes[name])}
        else:
            node["enum"] = list(codes[name]) + ([None] if "null" in types else [])
    for value in node.values():
        _close_codelists(value, codes)


@functools.cache
def _compiled() -> tuple[str, str]:
    """The compiled release schema and the release package schema, as JSON text (cached)."""
    index = profile_index()
    release = _read(index["release_schema"])
    for patch in index["patches"]:
        release = merge_patch(release, _read(patch["file"]))
    _close_codelists(release, open_codelists())
    package = _read(index["release_package_schema"])
    return json.dumps(release), json.dumps(package)


def release_schema() -> dict[str, Any]:
    """The release schema 1.1.5 with every extension of the profile merged in."""
    schema: dict[str, Any] = json.loads(_compiled()[0])
    return schema


def package_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_compiled()[1])
    return schema


def _json_key(value: Any) -> Any:
    """A hashable form of a JSON value under JSON Schema equality: 1 == 1.0, true != 1."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, Mapping):
        return ("object", frozenset((k, _json_key(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("array", tuple(_json_key(v) for v in value))
    return ("other", repr(value))


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Any:
    """``uniqueItems`` in linear time (jsonschema compares every pair: minutes at 10,000 bids)."""
    from jsonschema.exceptions import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[Any] = set()
    for item in instance:
        key = _json_key(item)
        if key in seen:
            yield ValidationError(f"{instance!r} has non-unique elements"[:200])
            return
        seen.add(key)


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft4Validator, validators
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release = release_schema()
    # Without "$schema" the reference is validated by the extended class below, not by the plain
    # Draft4Validator that jsonschema would pick from it; the dialect is draft 4 all the same.
    release.pop("$schema", None)
    registry: Registry[Any] = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release, default_specification=DRAFT4)
    )
    checker = validators.extend(Draft4Validator, {"uniqueItems": _unique_items})
    return checker(
        package_schema(), registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


def _combined() -> dict[str, Any]:
    """The package schema with the compiled release schema inlined (its definitions at the root,
    where its ``#/definitions/...`` references find them): one document, no registry."""
    release = release_schema()
    definitions = release.pop("definitions")
    release.pop("$schema", None)
    release.pop("id", None)
    combined = package_schema()
    combined.pop("id", None)
    combined["definitions"] = definitions
    combined["properties"]["releases"]["items"] = release
    return combined


@functools.cache
def _fast_validator() -> Any | None:
    """A compiled (jsonschema-rs) validator of the same schema, with Python's own format checks.

    It only ever says "valid": any package it refuses goes to the reference validator, which
    names every problem. Formats are checked by the reference's own functions, so the two agree
    on ``date-time`` and ``uri``; enums are strings and null, patterns are ASCII-simple."""
    try:
        import jsonschema_rs
        from jsonschema import Draft4Validator
    except ImportError:  # pragma: no cover - packaging error: the reference still works
        return None
    checker = Draft4Validator.FORMAT_CHECKER

    def conforms(name: str) -> Any:
        return lambda instance: bool(checker.conforms(instance, name))

    return jsonschema_rs.Draft4Validator(
        _combined(),
        validate_formats=True,
        formats={name: conforms(name) for name in ("date-time", "uri")},
    )


def _path(parts: Any) -> str:
    return "/".join(str(p) for p in parts)


def problems(package: Mapping[str, Any]) -> list[Problem]:
    """Every way ``package`` breaks the compiled profile, sorted by JSON path."""
    fast = _fast_validator()
    if fast is not None and fast.is_valid(package):
        return _reference_problems(package)
    errors = sorted(_validator().iter_errors(package), key=lambda e: [str(p) for p in e.path])
    found = []
    for error in errors:
        kind = {
            "required": "missing-field",
            "enum": "codelist-error",
            "type": "type-error",
            "format": "format-error",
            "pattern": "pattern-error",
        }.get(str(error.validator), "constraint-error")
        found.append(
            Problem(
                type=kind,
                message=error.message,
                path=_path(error.absolute_path),
                fix="this is a fault in commission's OCDS output, not in your data: "
                "please report it",
            )
        )
    found += _reference_problems(package)
    return found


def _reference_problems(package: Mapping[str, Any]) -> list[Problem]:
    """Cross-references a schema cannot check: every id a release points at must exist."""
    found = []
    for r, release in enumerate(package.get("releases") or []):
        if not isinstance(release, Mapping):
            continue
        parties = {p.get("id") for p in release.get("parties") or [] if isinstance(p, Mapping)}
        bids = {
            b.get("id")
            for b in (release.get("bids") or {}).get("details") or []
            if isinstance(b, Mapping)
        }
        lots = {
            lot.get("id")
            for lot in (release.get("tender") or {}).get("lots") or []
            if isinstance(lot, Mapping)
        }

        def check(kind: str, value: Any, known: set[Any], path: str, r: int = r) -> None:
            if value not in known:
                found.append(
                    Problem(
                        type="reference-error",
                        message=f"{kind} {value!r} is not in this release",
                        path=f"releases/{r}/{path}",
                        value=value,
                    )
                )

        for b, bid in enumerate((release.get("bids") or {}).get("details") or []):
            for t, who in enumerate(bid.get("tenderers") or []):
                check("party", who.get("id"), parties, f"bids/details/{b}/tenderers/{t}/id")
            for n, lot in enumerate(bid.get("relatedLots") or []):
                check("lot", lot, lots, f"bids/details/{b}/relatedLots/{n}")
        for a, award in enumerate(release.get("awards") or []):
            for n, bid_id in enumerate(award.get("relatedBids") or []):
                check("bid", bid_id, bids, f"awards/{a}/relatedBids/{n}")
            for s, who in enumerate(award.get("suppliers") or []):
                check("party", who.get("id"), parties, f"awards/{a}/suppliers/{s}/id")
            for n, lot in enumerate(award.get("relatedLots") or []):
                check("lot", lot, lots, f"awards/{a}/relatedLots/{n}")
    return found


def validate(package: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidOcds` with every problem when ``package`` breaks the profile."""
    found = problems(package)
    if found:
        raise InvalidOcds(
            f"the OCDS release package is not valid against the OCDS 1.1.5 profile: "
            f"{len(found)} problem{'s' if len(found) != 1 else ''}",
            found,
        )
