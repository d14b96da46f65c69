"""The assessment summary for one tender's bidder (Procurement Act 2023 s.50, reg 31): what it
says is built by :mod:`.summary_content`, and :mod:`.pdf` lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from ..records import Exercise
from ..scoring import Comment, TenderResult
from .decision_content import Price
from .summary_content import BidderDetails, Leader, Moderated, build_summary, nearest_point

__all__ = [
    "BidderDetails",
    "Leader",
    "Moderated",
    "SummaryJob",
    "nearest_point",
    "render_summary",
]


@dataclass(frozen=True)
class SummaryJob:
    """Everything one assessment summary needs, small enough to send to a render worker."""

    tender: TenderResult
    comments: tuple[Comment, ...]
    #: (tender id, total score) of the tender(s) ranked first in the lot.
    winners: tuple[tuple[str, Fraction | None], ...]
    lot_title: str
    tenders_in_lot: int
    path: str
    digest: str = ""
    audit_head: str = ""
    provisional: bool = False
    #: When the run is issued: printed on every page and the PDF's CreationDate.
    issued_at: datetime | None = None
    bidder: BidderDetails | None = None
    price: Price | None = None
    #: The lowest price among the lot's passing tenders, and its tender.
    lowest: tuple[str, Price] | None = None
    #: The most advantageous tender(s), with their comments, for an unsuccessful bidder.
    leaders: tuple[Leader, ...] = ()
    #: Tenders whose total is exactly equal to this one's.
    tied_with: tuple[str, ...] = ()
    #: Compact decision data (JSON text) stored in the PDF's document information.
    info_json: str = ""
    #: Where the HTML edition goes ("" for none), and whether the PDF is written at all.
    html_path: str = ""
    pdf: bool = True
    #: False while some tender in the lot is not fully scored: nothing is recommended yet.
    lot_complete: bool = True
    #: The moderation notes and the independent round's figures (None: not moderated).
    moderated: Moderated | None = None

    @property
    def issued(self) -> str:
        from .content import issued_text

        return issued_text(self.issued_at) if self.issued_at else ""


def render_summary(exercise: Exercise, job: SummaryJob) -> Path:
    """Write the job's PDF and/or its HTML edition, both from one content object; the path of
    the first file written. Each edition names the other."""
    from .html import write_html
    from .pdf import render_pdf

    document = build_summary(exercise, job)
    written = []
    html_name = Path(job.html_path).name if job.html_path else ""
    if job.pdf:
        written.append(render_pdf(document, job.path, job.issued_at, html_name=html_name))
    if job.html_path:
        pdf_name = Path(job.path).name if job.pdf else ""
        written.append(write_html(document, job.html_path, pdf_name=pdf_name))
    return written[0]
