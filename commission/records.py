"""The checked records the rest of the toolkit works with: criteria sets, exercises and tenders.

These are plain frozen dataclasses built from documents that have already passed their JSON
Schema (see :mod:`commission.inputs.validation`). Numbers that take part in scoring (weights,
minimums, thresholds, prices) are held as :class:`fractions.Fraction` built from their decimal
text, so no float rounding can reach a rank or a tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

PANELS: tuple[str, str] = ("community", "officer")


def exact(number: Any) -> Fraction:
    """The exact rational a JSON number was written as (``0.1`` is 1/10, not a binary float)."""
    if isinstance(number, Fraction):
        return number
    if isinstance(number, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(number, int | Decimal):
        return Fraction(number)  # a Decimal is what the JSON reader keeps when a float is inexact
    # repr of a float is the shortest text that reads back as it: the digits the author wrote.
    return Fraction(repr(number) if isinstance(number, float) else str(number))


@dataclass(frozen=True)
class Scale:
    """Integer points from ``min`` to ``max``, each with a plain-English descriptor."""

    min: int
    max: int
    descriptors: Mapping[int, str] = field(default_factory=dict)

    @property
    def points(self) -> range:
        return range(self.min, self.max + 1)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Scale:
        descriptors = {int(k): str(v) for k, v in (doc.get("descriptors") or {}).items()}
        return cls(min=int(doc.get("min", 0)), max=int(doc.get("max", 5)), descriptors=descriptors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "min": self.min,
            "max": self.max,
            "descriptors": {str(k): v for k, v in sorted(self.descriptors.items())},
        }


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    question: str
    guidance: str
    weight: Fraction
    scale: Scale
    minimum: Fraction | None = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "question": self.question,
            "guidance": self.guidance,
            "weight": _number(self.weight),
            "scale": self.scale.to_dict(),
        }
        if self.minimum is not None:
            doc["minimum"] = _number(self.minimum)
        return doc


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    title: str
    scale: Scale
    criteria: tuple[Criterion, ...]
    description: str = ""

    def __getitem__(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    def to_dict(self) -> dict[str, Any]:
        """The set frozen into an exercise: every criterion's scale written out."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "scale": self.scale.to_dict(),
            "criteria": [c.to_dict() for c in self.criteria],
        }


@dataclass(frozen=True)
class Lot:
    id: str
    title: str


@dataclass(frozen=True)
class Evaluator:
    id: str
    name: str
    panel: str
    conflicts: frozenset[str] = frozenset()


#: The lot id used when an exercise names no lots.
DEFAULT_LOT = "main"

#: Working days between the award notice and the contract when an exercise gives none.
DEFAULT_STANDSTILL_DAYS = 8


@dataclass(frozen=True)
class Contact:
    """The authority's contact for bidders (exercise ``contact``)."""

    name: str
    email: str | None = None
    telephone: str | None = None
    address: str | None = None
    url: str | None = None

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Contact:
        optional = {key: doc.get(key) for key in ("email", "telephone", "address", "url")}
        return cls(name=str(doc["name"]), **optional)

    def lines(self) -> list[str]:
        """Name, then each way to reach it, as printed on a document."""
        parts = (self.name, self.email, self.telephone, self.address, self.url)
        return [str(part) for part in parts if part]


@dataclass(frozen=True)
class Identifier:
    """An organisation identifier: an org-id.guide scheme (GB-COH, GB-CHC ...) and its number."""

    scheme: str
    id: str

    def __str__(self) -> str:
        return f"{self.scheme}-{self.id}"


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    authority: str
    criteria: CriteriaSet
    lots: tuple[Lot, ...]
    evaluators: tuple[Evaluator, ...]
    price_weight: Fraction = Fraction(0)
    quality_threshold: Fraction | None = None
    divergence_threshold: Fraction = Fraction(2)
    min_evaluators: Mapping[str, int] = field(
        default_factory=lambda: {"community": 1, "officer": 1}
    )
    service: str | None = None
    term: str | None = None
    contact: Contact | None = None
    standstill_days: int = DEFAULT_STANDSTILL_DAYS
    criteria_url: str | None = None
    ocid_prefix: str | None = None
    #: The exercise document as written (criteria replaced by the frozen set), for the store.
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def lot_ids(self) -> tuple[str, ...]:
        return tuple(lot.id for lot in self.lots)

    @property
    def has_lots(self) -> bool:
        """True when bidders must name a lot (the exercise lists more than one)."""
        return len(self.lots) > 1

    def evaluator(self, evaluator_id: str) -> Evaluator:
        for evaluator in self.evaluators:
            if evaluator.id == evaluator_id:
                return evaluator
        raise KeyError(evaluator_id)

    def panel_of(self) -> dict[str, str]:
        return {e.id: e.panel for e in self.evaluators}


@dataclass(frozen=True)
class Tender:
    id: str
    lot: str
    bidder: str
    price: Fraction | None
    currency: str | None
    #: The bidder's organisation identifier and postal address, when the tender gives them.
    identifier: Identifier | None = None
    address: str | None = None
    #: The submission exactly as the bidder sent it (untrusted text inside).
    document: Mapping[str, Any] = field(compare=False, repr=False, default_factory=dict)
    #: The file it was read from, for messages; None when it came from a program.
    source: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], default_lot: str = DEFAULT_LOT) -> Tender:
        price = doc.get("price")
        bidder = doc["bidder"]
        identifier, address = bidder_details(doc)
        return cls(
            id=str(doc["id"]),
            lot=str(doc.get("lot") or default_lot),
            bidder=str(bidder["name"]),
            price=exact(price["amount"]) if price else None,
            currency=str(price.get("currency", "GBP")) if price else None,
            identifier=identifier,
            address=address,
            document=doc,
        )


def bidder_details(doc: Mapping[str, Any]) -> tuple[Identifier | None, str | None]:
    """The bidder's identifier and address in a submission, None for each it leaves out."""
    bidder = doc.get("bidder") or {}
    found = bidder.get("identifier")
    identifier = Identifier(str(found["scheme"]), str(found["id"])) if found else None
    return identifier, (str(bidder["address"]) if bidder.get("address") else None)


def _number(value: Fraction) -> int | float | Decimal:
    """The JSON number of an exact value: a float when that is exact, else the Decimal (a
    number read from 25 significant digits is written back with all of them)."""
    if value.denominator == 1:
        return int(value)
    approximate = float(value)
    if Fraction(repr(approximate)) == value:
        return approximate
    twos, fives, rest = 0, 0, value.denominator
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        return approximate  # no finite decimal text: built in code, never read from JSON
    places = max(twos, fives)
    return Decimal(value.numerator * 10**places // value.denominator).scaleb(-places)


def lots_from(doc: Sequence[Mapping[str, Any]] | None) -> tuple[Lot, ...]:
    if not doc:
        return (Lot(DEFAULT_LOT, "Main lot"),)
    return tuple(Lot(str(lot["id"]), str(lot.get("title") or lot["id"])) for lot in doc)


def is_missing(value: Any) -> bool:
    """A cell with no value: None, or a missing value pandas reads (NaN, NA, NaT)."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
