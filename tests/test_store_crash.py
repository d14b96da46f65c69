"""Crash safety and concurrency: killed imports, failing imports, two writers at once."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from commission.app import (
    add_tenders,
    audit_entries,
    import_scores,
    init_exercise,
    score_frame,
    verify_audit,
)
from commission.store import open_store

from .store_helpers import commission_argv, loaded, long_sheet, snapshot, subprocess_env

CRITERIA = ("local-assets", "local-insights", "collaboration", "innovation", "long-term")


def big_exercise(tmp_path: Path, url: str, *, evaluators: int, tenders: int) -> None:
    """An exercise with many panel members and tenders, stored at ``url``."""
    half = evaluators // 2
    exercise = {
        "id": "big",
        "title": "A large participatory programme",
        "authority": "Example Council",
        "criteria": "co-production",
        "evaluators": [
            {"id": f"C{i:04d}", "name": f"Resident {i}", "panel": "community", "conflicts": []}
            for i in range(half)
        ]
        + [
            {"id": f"O{i:04d}", "name": f"Officer {i}", "panel": "officer", "conflicts": []}
            for i in range(evaluators - half)
        ],
    }
    (tmp_path / "big.json").write_text(json.dumps(exercise), encoding="utf-8")
    folder = tmp_path / "tenders"
    folder.mkdir()
    for n in range(tenders):
        doc = {
            "id": f"T{n:05d}",
            "bidder": {
                "name": f"Bidder {n}",
                "organisation_type": "charity",
                "contact_email": "bids@example.org",
            },
            "responses": {c: {"answer": "We will."} for c in CRITERIA},
        }
        (folder / f"T{n:05d}.json").write_text(json.dumps(doc), encoding="utf-8")
    with open_store(url, create=True) as store:
        init_exercise(store, tmp_path / "big.json")
        add_tenders(store, [folder])


def big_sheet(path: Path, evaluators: list[str], tenders: int) -> int:
    with open(path, "w", encoding="utf-8") as out:
        out.write("evaluator,tender,criterion,score,comment\n")
        rows = 0
        for e in evaluators:
            for n in range(tenders):
                for i, c in enumerate(CRITERIA):
                    out.write(f"{e},T{n:05d},{c},{(n + i) % 6},\n")
                    rows += 1
    return rows


@pytest.mark.slow
def test_sigkill_mid_import_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "commission.db"
    url = f"sqlite:///{db}"
    big_exercise(tmp_path, url, evaluators=200, tenders=300)
    small = big_sheet(tmp_path / "small.csv", ["C0000"], 300)
    with open_store(url) as store:
        assert import_scores(store, [tmp_path / "small.csv"]).added == small
    rows = big_sheet(tmp_path / "large.csv", [f"O{i:04d}" for i in range(100)], 300)
    assert rows == 150_000
    big_sheet(tmp_path / "large2.csv", [f"C{i:04d}" for i in range(1, 100)], 300)
    before = snapshot(url)
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{db}-wal")
    process = subprocess.Popen(
        commission_argv(
            "--db", url, "scores", "import", tmp_path / "large.csv", tmp_path / "large2.csv"
        ),
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # Kill once the import is visibly writing: its uncommitted pages are filling the WAL.
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 4_000_000:
            break
        time.sleep(0.005)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert snapshot(url) == before
    with open_store(url) as store:
        assert len(score_frame(store)) == small
        assert verify_audit(store).ok


@pytest.mark.slow
def test_two_processes_importing_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "commission.db"
    url = f"sqlite:///{db}"
    big_exercise(tmp_path, url, evaluators=40, tenders=200)
    first = big_sheet(tmp_path / "community.csv", [f"C{i:04d}" for i in range(20)], 200)
    second = big_sheet(tmp_path / "officers.csv", [f"O{i:04d}" for i in range(20)], 200)
    processes = [
        subprocess.Popen(
            commission_argv("--db", url, "scores", "import", tmp_path / name),
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("community.csv", "officers.csv")
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    imported = 0
    for process, (out, err), rows in zip(processes, outputs, (first, second), strict=True):
        if process.returncode == 0:
            assert f"imported {rows} new scores" in out
            imported += rows
        else:
            assert process.returncode == 1
            assert "the database is busy with another import; try again" in err
    assert imported > 0
    with open_store(url) as store:
        assert len(score_frame(store)) == imported
        assert verify_audit(store).ok
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_two_concurrent_replaces_leave_one_value_and_two_audit_entries(
    db_url: str, tmp_path: Path
) -> None:
    loaded(db_url)
    first = long_sheet(tmp_path / "first.csv", [("R1", "T-001", "innovation", 1, "")])
    with open_store(db_url) as store:
        import_scores(store, [first])
    sheets = [
        long_sheet(tmp_path / f"replace{v}.csv", [("R1", "T-001", "innovation", v, "")])
        for v in (2, 3)
    ]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(sheet: Path) -> None:
        try:
            with open_store(db_url) as store:
                barrier.wait()
                import_scores(store, [sheet], replace=True)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in sheets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with open_store(db_url) as store:
        frame = score_frame(store)
        replaced = [e for e in audit_entries(store) if e["action"] == "score-replaced"]
        assert verify_audit(store).ok
    assert len(frame) == 1
    assert len(replaced) == 2
    # The two replacements happened one after the other: the second saw the first's value.
    assert replaced[0]["details"]["old"]["score"] == 1
    assert replaced[1]["details"]["old"]["score"] == replaced[0]["details"]["new"]["score"]
    assert frame["score"].tolist() == [replaced[1]["details"]["new"]["score"]]
