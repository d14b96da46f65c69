"""Issue 15.2 and 16.6: each sheet is decoded by its own bytes, and the encoding hint is right.

A BOM decides; else valid UTF-8 is UTF-8 (never decoded as anything else, whatever
``--encoding`` says); else ``--encoding`` when given; else a clear error suggesting the encoding
under which the sheet's letters keep their meaning.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from sqlalchemy import text

from commission.inputs.encodings import decode, detect, suggestion
from commission.store.db import make_engine
from tests.store_helpers import LONG_HEADER, cli, loaded, snapshot

POLISH = "Projekt łączy społeczność; żółw z Łodzi"
WESTERN = "Café – £5 a head: “good” value"
MIXED = "é – ł: naïve Łódź"


def _sheet(path: Path, rows: list[tuple[str, str, str, int, str]], encoding: str) -> Path:
    lines = [LONG_HEADER] + [",".join(str(v) for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _comments(url: str) -> dict[tuple[str, str, str], str | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT e.id, t.id, c.id, s.comment FROM scores s "
                    "JOIN evaluators e ON e.exercise_id = s.exercise_id "
                    "AND e.number = s.evaluator_no "
                    "JOIN tenders t ON t.exercise_id = s.exercise_id AND t.number = s.tender_no "
                    "JOIN criteria c ON c.exercise_id = s.exercise_id "
                    "AND c.number = s.criterion_no"
                )
            )
            return {(e, t, c): comment for e, t, c, comment in rows}
    finally:
        engine.dispose()


def test_a_windows_1250_sheet_gets_the_cp1250_hint_never_cp1252(
    db_url: str, tmp_path: Path
) -> None:
    loaded(db_url)
    sheet = _sheet(tmp_path / "polish.csv", [("R1", "T-001", "innovation", 4, POLISH)], "cp1250")
    before = snapshot(db_url)
    result = cli(db_url, "scores", "import", sheet)
    assert result.exit_code == 1
    assert "the file is not UTF-8: byte 0xb3" in result.output
    assert "it looks like Windows-1250 (Central European), where it reads 'łączy'" in result.output
    assert "try --encoding cp1250" in result.output
    assert "cp1252" not in result.output
    assert snapshot(db_url) == before
    # following the hint stores the letters as written
    assert cli(db_url, "scores", "import", "--encoding", "cp1250", sheet).exit_code == 0
    assert _comments(db_url)[("R1", "T-001", "innovation")] == POLISH


def test_a_mixed_batch_imports_in_one_command_with_every_comment_exact(
    db_url: str, tmp_path: Path
) -> None:
    loaded(db_url)
    utf8 = _sheet(tmp_path / "utf8.csv", [("R1", "T-001", "innovation", 4, MIXED)], "utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(codecs.BOM_UTF8 + b"evaluator,tender,criterion,score,comment\r\n")
    bom.write_bytes(bom.read_bytes() + f"R2,T-001,innovation,3,{MIXED}\r\n".encode())
    ansi = _sheet(tmp_path / "ansi.csv", [("R1", "T-003", "innovation", 2, WESTERN)], "cp1252")
    result = cli(db_url, "scores", "import", "--encoding", "cp1252", utf8, bom, ansi)
    assert result.exit_code == 0, result.output
    assert "imported 3 new scores from 3 sheets" in result.output
    comments = _comments(db_url)
    assert comments[("R1", "T-001", "innovation")] == MIXED
    assert comments[("R2", "T-001", "innovation")] == MIXED
    assert comments[("R1", "T-003", "innovation")] == WESTERN


def test_a_utf8_sheet_is_never_read_as_cp1252(sqlite_url: str, tmp_path: Path) -> None:
    loaded(sqlite_url)
    cell = '"""paid"" – good"'  # the cell "paid" – good, quoted as CSV quotes it
    sheet = _sheet(tmp_path / "a.csv", [("R1", "T-001", "innovation", 4, cell)], "utf-8")
    result = cli(sqlite_url, "scores", "import", "--encoding", "cp1252", sheet)
    assert result.exit_code == 0, result.output
    assert _comments(sqlite_url)[("R1", "T-001", "innovation")] == '"paid" – good'


def test_a_bom_decides_whatever_encoding_is_named(tmp_path: Path) -> None:
    body = "evaluator,tender\r\nR1,Łódź\r\n"
    assert decode(codecs.BOM_UTF8 + body.encode(), "cp1252").text == body
    assert decode(codecs.BOM_UTF8 + body.encode(), "cp1252").reason == "bom"
    assert decode(body.encode("utf-16"), "cp1252").text == body
    assert decode(body.encode("utf-8"), "cp1250").reason == "utf-8"
    assert decode(body.encode("cp1250"), "cp1250").text == body


def test_a_wrong_encoding_named_for_a_non_utf8_sheet_suggests_the_detected_one(
    sqlite_url: str, tmp_path: Path
) -> None:
    loaded(sqlite_url)
    # 0x8f (Ź in Windows-1250) has no character in Windows-1252: naming cp1252 fails
    sheet = _sheet(tmp_path / "p.csv", [("R1", "T-001", "innovation", 4, "Źródło")], "cp1250")
    before = snapshot(sqlite_url)
    result = cli(sqlite_url, "scores", "import", "--encoding", "cp1252", sheet)
    assert result.exit_code == 1
    assert "the file is not cp1252: byte 0x8f" in result.output
    assert "try --encoding cp1250" in result.output
    assert snapshot(sqlite_url) == before


def test_detection_scores_letters_not_bytes() -> None:
    assert detect(POLISH.encode("cp1250"))[0][0] == "cp1250"
    assert detect(POLISH.encode("iso8859-2"))[0][0] == "iso8859-2"
    assert detect("crème brûlée, Ñandú, £5".encode("cp1252"))[0][0] == "cp1252"
    assert detect("Dvořák, přístup".encode("cp1250"))[0][0] == "cp1250"
    assert detect("R1,łączy,żółw".encode("utf-16-le"))[0][0] == "utf-16-le"


def test_when_two_readings_are_equally_likely_both_are_shown() -> None:
    fix = suggestion("Wiśniewski".encode("cp1250"))
    assert "it may be Windows-1252 (Western European), where it reads 'Wiœniewski'" in fix
    assert "Windows-1250 (Central European), where it reads 'Wiśniewski'" in fix
