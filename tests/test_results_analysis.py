"""``results --analysis``: each lot's agreement and robustness, valid, as the library says."""

from __future__ import annotations

import json

from commission import analysis
from commission.app import load_exercise, load_tenders, score_frame
from commission.inputs.validation import validator
from commission.store import open_store

from .store_helpers import EXERCISE, SHEETS, TENDERS, cli, loaded


def test_results_analysis_json_is_valid_and_equals_the_analysis(sqlite_url: str) -> None:
    loaded(sqlite_url, scores=True)
    result = cli(sqlite_url, "results", "--format", "json", "--analysis")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(validator("results").iter_errors(document)) == []
    with open_store(sqlite_url) as store:
        exercise = load_exercise(store)
        tenders = load_tenders(store)
        frame = score_frame(store)
    agreement = analysis.agreement_by_lot(exercise, tenders, frame)
    robustness = analysis.robustness_by_lot(exercise, tenders, frame)
    by_lot = {lot["lot"]: lot for lot in document["lots"]}
    for lot_id, lot in by_lot.items():
        assert lot["agreement"] == [a.to_dict() for a in agreement[lot_id]]
        if lot["outcome"] == "winner":
            assert lot["robustness"] == robustness[lot_id].to_dict()
            assert lot["robustness"]["winner"] == lot["recommended"][0]
            low, high = lot["robustness"]["community_weight_range"]
            assert low <= 50 <= high
        else:
            assert "robustness" not in lot
    # without the flag the JSON is as before: no analysis keys
    plain = json.loads(cli(sqlite_url, "results", "--format", "json").stdout)
    assert all("agreement" not in lot for lot in plain["lots"])


def test_score_from_files_gives_the_same_analysis(sqlite_url: str) -> None:
    loaded(sqlite_url, scores=True)
    stored = json.loads(cli(sqlite_url, "results", "--format", "json", "--analysis").stdout)
    args = ["score", "--exercise", EXERCISE, "--tenders", *TENDERS[:1]]
    for tender in TENDERS[1:]:
        args += ["--tenders", tender]
    args += ["--scores", *SHEETS, "--format", "json", "--analysis"]
    files = json.loads(cli(sqlite_url, *args).stdout)
    assert files["lots"] == stored["lots"]
