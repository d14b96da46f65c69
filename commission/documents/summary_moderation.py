"""What an assessment summary says about the panels' moderation meeting (issue 14): the
explanation the panels agreed per criterion (moderation notes, the explanation reg 31 of the
Procurement Regulations 2024 asks for), and, for a tender whose scores were revised, both
rounds' figures. Notes are untrusted text: plain text in the content, never markup."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..scoring import TenderResult, display
from . import content as c

__all__ = ["Moderated", "moderation_of", "rounds_paragraph"]


@dataclass(frozen=True)
class Moderated:
    """What the panels' moderation meeting did to one tender, as its summary tells it."""

    #: criterion id → the explanation the panels agreed at moderation (reg 31), untrusted text.
    notes: tuple[tuple[str, str], ...] = ()
    #: Whether any of the tender's scores was revised in the moderated round.
    revised: bool = False
    #: criterion id → the combined score of the independent round alone.
    before: tuple[tuple[str, Fraction | None], ...] = ()
    total_before: Fraction | None = None
    quality_before: Fraction | None = None
    rank_before: int | None = None

    def note(self, criterion: str) -> str | None:
        return dict(self.notes).get(criterion)

    def combined_before(self, criterion: str) -> Fraction | None:
        return dict(self.before).get(criterion)


def moderation_of(
    moderated: Moderated | None, combined: Fraction | None, criterion: str
) -> list[c.Block]:
    """The agreed explanation of a criterion's score, and what moderation changed in it."""
    if moderated is None:
        return []
    blocks: list[c.Block] = []
    note = moderated.note(criterion)
    if note:
        blocks.append(
            c.Paragraph(
                c.text(c.bold("Explanation agreed by the panels at moderation:"), " ", note)
            )
        )
    before = moderated.combined_before(criterion)
    if moderated.revised and before is not None and before != combined:
        blocks.append(
            c.Paragraph(
                c.text(
                    f"At the panels' moderation meeting this score was revised: the independent "
                    f"scores gave {display(before)}, the moderated scores {display(combined)}."
                ),
                "small",
            )
        )
    return blocks


def _standing(total: Fraction | None, rank: int | None, quality: Fraction | None) -> str:
    """A round's total and rank, or its quality score where it has no total."""
    if rank is not None:
        return f"{display(total)} (rank {rank})"
    if total is not None:
        return display(total)
    return f"no total (quality {display(quality)})"


def rounds_paragraph(t: TenderResult, moderated: Moderated | None) -> list[c.Block]:
    """Both rounds' totals for a tender whose scores were revised at moderation."""
    if moderated is None or not moderated.revised:
        return []
    before = _standing(moderated.total_before, moderated.rank_before, moderated.quality_before)
    after = _standing(t.total_score, t.rank, t.quality_score)
    return [
        c.Paragraph(
            c.text(
                "The panels scored independently first and then met to moderate; some of your "
                f"tender's scores were revised there. Independent scores alone: {before}. After "
                f"moderation: {after}. The scores after moderation are the ones that count."
            )
        )
    ]
