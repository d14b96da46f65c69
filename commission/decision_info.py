"""The decision data a decision PDF carries, checked before it is trusted.

``commission verify FILE.pdf`` reads JSON from the PDF's document information. A PDF is a file
anyone can edit, so that JSON is untrusted input like any other: a crafted PDF whose data lacks
``provisional`` once ended ``verify`` in a ``KeyError``. Every field :func:`verify_pdf` and the
difference report read is checked here for presence and type.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["decision_info_problem"]

_HEX64 = re.compile(r"[0-9a-f]{64}")


def decision_info_problem(recorded: Any) -> str | None:
    """What is wrong with recorded decision data, or None when it can be used."""
    if not isinstance(recorded, dict):
        return "it is not a JSON object"
    for key, kind in (("digest", str), ("provisional", bool), ("exercise", str), ("lot", str)):
        if key not in recorded:
            return f"'{key}' is missing"
        if not isinstance(recorded[key], kind):
            return f"'{key}' is not a {'true/false value' if kind is bool else 'text'}"
    if not _HEX64.fullmatch(recorded["digest"]):
        return "'digest' is not a SHA-256 digest"
    recommended = recorded.get("recommended", [])
    if not isinstance(recommended, list) or not all(isinstance(r, str) for r in recommended):
        return "'recommended' is not a list of tender ids"
    tenders = recorded.get("tenders", {})
    if not isinstance(tenders, dict):
        return "'tenders' is not an object"
    for tender, row in tenders.items():
        if not isinstance(row, list) or len(row) != 6:
            return f"the entry of tender '{tender}' is not a list of six values"
    return None
