"""The awards of issued final decisions as an OCDS 1.1 release package (SPEC §12).

:func:`ocds_package` is pure: it takes the exercise, its tenders, the results, the issued
decisions and the options, and returns the package as a dict, validated against the compiled
OCDS 1.1.5 profile (see :mod:`commission.publish.schema`) before it is returned. It reads no file
other than the bundled schemas, and never the database.

What it publishes, and what it never does:

- one release, tagged ``award`` (``tenderUpdate`` when no lot has a winner), dated by the newest
  issue time of the decisions it covers; ``ocid`` is the exercise's ``ocid_prefix``, ``-``, and
  the exercise id;
- only lots with an issued final decision (or the lots asked for); a lot whose decision is a tie,
  or where no tender passed, gets no award and the reason in ``tender.awardCriteriaDetails``;
- scores exactly as :class:`~commission.scoring.Results` gives them: floats as
  ``results --format json`` prints them, exact rationals beside them in the project's extension;
- never an evaluator's name or id; panel comments only with ``include_comments``; never a
  bidder's contact email or the folder a decision was written to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from ..errors import Problem, PublishRefused
from ..records import Exercise, Tender
from ..scoring import OUTCOME_NONE_PASSED, OUTCOME_TIE, OUTCOME_WINNER, PANEL_WEIGHT, Results
from ..scoring import ratio_text as ratio
from . import schema
from .decisions import IssuedDecision, latest_final

#: The version of OCDS the package declares (its ``version`` field is major.minor).
OCDS_VERSION = "1.1"

#: An OCDS prefix as the Open Contracting Partnership registers them (exercise schema too).
OCID_PREFIX = re.compile(r"ocds-[a-z0-9]{6}")

#: Where the project's own extension is described until the authority publishes it elsewhere.
DEFAULT_EXTENSION_URL = "urn:x-commission:ocds-extension:commission-scores:1.0"


@dataclass(frozen=True)
class OcdsOptions:
    """How to publish.

    ``lots``: only these lots (default every lot with an issued final decision).
    ``include_comments``: publish the panels' comments (never who wrote them).
    ``uri``: the package's URI, where it will be published (default a URN made from the ocid).
    ``documents_url``: the web folder the decision files are published in; each document's
    ``url`` is this plus the file name (default: no ``url``, the file name is in the title).
    ``extension_url``: where the project's ``extension.json`` is published.
    ``ocid_prefix``: the authority's OCDS prefix, for an exercise stored without one.
    """

    lots: tuple[str, ...] | None = None
    include_comments: bool = False
    uri: str | None = None
    documents_url: str | None = None
    extension_url: str = DEFAULT_EXTENSION_URL
    ocid_prefix: str | None = None


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _amount(tender: Tender) -> int | float | None:
    """The price as the bidder wrote it, so no conversion can alter the money."""
    if tender.price is None:
        return None
    written = (tender.document.get("price") or {}).get("amount")
    if isinstance(written, int | float) and not isinstance(written, bool):
        return written
    return _number(tender.price)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def chosen_decisions(
    exercise: Exercise, decisions: Sequence[IssuedDecision], lots: Sequence[str] | None
) -> dict[str, IssuedDecision]:
    """The newest final decision of each lot to publish, in the exercise's lot order.

    Raises :class:`PublishRefused` when a lot asked for has none, or when no lot has one."""
    finals = latest_final(decisions)
    if lots is not None:
        unknown = [lot for lot in lots if lot not in exercise.lot_ids]
        if unknown:
            raise PublishRefused(
                f"exercise {exercise.id} has no lot {unknown[0]!r}; its lots are "
                f"{', '.join(exercise.lot_ids)}"
            )
        missing = [lot for lot in lots if lot not in finals]
        if missing:
            raise PublishRefused(
                f"nothing to publish: no final decision has been issued for lot "
                f"{', '.join(missing)} of {exercise.id} (a provisional decision is never "
                "published)",
                [Problem("no-final-decision", "no final decision issued", value=missing[0])],
            )
    wanted = list(lots) if lots is not None else list(exercise.lot_ids)
    chosen = {lot: finals[lot] for lot in exercise.lot_ids if lot in wanted and lot in finals}
    if not chosen:
        provisional = any(d.provisional for d in decisions)
        raise PublishRefused(
            f"nothing to publish: no final decision has been issued for {exercise.id}"
            + (" (only provisional ones, which are never published)" if provisional else ""),
            [Problem("no-final-decision", "no final decision issued", value=exercise.id)],
        )
    return chosen


def ocds_package(
    exercise: Exercise,
    tenders: Sequence[Tender],
    results: Results,
    decisions: Sequence[IssuedDecision],
    options: OcdsOptions | None = None,
) -> dict[str, Any]:
    """The OCDS 1.1 release package of the exercise's issued final decisions, validated.

    Raises :class:`~commission.errors.PublishRefused` when there is nothing to publish (no final
    decision, no ``ocid_prefix``) and :class:`~commission.errors.InvalidOcds` with every problem
    should the package break the OCDS profile."""
    options = options or OcdsOptions()
    prefix = options.ocid_prefix or exercise.ocid_prefix
    if not prefix:
        raise PublishRefused(
            f"exercise {exercise.id} has no ocid_prefix: give the authority's OCDS prefix (the "
            f"one the Open Contracting Partnership registered, ocds-xxxxxx) for this publication, "
            f'or put "ocid_prefix" in the exercise file of the next exercise',
            [Problem("no-ocid-prefix", "no OCDS prefix", value=exercise.id)],
        )
    if not OCID_PREFIX.fullmatch(prefix):
        raise PublishRefused(
            f"ocid prefix {prefix!r} is not of the form ocds-xxxxxx (ocds- and six lower-case "
            f"letters or digits)"
        )
    chosen = chosen_decisions(exercise, decisions, options.lots)
    ocid = f"{prefix}-{exercise.id}"
    issued = max(d.issued_at for d in chosen.values())
    builder = _Builder(exercise, {t.id: t for t in tenders}, results, chosen, options)
    release = builder.release(ocid, issued)
    package = {
        "uri": options.uri or f"urn:{ocid}:{issued.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "version": OCDS_VERSION,
        "extensions": [*schema.extension_urls(), options.extension_url],
        "publishedDate": _iso(issued),
        "publisher": {"name": exercise.authority},
        "releases": [release],
    }
    schema.validate(package)
    return package


class _Builder:
    def __init__(
        self,
        exercise: Exercise,
        tenders: Mapping[str, Tender],
        results: Results,
        decisions: Mapping[str, IssuedDecision],
        options: OcdsOptions,
    ) -> None:
        self.exercise, self.tenders, self.results = exercise, tenders, results
        self.decisions, self.options = decisions, options
        self.json = {t["tender"]: t for t in results.to_dict()["tenders"]}
        # Looked up once per bid: a scan of results.tenders each time is quadratic at scale.
        self.by_id = {t.tender: t for t in results.tenders}

    # -- parties --------------------------------------------------------------------------
    def _buyer(self) -> dict[str, Any]:
        buyer: dict[str, Any] = {"id": "buyer", "name": self.exercise.authority, "roles": ["buyer"]}
        contact = self.exercise.contact
        if contact is not None:
            point = {
                "name": contact.name,
                "email": contact.email,
                "telephone": contact.telephone,
                "url": contact.url,
            }
            buyer["contactPoint"] = {k: v for k, v in point.items() if v}
            if contact.address:
                buyer["address"] = {"streetAddress": contact.address}
        return buyer

    def _party_id(self, tender: Tender) -> str:
        if tender.identifier is not None:
            return str(tender.identifier)
        return f"tenderer-{tender.id}"

    def _tenderer(self, tender: Tender, roles: list[str]) -> dict[str, Any]:
        bidder = tender.document.get("bidder") or {}
        party: dict[str, Any] = {
            "id": self._party_id(tender),
            "name": tender.bidder,
            "roles": roles,
        }
        if tender.identifier is not None:
            party["identifier"] = {
                "scheme": tender.identifier.scheme,
                "id": tender.identifier.id,
                "legalName": tender.bidder,
            }
        address: dict[str, str] = {}
        if tender.address:
            address["streetAddress"] = tender.address
        if bidder.get("postcode"):
            address["postalCode"] = str(bidder["postcode"])
        if address:
            party["address"] = address
        details: dict[str, Any] = {}
        if "sme" in bidder:
            details["scale"] = "sme" if bidder["sme"] else "large"
        if "vcse" in bidder:
            details["vcse"] = bool(bidder["vcse"])
        if details:
            party["details"] = details
        return party

    def _reference(self, tender: Tender) -> dict[str, Any]:
        return {"id": self._party_id(tender), "name": tender.bidder}

    # -- tender ---------------------------------------------------------------------------
    def _criteria_breakdown(self) -> dict[str, Any]:
        exercise = self.exercise
        p = exercise.price_weight
        total_weight = sum((c.weight for c in exercise.criteria.criteria), Fraction(0))
        criteria: list[dict[str, Any]] = []
        for c in exercise.criteria.criteria:
            share = (100 - p) * c.weight / total_weight
            numbers: list[dict[str, Any]] = [
                {"number": _number(share), "numberExact": ratio(share), "weight": "percentageExact"}
            ]
            if c.minimum is not None:
                numbers.append(
                    {
                        "number": _number(c.minimum),
                        "numberExact": ratio(c.minimum),
                        "threshold": "minimumScore",
                    }
                )
            criteria.append(
                {
                    "id": c.id,
                    "type": "quality",
                    "name": c.name,
                    "description": f"{c.question} Scored {c.scale.min} to {c.scale.max} by each "
                    f"panel member; the combined score is the mean of the two "
                    f"panels' means."
                    + (
                        f" Minimum combined score: {ratio(c.minimum)}."
                        if c.minimum is not None
                        else ""
                    ),
                    "numbers": numbers,
                }
            )
        if p > 0:
            criteria.append(
                {
                    "id": "price",
                    "type": "price",
                    "name": "Price",
                    "description": f"Price score = {ratio(p)} × the lowest price among the lot's "
                    f"passing tenders ÷ the tender's price.",
                    "numbers": [
                        {"number": _number(p), "numberExact": ratio(p), "weight": "percentageExact"}
                    ],
                }
            )
        breakdown: dict[str, Any] = {"criteria": criteria, "description": self._method()}
        return breakdown

    def _method(self) -> str:
        exercise = self.exercise
        parts = [
            "Every tender is scored on each criterion by a community panel (residents, people "
            "who use the service, carers, local groups) and an officer panel. The two panels "
            "carry equal weight, 50% each, whatever the number of people on each panel: a "
            "criterion's combined score is (community panel mean + officer panel mean) / 2.",
            "Quality score = 100 × the weighted mean of the combined scores ÷ the scale "
            "maximum (0 to 100).",
        ]
        if exercise.price_weight > 0:
            p = ratio(exercise.price_weight)
            parts.append(
                f"Price carries {p}%: total score = (100 − {p})/100 × quality score + price "
                f"score, where price score = {p} × lowest passing price in the lot ÷ the "
                f"tender's price."
            )
        else:
            parts.append("Price is not weighted: total score = quality score.")
        minimums = [
            f"{c.name} {ratio(c.minimum)}"
            for c in exercise.criteria.criteria
            if c.minimum is not None
        ]
        if minimums:
            parts.append("Minimum combined scores: " + "; ".join(minimums) + ".")
        if exercise.quality_threshold is not None:
            parts.append(
                f"Quality threshold: a tender must score at least "
                f"{ratio(exercise.quality_threshold)} out of 100 on quality."
            )
        parts.append(
            "A tender below a minimum or the quality threshold is disqualified. "
            "Passing tenders are ranked by total score within their lot; exactly "
            "equal totals share a rank and are a tie for the panel to resolve."
        )
        return " ".join(parts)

    def _lot_outcomes(self) -> list[str]:
        lines = []
        for lot_id in self.decisions:
            lot = self.results.lot(lot_id)
            if lot.outcome == OUTCOME_TIE:
                lines.append(
                    f"Lot {lot.title} ({lot_id}): tenders {', '.join(lot.recommended)} tied for "
                    f"first place with exactly equal total scores; the tie is to be resolved "
                    f"by the panel, so no award is published for this lot."
                )
            elif lot.outcome == OUTCOME_NONE_PASSED:
                lines.append(
                    f"Lot {lot.title} ({lot_id}): no tender passed, so no award is "
                    f"published for this lot."
                )
            elif lot.outcome != OUTCOME_WINNER:
                lines.append(f"Lot {lot.title} ({lot_id}): no award ({lot.outcome}).")
        return lines

    def _tender(self) -> dict[str, Any]:
        exercise = self.exercise
        description = exercise.service or exercise.title
        if exercise.term:
            description += f" Contract term: {exercise.term}."
        in_scope = [t for t in self.tenders.values() if t.lot in self.decisions]
        tenderers: dict[str, dict[str, Any]] = {}
        for t in in_scope:
            tenderers.setdefault(self._party_id(t), self._reference(t))
        breakdown = self._criteria_breakdown()
        tender: dict[str, Any] = {
            "id": exercise.id,
            "title": exercise.title,
            "description": description,
            "mainProcurementCategory": "services",
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": " ".join([self._method(), *self._lot_outcomes()]),
            "numberOfTenderers": len(tenderers),
            "tenderers": list(tenderers.values()),
            "lots": [
                {"id": lot.id, "title": lot.title, "awardCriteria": breakdown}
                for lot in exercise.lots
                if lot.id in self.decisions
            ],
        }
        if exercise.criteria_url:
            tender["documents"] = [
                {
                    "id": "assessment-method",
                    "documentType": "evaluationCriteria",
                    "title": f"Assessment method: {exercise.criteria.title}",
                    "url": exercise.criteria_url,
                }
            ]
        return tender

    # -- bids -----------------------------------------------------------------------------
    def _scores(self, tender_id: str) -> dict[str, Any]:
        result = self.by_id[tender_id]
        shown = self.json[tender_id]
        exact = shown["exact"]
        criteria = []
        for c, c_json in zip(result.criteria, shown["criteria"], strict=True):
            gap = (
                abs(c.community_mean - c.officer_mean)
                if c.community_mean is not None and c.officer_mean is not None
                else None
            )
            criteria.append(
                {
                    "criterion": c.criterion,
                    "communityMean": c_json["community_mean"],
                    "communityMeanExact": ratio(c.community_mean),
                    "officerMean": c_json["officer_mean"],
                    "officerMeanExact": ratio(c.officer_mean),
                    "combined": c_json["combined"],
                    "combinedExact": ratio(c.combined),
                    "communityCount": c.community_n,
                    "officerCount": c.officer_n,
                    "divergence": float(gap) if gap is not None else None,
                    "divergenceExact": ratio(gap),
                    "divergent": c.divergent,
                    "belowMinimum": c.below_minimum,
                }
            )
        scores: dict[str, Any] = {
            "panelWeighting": {
                "community": float(PANEL_WEIGHT),
                "communityExact": ratio(PANEL_WEIGHT),
                "officer": float(PANEL_WEIGHT),
                "officerExact": ratio(PANEL_WEIGHT),
            },
            "status": result.status,
            "passed": result.passed,
            "tie": result.tie,
            "qualityScore": shown["quality_score"],
            "qualityScoreExact": exact["quality_score"],
            "priceScore": shown["price_score"],
            "priceScoreExact": exact["price_score"],
            "totalScore": shown["total_score"],
            "totalScoreExact": exact["total_score"],
            "criteria": criteria,
        }
        if result.failures:
            scores["failures"] = list(result.failures)
        if self.options.include_comments:
            scores["comments"] = [
                {"criterion": m.criterion, "panel": m.panel, "score": m.score, "comment": m.text}
                for m in self.results.comments_on(tender_id)
            ]
        return scores

    def _bid(self, tender: Tender) -> dict[str, Any]:
        result = self.by_id[tender.id]
        status = (
            ("valid" if result.passed else "disqualified")
            if result.passed is not None
            else "pending"
        )
        bid: dict[str, Any] = {
            "id": tender.id,
            "status": status,
            "hasRank": result.rank is not None,
        }
        if result.rank is not None:
            bid["rank"] = result.rank
        submitted = tender.document.get("submitted_at")
        if isinstance(submitted, str):
            bid["date"] = submitted
        value = self._value(tender)
        if value:
            bid["value"] = value
        bid["relatedLots"] = [tender.lot]
        bid["tenderers"] = [self._reference(tender)]
        bid["commissionScores"] = self._scores(tender.id)
        return bid

    def _value(self, tender: Tender) -> dict[str, Any] | None:
        amount = _amount(tender)
        if amount is None:
            return None
        return {"amount": amount, "currency": tender.currency or "GBP"}

    def _statistics(self, bids: list[dict[str, Any]], date: str) -> list[dict[str, Any]]:
        stats: list[dict[str, Any]] = []
        status = {b["id"]: b["status"] for b in bids}
        by_lot: dict[str, list[Tender]] = {}
        for result in self.results.tenders:
            if result.tender in self.tenders:
                by_lot.setdefault(result.lot, []).append(self.tenders[result.tender])
        for lot_id in self.decisions:
            in_lot = by_lot.get(lot_id, [])
            bidder = {t.id: (t.document.get("bidder") or {}) for t in in_lot}
            counts = [
                ("bids", len(in_lot)),
                ("validBids", sum(status[t.id] == "valid" for t in in_lot)),
                ("disqualifiedBids", sum(status[t.id] == "disqualified" for t in in_lot)),
                # Every tender is assessed in one stage, so the final stage holds them all.
                ("finalStageBids", len(in_lot)),
            ]
            # A count of SMEs or VCSEs is only true when every tender of the lot says which it
            # is: the flags are optional, and an unstated one is not a "no".
            if in_lot and all("sme" in bidder[t.id] for t in in_lot):
                smes = sum(bool(bidder[t.id]["sme"]) for t in in_lot)
                counts += [("smeBids", smes), ("smeFinalStageBids", smes)]
            if in_lot and all("vcse" in bidder[t.id] for t in in_lot):
                vcses = sum(bool(bidder[t.id]["vcse"]) for t in in_lot)
                counts.append(("vcseFinalStageBids", vcses))
            for measure, value in counts:
                stats.append(
                    {
                        "id": f"{lot_id}-{measure}",
                        "measure": measure,
                        "value": value,
                        "date": date,
                        "relatedLot": lot_id,
                    }
                )
            valid = [t for t in in_lot if status[t.id] == "valid" and t.price is not None]
            currencies = {t.currency for t in valid}
            if valid and len(currencies) == 1:
                lowest = min(valid, key=lambda t: t.price or 0)
                highest = max(valid, key=lambda t: t.price or 0)
                for measure, extreme in (
                    ("lowestValidBidValue", lowest),
                    ("highestValidBidValue", highest),
                ):
                    stats.append(
                        {
                            "id": f"{lot_id}-{measure}",
                            "measure": measure,
                            "value": _amount(extreme),
                            "currency": extreme.currency,
                            "date": date,
                            "relatedLot": lot_id,
                        }
                    )
        return stats

    # -- awards ---------------------------------------------------------------------------
    def _award(self, lot_id: str, decision: IssuedDecision) -> dict[str, Any] | None:
        lot = self.results.lot(lot_id)
        if lot.outcome != OUTCOME_WINNER or len(lot.recommended) != 1:
            return None
        winner = self.tenders[lot.recommended[0]]
        issued = _iso(decision.issued_at)
        days = self.exercise.standstill_days
        award: dict[str, Any] = {
            "id": f"{lot_id}-{decision.issued_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            "title": f"Award of lot {lot.title}",
            "description": f"The panels' final decision recommends tender {winner.id} by "
            f"{winner.bidder}. The award is pending until the standstill period "
            f"of {days} working days from {issued[:10]} ends.",
            "status": "pending",
            "date": issued,
            "relatedLots": [lot_id],
            "relatedBid": winner.id,
            "relatedBids": [winner.id],
            "suppliers": [self._reference(winner)],
            "assessmentSummariesDateSent": issued,
        }
        value = self._value(winner)
        if value:
            award["value"] = value
        documents = []
        for n, item in enumerate(decision.decision_files, start=1):
            document: dict[str, Any] = {
                "id": f"{lot_id}-decision-{n}",
                "documentType": "evaluationReports",
                "title": f"Panel decision for lot {lot.title} ({item.name})",
                "description": f"The panels' decision, issued {issued}."
                + (f" SHA-256 {item.sha256}." if item.sha256 else "")
                + " Check a copy with 'commission verify'.",
                "datePublished": issued,
                "relatedLots": [lot_id],
            }
            if item.media_type:
                document["format"] = item.media_type
            if self.options.documents_url:
                document["url"] = self.options.documents_url.rstrip("/") + "/" + item.name
            documents.append(document)
        if documents:
            award["documents"] = documents
        return award

    # -- release --------------------------------------------------------------------------
    def release(self, ocid: str, issued: datetime) -> dict[str, Any]:
        date = _iso(issued)
        stamp = f"{issued.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        in_scope = [
            self.tenders[t.tender]
            for t in self.results.tenders
            if t.lot in self.decisions and t.tender in self.tenders
        ]
        awards = [a for a in (self._award(lot, d) for lot, d in self.decisions.items()) if a]
        suppliers = {s["id"] for a in awards for s in a["suppliers"]}
        parties = [self._buyer()]
        seen: set[str] = set()
        for t in in_scope:
            party_id = self._party_id(t)
            if party_id in seen:
                continue
            seen.add(party_id)
            roles = ["tenderer"] + (["supplier"] if party_id in suppliers else [])
            parties.append(self._tenderer(t, roles))
        bids = [self._bid(t) for t in in_scope]
        release: dict[str, Any] = {
            "ocid": ocid,
            "id": f"{ocid}-{'award' if awards else 'update'}-{stamp}",
            "date": date,
            "tag": ["award"] if awards else ["tenderUpdate"],
            "initiationType": "tender",
            "language": "en",
            "parties": parties,
            "buyer": {"id": "buyer", "name": self.exercise.authority},
            "tender": self._tender(),
            "bids": {"statistics": self._statistics(bids, date), "details": bids},
        }
        if awards:
            release["awards"] = awards
        return release
