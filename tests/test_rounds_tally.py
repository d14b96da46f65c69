"""One tally with rounds: the store's SQL tally and the score frame's bincount agree when
moderated scores and abstentions are stored, and both follow the rule "each evaluator's latest
round counts; an abstention is not a score" — on SQLite and PostgreSQL, with hypothesis."""

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
#: None: an abstention.
_VALUE = st.one_of(st.none(), st.integers(0, 5))


def _frame(cells: list[tuple[str, str, str]], values: list[int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "evaluator": [c[0] for c in cells],
            "tender": [c[1] for c in cells],
            "criterion": [c[2] for c in cells],
            "score": pd.Series(values, dtype="Int64"),
            "comment": [None] * len(cells),
            "reason": ["moderated"] * len(cells),
            "file": "generated.csv",
            "row": pd.Series(range(2, len(cells) + 2), dtype="int64"),
            "column": "score",
        }
    )


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_latest_round_tally_is_one_tally(db_url: str, tmp_path: Path, data: st.DataObject) -> None:
    n = next(_counter)
    document = json.loads(Path(EXERCISE).read_text(encoding="utf-8"))
    document["id"] = f"rounds-{n}"
    path = tmp_path / f"exercise-{n}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with open_store(db_url, create=True) as store:
        init_exercise(store, path)
        add_tenders(store, TENDERS[:3], exercise_id=document["id"])
        exercise = load_exercise(store, document["id"])
        tenders = sorted(p.stem for p in TENDERS[:3])
        cells = [
            (e.id, t, c)
            for e in exercise.evaluators
            for t in tenders
            if t not in e.conflicts
            for c in exercise.criteria.ids[:2]
        ]
        first = data.draw(st.lists(st.sampled_from(cells), unique=True, max_size=60))
        first_values = data.draw(st.lists(_VALUE, min_size=len(first), max_size=len(first)))
        later = data.draw(st.lists(st.sampled_from(cells), unique=True, max_size=30))
        later_values = data.draw(st.lists(_VALUE, min_size=len(later), max_size=len(later)))
        one = _frame(first, first_values)
        two = _frame(later, later_values)
        with store.writing() as repo:
            plain = one[one["score"].notna()].astype({"score": "int64"})
            repo.insert_scores(exercise.id, plain, {"generated.csv": "0" * 64})
            repo.insert_round_scores(
                exercise.id, "independent", one[one["score"].isna()], {"generated.csv": "0" * 64}
            )
            repo.insert_round_scores(exercise.id, "moderated", two, {"generated.csv": "0" * 64})
        with store.reading() as repo:
            stored = repo.tallies(exercise.id)
            frame = repo.score_frame(exercise.id)
            independent = repo.round_tallies(exercise.id, "independent")
            abstained = repo.round_tallies(exercise.id)
    latest: dict[tuple[str, str, str], int | None] = dict(zip(first, first_values, strict=True))
    latest.update(zip(later, later_values, strict=True))
    expected_rows = sorted((k, v) for k, v in latest.items() if v is not None)
    assert (
        sorted(
            zip(
                zip(frame["evaluator"], frame["tender"], frame["criterion"], strict=True),
                frame["score"].tolist(),
                strict=True,
            )
        )
        == expected_rows
    )
    key = ["tender", "criterion", "panel"]
    left = stored.sort_values(key).reset_index(drop=True)
    right = scoring.tally(frame, exercise).sort_values(key).reset_index(drop=True)
    assert left[key].astype(str).values.tolist() == right[key].astype(str).values.tolist()
    assert left["total"].tolist() == right["total"].tolist()
    assert left["count"].tolist() == right["count"].tolist()
    # abstentions: counted apart, by the latest round's rule
    panel_of = exercise.panel_of()
    want: dict[tuple[str, str, str], int] = {}
    for (e, t, c), v in latest.items():
        if v is None:
            want[(t, c, panel_of[e])] = want.get((t, c, panel_of[e]), 0) + 1
    got = {
        (t, c, p): int(a)
        for t, c, p, a in abstained[["tender", "criterion", "panel", "abstained"]].values.tolist()
        if a
    }
    assert got == want
    # round one alone: every independent score, nothing moderated
    assert int(independent["count"].sum()) == sum(v is not None for v in first_values)
    assert int(independent["abstained"].sum()) == sum(v is None for v in first_values)
