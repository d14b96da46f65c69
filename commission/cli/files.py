"""Commands that work from files alone, with no database: validate, schema, score, demo."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitStatus
from . import (
    Context,
    analysis_option,
    format_option,
    library_call,
    note,
    pass_context,
    quiet_option,
)
from .suggest import ScoreCommand

_EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)
_EXISTING_ANY = click.Path(exists=True, path_type=Path)


@click.command()
@click.argument("files", nargs=-1, required=True, type=_EXISTING_ANY)
@click.option(
    "--exercise",
    "exercise_ref",
    metavar="ID|FILE",
    help="Also check each tender against this exercise (criteria answered, lot named): a "
    "stored exercise's id or an exercise JSON file. Default: the exercise stored in the "
    "database, when it holds one.",
)
@format_option
@pass_context
def validate(ctx: Context, files: tuple[Path, ...], exercise_ref: str | None, fmt: str) -> None:
    """Validate tender submission JSON files without storing them.

    Every error is listed with its file and JSON path. Exit status 1 when any file is invalid.
    """
    from ..inputs.tenders import load_tenders
    from .exercises import exercise_of, stored_exercise
    from .output import render

    with library_call(fmt):
        exercise = (
            exercise_of(ctx.db_url, exercise_ref)
            if exercise_ref is not None
            else stored_exercise(ctx.db_url, named=ctx.named)
        )
        if exercise is not None and fmt != "json":
            note(f"checking against exercise {exercise.id}")
        elif exercise is None and exercise_ref is None and ctx.named and fmt != "json":
            from ..store.db import describe, normalise_url

            note(
                f"no database at {describe(normalise_url(ctx.db_url))}: checking against the "
                "tender schema alone"
            )
        tenders, report = load_tenders(list(files), exercise)
    if fmt == "json":
        click.echo(render("json", [], document=report.to_dict()), nl=False)
    elif report.problems:
        rows = [
            {
                "file": p.file,
                "place": p.path if p.path is not None else _line_place(p),
                "type": p.type,
                "value": _short(p.value),
                "message": p.message,
                "fix": p.fix,
            }
            for p in report.problems
        ]
        click.echo(render(fmt, rows), nl=False)
    else:
        note(f"{len(tenders)} tender file(s) valid.")
    if report.problems:
        raise click.exceptions.Exit(int(ExitStatus.INPUT_WRONG))


def _short(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _line_place(problem: object) -> str | None:
    line = getattr(problem, "line", None)
    column = getattr(problem, "column", None)
    if line is None:
        return None
    return f"line {line}" + (f", column {column}" if column is not None else "")


@click.command()
@click.option(
    "--exercise",
    "exercise_ref",
    metavar="ID|FILE",
    help="Specialise the schema for this exercise (its criteria, lots and price rules): a "
    "stored exercise's id or an exercise JSON file.",
)
@pass_context
def schema(ctx: Context, exercise_ref: str | None) -> None:
    """Print the tender submission JSON Schema, to publish to bidders."""
    from .output import to_json

    with library_call():
        if exercise_ref is None:
            from ..inputs.validation import load_schema

            document = load_schema("tender")
        else:
            from ..inputs.tenders import tender_schema
            from .exercises import exercise_of

            document = tender_schema(exercise_of(ctx.db_url, exercise_ref))
    click.echo(to_json(document), nl=False)


@click.command(cls=ScoreCommand)
@click.option(
    "--exercise",
    "exercise_ref",
    required=True,
    metavar="ID|FILE",
    help="The exercise: its JSON file, or the id of an exercise stored in the database.",
)
@click.option(
    "--tenders",
    "tender_paths",
    required=True,
    multiple=True,
    type=_EXISTING_ANY,
    help="A folder of tender JSON files, or a file (repeatable).",
)
@click.option(
    "--scores",
    "score_paths",
    required=True,
    multiple=True,
    type=_EXISTING,
    help="Score sheet, CSV or XLSX (repeatable).",
)
@click.argument("more_score_paths", nargs=-1, type=_EXISTING, metavar="[FILE]...")
@click.option(
    "--evaluator", metavar="ID", help="The panel member, for sheets with no evaluator column."
)
@click.option("--encoding", metavar="NAME", help="Text encoding of CSV sheets, e.g. cp1252.")
@format_option
@analysis_option
@pass_context
def score(
    ctx: Context,
    exercise_ref: str,
    tender_paths: tuple[Path, ...],
    score_paths: tuple[Path, ...],
    more_score_paths: tuple[Path, ...],
    evaluator: str | None,
    encoding: str | None,
    fmt: str,
    analysis: bool,
) -> None:
    """Score tenders from files alone, with no database: the same results as `results`.

    Several sheets can follow one --scores (a shell glob works): --scores sheets/*.csv
    """
    from ..app.evaluation import score_files
    from .exercises import exercise_of

    with library_call(fmt):
        results = score_files(
            exercise_of(ctx.db_url, exercise_ref),
            tender_paths,
            score_paths + more_score_paths,
            evaluator=evaluator,
            encoding=encoding,
            analysis=analysis,
        )
    echo_results(results, fmt)


def echo_results(results: object, fmt: str) -> None:
    """Print results: the library's own ``to_dict()`` for json, rows otherwise."""
    from .output import render, results_rows

    document = results.to_dict() if fmt == "json" else None  # type: ignore[attr-defined]
    click.echo(render(fmt, results_rows(results), document=document), nl=False)


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("commission-demo"),
    show_default=True,
    help="Folder for the demo database and the decision PDFs.",
)
@quiet_option
def demo(out_dir: Path, quiet: bool) -> None:
    """Run the whole flow on the bundled sample exercise and say where the PDFs are."""
    from ..app.demo import run_demo

    with library_call():
        outcome = run_demo(out_dir, progress=None if quiet else note)
    from .output import results_rows, to_table

    click.echo(to_table(results_rows(outcome.results)), nl=False)
    for line in outcome.summary_lines():
        click.echo(line)


def register(group: click.Group) -> None:
    for command in (validate, schema, score, demo):
        group.add_command(command)
