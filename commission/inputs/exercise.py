"""Exercise files (SPEC §3): one commissioning exercise, its criteria, lots, panels and thresholds.

The loaded :class:`~commission.records.Exercise` keeps the document with its criteria set frozen in
(``criteria`` replaced by the full set), so a stored exercise never changes when a bundled set or
a set file changes later, and ``exercise_from_dict(ex.document)`` gives the same exercise back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from commission.errors import InvalidCriteria, InvalidDocument, InvalidExercise, Problem
from commission.records import (
    DEFAULT_STANDSTILL_DAYS,
    PANELS,
    Contact,
    CriteriaSet,
    Evaluator,
    Exercise,
    exact,
    lots_from,
)

from .problems import plural


def load_exercise(path: str | os.PathLike[str]) -> Exercise:
    """Read, check and build the exercise in the file at ``path``."""
    from commission.inputs.jsonio import load_json

    path = Path(path)
    try:
        doc = load_json(path)
    except InvalidDocument as error:
        raise InvalidExercise(error.message, error.problems) from None
    return exercise_from_dict(doc, base_dir=path.parent, file=str(path))


def exercise_from_dict(
    doc: Any,
    *,
    base_dir: Path | None = None,
    file: str | None = None,
    trusted: bool = False,
) -> Exercise:
    """Check a parsed exercise document and build the :class:`Exercise`.

    A criteria path is taken relative to ``base_dir`` (the current folder when None). Raises
    :class:`InvalidExercise` with every problem, the criteria set's included.

    ``trusted`` skips the checks, for a document that passed them before and cannot have changed
    since: an ``Exercise.document`` (criteria set written out whole) that the store keeps under
    its SHA-256. Anything read from a file or a person is never trusted.
    """
    if trusted and isinstance(doc.get("criteria"), Mapping):
        from commission.inputs.criteria import criteria_from_dict

        criteria = criteria_from_dict(doc["criteria"], trusted=True)
    else:
        criteria = _checked_criteria(doc, base_dir, file)

    min_evaluators = {panel: 1 for panel in PANELS}
    min_evaluators.update(doc.get("min_evaluators") or {})
    document = dict(doc)
    document["criteria"] = criteria.to_dict()
    return Exercise(
        id=doc["id"],
        title=doc["title"],
        authority=doc["authority"],
        criteria=criteria,
        lots=lots_from(doc.get("lots")),
        evaluators=tuple(
            Evaluator(
                id=e["id"],
                name=e["name"],
                panel=e["panel"],
                conflicts=frozenset(e.get("conflicts") or ()),
            )
            for e in doc["evaluators"]
        ),
        price_weight=exact(doc.get("price_weight", 0)),
        quality_threshold=(
            exact(doc["quality_threshold"]) if doc.get("quality_threshold") is not None else None
        ),
        divergence_threshold=exact(doc.get("divergence_threshold", 2)),
        min_evaluators=min_evaluators,
        service=doc.get("service"),
        term=doc.get("term"),
        contact=Contact.from_dict(doc["contact"]) if doc.get("contact") else None,
        standstill_days=int(doc.get("standstill_days", DEFAULT_STANDSTILL_DAYS)),
        criteria_url=doc.get("criteria_url"),
        ocid_prefix=doc.get("ocid_prefix"),
        document=document,
    )


def _checked_criteria(doc: Any, base_dir: Path | None, file: str | None) -> CriteriaSet:
    """The schema and SPEC §3 checks of an exercise document, then its criteria set."""
    from commission.inputs.validation import problems as schema_problems

    name = file or "the exercise"
    found = schema_problems(doc, "exercise", file)
    if found:
        raise InvalidExercise(f"{name}: {plural(len(found), 'problem')} in the exercise", found)

    found = semantic_problems(doc, file)
    criteria: CriteriaSet | None = None
    try:
        criteria = _criteria(doc["criteria"], base_dir, file)
    except InvalidCriteria as error:
        found += error.problems
    if found:
        raise InvalidExercise(f"{name}: {plural(len(found), 'problem')} in the exercise", found)
    assert criteria is not None
    return criteria


def semantic_problems(doc: Mapping[str, Any], file: str | None = None) -> list[Problem]:
    """Rules of SPEC §3 beyond the schema: unique ids, and panels big enough to complete."""
    found: list[Problem] = []
    for key, label in (("lots", "lot"), ("evaluators", "evaluator")):
        first: dict[str, int] = {}
        for index, item in enumerate(doc.get(key) or ()):
            if item["id"] in first:
                found.append(
                    Problem(
                        type=f"duplicate-{label}",
                        message=f"the {label} id '{item['id']}' is used twice "
                        f"(first at {key}/{first[item['id']]})",
                        file=file,
                        path=f"{key}/{index}/id",
                        value=item["id"],
                        fix=f"give every {label} its own id",
                    )
                )
            else:
                first[item["id"]] = index

    wanted = {panel: 1 for panel in PANELS}
    wanted.update(doc.get("min_evaluators") or {})
    for panel in PANELS:
        members = sum(1 for e in doc["evaluators"] if e["panel"] == panel)
        if members < wanted[panel]:
            found.append(
                Problem(
                    type="constraint-error",
                    message=f"the {panel} panel needs at least {wanted[panel]} "
                    f"evaluator{'s' if wanted[panel] != 1 else ''} to score each tender, "
                    f"but {members} {'is' if members == 1 else 'are'} listed",
                    file=file,
                    path=f"min_evaluators/{panel}" if "min_evaluators" in doc else "evaluators",
                    value=wanted[panel],
                    fix=f"add {panel} evaluators, or lower min_evaluators.{panel}",
                )
            )
    return found


def _criteria(spec: Any, base_dir: Path | None, file: str | None) -> CriteriaSet:
    from commission.inputs.criteria import load_criteria

    if isinstance(spec, Mapping):
        try:
            return load_criteria(spec, file=file)
        except InvalidCriteria as error:
            # Inline: the problems are in the exercise file, under its "criteria" key.
            raise InvalidCriteria(
                error.message,
                [
                    replace(p, path=f"criteria/{p.path}" if p.path else "criteria")
                    for p in error.problems
                ],
            ) from None
    return load_criteria(spec, base_dir=base_dir, file=file)
