"""Criteria sets (SPEC §2): a bundled set by name, a set file, or a set written inline.

A set passes its JSON Schema first (unknown keys, missing fields, non-positive weights), then the
rules a schema cannot express; every problem is collected and each names its criterion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from commission.errors import InvalidCriteria, InvalidDocument, Problem
from commission.records import CriteriaSet, Criterion, Scale, exact

from .problems import plural

#: The scale a set gets when it names none (SPEC §2: integers 0 to 5).
DEFAULT_SCALE: dict[str, Any] = {
    "min": 0,
    "max": 5,
    "descriptors": {
        "0": "No response, or a response that is unacceptable.",
        "1": "Poor.",
        "2": "Weak.",
        "3": "Satisfactory.",
        "4": "Good.",
        "5": "Excellent.",
    },
}

_SET_NAME = re.compile(r"^[a-z0-9-]+$")


def bundled_sets() -> list[str]:
    """Names of the criteria sets shipped with the toolkit (``co-production``, ...)."""
    from commission.resources import criteria_dir

    return sorted(path.stem for path in criteria_dir().glob("*.json"))


def load_criteria(
    spec: str | Path | Mapping[str, Any],
    *,
    base_dir: Path | None = None,
    file: str | None = None,
) -> CriteriaSet:
    """A checked :class:`CriteriaSet` from a bundled set's name, a path or an inline dict.

    A path is taken relative to ``base_dir`` (the exercise file's folder). ``file`` names the
    document in problems when it is inline. Raises :class:`InvalidCriteria` with every problem.
    """
    from commission.inputs.jsonio import load_json

    if isinstance(spec, Mapping):
        doc: Any = spec
    elif isinstance(spec, str) and _SET_NAME.match(spec):
        if spec not in bundled_sets():
            raise InvalidCriteria(
                f"there is no bundled criteria set called '{spec}'",
                [
                    Problem(
                        type="unknown-criteria-set",
                        message=f"there is no bundled criteria set called '{spec}'",
                        file=file,
                        path="criteria" if file else None,
                        value=spec,
                        fix=f"use one of {', '.join(bundled_sets())}, or a path to a .json file",
                    )
                ],
            )
        from commission.resources import criteria_dir

        path = criteria_dir() / f"{spec}.json"
        file = str(path)
        doc = load_json(path)
    else:
        path = Path(spec)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        file = str(path)
        try:
            doc = load_json(path)
        except InvalidDocument as error:
            raise InvalidCriteria(error.message, error.problems) from None
    return criteria_from_dict(doc, file=file)


def criteria_from_dict(doc: Any, *, file: str | None = None, trusted: bool = False) -> CriteriaSet:
    """Check a parsed criteria set document and build the :class:`CriteriaSet`.

    ``trusted`` skips the checks, for a set already checked and frozen into a stored exercise.
    """
    if not trusted:
        _check(doc, file)
    set_scale = Scale.from_dict(doc.get("scale") or DEFAULT_SCALE)
    criteria = []
    for item in doc["criteria"]:
        scale = Scale.from_dict(item["scale"]) if "scale" in item else set_scale
        criteria.append(
            Criterion(
                id=item["id"],
                name=item["name"],
                question=item["question"],
                guidance=item.get("guidance", ""),
                weight=exact(item.get("weight", 1)),
                scale=scale,
                minimum=exact(item["minimum"]) if "minimum" in item else None,
            )
        )
    return CriteriaSet(
        id=doc["id"],
        title=doc["title"],
        scale=set_scale,
        criteria=tuple(criteria),
        description=doc.get("description", ""),
    )


def _check(doc: Any, file: str | None) -> None:
    from commission.inputs.validation import problems as schema_problems

    found = schema_problems(doc, "criteria", file)
    if found:
        raise InvalidCriteria(
            f"{file or 'the criteria set'}: {plural(len(found), 'problem')} in the criteria set",
            [_name_criterion(p, doc) for p in found],
        )
    found = semantic_problems(doc, file)
    if found:
        raise InvalidCriteria(
            f"{file or 'the criteria set'}: {plural(len(found), 'problem')} in the criteria set",
            found,
        )


def semantic_problems(doc: Mapping[str, Any], file: str | None = None) -> list[Problem]:
    """The rules of SPEC §2 a schema cannot express, for a document that passed the schema."""
    found: list[Problem] = []
    set_scale = doc.get("scale") or DEFAULT_SCALE
    if "scale" in doc:
        found += _scale_problems(doc["scale"], "scale", "the set's scale", file)

    seen: dict[str, int] = {}
    for index, item in enumerate(doc["criteria"]):
        where = f"criteria/{index}"
        label = f"criterion '{item['id']}'"
        # Wide score sheets match columns to criteria ignoring case, so ids must differ by more.
        folded = item["id"].casefold()
        if folded in seen:
            found.append(
                Problem(
                    type="duplicate-criterion",
                    message=f"{label} repeats the id of criteria/{seen[folded]}",
                    file=file,
                    path=f"{where}/id",
                    value=item["id"],
                    fix="give every criterion its own id (ids differing only in case clash)",
                )
            )
        else:
            seen[folded] = index
        weight = item.get("weight", 1)
        if exact(weight) <= 0:  # the schema refuses this too; kept for documents built in code
            found.append(
                Problem(
                    type="constraint-error",
                    message=f"{label}: the weight must be above 0",
                    file=file,
                    path=f"{where}/weight",
                    value=weight,
                    fix="give a positive weight, or leave it out for 1",
                )
            )
        scale = item.get("scale", set_scale)
        if "scale" in item:
            found += _scale_problems(item["scale"], f"{where}/scale", label, file)
        if "minimum" in item and scale["min"] < scale["max"]:
            minimum = exact(item["minimum"])
            if not scale["min"] <= minimum <= scale["max"]:
                found.append(
                    Problem(
                        type="constraint-error",
                        message=(
                            f"{label}: the minimum {item['minimum']} is outside its scale "
                            f"{scale['min']} to {scale['max']}"
                        ),
                        file=file,
                        path=f"{where}/minimum",
                        value=item["minimum"],
                        fix=f"give a minimum from {scale['min']} to {scale['max']}",
                    )
                )
    return found


def _scale_problems(
    scale: Mapping[str, Any], where: str, label: str, file: str | None
) -> list[Problem]:
    low, high = scale["min"], scale["max"]
    if low >= high:
        return [
            Problem(
                type="constraint-error",
                message=f"{label}: the scale's min ({low}) must be below its max ({high})",
                file=file,
                path=f"{where}/min",
                value=low,
                fix="a scale runs from a lower min to a higher max, like 0 to 5",
            )
        ]
    found = []
    for point in sorted(scale.get("descriptors") or {}, key=int):
        if not low <= int(point) <= high:
            found.append(
                Problem(
                    type="constraint-error",
                    message=f"{label}: a descriptor for point {point}, outside the scale "
                    f"{low} to {high}",
                    file=file,
                    path=f"{where}/descriptors/{point}",
                    fix=f"describe only points {low} to {high}",
                )
            )
    return found


def _name_criterion(problem: Problem, doc: Any) -> Problem:
    """Say which criterion a schema problem is about: ``criteria/2`` alone is hard to find."""
    match = re.match(r"^criteria/(\d+)(/|$)", problem.path or "")
    if not match or not isinstance(doc, Mapping):
        return problem
    try:
        criterion_id = doc["criteria"][int(match.group(1))]["id"]
    except (KeyError, IndexError, TypeError):
        return problem
    if not isinstance(criterion_id, str):
        return problem
    from dataclasses import replace

    return replace(problem, message=f"criterion '{criterion_id}': {problem.message}")
