"""Commands over the exercise store: init, tenders, sheet, scores, results and audit. Each opens
the store named by ``--db``, calls one use case of :mod:`commission.app` and prints what it did;
errors become exit status 1 or 2 (and, with ``--format json``, JSON on stdout).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import (
    Context,
    ProgressBar,
    analysis_option,
    exercise_option,
    format_option,
    library_call,
    note,
    pass_context,
    quiet_option,
    show_progress,
    text_or_json_option,
)
from .suggest import ScoresGroup

if TYPE_CHECKING:
    from ..store import Store

_EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)
_EXISTING_ANY = click.Path(exists=True, path_type=Path)


@contextlib.contextmanager
def _store(ctx: Context, *, create: bool = False, fmt: str = "text") -> Iterator[Store]:
    """The store for one command, its errors translated, closed at the end."""
    from ..store import open_store

    with library_call(fmt), open_store(ctx.db_url, create=create) as store:
        yield store


def _said(outcome: object, fmt: str) -> None:
    """What a command did: its message for people, its ``to_dict()`` for programs."""
    if fmt == "json":
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))  # type: ignore[attr-defined]
    else:
        click.echo(outcome.message)  # type: ignore[attr-defined]


@click.command()
@click.argument("exercise_path", metavar="EXERCISE.json", type=_EXISTING)
@text_or_json_option
@pass_context
def init(ctx: Context, exercise_path: Path, fmt: str) -> None:
    """Create or upgrade the database and store the exercise (its criteria set frozen in).

    Running it again with the same exercise changes nothing; an exercise with the same id but
    different contents is refused.
    """
    from ..app.exercises import init_exercise

    with _store(ctx, create=True, fmt=fmt) as store:
        outcome = init_exercise(store, exercise_path)
    _said(outcome, fmt)


@click.group()
def tenders() -> None:
    """Store tender submissions and list them."""


@tenders.command("add")
@click.argument("files", nargs=-1, required=True, type=_EXISTING_ANY)
@exercise_option
@text_or_json_option
@pass_context
def tenders_add(ctx: Context, files: tuple[Path, ...], exercise_id: str | None, fmt: str) -> None:
    """Validate and store tender JSON files (or folders of them), all or nothing.

    A tender already stored with identical contents is left as it is; one whose id is stored
    with different contents is refused, and then nothing is added.
    """
    from ..app.tenders import add_tenders

    with _store(ctx, fmt=fmt) as store:
        outcome = add_tenders(store, list(files), exercise_id=exercise_id)
    _said(outcome, fmt)


@tenders.command("list")
@exercise_option
@format_option
@pass_context
def tenders_list(ctx: Context, exercise_id: str | None, fmt: str) -> None:
    """List the stored tenders: id, lot, bidder, price and how many scores each has."""
    from ..app.tenders import list_tenders
    from .output import render

    with _store(ctx, fmt=fmt) as store:
        rows = list_tenders(store, exercise_id).to_dict()
    columns = ["tender", "lot", "bidder", "price", "currency", "scores"]
    if fmt == "json":
        columns.append("sha256")
    click.echo(render(fmt, rows, columns=columns), nl=False)


@click.command()
@click.option("--evaluator", "evaluator_id", required=True, metavar="ID", help="The panel member.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The sheet to write: .csv or .xlsx (with a guide to the scale). "
    "Default: sheet-<ID>.csv in this folder.",
)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@exercise_option
@quiet_option
@pass_context
def sheet(
    ctx: Context,
    evaluator_id: str,
    output: Path | None,
    force: bool,
    exercise_id: str | None,
    quiet: bool,
) -> None:
    """Write the blank score sheet for one panel member: one row per tender they may score
    (their declared conflicts left out), one column per criterion."""
    from ..app.scores import write_sheet

    target = output or Path(f"sheet-{evaluator_id}.csv")
    with _store(ctx) as store:
        count = write_sheet(store, evaluator_id, target, exercise_id, force=force)
    note(f"wrote {target}: {count} tender{'s' if count != 1 else ''} for {evaluator_id}", quiet)


@click.group(cls=ScoresGroup)
def scores() -> None:
    """Import score sheets."""


@scores.command("import")
@click.argument("files", nargs=-1, required=True, type=_EXISTING)
@click.option(
    "--evaluator", metavar="ID", help="The panel member, for sheets with no evaluator column."
)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace stored scores the sheets change; each old value is kept in the audit trail.",
)
@click.option("--dry-run", is_flag=True, help="Check and report what would happen; write nothing.")
@click.option("--encoding", metavar="NAME", help="Text encoding of CSV sheets, e.g. cp1252.")
@click.option(
    "--round",
    "round_name",
    type=click.Choice(["independent", "moderated"]),
    default="independent",
    show_default=True,
    help="The round: independent scoring, or revised scores after the moderation meeting "
    "(each changed score with a reason column).",
)
@click.option(
    "--reopen",
    is_flag=True,
    help="Import into an independent round that moderation froze (audited).",
)
@exercise_option
@text_or_json_option
@quiet_option
@pass_context
def scores_import(
    ctx: Context,
    files: tuple[Path, ...],
    evaluator: str | None,
    replace: bool,
    dry_run: bool,
    encoding: str | None,
    round_name: str,
    reopen: bool,
    exercise_id: str | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Import score sheets (CSV or XLSX, long or wide), all or nothing.

    Any error in any sheet (unknown evaluator, tender or criterion, a score off the scale, a
    duplicate, a declared conflict of interest, or a change to a stored score without
    --replace) writes nothing and lists every error with its file, row, column and value.
    Importing the same sheet again changes nothing and says so.
    """
    from ..app.scores import import_scores

    if show_progress(quiet):
        note(f"reading {len(files)} score sheet{'s' if len(files) != 1 else ''}")
    with _store(ctx, fmt=fmt) as store, ProgressBar(show_progress(quiet), "writing") as progress:
        outcome = import_scores(
            store,
            list(files),
            evaluator=evaluator,
            replace=replace,
            dry_run=dry_run,
            exercise_id=exercise_id,
            encoding=encoding,
            progress=progress,
            round_name=round_name,
            reopen=reopen,
        )
    _said(outcome, fmt)


@click.command()
@exercise_option
@format_option
@analysis_option
@click.option(
    "--round",
    "round_view",
    type=click.Choice(["latest", "independent", "moderated"]),
    default="latest",
    show_default=True,
    help="Each evaluator's latest round (moderated where revised), or the independent round alone.",
)
@pass_context
def results(
    ctx: Context, exercise_id: str | None, fmt: str, analysis: bool, round_view: str
) -> None:
    """Scores, ranks, passes, ties, divergence and completeness, from the stored scores.

    Each evaluator's latest round counts; abstentions are not scores. The same scoring engine
    as `commission score`, so the two give identical JSON.
    """
    from ..app.evaluation import results as store_results
    from .files import echo_results

    with _store(ctx, fmt=fmt) as store:
        found = store_results(store, exercise_id, analysis=analysis, round_view=round_view)
    echo_results(found, fmt)


@click.command()
@click.option(
    "--verify",
    is_flag=True,
    help="Check the hash chain and that the stored exercises, tenders, scores and decisions are "
    "what the trail records; exit 1 naming every row that is not.",
)
@click.option(
    "--head",
    "head",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[HASH]",
    help="Alone: print the chain head (the hash every issued document carries). "
    "With --verify: also check that the chain still reaches HASH.",
)
@exercise_option
@format_option
@pass_context
def audit(ctx: Context, verify: bool, head: str | None, exercise_id: str | None, fmt: str) -> None:
    """List the audit trail: every change, hash-chained so that tampering shows."""
    from ..app.audit import audit_entries, audit_head, require_intact_audit
    from .output import render

    if verify:
        if head == "":
            raise click.UsageError("give the head to check: --verify --head HASH")
        with _store(ctx, fmt=fmt) as store:
            check = require_intact_audit(store, head)
        if fmt == "json":
            click.echo(render("json", [], document=check.to_dict()), nl=False)
        else:
            click.echo(check.message + (f"\nthe chain reaches the head {head}" if head else ""))
        return
    if head is not None:
        with _store(ctx, fmt=fmt) as store:
            last = audit_head(store)
        if fmt == "json":
            click.echo(render("json", [], document=last.to_dict()), nl=False)
        else:
            click.echo(last.hash)
        return
    with _store(ctx, fmt=fmt) as store:
        entries = audit_entries(store, exercise_id).to_dict()
    if fmt == "json":
        click.echo(render("json", entries), nl=False)
        return
    rows = [
        {
            "seq": e["seq"],
            "at": e["at"],
            "exercise": e["exercise"],
            "action": e["action"],
            "details": json.dumps(e["details"], ensure_ascii=False, sort_keys=True),
            "hash": e["hash"] if fmt == "csv" else e["hash"][:12],
        }
        for e in entries
    ]
    click.echo(
        render(fmt, rows, columns=["seq", "at", "exercise", "action", "details", "hash"]), nl=False
    )


def register(group: click.Group) -> None:
    for command in (init, tenders, sheet, scores, results, audit):
        group.add_command(command)
