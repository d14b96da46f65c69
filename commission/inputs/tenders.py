"""Tender submissions (SPEC §4): reading them from bidders, checking them against an exercise.

A submission passes the generic tender schema first, then the exercise's own rules: an answer for
every criterion of its set and none for others, a lot it really has, and a price when price is
scored. :func:`tender_schema` writes those rules into a schema to publish to bidders.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InvalidDocument, InvalidTender, Problem, Report
from ..records import DEFAULT_LOT, Exercise, Tender
from .problems import near, plural

PathLike = str | os.PathLike[str]


def tender_schema(exercise: Exercise) -> dict[str, Any]:
    """The tender schema for one exercise: its criteria, its lots, price when it is scored.

    This is what ``commission schema`` prints for bidders. It is self-contained (every ``$ref``
    points inside it), so bidders' tools can use it without our other schemas.
    """
    from .validation import SCHEMA_BASE, load_schema

    doc = load_schema("tender")
    doc["$id"] = f"{SCHEMA_BASE}exercises/{exercise.id}/tender.schema.json"
    doc["title"] = f"Tender submission for {exercise.title} ({exercise.authority})"
    props = doc["properties"]
    required: list[str] = list(doc["required"])

    lot_ids = list(exercise.lot_ids)
    if exercise.has_lots:
        props["lot"] = {
            "description": "The lot this tender is for: "
            + "; ".join(f"{lot.id} = {lot.title}" for lot in exercise.lots),
            "enum": lot_ids,
        }
        required.append("lot")
    else:
        props["lot"] = {"enum": lot_ids, "description": "May be left out: there is one lot."}

    if exercise.price_weight > 0:
        required.append("price")
    else:
        props["price"]["description"] = "May be left out: price is not scored in this exercise."

    props["responses"] = {
        "description": "One answer per criterion, keyed by criterion id.",
        "type": "object",
        "additionalProperties": False,
        "required": list(exercise.criteria.ids),
        "properties": {
            c.id: {"$ref": "#/$defs/response", "title": c.name, "description": c.question}
            for c in exercise.criteria.criteria
        },
    }
    doc["required"] = required
    return doc


def check_tender(
    doc: Any, exercise: Exercise | None = None, file: str | None = None
) -> list[Problem]:
    """Every problem with one parsed submission: the generic schema, then the exercise's rules."""
    from .validation import problems

    if isinstance(doc, list):
        return [
            Problem(
                type="type-error",
                message="a tender is one JSON object, not an array",
                file=file,
                path="",
                fix="put each tender in its own file, as one object starting with {",
            )
        ]
    found = problems(doc, "tender", file) + _price_digits(doc, file)
    from commission.inputs.text_checks import tender_text_problems

    found += tender_text_problems(doc, file)  # NUL and control characters, with their path
    if exercise is None or not isinstance(doc, Mapping):
        return found
    return sorted(found + _exercise_problems(doc, exercise, file), key=_order)


#: The longest price text the store keeps (its ``price`` column), digits, point and exponent.
PRICE_TEXT_MAX = 40


def _price_digits(doc: Any, file: str | None) -> list[Problem]:
    """A price written with more digits than any price needs (it is kept exactly as written)."""
    price = doc.get("price") if isinstance(doc, Mapping) else None
    amount = price.get("amount") if isinstance(price, Mapping) else None
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        return []
    text = repr(amount) if isinstance(amount, float) else str(amount)
    if len(text) <= PRICE_TEXT_MAX:
        return []
    return [
        Problem(
            type="too-many-digits",
            message=f"the price is written with {len(text)} characters, more than {PRICE_TEXT_MAX}",
            file=file,
            path="price/amount",
            value=text if len(text) <= 80 else text[:77] + "...",
            fix="write the price in pounds and pence, such as 420000 or 99.95",
        )
    ]


def _exercise_problems(
    doc: Mapping[str, Any], exercise: Exercise, file: str | None
) -> list[Problem]:
    found: list[Problem] = []
    lot = doc.get("lot")
    lot_ids = exercise.lot_ids
    if lot is None:
        if exercise.has_lots:
            found.append(
                Problem(
                    type="missing-lot",
                    message="the exercise has several lots, so the tender must name one",
                    file=file,
                    path="lot",
                    fix=f'add "lot" with one of {", ".join(lot_ids)}',
                )
            )
    elif isinstance(lot, str) and lot not in lot_ids:
        found.append(
            Problem(
                type="unknown-lot",
                message=f"the exercise has no lot '{lot}'",
                file=file,
                path="lot",
                value=lot,
                fix=f"use one of {', '.join(lot_ids)}",
            )
        )

    if exercise.price_weight > 0 and "price" not in doc:
        found.append(
            Problem(
                type="missing-price",
                message="price is scored in this exercise, so the tender must give one",
                file=file,
                path="price",
                fix='add "price": {"amount": ..., "currency": "GBP"}',
            )
        )

    responses = doc.get("responses")
    if isinstance(responses, Mapping):
        ids = exercise.criteria.ids
        for criterion in exercise.criteria.criteria:
            if criterion.id not in responses:
                found.append(
                    Problem(
                        type="missing-response",
                        message=f"no answer to criterion '{criterion.id}' ({criterion.name})",
                        file=file,
                        path=f"responses/{criterion.id}",
                        fix=f'add "{criterion.id}": {{"answer": "..."}} to responses',
                    )
                )
        for key in responses:
            if key not in ids:
                near = _near(key, ids)
                found.append(
                    Problem(
                        type="unknown-criterion",
                        message=f"the exercise has no criterion '{key}'",
                        file=file,
                        path=f"responses/{key}",
                        value=key,
                        fix=(f"did you mean '{near}'? " if near else "")
                        + f"answer only {', '.join(ids)}",
                    )
                )
    return found


def tender_from(doc: Mapping[str, Any], exercise: Exercise | None = None) -> Tender:
    """The :class:`Tender` record of a submission that passed :func:`check_tender`."""
    default_lot = (
        exercise.lot_ids[0] if exercise is not None and not exercise.has_lots else (DEFAULT_LOT)
    )
    return Tender.from_document(doc, default_lot=default_lot)


def load_tenders(
    paths: PathLike | Iterable[PathLike], exercise: Exercise | None = None
) -> tuple[list[Tender], Report]:
    """Read and check tender files; a folder means every ``*.json`` in it, in name order.

    Returns the valid tenders and a report of every problem in every file (including a tender id
    used by two files). Without an exercise, only the generic schema is checked.
    """
    from .jsonio import load_json

    report = Report()
    tenders: list[Tender] = []
    first_file: dict[str, str] = {}
    for path in _expand(paths, report):
        name = str(path)
        report.checked += 1
        try:
            doc = load_json(path, file=name)
        except InvalidDocument as error:
            report.problems += error.problems
            continue
        found = check_tender(doc, exercise, name)
        if found:
            report.problems += found
            continue
        tender = dataclasses.replace(tender_from(doc, exercise), source=name)
        if tender.id in first_file:
            report.problems.append(duplicate_tender(tender.id, first_file[tender.id], name))
            continue
        first_file[tender.id] = name
        tenders.append(tender)
    return tenders, report


def duplicate_tender(tender_id: str, first: str, file: str | None) -> Problem:
    """The problem of a tender id used twice in one batch; ``first`` says where it came first."""
    return Problem(
        type="duplicate-tender",
        message=f"the tender id '{tender_id}' is also used by {first}",
        file=file,
        path="id",
        value=tender_id,
        fix="give every tender its own id",
    )


def check_record(tender: Tender, exercise: Exercise) -> list[Problem]:
    """The exercise's rules for a tender given as a checked record rather than a document."""
    if tender.lot in exercise.lot_ids:
        return []
    return [
        Problem(
            "unknown-lot",
            f"tender {tender.id} names lot '{tender.lot}', which the exercise lacks",
            value=tender.lot,
            fix=f"use one of {', '.join(exercise.lot_ids)}",
        )
    ]


def read_tenders(
    paths: PathLike | Iterable[PathLike], exercise: Exercise | None = None
) -> list[Tender]:
    """Like :func:`load_tenders`, all or nothing: raises :class:`InvalidTender` on any problem."""
    tenders, report = load_tenders(paths, exercise)
    if not report.valid:
        files = len({p.file for p in report.problems})
        raise InvalidTender(
            f"{plural(len(report.problems), 'problem')} in {plural(files, 'tender file')}",
            report.problems,
        )
    return tenders


def _expand(paths: PathLike | Iterable[PathLike], report: Report) -> list[Path]:
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                report.problems.append(
                    Problem(
                        type="no-tenders",
                        message="the folder holds no .json files",
                        file=str(path),
                        fix="give tender files ending in .json, or the folder that holds them",
                    )
                )
            files += found
        else:
            files.append(path)
    return files


def _order(problem: Problem) -> tuple[Any, ...]:
    from .validation import path_sort_key

    return (path_sort_key(problem.path), problem.type, problem.message)


@functools.lru_cache(maxsize=256)
def _near(key: str, ids: tuple[str, ...]) -> str | None:
    return near(key, ids)
