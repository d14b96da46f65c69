"""The decision's moderation record, abstentions and "How robust is this result?", and the
assessment summary's agreed explanations, on hand-made results (no store, no files but the
HTML edition written to tmp_path)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

from commission.analysis import Robustness, WeightRange, robustness_sentences
from commission.documents import content as c
from commission.documents.decision_content import DecisionContext, build_decision
from commission.documents.decision_moderation import Abstention, Change, LotRecord
from commission.documents.html import write_html
from commission.documents.summary import Moderated, SummaryJob
from commission.documents.summary_content import build_summary

from .documents_data import results


def _words(document: c.Document) -> str:
    parts: list[str] = []
    for block in document.walk():
        if isinstance(block, c.Section):
            parts.append(block.heading)
        elif isinstance(block, c.Paragraph):
            parts.append(c.plain_text(block.text))
        elif isinstance(block, c.Bullets):
            parts += [c.plain_text(item) for item in block.items]
        elif isinstance(block, c.Table):
            parts += [block.caption, *block.header]
            parts += [c.plain_text(cell) for row in block.rows for cell in row]
    return " ".join(" ".join(parts).split())


def _independent(found, ranks):  # type: ignore[no-untyped-def]
    """The tenders as round one had them: the same figures under other ranks."""
    return {t.tender: dataclasses.replace(t, rank=ranks[t.tender]) for t in found.tenders}


def test_no_record_keeps_the_divergence_points_and_says_nothing_of_robustness() -> None:
    found = results()
    words = _words(build_decision(found, "main", DecisionContext()))
    assert "How robust is this result?" not in words and "Moderation record" not in words
    assert "Where the panels diverged (not moderated)" in words


def test_an_unmoderated_lot_keeps_its_divergence_and_gains_robustness() -> None:
    found = results()
    robustness = Robustness(
        "main", "T-001", WeightRange(Fraction(0), Fraction(100), True, True), None, ("R2",), None
    )
    words = _words(
        build_decision(found, "main", DecisionContext(record=LotRecord(robustness=robustness)))
    )
    assert "Where the panels diverged (not moderated)" in words
    assert "How robust is this result?" in words
    for sentence in robustness_sentences(robustness, found.exercise, {"T-001": "x"}):
        assert " ".join(sentence.replace("(x)", "(Eastside Neighbours CIC)").split()) in words
    assert "Leaving out the scores of evaluator R2 alone would change the winner." in words


def test_a_tie_has_no_winner_to_test() -> None:
    found = results(
        scores={
            "T-001": ((3, 3, 3, 3, 3), (3, 3, 3, 3, 3)),
            "T-002": ((3, 3, 3, 3, 3), (3, 3, 3, 3, 3)),
            "T-003": ((1, 1, 1, 1, 1), (1, 1, 1, 1, 1)),
        }
    )
    assert found.lot("main").recommended == ("T-001", "T-002")
    words = _words(build_decision(found, "main", DecisionContext(record=LotRecord())))
    assert "no single recommended tender, so there is no winner" in words


def test_a_frozen_lot_with_no_revised_score_says_so() -> None:
    found = results()
    record = LotRecord(
        moderated=True,
        independent_lot=found.lot("main"),
        independent={t.tender: t for t in found.tenders},
    )
    words = _words(build_decision(found, "main", DecisionContext(record=record)))
    assert "No score has been revised in the moderated round" in words
    assert "The moderation did not change the ranking: every tender keeps its rank" in words
    assert "Where the panels diverged (not moderated)" not in words
    assert "Where the panels still diverge" in words


def test_a_ranking_change_below_first_place_is_named() -> None:
    found = results()
    ranks = {t.tender: t.rank for t in found.tenders}
    assert ranks == {"T-001": 1, "T-002": 2, "T-003": None}
    record = LotRecord(
        moderated=True,
        changes=(
            Change("OF1", "T-002", "innovation", 2, False, 3, False, "Re-read the plan"),
            Change("R1", "T-002", "innovation", 3, False, 3, False, None),  # unchanged
        ),
        independent_lot=found.lot("main"),
        independent=_independent(found, {"T-001": 1, "T-002": 3, "T-003": 2}),
    )
    words = _words(build_decision(found, "main", DecisionContext(record=record)))
    assert "1 score on 1 tender was revised in the moderated round" in words
    assert "T-002 Innovating OF1, officer panel 2 3 +1 Re-read the plan" in words
    assert "The moderation changed the ranking but not the result" in words
    assert "Ranks that moved: T-002 from 3 to 2; T-003 from 2 to — (fail)." in words


def test_abstentions_are_listed_by_reference_and_named_only_on_request(tmp_path: Path) -> None:
    found = results()
    reason = "<i>conflict</i> found late"
    record = LotRecord(
        abstentions=(Abstention("OF2", "T-001", "innovation", "independent", reason),)
    )
    anonymous = build_decision(found, "main", DecisionContext(record=record))
    named = build_decision(found, "main", DecisionContext(name_evaluators=True, record=record))
    assert (
        f"OF2, officer panel, abstained on T-001, Innovating (independent round): {reason}."
        in _words(anonymous)
    )
    assert "Officer 2" not in _words(anonymous)
    assert "OF2 (Officer 2), officer panel, abstained on T-001" in _words(named)
    page = write_html(anonymous, tmp_path / "d.html").read_text(encoding="utf-8")
    assert "&lt;i&gt;conflict&lt;/i&gt; found late" in page and "<i>conflict" not in page


def _job(found, tender: str, moderated: Moderated | None) -> SummaryJob:  # type: ignore[no-untyped-def]
    t = found.tender(tender)
    return SummaryJob(
        t,
        (),
        (("T-001", found.tender("T-001").total_score),),
        "Main lot",
        3,
        "unused.pdf",
        moderated=moderated,
    )


def test_an_agreed_note_is_the_explanation_reg_31_asks_for(tmp_path: Path) -> None:
    found = results()
    note = "Strong <b>evidence</b> of peer support — ثبوت"
    plain = _words(build_summary(found.exercise, _job(found, "T-002", None)))
    assert plain.count("reg 31 of the Procurement Regulations 2024") == 5
    document = build_summary(
        found.exercise, _job(found, "T-002", Moderated(notes=(("innovation", note),)))
    )
    words = _words(document)
    assert f"Explanation agreed by the panels at moderation: {note}" in words
    assert words.count("reg 31 of the Procurement Regulations 2024") == 4
    assert "Independent scores alone" not in words
    page = write_html(document, tmp_path / "s.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;evidence&lt;/b&gt;" in page and "<b>evidence" not in page


def test_a_revised_tender_summary_shows_both_rounds() -> None:
    found = results()
    moderated = Moderated(
        revised=True,
        before=(("innovation", Fraction(4)),),
        total_before=Fraction(7100, 100),
        quality_before=Fraction(71),
        rank_before=1,
    )
    words = _words(build_summary(found.exercise, _job(found, "T-002", moderated)))
    assert "Independent scores alone: 71.00 (rank 1). After moderation: 60.00 (rank 2)." in words
    assert (
        "At the panels' moderation meeting this score was revised: the independent scores "
        "gave 4.00, the moderated scores 3.00." in words
    )
