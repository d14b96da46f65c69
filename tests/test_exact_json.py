"""Issue 15, point 3: exact and consistent everywhere.

JSON numbers are taken from their decimal text (a weight with 25 significant digits is that
number, through the file, the schema, the store and the audit trail); the divergence guard is
overflow-proof with a tiny threshold; an incomplete lot recommends nothing; unranked tenders are
in tender id order.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from commission import exactjson
from commission.app import add_tenders, import_scores, init_exercise, results
from commission.inputs.exercise import load_exercise
from commission.inputs.jsonio import load_json
from commission.inputs.validation import problems
from commission.records import exact
from commission.scoring import score
from commission.store import open_store
from commission.store.audit import sha256_of

from .scoring_helpers import every_criterion, exercise, frame, tender
from .store_helpers import EXAMPLES, EXERCISE, TENDERS, long_sheet

WEIGHT_A = "1.000000000000000000000001"  # 25 significant digits
WEIGHT_B = "1.000000000000000000010001"  # differs from WEIGHT_A in the 20th digit


def _exercise_text(weight: str) -> str:
    doc = json.loads(EXERCISE.read_text(encoding="utf-8"))
    criteria = json.loads((EXAMPLES.parent / "criteria" / "co-production.json").read_text("utf-8"))
    criteria.pop("$schema", None)
    doc["criteria"] = criteria
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    # The first criterion's weight, written with 25 significant digits.
    assert '"weight": 1\n' in text
    return text.replace('"weight": 1\n', f'"weight": {weight}\n', 1)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_number_a_float_cannot_hold_is_read_as_written() -> None:
    doc = load_json(b'{"a": 50.0000000000000001, "b": 0.1, "c": 2.50, "d": 1e-400}')
    assert doc["a"] == Decimal("50.0000000000000001")
    assert exact(doc["a"]) == Fraction(500000000000000001, 10**16)
    # Numbers a float holds exactly stay floats: the plain types every consumer knows.
    assert type(doc["b"]) is float and type(doc["c"]) is float
    assert exact(doc["b"]) == Fraction(1, 10) and exact(doc["c"]) == Fraction(5, 2)
    assert exact(doc["d"]) == Fraction(1, 10**400)


def test_exactjson_writes_a_decimal_back_as_the_same_number() -> None:
    doc = {"b": [Decimal("50.0000000000000001"), 1, 2.5, "é"], "a": {"x": None}}
    for options in ({}, {"sort_keys": True, "separators": (",", ":")}, {"indent": 2}):
        text = exactjson.dumps(doc, ensure_ascii=False, **options)
        assert "50.0000000000000001" in text
        assert exactjson.loads(text) == doc
        plain = json.dumps(doc, ensure_ascii=False, default=float, **options)
        assert text == plain.replace("50.0", "50.0000000000000001")


def test_canonical_digests_of_the_bundled_examples_are_unchanged() -> None:
    # Digests computed before the exact reader: documents without over-precise numbers hash the
    # same, so stores and decisions made before keep verifying.
    assert sha256_of(load_json(EXERCISE)) == sha256_of(json.loads(EXERCISE.read_bytes()))
    for path in TENDERS:
        assert sha256_of(load_json(path)) == sha256_of(json.loads(path.read_bytes()))

    # The digest the release before the exact reader gave: its canonical JSON, written out here.
    def before(path: Path) -> str:
        text = json.dumps(
            json.loads(path.read_bytes()),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    for path in [EXERCISE, *TENDERS]:
        assert sha256_of(load_json(path)) == before(path)


def test_the_schema_checks_decimals_like_numbers() -> None:
    tender = load_json(TENDERS[0])
    tender["price"]["amount"] = Decimal("420000.0000000000000000001")
    assert problems(tender, "tender") == []
    tender["price"]["amount"] = Decimal("-0.0000000000000000000001")
    found = problems(tender, "tender")
    assert [p.path for p in found] == ["price/amount"]
    tender["price"]["amount"] = Decimal("1000000000000.0000000000001")  # over the maximum
    assert [p.path for p in problems(tender, "tender")] == ["price/amount"]


def test_a_25_digit_weight_is_kept_exactly(tmp_path: Path) -> None:
    a = load_exercise(_write(tmp_path, "a.json", _exercise_text(WEIGHT_A)))
    b = load_exercise(_write(tmp_path, "b.json", _exercise_text(WEIGHT_B)))
    assert a.criteria.criteria[0].weight == Fraction(WEIGHT_A)
    assert b.criteria.criteria[0].weight == Fraction(WEIGHT_B)
    tenders = [tender("T1", "east")]
    rows = []
    for evaluator, scores in (
        ("R1", [5, 1, 1, 1, 1]),
        ("R2", [5, 1, 1, 1, 1]),
        ("OF1", [5, 1, 1, 1, 1]),
    ):
        rows += every_criterion(evaluator, "T1", scores, a.criteria.ids)
    qa = score(a, tenders, frame(rows)).tender("T1").quality_score
    qb = score(b, tenders, frame(rows)).tender("T1").quality_score
    assert qa is not None and qb is not None and qa != qb
    weights = [Fraction(WEIGHT_A)] + [Fraction(1)] * 4
    assert qa == 100 * sum(w * s / 5 for w, s in zip(weights, [5, 1, 1, 1, 1], strict=True)) / sum(
        weights
    )


def test_a_25_digit_weight_survives_the_store(db_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "a.json", _exercise_text(WEIGHT_A))
    with open_store(db_url, create=True) as store:
        init_exercise(store, path)
        add_tenders(store, TENDERS)
        stored = results(store).exercise
        again = init_exercise(store, path)  # the same document: nothing changes
    assert stored.criteria.criteria[0].weight == Fraction(WEIGHT_A)
    assert "unchanged" in again.message or not again.to_dict().get("changed", True)


def test_a_25_digit_price_survives_the_store(db_url: str, tmp_path: Path) -> None:
    text = (
        TENDERS[0]
        .read_text(encoding="utf-8")
        .replace('"amount": 420000,', '"amount": 420000.0000000000000000001,')
    )
    path = _write(tmp_path, "T-001.json", text)
    with open_store(db_url, create=True) as store:
        init_exercise(store, EXERCISE)
        add_tenders(store, [path])
        with store.reading() as repo:
            (stored,) = repo.tenders("wellbeing-hubs-2027")
            (with_document,) = repo.tenders("wellbeing-hubs-2027", documents=True)
    assert stored.price == Fraction("420000.0000000000000000001")
    assert with_document.document["price"]["amount"] == Decimal("420000.0000000000000000001")


def test_a_tiny_divergence_threshold_with_large_panels_is_exact() -> None:
    # 100 evaluators a panel, means 5 and 0, threshold 1e-15: the difference 5 is divergent.
    community = [f"C{i}" for i in range(100)]
    officer = [f"O{i}" for i in range(100)]
    ex = exercise(community, officer, divergence_threshold="0.000000000000001")
    assert ex.divergence_threshold == Fraction(1, 10**15)
    rows = [(c, "T1", criterion, 5) for c in community for criterion in ("a", "b")]
    rows += [(o, "T1", criterion, 0) for o in officer for criterion in ("a", "b")]
    result = score(ex, [tender("T1")], frame(rows)).tender("T1")
    assert [c.divergent for c in result.criteria] == [True, True]
    assert result.to_dict()["criteria"][0]["divergent"] is True


def test_a_threshold_just_above_the_difference_is_not_divergent() -> None:
    community = [f"C{i}" for i in range(100)]
    officer = [f"O{i}" for i in range(100)]
    ex = exercise(community, officer, divergence_threshold="5.000000000000001")
    rows = [(c, "T1", criterion, 5) for c in community for criterion in ("a", "b")]
    rows += [(o, "T1", criterion, 0) for o in officer for criterion in ("a", "b")]
    result = score(ex, [tender("T1")], frame(rows)).tender("T1")
    assert [c.divergent for c in result.criteria] == [False, False]


def test_minimums_and_price_with_huge_numerators_are_exact() -> None:
    community = [f"C{i}" for i in range(100)]
    from .scoring_helpers import criteria_set

    ex = exercise(
        community,
        ["O1"],
        criteria=criteria_set(minimums={"a": "4.000000000000000000000001"}),
        price_weight="33.333333333333333333333333",
    )
    rows = [(c, t, k, 4) for c in community for t in ("T1", "T2") for k in ("a", "b")]
    rows += [("O1", t, k, 4) for t in ("T1", "T2") for k in ("a", "b")]
    found = score(
        ex,
        [tender("T1", price="999999999999.999999999999"), tender("T2", price="1")],
        frame(rows),
    )
    for t in found.tenders:
        # combined 4 is below 4.000000000000000000000001: fails, exactly.
        assert t.passed is False and t.criteria[0].below_minimum is True


def test_an_incomplete_lot_recommends_nothing() -> None:
    ex = exercise(["C1", "C2"], ["O1"], min_evaluators={"community": 2, "officer": 1})
    rows = []
    for t in ("T1", "T2"):
        rows += every_criterion("C1", t, [5, 5]) + every_criterion("O1", t, [5, 5])
    rows += every_criterion("C2", "T1", [4, 4]) + [("C2", "T2", "a", 5)]
    found = score(ex, [tender("T1"), tender("T2")], frame(rows))
    assert found.tender("T1").rank == 1
    lot = found.to_dict()["lots"][0]
    assert lot["outcome"] == "incomplete" and lot["recommended"] == []


def test_unranked_tenders_are_in_tender_id_order() -> None:
    ex = exercise(quality_threshold=50)
    rows = []
    # T3 ranks; T1 (total 40) and T2 (total 20) fail the threshold: unranked, by id.
    for t, s in (("T1", [2, 2]), ("T2", [1, 1]), ("T3", [5, 5])):
        rows += every_criterion("C1", t, s) + every_criterion("O1", t, s)
    # T0 is incomplete (no officer scores): unranked too, and first by id among the unranked.
    rows += every_criterion("C1", "T0", [5, 5])
    found = score(ex, [tender(t) for t in ("T0", "T1", "T2", "T3")], frame(rows))
    assert [t.tender for t in found.tenders] == ["T3", "T0", "T1", "T2"]


def test_the_stored_workflow_orders_and_recommends_alike(db_url: str, tmp_path: Path) -> None:
    with open_store(db_url, create=True) as store:
        init_exercise(store, EXERCISE)
        add_tenders(store, TENDERS)
        sheet = long_sheet(
            tmp_path / "one.csv",
            [("R1", "T-001", c, 5, "") for c in ("local-assets", "local-insights")],
        )
        import_scores(store, [sheet])
        found = results(store)
    for lot in found.to_dict()["lots"]:
        assert lot["outcome"] == "incomplete" and lot["recommended"] == []
    for lot_id in ("east", "west"):
        ids = [t.tender for t in found.in_lot(lot_id) if t.rank is None]
        assert ids == sorted(ids)


def test_documents_say_no_recommendation_for_an_incomplete_lot() -> None:
    from commission.documents.content import plain_text
    from commission.documents.decision_content import recommendation
    from commission.documents.summary import SummaryJob
    from commission.documents.summary_content import headline

    ex = exercise(["C1", "C2"], ["O1"], min_evaluators={"community": 2, "officer": 1})
    rows = []
    for t in ("T1", "T2"):
        rows += every_criterion("C1", t, [5, 5]) + every_criterion("O1", t, [5, 5])
    rows += every_criterion("C2", "T1", [4, 4])
    found = score(ex, [tender("T1"), tender("T2")], frame(rows))
    assert found.lot("main").recommended == ()
    assert "No recommendation yet" in plain_text(recommendation(found, "main"))
    job = SummaryJob(found.tender("T1"), (), (), "Main", 2, "x.pdf", lot_complete=False)
    sentence = headline(job)
    assert "first so far" in sentence and "recommended tender" not in sentence


@pytest.mark.parametrize("token", ["1e400", "-1e400"])
def test_numbers_too_large_are_still_refused(token: str) -> None:
    from commission.errors import InvalidDocument

    with pytest.raises(InvalidDocument, match="too large"):
        load_json(f'{{"a": {token}}}'.encode())


def test_the_decision_digest_keeps_its_version_1_order() -> None:
    # Results list unranked tenders by id now; the digest keeps its own canonical order (rank,
    # then unranked by total), so a decision issued before this change still verifies.
    from commission.documents.digest import decision_data

    ex = exercise(quality_threshold=50)
    rows = []
    for t, s in (("T1", [1, 1]), ("T2", [2, 2]), ("T3", [5, 5])):
        rows += every_criterion("C1", t, s) + every_criterion("O1", t, s)
    found = score(ex, [tender("T1"), tender("T2"), tender("T3")], frame(rows))
    assert [t.tender for t in found.tenders] == ["T3", "T1", "T2"]
    assert [t["tender"] for t in decision_data(found, "main")["tenders"]] == ["T3", "T2", "T1"]


def test_a_price_with_more_digits_than_the_store_keeps_is_refused(tmp_path: Path) -> None:
    from commission.inputs.tenders import check_tender

    text = (
        TENDERS[0]
        .read_text(encoding="utf-8")
        .replace('"amount": 420000,', '"amount": 420000.00000000000000000000000000000000000001,')
    )
    doc = load_json(text.encode())
    found = check_tender(doc, None, "T-001.json")
    assert [(p.type, p.path) for p in found] == [("too-many-digits", "price/amount")]
    assert "45 characters" in found[0].message
