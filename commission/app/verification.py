"""``verify FILE``: is this file one the database issued, byte for byte, and do the stored scores
still give the decision it records? (See :mod:`commission.app.decisions` for issuing.)"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CommissionError, InvalidDocument, NotFound
from ..scoring import Results
from .evaluation import results as store_results
from .issuing import find_file, sha256_of

if TYPE_CHECKING:
    from ..store import Store


@dataclass(frozen=True)
class VerifyOutcome:
    """The two checks of ``commission verify``: (1) these exact bytes were issued by this
    database (their SHA-256 is in the audit trail), (2) the stored data still gives the same
    decision. ``matches`` only when both pass."""

    file: Path
    matches: bool
    exercise: str
    lot: str
    recorded_digest: str
    current_digest: str
    provisional: bool
    changes: tuple[str, ...] = field(default=())
    sha256: str = ""
    #: Check 1: the file's SHA-256 is recorded as issued (and when).
    issued: bool = True
    issued_at: str | None = None
    #: Check 2: the stored data gives the same decision.
    data_matches: bool = True
    document: str = "decision"
    tender: str | None = None

    @property
    def message(self) -> str:
        kind = "provisional decision" if self.provisional else "decision"
        what = f"lot {self.lot} of {self.exercise}"
        if self.document == "summary" and self.tender:
            what = f"tender {self.tender}'s summary, {what}"
        when = ""
        if self.issued_at:
            from ..documents.content import issued_text

            with contextlib.suppress(ValueError):
                when = " " + issued_text(datetime.fromisoformat(self.issued_at)).replace(
                    "Issued ", "on "
                )
        first = (
            f"check 1, the file itself: passed — these exact bytes were issued{when} "
            f"(SHA-256 {self.sha256} is in the audit trail)"
            if self.issued
            else f"check 1, the file itself: FAILED — no document issued from this database "
            f"has this file's SHA-256 {self.sha256}; the file was changed after it was "
            f"issued, or it was not issued here"
        )
        second = (
            f"check 2, the stored data: passed — the stored scores give the same {kind} "
            f"for {what} (decision data SHA-256 {self.current_digest})"
            if self.data_matches
            else f"check 2, the stored data: FAILED — the stored scores now give a different "
            f"{kind} for {what}"
        )
        head = f"{self.file}: matches" if self.matches else f"{self.file}: does not match"
        lines = [head, f"  {first}", f"  {second}"]
        if not self.data_matches:
            lines += [
                f"    recorded SHA-256 {self.recorded_digest}",
                f"    current  SHA-256 {self.current_digest}",
            ]
            lines += [f"    {change}" for change in self.changes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "matches": self.matches,
            "exercise": self.exercise,
            "lot": self.lot,
            "recorded_digest": self.recorded_digest,
            "current_digest": self.current_digest,
            "provisional": self.provisional,
            "changes": list(self.changes),
            "sha256": self.sha256,
            "issued": self.issued,
            "issued_at": self.issued_at,
            "data_matches": self.data_matches,
            "document": self.document,
            "tender": self.tender,
        }


def _html_info(path: Path, key: str) -> str | None:
    """The decision data an HTML edition carries in ``<meta name=key>`` ("" when it is an
    HTML page without it); None when the file is not an HTML page."""
    import html

    try:
        with path.open("rb") as handle:
            start = handle.read(15).lower()
            if start != b"<!doctype html>":
                return None
            page = (start + handle.read(4 << 20)).decode("utf-8", "replace")
    except OSError:
        return None
    found = re.search(rf'<meta name="{key}" content="([^"]*)">', page)
    return html.unescape(found.group(1)) if found else ""


def read_decision_info(path: str | Path) -> dict[str, Any]:
    """The decision data a decision or summary PDF carries in its document information,
    checked: each key present with the right type, else :class:`InvalidDocument` naming it."""
    from pypdf import PdfReader

    from ..documents.layout import INFO_KEY

    raw = _html_info(Path(path), INFO_KEY)
    try:
        if raw is None:
            reader = PdfReader(str(path))
            info: Any = reader.metadata or {}
            raw = info.get("/" + INFO_KEY)
    except Exception as error:  # pypdf raises many kinds on a damaged or crafted file
        raise InvalidDocument(f"{path}: not a readable PDF ({error})") from error
    if not raw:
        raise InvalidDocument(
            f"{path}: this PDF carries no commission decision data; only decision and summary "
            f"PDFs written by 'commission decide' can be verified"
        )
    try:
        recorded = json.loads(str(raw))
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidDocument(
            f"{path}: the decision data in this PDF is damaged (not JSON)"
        ) from error
    if not isinstance(recorded, dict):
        raise InvalidDocument(f"{path}: the decision data in this PDF is damaged (not an object)")
    for key, kind in (("exercise", str), ("lot", str), ("digest", str), ("provisional", bool)):
        if not isinstance(recorded.get(key), kind):
            raise InvalidDocument(
                f"{path}: the decision data in this PDF is damaged: '{key}' is "
                + ("missing" if key not in recorded else f"not a {kind.__name__}")
            )
    if not re.fullmatch(r"[0-9a-f]{64}", recorded["digest"]):
        raise InvalidDocument(
            f"{path}: the decision data in this PDF is damaged: 'digest' is not a SHA-256"
        )
    if not isinstance(recorded.get("tenders", {}), dict):
        recorded["tenders"] = {}
    return recorded


def _comparable(recorded: dict[str, Any] | None) -> bool:
    """Whether a PDF's compact data has the shape :func:`digest.differences` reads (a crafted
    file may carry anything; then verify says only that the data differs)."""
    if not recorded or not isinstance(recorded.get("tenders"), dict):
        return False
    return all(isinstance(v, list) and len(v) >= 6 for v in recorded["tenders"].values())


def verify_pdf(store: Store, path: str | Path) -> VerifyOutcome:
    """Check a decision or summary PDF: (1) its bytes were issued by this database, (2) the
    stored data still gives the decision it records."""
    from ..documents import digest as digests

    try:
        sha = sha256_of(Path(path))
    except OSError as error:
        raise CommissionError(
            f"{path}: cannot read the file ({error.strerror or error})"
        ) from error
    with store.reading() as repo:
        entries = repo.audit_entries(None)
    found = find_file(entries, sha)
    try:
        recorded: dict[str, Any] | None = read_decision_info(path)
    except InvalidDocument:
        if found is None:
            raise
        recorded = None
    if found is not None:  # the audit trail says which decision these bytes belong to
        entry, _ = found
        details = entry["details"]
        exercise_id = str(entry.get("exercise"))
        lot = str(details.get("lot"))
        digest_hex = str(details.get("digest"))
        provisional = bool(details.get("provisional"))
        issued_at = details.get("issued_at")
        if recorded is not None and recorded.get("digest") != digest_hex:
            recorded = None
    else:
        assert recorded is not None
        exercise_id, lot = recorded["exercise"], recorded["lot"]
        digest_hex, provisional, issued_at = recorded["digest"], recorded["provisional"], None
    try:
        results: Results = store_results(store, exercise_id)
    except NotFound as error:
        raise CommissionError(f"{path}: {error}") from error
    if lot not in results.exercise.lot_ids:
        raise NotFound(f"{path}: lot {lot} is no longer in exercise {results.exercise.id}")
    # issue 15: the trail must still reach the head the file carries and record this decision
    from .audit import head_in_document, require_witnessed

    head = str((recorded or {}).get("audit_head") or "")
    if not head and Path(path).suffix.lower() == ".pdf":
        head = head_in_document(path)
    if head:
        require_witnessed(store, head, exercise_id, lot, digest_hex)
    data = digests.decision_data(results, lot, provisional=provisional)
    now_digest = digests.digest(data)
    same = now_digest == digest_hex
    changes: tuple[str, ...] = ()
    if not same:
        now = digests.compact(data, digest_hex=now_digest, provisional=provisional)
        changes = (
            tuple(digests.differences(recorded, now))
            if recorded is not None and _comparable(recorded)
            else ()
        )
        changes = changes or (
            "the decision data differs (another tender's figures, comments, bidder names or "
            "per-panel counts)"
            if (recorded or {}).get("scope") == digests.NAMED
            else "the decision data differs (comments, bidder names or per-panel counts)",
        )
    document = str((recorded or {}).get("document") or "decision")
    tender = (recorded or {}).get("tender")
    if recorded is None and found is not None and "summaries" in Path(found[1]).parts:
        # An HTML edition carries no data of its own: the audit trail names what it is.
        document = "summary"
    return VerifyOutcome(
        Path(path),
        same and found is not None,
        exercise_id,
        lot,
        digest_hex,
        now_digest,
        provisional,
        changes,
        sha256=sha,
        issued=found is not None,
        issued_at=str(issued_at) if issued_at else None,
        data_matches=same,
        document="summary" if document == "summary" else "decision",
        tender=str(tender) if isinstance(tender, str) else None,
    )
