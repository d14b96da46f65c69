"""Score sheets: reading, checking and blank sheets (SPEC §5)."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from commission.csv_safe import escape_formula
from commission.errors import InvalidScores, NotFound
from commission.inputs.sheets import (
    check_scores,
    read_scores,
    read_sheet,
    scores_from_rows,
    write_blank_sheet,
)
from commission.records import (
    CriteriaSet,
    Criterion,
    Evaluator,
    Exercise,
    Lot,
    Scale,
    Tender,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sheets"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "sheets"

CRITERIA = [
    ("local-assets", "Recognising local assets"),
    ("local-insights", "Applying local insights"),
    ("collaboration", "Working collaboratively"),
    ("innovation", "Innovating"),
    ("long-term", "Taking a long-term view"),
]


def make_exercise() -> Exercise:
    """The sample exercise of examples/exercise.json, built without its loader."""
    scale = Scale(0, 5, {i: f"point {i}" for i in range(6)})
    criteria = CriteriaSet(
        id="co-production",
        title="Co-production",
        scale=scale,
        criteria=tuple(
            Criterion(
                id=cid,
                name=name,
                question=f"How does the service do {name.lower()}?",
                guidance=f"Look for {name.lower()}.",
                weight=Fraction(1),
                scale=scale,
            )
            for cid, name in CRITERIA
        ),
    )
    evaluators = tuple(
        Evaluator(f"R{i}", f"Resident {i}", "community", frozenset({"T-002"} if i == 3 else ()))
        for i in range(1, 7)
    ) + tuple(
        Evaluator(f"OF{i}", f"Officer {i}", "officer", frozenset({"T-007"} if i == 1 else ()))
        for i in range(1, 4)
    )
    return Exercise(
        id="wellbeing-hubs-2027",
        title="Community Wellbeing Hubs",
        authority="Example Metropolitan District Council",
        criteria=criteria,
        lots=(Lot("east", "East"), Lot("west", "West")),
        evaluators=evaluators,
        price_weight=Fraction(20),
        quality_threshold=Fraction(50),
        min_evaluators={"community": 2, "officer": 1},
    )


def make_tenders() -> list[Tender]:
    return [
        Tender(
            id=f"T-{i:03d}",
            lot="east" if i <= 6 else "west",
            bidder=f"Bidder {i}",
            price=None,
            currency=None,
        )
        for i in range(1, 13)
    ]


EXERCISE = make_exercise()
TENDERS = make_tenders()


def where(problems):
    return [(p.row, p.column, p.type) for p in problems]


def all_problems(path, **kwargs):
    frame, problems = read_sheet(path, exercise=EXERCISE, **kwargs)
    return frame, sorted(
        problems + check_scores(frame, exercise=EXERCISE, tenders=TENDERS),
        key=lambda p: (p.row or 0, p.column or ""),
    )


# --- golden error reports ---------------------------------------------------------------------


def test_long_sheet_reports_every_bad_row():
    frame, problems = all_problems(FIXTURES / "long-bad.csv")
    assert where(problems) == [
        (3, "score", "type-error"),
        (4, "tender", "unknown-tender"),
        (5, "evaluator", "unknown-evaluator"),
        (6, "criterion", "unknown-criterion"),
        (7, "score", "constraint-error"),
        (8, "score", "unique-error"),
        (9, "tender", "conflict-of-interest"),
        (11, "score", "type-error"),
        (12, "criterion", "missing-value"),
    ]
    by_type = {p.type: p for p in problems}
    assert by_type["unknown-tender"].fix == "did you mean T-001?"
    assert by_type["unknown-criterion"].fix == "did you mean long-term?"
    assert by_type["constraint-error"].fix == "use a whole number from 0 to 5"
    assert by_type["constraint-error"].value == 7
    assert "first is at row 2" in by_type["unique-error"].message
    assert all(p.file == str(FIXTURES / "long-bad.csv") for p in problems)
    # a criterion named by its name, a padded score, a blank score (no row)
    last = frame[frame["row"] == 13].iloc[0]
    assert (last["criterion"], last["score"]) == ("local-assets", 3)
    assert 10 not in set(frame["row"])
    assert frame["score"].dtype == "int64"
    assert list(frame.columns) == [
        "evaluator",
        "tender",
        "criterion",
        "score",
        "comment",
        "file",
        "row",
        "column",
    ]


def test_wide_sheet_with_names_as_headers():
    frame, problems = all_problems(FIXTURES / "wide-bad.csv")
    assert where(problems) == [
        (4, "tender", "unknown-tender"),
        (5, "LOCAL_INSIGHTS", "constraint-error"),
        (5, "Recognising local assets", "type-error"),
    ]
    row2 = frame[frame["row"] == 2].set_index("criterion")
    assert row2["score"].to_dict() == {
        "local-assets": 4,
        "local-insights": 3,
        "collaboration": 2,
        "innovation": 1,
        "long-term": 0,
    }
    assert row2.loc["local-assets", "comment"] == "fine"
    assert row2.loc["innovation", "comment"] is None
    assert row2.loc["local-insights", "column"] == "LOCAL_INSIGHTS"
    assert 3 not in set(frame["row"])  # all blank: not scored


def test_problems_print_where_and_how_to_fix():
    _, problems = all_problems(FIXTURES / "long-bad.csv")
    text = str(next(p for p in problems if p.type == "unknown-tender"))
    assert "long-bad.csv, row 4, column tender: unknown tender 'T-01'" in text
    assert "did you mean T-001?" in text


# --- encodings, delimiters, line ends, XLSX ---------------------------------------------------


def _content(frame):
    return frame.drop(columns=["file"]).reset_index(drop=True)


def test_bom_semicolon_crlf_variants_read_identically():
    frames = []
    for name in ("variant-lf.csv", "variant-bom-semicolon-crlf.csv", "variant-bom-comma-crlf.csv"):
        frame, problems = read_sheet(FIXTURES / name, exercise=EXERCISE)
        assert problems == []
        frames.append(_content(frame))
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)
    assert frames[0].loc[0, "comment"] == "Zażółć gęślą jaźń; très bien, diolch yn fawr"
    assert frames[0].loc[2, "comment"] == "মানুষের অভিজ্ঞতা"
    assert frames[0]["evaluator"].iloc[0] == "R1"  # no BOM glued to the first header


def test_cp1252_gives_encoding_error_then_reads_with_encoding():
    frame, problems = read_sheet(FIXTURES / "cp1252.csv", exercise=EXERCISE)
    assert [p.type for p in problems] == ["encoding-error"]
    assert problems[0].line == 3
    assert "cp1252" in problems[0].fix and "--" not in problems[0].fix  # the CLI names the flag
    assert "byte offset" in problems[0].message
    assert frame.empty
    frame, problems = read_sheet(FIXTURES / "cp1252.csv", exercise=EXERCISE, encoding="cp1252")
    assert problems == []
    assert frame["comment"].tolist() == ["fine", "café au lait"]


def _write_xlsx(path, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_long_numeric_and_text_cells(tmp_path):
    path = _write_xlsx(
        tmp_path / "long.xlsx",
        [
            ["evaluator", "tender", "criterion", "score", "comment"],
            ["R1", "T-001", "local-assets", 4, "ok"],
            ["R1", "T-001", "innovation", 3.0, None],  # a number Excel stores as 3.0
            ["R1", "T-001", "long-term", 2.5, None],
            ["R1", "T-001", "collaboration", "3.0", None],  # text is not a number cell
            [None, None, None, None, None],
            ["R1", "T-003", "collaboration", "5", None],
        ],
    )
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert where(problems) == [(4, "score", "type-error"), (5, "score", "type-error")]
    assert frame[["row", "score"]].values.tolist() == [[2, 4], [3, 3], [7, 5]]


def test_xlsx_wide_with_names_and_comments(tmp_path):
    path = _write_xlsx(
        tmp_path / "wide.xlsx",
        [
            [
                "Evaluator",
                "Tender",
                "Recognising local assets",
                "Recognising local assets comment",
                "Innovating",
            ],
            ["R5", "T-001", 5, "Great", 1],
            ["R5", "T-002", None, None, 2],
        ],
    )
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert problems == []
    assert frame[["row", "criterion", "score", "comment"]].values.tolist() == [
        [2, "local-assets", 5, "Great"],
        [2, "innovation", 1, None],
        [3, "innovation", 2, None],
    ]


def test_xls_is_refused_and_a_broken_ods_is_named(tmp_path):
    path = tmp_path / "scores.xls"
    path.write_bytes(b"\0")
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert [p.type for p in problems] == ["format-error"]
    assert "save as CSV, XLSX or ODS" in problems[0].fix
    path = tmp_path / "scores.ods"  # .ods is read (tests/test_first_hour.py); this one is broken
    path.write_bytes(b"\0")
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert [p.type for p in problems] == ["format-error"]
    assert "could not be read as ODS" in problems[0].message


# --- header -----------------------------------------------------------------------------------


def test_unknown_columns_name_the_expected_ones():
    frame, problems = read_sheet(FIXTURES / "unknown-columns.csv", exercise=EXERCISE)
    assert where(problems) == [
        (1, "name", "unknown-column"),
        (1, "age", "unknown-column"),
        (1, "evaluator", "missing-column"),
    ]
    assert "columns must be evaluator, tender, criterion, score, comment" in problems[0].message
    assert problems[0].message.endswith("— got name, age, tender")
    assert frame.empty


def test_misspelt_criterion_header_gets_did_you_mean(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("evaluator,tender,Recognizing local asets,innovation\nR1,T-001,3,4\n")
    _, problems = read_sheet(path, exercise=EXERCISE)
    assert where(problems) == [(1, "Recognizing local asets", "unknown-column")]
    assert problems[0].fix == "did you mean 'Recognising local assets'?"


def test_long_criterion_cells_may_be_names(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "evaluator;tender;criterion;score\nR1;T-001;LOCAL ASSETS;3\nR1;T-001;Innovating;2\n"
    )
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert problems == []
    assert frame["criterion"].tolist() == ["local-assets", "innovation"]


# --- evaluator mode ---------------------------------------------------------------------------


def test_evaluator_column_may_be_left_out_with_evaluator():
    path = FIXTURES / "wide-no-evaluator.csv"
    _, problems = read_sheet(path, exercise=EXERCISE)
    assert where(problems) == [(1, "evaluator", "missing-column")]
    assert "name the evaluator for the whole import" in problems[0].fix
    frame, problems = read_sheet(path, exercise=EXERCISE, evaluator="R2")
    assert problems == []
    assert frame[["evaluator", "tender", "criterion", "score", "comment"]].values.tolist() == [
        ["R2", "T-001", "local-assets", 4, "good"],
        ["R2", "T-001", "innovation", 3, None],
        ["R2", "T-003", "innovation", 2, None],
    ]


def test_rows_for_another_evaluator_are_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "evaluator,tender,criterion,score\nR1,T-001,innovation,3\nR2,T-001,innovation,3\n"
        ",T-003,innovation,1\n"
    )
    frame, problems = read_sheet(path, exercise=EXERCISE, evaluator="R1")
    assert where(problems) == [(3, "evaluator", "evaluator-mismatch")]
    assert set(frame["evaluator"]) == {"R1"}
    _, problems = read_sheet(path, exercise=EXERCISE, evaluator="of1")
    assert [(p.type, p.fix) for p in problems] == [("unknown-evaluator", "did you mean OF1?")]


# --- across files, all or nothing -------------------------------------------------------------


def test_duplicates_across_two_files(tmp_path):
    first = tmp_path / "a.csv"
    second = tmp_path / "b.csv"
    first.write_text("evaluator,tender,criterion,score\nR1,T-001,innovation,3\n")
    second.write_text(
        "evaluator,tender,criterion,score\nR1,T-003,innovation,3\nR1,T-001,innovation,4\n"
    )
    with pytest.raises(InvalidScores) as caught:
        read_scores([first, second], exercise=EXERCISE, tenders=TENDERS)
    error = caught.value
    assert error.message == "1 error in 1 score sheet; nothing was imported"
    assert [(p.file, p.row, p.type) for p in error.problems] == [(str(second), 3, "unique-error")]
    assert f"in {first} at row 2" in error.problems[0].message


def test_read_scores_counts_errors_and_sheets(tmp_path):
    first = tmp_path / "a.csv"
    second = tmp_path / "b.csv"
    first.write_text(
        "evaluator,tender,criterion,score\nR1,T-001,innovation,9\nR3,T-002,innovation,1\n"
    )
    second.write_text("evaluator,tender,criterion,score\nR1,T-003,innovation,x\n")
    with pytest.raises(InvalidScores) as caught:
        read_scores([first, second], exercise=EXERCISE, tenders=TENDERS)
    assert caught.value.message == "3 errors in 2 score sheets; nothing was imported"
    assert [(p.file, p.row) for p in caught.value.problems] == [
        (str(first), 2),
        (str(first), 3),
        (str(second), 2),
    ]


def test_read_scores_returns_every_row():
    frame = read_scores(FIXTURES / "variant-lf.csv", exercise=EXERCISE, tenders=TENDERS)
    assert len(frame) == 4
    assert frame["score"].dtype == "int64"
    frame = read_scores(
        [FIXTURES / "wide-no-evaluator.csv"], exercise=EXERCISE, tenders=TENDERS, evaluator="R4"
    )
    assert frame["evaluator"].tolist() == ["R4"] * 3


def test_conflict_of_interest(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text("evaluator,tender,innovation,long-term\nOF1,T-007,3,3\nOF2,T-007,3,3\n")
    with pytest.raises(InvalidScores) as caught:
        read_scores(path, exercise=EXERCISE, tenders=TENDERS)
    assert where(caught.value.problems) == [(2, "tender", "conflict-of-interest")]
    assert "OF1 declared a conflict of interest with tender T-007" in str(caught.value)


def test_too_many_errors_are_capped(tmp_path):
    path = tmp_path / "garbage.csv"
    lines = ["evaluator,tender,criterion,score"] + ["R1,T-001,innovation,x"] * 1500
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidScores) as caught:
        read_scores(path, exercise=EXERCISE, tenders=TENDERS)
    problems = caught.value.problems
    assert len(problems) == 1001
    assert problems[-1].type == "too-many-errors"
    # 1,500 scores that are not numbers, and the 1,499 repeats of the first row's ids are
    # duplicates too: every error counts, the first 1,000 are listed.
    assert problems[-1].value == 1999
    assert caught.value.message.startswith("2,999 errors in 1 score sheet")


# --- library rows -----------------------------------------------------------------------------


def test_scores_from_rows_mappings_and_frames():
    rows = [
        {"evaluator": "R1", "tender": "T-001", "criterion": "innovation", "score": 3},
        {
            "evaluator": "R1",
            "tender": "T-001",
            "criterion": "long-term",
            "score": 4.0,
            "comment": "ok",
        },
    ]
    frame = scores_from_rows(rows, exercise=EXERCISE, tenders=TENDERS)
    assert frame["score"].tolist() == [3, 4]
    assert frame["score"].dtype == "int64"
    assert frame["comment"].tolist() == [None, "ok"]
    again = scores_from_rows(pd.DataFrame(rows), exercise=EXERCISE, tenders=TENDERS)
    assert again["score"].tolist() == [3, 4]

    bad = rows + [
        {"evaluator": "R1", "tender": "T-001", "criterion": "innovation", "score": 2},
        {"evaluator": "R1", "tender": "T-002", "criterion": "innovation", "score": 2.5},
        {"evaluator": "R1", "tender": "T-003", "criterion": "innovation", "score": None},
        {"evaluator": "R1", "tender": "T-004", "criterion": "innovation", "score": True},
        {"evaluator": "R1", "tender": "T-005", "criterion": "innovation", "score": "-1"},
    ]
    with pytest.raises(InvalidScores) as caught:
        scores_from_rows(bad, exercise=EXERCISE, tenders=TENDERS)
    assert where(caught.value.problems) == [
        (3, "score", "unique-error"),
        (4, "score", "type-error"),
        (5, "score", "type-error"),
        (6, "score", "type-error"),
        (7, "score", "constraint-error"),
    ]


# --- blank sheets -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_blank_sheet_round_trip(tmp_path, suffix):
    path = tmp_path / f"R3{suffix}"
    count = write_blank_sheet(path, exercise=EXERCISE, tenders=TENDERS, evaluator_id="R3")
    assert count == 11  # R3 declared a conflict with T-002
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert problems == []
    assert frame.empty

    if suffix == ".csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbfevaluator,tender,lot,bidder,")
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert [r[1] for r in rows[1:]] == [f"T-{i:03d}" for i in range(1, 13) if i != 2]
        rows[1][rows[0].index("innovation")] = "4"
        rows[1][rows[0].index("innovation comment")] = "Bold idea"
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
    else:
        from openpyxl import load_workbook

        workbook = load_workbook(path)
        assert workbook.sheetnames == ["Scores", "Guide"]
        sheet = workbook["Scores"]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=2, column=header.index("innovation") + 1, value=4)
        sheet.cell(row=2, column=header.index("innovation comment") + 1, value="Bold idea")
        assert sheet.data_validations.dataValidation[0].type == "whole"
        guide = [c.value for c in workbook["Guide"]["B"]]
        assert "Recognising local assets" in guide
        workbook.save(path)
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert problems == []
    assert frame[
        ["evaluator", "tender", "criterion", "score", "comment", "row"]
    ].values.tolist() == [["R3", "T-001", "innovation", 4, "Bold idea", 2]]


def test_blank_sheet_for_unknown_evaluator(tmp_path):
    with pytest.raises(NotFound) as caught:
        write_blank_sheet(
            tmp_path / "x.csv", exercise=EXERCISE, tenders=TENDERS, evaluator_id="r03"
        )
    assert caught.value.problems[0].fix == "did you mean R3?"


def test_formula_escaping(tmp_path):
    assert escape_formula('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for text in ("+1+A1", "-A1", "@SUM(A1)", "\tx", "\rx"):
        assert escape_formula(text) == "'" + text
    assert escape_formula("Eastside Neighbours CIC") == "Eastside Neighbours CIC"
    assert escape_formula("") == ""

    tenders = [
        Tender(id="T-001", lot="east", bidder="=cmd|' /C calc'!A0", price=None, currency=None)
    ]
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"sheet{suffix}"
        write_blank_sheet(path, exercise=EXERCISE, tenders=tenders, evaluator_id="R1")
        if suffix == ".csv":
            assert "'=cmd|" in path.read_text(encoding="utf-8-sig")
        else:
            from openpyxl import load_workbook

            cell = load_workbook(path)["Scores"]["D2"]
            assert cell.data_type == "s"
            assert cell.value == "'=cmd|' /C calc'!A0"


# --- the bundled example sheets ---------------------------------------------------------------


def test_example_sheets_import_cleanly():
    paths = sorted(EXAMPLES.glob("*.csv")) + sorted(EXAMPLES.glob("*.xlsx"))
    assert {p.name for p in paths} == {
        "community-long.csv",
        "R5-wide.xlsx",
        "R6-wide-semicolon.csv",
        "officers-wide.csv",
    }
    frame = read_scores(paths, exercise=EXERCISE, tenders=TENDERS)
    panel = frame["evaluator"].map(EXERCISE.panel_of())
    counts = frame.assign(panel=panel).groupby(["tender", "criterion", "panel"]).size()
    counts = counts.unstack("panel")
    assert len(counts) == 12 * 5
    assert (counts["community"] >= 2).all() and (counts["officer"] >= 1).all()

    means = frame.assign(panel=panel).groupby(["tender", "criterion", "panel"])["score"].mean()
    means = means.unstack("panel")
    combined = (means["community"] + means["officer"]) / 2
    quality = combined.groupby("tender").mean() / 5 * 100
    east = quality[[f"T-{i:03d}" for i in range(1, 7)]].sort_values(ascending=False)
    west = quality[[f"T-{i:03d}" for i in range(7, 13)]].sort_values(ascending=False)
    assert east.iloc[0] - east.iloc[1] >= 10  # a clear winner
    assert (west < 50).sum() == 1 and (quality < 50).sum() == 1
    assert ((means["community"] - means["officer"]).abs() >= 2).any()
    assert east.is_unique and west.is_unique

    raw = (EXAMPLES / "R6-wide-semicolon.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b";" in raw.split(b"\r\n")[0]
    raw = (EXAMPLES / "community-long.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw


def test_empty_ragged_and_missing_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert where(read_sheet(empty, exercise=EXERCISE)[1]) == [(1, None, "empty-sheet")]

    header_only = tmp_path / "header.csv"
    header_only.write_text("evaluator,tender,criterion,score,comment\r\n")
    frame, problems = read_sheet(header_only, exercise=EXERCISE)
    assert (
        problems == []
        and frame.empty
        and list(frame.columns)[:4]
        == [
            "evaluator",
            "tender",
            "criterion",
            "score",
        ]
    )

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("evaluator,tender,criterion,score\nR1,T-001,innovation,3\nR1,T-001,x,3,4\n")
    assert where(read_sheet(ragged, exercise=EXERCISE)[1]) == [(3, None, "extra-cell")]

    missing = tmp_path / "nowhere.csv"
    assert [p.type for p in read_sheet(missing, exercise=EXERCISE)[1]] == ["io-error"]


def test_csv_text_scores_and_trailing_empty_columns(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text(
        "evaluator,tender,criterion,score,,\n"
        "R1,T-001,innovation, 3 ,,\n"
        "R1,T-003,innovation,3.0,,\n"
        'R1,T-004,innovation,"3,0",,\n'
        "R1,T-005,innovation,+2,,\n"
    )
    frame, problems = read_sheet(path, exercise=EXERCISE)
    assert where(problems) == [(3, "score", "type-error"), (4, "score", "type-error")]
    assert frame[["row", "score"]].values.tolist() == [[2, 3], [5, 2]]
    path.write_text("evaluator,tender,criterion,score,\nR1,T-001,innovation,3,oops\n")
    assert where(read_sheet(path, exercise=EXERCISE)[1]) == [(1, "E", "blank-header")]


def test_a_row_with_a_bad_score_still_has_its_ids_checked(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("evaluator,tender,criterion,score\nR1,T-01,innovaton,x\n", encoding="utf-8")
    with pytest.raises(InvalidScores) as caught:
        read_scores(path, exercise=EXERCISE, tenders=TENDERS)
    assert [(p.row, p.column, p.type) for p in caught.value.problems] == [
        (2, "criterion", "unknown-criterion"),
        (2, "score", "type-error"),
        (2, "tender", "unknown-tender"),
    ]
