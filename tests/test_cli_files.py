"""The file-only commands: validate, schema, score; exit codes; help; the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import commission
from commission.cli import cli
from commission.inputs.validation import validator
from commission.resources import examples_dir

EXAMPLES = examples_dir()
ROOT = Path(__file__).resolve().parent.parent
SHEETS = sorted(str(p) for p in (EXAMPLES / "sheets").iterdir() if p.suffix in {".csv", ".xlsx"})


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def score_args(fmt: str = "json") -> list[str]:
    return [
        "score",
        "--exercise",
        str(EXAMPLES / "exercise.json"),
        "--tenders",
        str(EXAMPLES / "tenders"),
        "--scores",
        *SHEETS,
        "--format",
        fmt,
    ]


def test_score_json_is_valid_and_equals_the_library_call() -> None:
    result = run(*score_args())
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert not list(validator("results").iter_errors(printed))

    import pandas as pd

    from commission.inputs.sheets import read_scores

    exercise = json.loads((EXAMPLES / "exercise.json").read_text(encoding="utf-8"))
    exercise["criteria"] = "co-production"
    tenders = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((EXAMPLES / "tenders").glob("*.json"))
    ]
    from commission.inputs.exercise import load_exercise
    from commission.inputs.tenders import read_tenders

    checked = load_exercise(EXAMPLES / "exercise.json")
    frame = read_scores(
        [Path(p) for p in SHEETS],
        exercise=checked,
        tenders=read_tenders([EXAMPLES / "tenders"], checked),
    )
    rows = frame[["evaluator", "tender", "criterion", "score", "comment"]]
    library = commission.score(exercise, tenders, pd.DataFrame(rows)).to_dict()
    assert printed == library
    assert printed["weighting"] == {"community": 0.5, "officer": 0.5}


def test_score_table_and_csv() -> None:
    table = run(*score_args("table"))
    assert table.exit_code == 0
    assert re.search(r"east\s+1\s+no\s+T-001\s+Eastside Neighbours CIC", table.output)
    csv_out = run(*score_args("csv"))
    header = csv_out.output.splitlines()[0]
    assert header == (
        "lot,rank,tie,tender,bidder,status,passed,quality,price,total,divergent,reason"
    )
    assert "T-010" in csv_out.output


def test_score_reports_every_bad_row_and_exits_1(tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "evaluator,tender,criterion,score,comment\n"
        "R1,T-001,local-assets,4,fine\n"
        "R1,T-999,local-assets,4,\n"
        "R1,T-001,innovation,9,\n"
        "OF1,T-007,innovation,3,conflicted\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        [
            "score",
            "--exercise",
            str(EXAMPLES / "exercise.json"),
            "--tenders",
            str(EXAMPLES / "tenders"),
            "--scores",
            str(sheet),
        ],
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    text = result.output
    assert "row 3" in text and "T-999" in text and "did you mean" in text
    assert "row 4, column score: score 9 is off the scale of innovation (0 to 5)" in text
    assert "row 5" in text and "conflict" in text


BAD_TENDERS = {
    "missing-response": ("responses/long-term", lambda d: d["responses"].pop("long-term")),
    "negative-price": ("price/amount", lambda d: d["price"].__setitem__("amount", -100)),
    "bad-email": ("bidder/contact_email", lambda d: d["bidder"].__setitem__("contact_email", "x@")),
    "unknown-type": (
        "bidder/organisation_type",
        lambda d: d["bidder"].__setitem__("organisation_type", "plc"),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TENDERS))
def test_validate_bad_tender_names_file_and_json_path(tmp_path: Path, case: str) -> None:
    path_expected, spoil = BAD_TENDERS[case]
    document = json.loads((EXAMPLES / "tenders" / "T-001.json").read_text(encoding="utf-8"))
    spoil(document)
    bad = tmp_path / f"{case}.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["validate", "--exercise", str(EXAMPLES / "exercise.json"), str(bad)]
    )
    assert result.exit_code == 1
    assert str(bad) in result.output and path_expected in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"id": "T-1", "bidder": {', "line 1"),
        (bytes(range(256)) * 4, "UTF-8"),
        (b"", "empty"),
        (b"[1, 2]", "not an array"),
    ],
    ids=["truncated", "binary-junk", "empty", "array"],
)
def test_validate_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    bad = tmp_path / "tender.json"
    bad.write_bytes(content)
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert str(bad) in result.output and expected in result.output


def test_validate_json_report(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(bad)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False and report["error_count"] == 3
    assert [(e["type"], e["path"]) for e in report["errors"]] == [
        ("required-error", "bidder"),
        ("required-error", "id"),
        ("required-error", "responses"),
    ]


def test_valid_examples_exit_0() -> None:
    result = CliRunner().invoke(
        cli, ["validate", "--exercise", str(EXAMPLES / "exercise.json"), str(EXAMPLES / "tenders")]
    )
    assert result.exit_code == 0, result.output


def test_schema_for_an_exercise_requires_its_criteria() -> None:
    result = run("schema", "--exercise", str(EXAMPLES / "exercise.json"))
    schema = json.loads(result.output)
    criteria = ["local-assets", "local-insights", "collaboration", "innovation", "long-term"]
    responses = schema["properties"]["responses"]
    assert responses["required"] == criteria
    assert sorted(responses["properties"]) == sorted(criteria)
    assert responses["additionalProperties"] is False
    assert "lot" in schema["required"] and schema["properties"]["lot"]["enum"] == ["east", "west"]
    generic = json.loads(run("schema").output)
    assert generic["$schema"].endswith("2020-12/schema")


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(cli, ["score", "--format", "yaml"])
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2


def _commands(group: object, prefix: str = "") -> list[tuple[str, object]]:
    import click

    found = []
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{full} ")
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in _commands(cli):
        result = CliRunner().invoke(cli, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        assert command.help, f"{name} has no help text"  # type: ignore[attr-defined]
        assert f"commission {name}" in readme, f"`commission {name}` is not in README.md"


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Quick start\n+```bash\n(.*?)```", readme, re.S | re.M)
    assert match, "README.md must begin with a Quick start block"
    commands = [line for line in match.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "commission demo" in commands[0] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
