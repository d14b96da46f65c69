"""One tally: the store's SQL aggregate equals the score frame's bincount, on both engines.

``Repository.tallies`` sums and counts in SQL for speed; ``scoring.tally`` does the same over a
score frame. They are the two halves of one rule, so a property test holds them equal on random
score sets, stored on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission import scoring
from commission.app import add_tenders, init_exercise, load_exercise
from commission.store import open_store

from .store_helpers import EXERCISE, TENDERS

_counter = itertools.count()


def _cells(exercise) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    tenders = sorted(p.stem for p in TENDERS)
    return [
        (e.id, t, c)
        for e in exercise.evaluators
        for t in tenders
        if t not in e.conflicts
        for c in exercise.criteria.ids
    ]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_tally_equals_frame_tally(db_url: str, tmp_path: Path, data: st.DataObject) -> None:
    n = next(_counter)
    document = json.loads(Path(EXERCISE).read_text(encoding="utf-8"))
    document["id"] = f"tally-{n}"
    path = tmp_path / f"exercise-{n}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with open_store(db_url, create=True) as store:
        init_exercise(store, path)
        add_tenders(store, TENDERS, exercise_id=document["id"])
        exercise = load_exercise(store, document["id"])
        cells = _cells(exercise)
        chosen = data.draw(st.lists(st.sampled_from(cells), unique=True, max_size=120))
        values = data.draw(st.lists(st.integers(0, 5), min_size=len(chosen), max_size=len(chosen)))
        frame = pd.DataFrame(
            {
                "evaluator": [c[0] for c in chosen],
                "tender": [c[1] for c in chosen],
                "criterion": [c[2] for c in chosen],
                "score": pd.Series(values, dtype="int64"),
                "comment": [None] * len(chosen),
                "file": "generated.csv",
                "row": pd.Series(range(2, len(chosen) + 2), dtype="int64"),
                "column": "score",
            }
        )
        with store.writing() as repo:
            repo.insert_scores(exercise.id, frame, {"generated.csv": "0" * 64})
        with store.reading() as repo:
            stored = repo.tallies(exercise.id)
    expected = scoring.tally(frame, exercise)
    key = ["tender", "criterion", "panel"]
    left = stored.sort_values(key).reset_index(drop=True)
    right = expected.sort_values(key).reset_index(drop=True)
    assert left[key].astype(str).values.tolist() == right[key].astype(str).values.tolist()
    assert left["total"].tolist() == right["total"].tolist()
    assert left["count"].tolist() == right["count"].tolist()
    assert int(left["count"].sum()) == len(chosen)
