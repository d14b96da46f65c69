"""The publish use case: read the store, check the issued decisions still hold, build the package.

The store is only read. A package is refused, with the reason, when the exercise has no issued
final decision (for the lot asked for), or when the stored scores no longer give the decision that
was issued: what is published must be what the panels decided.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import Problem, PublishRefused
from ..publish.decisions import IssuedDecision, from_audit
from ..publish.ocds import OcdsOptions, chosen_decisions, ocds_package

if TYPE_CHECKING:
    from ..store import Store


@dataclass(frozen=True)
class PublishOutcome:
    exercise: str
    lots: tuple[str, ...]
    awards: tuple[str, ...]
    package: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.package


def issued_decisions(store: Store, exercise_id: str | None = None) -> list[IssuedDecision]:
    """Every decision the exercise's audit trail records, oldest first."""
    with store.reading() as repo:
        exercise_id = repo.pick(exercise_id)
        return from_audit(repo.audit_entries(exercise_id))


def publish_ocds(
    store: Store,
    *,
    exercise_id: str | None = None,
    lot: str | None = None,
    options: OcdsOptions | None = None,
) -> PublishOutcome:
    """The OCDS release package of the exercise's issued final decisions (or of ``lot``'s)."""
    from ..documents import digest as digests
    from .evaluation import results as store_results
    from .tenders import load_tenders

    options = options or OcdsOptions()
    if lot is not None:
        options = replace(options, lots=(lot,))
    results = store_results(store, exercise_id)
    exercise = results.exercise
    tenders = load_tenders(store, exercise.id, documents=True)
    decisions = issued_decisions(store, exercise.id)
    chosen = chosen_decisions(exercise, decisions, options.lots)
    stale = []
    for lot_id, decision in chosen.items():
        now = digests.digest(digests.decision_data(results, lot_id))
        if decision.digest is not None and decision.digest != now:
            stale.append(
                Problem(
                    type="decision-out-of-date",
                    message=f"lot {lot_id}: the stored scores no longer give the final decision "
                    f"issued {decision.issued_at.isoformat()} (SHA-256 {decision.digest}, "
                    f"now {now})",
                    value=lot_id,
                    fix="issue a new final decision, then publish",
                )
            )
    if stale:
        raise PublishRefused(
            "nothing published: the scores changed after the decision was issued", stale
        )
    package = ocds_package(
        exercise, tenders, results, decisions, replace(options, lots=tuple(chosen))
    )
    awards = tuple(a["relatedLots"][0] for a in package["releases"][0].get("awards", []))
    return PublishOutcome(exercise.id, tuple(chosen), awards, package)
