"""The panel decision for one lot (SPEC §8): its content from :mod:`.decision_content`, laid out
as a PDF by :mod:`.pdf`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..scoring import Results
from .decision_content import (
    EQUAL_WEIGHT_WORDING,
    NONE_PASSED_WORDING,
    NOT_MODERATED_WORDING,
    TIE_WORDING,
    DecisionContext,
    Price,
    build_decision,
)
from .decision_moderation import LotRecord

__all__ = [
    "EQUAL_WEIGHT_WORDING",
    "NONE_PASSED_WORDING",
    "NOT_MODERATED_WORDING",
    "TIE_WORDING",
    "DecisionOptions",
    "Price",
    "issue_decision",
    "lots_of",
    "render_decision",
]


@dataclass(frozen=True)
class DecisionOptions:
    provisional: bool = False
    name_evaluators: bool = False
    digest: str = ""
    audit_head: str = ""
    #: Compact decision data (JSON text) stored in the PDF's document information.
    info_json: str = ""
    #: When the decision is issued; printed on every page and the PDF's CreationDate.
    issued_at: datetime | None = None
    #: tender id → bid price, for the money beside the price points.
    prices: Mapping[str, Price] = field(default_factory=dict)
    #: The file name of the HTML edition, named in the PDF ("" for none).
    html_name: str = ""
    #: The moderation record, abstentions, notes and robustness (None: results alone).
    record: LotRecord | None = None

    def context(self) -> DecisionContext:
        from .content import issued_text

        return DecisionContext(
            provisional=self.provisional,
            name_evaluators=self.name_evaluators,
            digest=self.digest,
            audit_head=self.audit_head,
            issued=issued_text(self.issued_at) if self.issued_at else "",
            prices=self.prices,
            info_json=self.info_json,
            record=self.record,
        )


def render_decision(
    results: Results, lot_id: str, path: Path | str, options: DecisionOptions = DecisionOptions()
) -> Path:
    """Write the decision PDF for ``lot_id`` to ``path``."""
    from .pdf import render_pdf

    document = build_decision(results, lot_id, options.context())
    return render_pdf(document, path, options.issued_at, html_name=options.html_name)


def issue_decision(
    results: Results,
    lot_id: str,
    pdf_path: Path | None,
    html_path: Path | None,
    options: DecisionOptions = DecisionOptions(),
) -> list[Path]:
    """Write the decision for ``lot_id`` as a PDF, as its HTML edition, or both — from one
    content object, each edition naming the other. The files written, PDF first."""
    from .html import write_html
    from .pdf import render_pdf

    document = build_decision(results, lot_id, options.context())
    written = []
    if pdf_path is not None:
        html_name = html_path.name if html_path is not None else ""
        written.append(render_pdf(document, pdf_path, options.issued_at, html_name=html_name))
    if html_path is not None:
        pdf_name = pdf_path.name if pdf_path is not None else ""
        written.append(write_html(document, html_path, pdf_name=pdf_name))
    return written


def lots_of(results: Results, lot: str | None) -> Sequence[str]:
    return [lot] if lot else [r.lot for r in results.lots]
