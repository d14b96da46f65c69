"""The hash-chained audit trail (Procurement Act 2023 s.98: records that explain a decision).

Each entry's hash is SHA-256 over the previous entry's hash followed by the canonical JSON of the
entry (sorted keys, no spaces, UTF-8 text as written). Changing, removing or reordering any entry
breaks every hash after it; :func:`verify` names the first entry that does not match. Triggers made
by the migrations refuse UPDATE and DELETE on the table, so tampering needs deliberate DDL first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from .. import exactjson
from .models import AuditPayloadRow, AuditRow, table_of

GENESIS = "0" * 64
_table = table_of(AuditRow)
_payloads = table_of(AuditPayloadRow)


def canonical_json(document: Any) -> str:
    """The one text of a JSON document that is hashed: sorted keys, no spaces, no escapes."""
    return exactjson.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def sha256_of(document: Any) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    body = canonical_json(
        {
            "seq": entry["seq"],
            "exercise": entry["exercise"],
            "at": entry["at"],
            "action": entry["action"],
            "details": entry["details"],
        }
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(
    connection: Connection,
    exercise_id: str | None,
    events: Iterable[tuple[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any], str]],
) -> int:
    """Append ``(action, details)`` entries in order; the caller holds the write lock.

    An event ``(action, details, body)`` also stores ``body`` (the canonical JSON of the rows the
    entry wrote) in ``audit_payloads`` beside it; its details must already hold the body's
    SHA-256, so the entry's hash covers the payload. Returns the number appended. Details must
    be plain JSON (no floats that could round).
    """
    last = connection.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    at = now()
    rows: list[dict[str, Any]] = []
    payloads: list[dict[str, Any]] = []
    for action, details, *body in events:
        seq += 1
        if body:
            text = body[0]
            body_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            payloads.append({"seq": seq, "sha256": body_sha, "body": text})
        entry = {
            "seq": seq,
            "exercise": exercise_id,
            "at": at,
            "action": action,
            "details": exactjson.loads(canonical_json(details)),
        }
        digest = entry_hash(prev, entry)
        rows.append(
            {
                "seq": seq,
                "exercise_id": exercise_id,
                "at": at,
                "action": action,
                "details": entry["details"],
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    for start in range(0, len(rows), 10_000):
        connection.execute(insert(_table), rows[start : start + 10_000])
    for payload in payloads:
        connection.execute(insert(_payloads), [payload])
    return len(rows)


def payload(connection: Connection, seq: int) -> tuple[str, str] | None:
    """``(sha256, body)`` of the rows entry ``seq`` wrote, or None when none is stored."""
    row = connection.execute(
        select(AuditPayloadRow.sha256, AuditPayloadRow.body).where(AuditPayloadRow.seq == seq)
    ).first()
    return (row.sha256, row.body) if row else None


def payload_seqs(connection: Connection) -> set[int]:
    return set(connection.execute(select(AuditPayloadRow.seq)).scalars())


def head(connection: Connection) -> tuple[int, str] | None:
    """``(seq, hash)`` of the newest entry, or None for an empty trail."""
    row = connection.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else None


def seq_of(connection: Connection, digest: str) -> int | None:
    """The entry whose hash is ``digest`` (or starts with it, if that is unique)."""
    query = select(AuditRow.seq).where(AuditRow.hash.startswith(digest.lower(), autoescape=True))
    found = list(connection.execute(query.limit(2)).scalars())
    return found[0] if len(found) == 1 else None


def entries(connection: Connection, exercise_id: str | None = None) -> list[dict[str, Any]]:
    query = select(_table).order_by(AuditRow.seq)
    if exercise_id is not None:
        query = query.where(AuditRow.exercise_id == exercise_id)
    return [_entry(row._mapping) for row in connection.execute(query)]


def _entry(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "seq": row["seq"],
        "exercise": row["exercise_id"],
        "at": row["at"],
        "action": row["action"],
        "details": row["details"],
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }


@dataclass(frozen=True)
class AuditCheck:
    """The outcome of recomputing the chain: ``ok``, how many entries, and the first bad one."""

    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad": self.first_bad,
            "reason": self.reason,
        }


def verify(connection: Connection, keep: list[dict[str, Any]] | None = None) -> AuditCheck:
    """Recompute every hash in order; stop at the first entry that does not match. Each entry
    checked is appended to ``keep`` when given, so a caller that goes on to replay the trail
    reads it once (the entries :func:`entries` gives, in the same order)."""
    prev = GENESIS
    expected_seq = 0
    checked = 0
    result = connection.execution_options(yield_per=5_000).execute(
        select(_table).order_by(AuditRow.seq)
    )
    for row in result:
        entry = _entry(row._mapping)
        if keep is not None:
            keep.append(entry)
        expected_seq += 1
        checked += 1
        seq = entry["seq"]
        if seq != expected_seq:
            return AuditCheck(False, checked, seq, f"entry {expected_seq} is missing")
        if entry["prev_hash"] != prev:
            return AuditCheck(
                False, checked, seq, f"entry {seq} does not follow entry {seq - 1} (prev_hash)"
            )
        digest = entry_hash(prev, entry)
        if digest != entry["hash"]:
            return AuditCheck(
                False,
                checked,
                seq,
                f"entry {seq} ({entry['action']}) was changed: its contents no longer match "
                "its hash",
            )
        prev = digest
    return AuditCheck(True, checked)
