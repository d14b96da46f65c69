"""What a use case did, for people (``message``) and programs (``to_dict``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload


@dataclass(frozen=True)
class Outcome:
    """A use case that changed the store, or found nothing to change."""

    action: str
    exercise: str
    changed: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "exercise": self.exercise,
            "changed": self.changed,
            "message": self.message,
            **self.details,
        }


@dataclass(frozen=True)
class Rows(Sequence[Mapping[str, Any]]):
    """A listing: one mapping per row, in order (``tenders list``, ``audit``)."""

    rows: tuple[Mapping[str, Any], ...]

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.rows[index]

    def to_dict(self) -> list[dict[str, Any]]:
        """A JSON array of the rows (what ``--format json`` prints)."""
        return [dict(row) for row in self.rows]
