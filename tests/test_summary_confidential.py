"""An assessment summary goes to one bidder: its metadata must not carry every competitor's rank
and exact total, yet ``commission verify`` must still check it against the whole lot.

A bidder who opens their summary's document information used to find the lot's whole decision
data: every tender's status, rank, tie and exact total score. Now a summary carries the digest
of the whole lot's decision and the figures of only the tenders it names.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from commission.app import import_scores, results
from commission.app.decisions import decide, verify_pdf
from commission.documents.layout import INFO_KEY

from .test_decisions_defensible import make_store, sheet

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def _recorded(path: Path) -> dict:
    return json.loads(PdfReader(str(path)).metadata["/" + INFO_KEY])


@pytest.fixture
def east(tmp_path):
    url, store = make_store(tmp_path)
    outcome = decide(store, tmp_path / "out", workers=1, lot="east")
    yield tmp_path, store, outcome
    store.close()


def test_a_summary_carries_only_the_tenders_it_names(east) -> None:
    _, store, outcome = east
    found = results(store)
    lot = found.lot("east")
    in_lot = {t.tender for t in found.in_lot("east")}
    assert len(in_lot) > 3
    decision = _recorded(outcome.decisions[0].path)
    assert set(decision["tenders"]) == in_lot  # the panel's decision keeps the whole lot
    for path in outcome.summaries:
        recorded = _recorded(path)
        own = recorded["tender"]
        assert recorded["digest"] == decision["digest"]
        assert recorded["scope"] == "named"
        assert own in recorded["tenders"]
        assert set(lot.recommended) <= set(recorded["tenders"])
        others = in_lot - set(recorded["tenders"])
        assert others, f"{path.name} still names every tender in the lot"
        for other in others:
            assert other not in PdfReader(str(path)).metadata["/" + INFO_KEY]


def test_verify_on_a_summary_names_its_own_tender_and_not_the_hidden_ones(east) -> None:
    tmp, store, outcome = east
    found = results(store)
    lot = found.lot("east")
    last = found.in_lot("east")[-1].tender  # ranked last: no one's leader, and not tied
    mine = next(p for p in outcome.summaries if _recorded(p)["tender"] == last)
    hidden = next(
        t.tender
        for t in found.in_lot("east")
        if t.tender not in _recorded(mine)["tenders"] and t.tender not in lot.recommended
    )
    import_scores(
        store,
        [sheet(tmp / "other.csv", [("R1", hidden, "local-assets", 0, "changed")])],
        replace=True,
    )
    check = verify_pdf(store, mine)
    assert check.issued and not check.data_matches
    assert not any(hidden in change for change in check.changes)
    assert check.changes  # and it says the lot's data changed

    import_scores(
        store, [sheet(tmp / "own.csv", [("R1", last, "local-assets", 5, "mine")])], replace=True
    )
    check = verify_pdf(store, mine)
    assert any(change.startswith(f"{last}:") for change in check.changes), check.changes
