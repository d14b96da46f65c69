"""``audit`` and ``audit --verify``: the hash-chained trail of every change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import AuditBroken, Problem
from .outcomes import Rows

if TYPE_CHECKING:
    from ..store import AuditCheck, Store


def audit_entries(store: Store, exercise_id: str | None = None) -> Rows:
    """The audit trail in order; with ``exercise_id``, that exercise's entries only."""
    with store.reading() as repo:
        repo.ready()
        if exercise_id is not None:
            repo.pick(exercise_id)
        return Rows(tuple(repo.audit_entries(exercise_id)))


def verify_audit(store: Store) -> AuditCheck:
    """Recompute the whole hash chain; the check names the first entry that does not match."""
    with store.reading() as repo:
        repo.ready()
        return repo.verify_audit()


def require_intact_audit(store: Store) -> AuditCheck:
    """:func:`verify_audit`, raising :class:`AuditBroken` when the chain does not verify."""
    check = verify_audit(store)
    if not check.ok:
        raise AuditBroken(
            f"the audit trail does not verify: {check.reason} "
            f"(first bad entry: {check.first_bad}; {check.checked} checked)",
            [Problem("audit-broken", check.reason or "", value=check.first_bad)],
        )
    return check
