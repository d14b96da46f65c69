"""Issued decisions as open data reads them: lot, issue time, provisional or final, and files.

They are read from the audit trail's decision entries, which take two shapes:

- today's (``action`` ``decision-issued``): ``details`` holds ``lot``, ``digest``,
  ``provisional`` and ``files`` as a list of paths; the issue time is the entry's ``at``;
- the richer one (issue 10): ``details`` also holds ``issued_at`` and ``sha256``, a mapping of
  each name in ``files`` to the SHA-256 of its bytes. Files given as ``{"name": ..., "sha256":
  ...}`` objects or ``[name, sha256]`` pairs are read too.

Both are accepted; a file's SHA-256 is ``None`` when the entry did not record one. Only the base
name of a file is kept: where the council's server keeps it is nobody else's business.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Audit actions that record an issued decision.
DECISION_ACTIONS = frozenset({"decision-issued", "decision"})


@dataclass(frozen=True)
class IssuedFile:
    name: str
    sha256: str | None = None

    @property
    def is_decision(self) -> bool:
        """The lot's decision itself (PDF or HTML edition), not a bidder's assessment summary."""
        return self.name.startswith(("decision-", "provisional-decision-"))

    @property
    def media_type(self) -> str | None:
        suffix = os.path.splitext(self.name)[1].lower()
        return {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html"}.get(suffix)


@dataclass(frozen=True)
class IssuedDecision:
    """One decision issued for one lot."""

    lot: str
    issued_at: datetime
    provisional: bool
    files: tuple[IssuedFile, ...] = ()
    digest: str | None = None

    @classmethod
    def from_audit_entry(cls, entry: Mapping[str, Any]) -> IssuedDecision | None:
        """The decision an audit entry records, or ``None`` for an entry of another kind."""
        if entry.get("action") not in DECISION_ACTIONS:
            return None
        details = entry.get("details") or {}
        if not isinstance(details, Mapping) or "lot" not in details:
            return None
        issued = _datetime(details.get("issued_at") or entry.get("at"))
        hashes = details.get("sha256")
        hashes = hashes if isinstance(hashes, Mapping) else {}
        if issued is None:
            return None
        return cls(
            lot=str(details["lot"]),
            issued_at=issued,
            provisional=bool(details.get("provisional", False)),
            files=tuple(
                f for f in (_file(item, hashes) for item in details.get("files") or []) if f
            ),
            digest=str(details["digest"]) if details.get("digest") else None,
        )

    @property
    def decision_files(self) -> tuple[IssuedFile, ...]:
        return tuple(f for f in self.files if f.is_decision)


def from_audit(entries: Iterable[Mapping[str, Any]]) -> list[IssuedDecision]:
    """Every decision the audit entries record, oldest first."""
    found = (IssuedDecision.from_audit_entry(entry) for entry in entries)
    return [decision for decision in found if decision is not None]


def latest_final(decisions: Sequence[IssuedDecision]) -> dict[str, IssuedDecision]:
    """The newest final (not provisional) decision of each lot that has one."""
    latest: dict[str, IssuedDecision] = {}
    for decision in decisions:
        if decision.provisional:
            continue
        current = latest.get(decision.lot)
        if current is None or decision.issued_at >= current.issued_at:
            latest[decision.lot] = decision
    return latest


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _file(item: Any, hashes: Mapping[str, Any]) -> IssuedFile | None:
    name: Any
    sha: Any = None
    if isinstance(item, str | os.PathLike):
        name = os.fspath(item)
        sha = hashes.get(name)
    elif isinstance(item, Mapping):
        name = item.get("name") or item.get("file") or item.get("path")
        sha = item.get("sha256")
    elif isinstance(item, list | tuple) and item:
        name, sha = item[0], (item[1] if len(item) > 1 else None)
    else:
        return None
    if not name:
        return None
    base = os.path.basename(str(name).replace("\\", "/"))
    return IssuedFile(base, str(sha) if sha else None)
