"""The moderation meeting's agenda as a PDF and as its accessible HTML edition, both laid out
from one content object (:mod:`.agenda_content`), each naming the other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from ..analysis.agenda import Agenda
from ..analysis.agreement import Agreement
from ..analysis.spread import Spread
from ..records import Exercise
from . import content as c
from .agenda_content import AgendaContext, build_agenda

__all__ = ["AgendaContext", "agenda_document", "render_agenda_html", "render_agenda_pdf"]


def agenda_document(
    exercise: Exercise,
    agenda: Agenda,
    found: Sequence[Spread],
    agreement: Mapping[str, Sequence[Agreement]],
    prepared_at: datetime | None = None,
) -> c.Document:
    """The agenda's content; ``prepared_at`` is printed as its date (UK time)."""
    prepared = c.issued_text(prepared_at).removeprefix("Issued ") if prepared_at else ""
    return build_agenda(exercise, agenda, found, agreement, AgendaContext(prepared=prepared))


def render_agenda_pdf(
    document: c.Document,
    path: Path | str,
    *,
    prepared_at: datetime | None = None,
    html_name: str = "",
) -> Path:
    """Write the agenda as a PDF to ``path`` (``prepared_at`` its CreationDate)."""
    from .pdf import render_pdf

    return render_pdf(document, path, prepared_at, html_name=html_name)


def render_agenda_html(document: c.Document, path: Path | str, *, pdf_name: str = "") -> Path:
    """Write the agenda's HTML edition to ``path``."""
    from .html import write_html

    return write_html(document, path, pdf_name=pdf_name)
