"""``commission moderation``: start the joint moderation meeting and record its notes."""

from __future__ import annotations

from pathlib import Path

import click

from . import Context, exercise_option, pass_context, text_or_json_option
from .store import _EXISTING, _said, _store


@click.group()
def moderation() -> None:
    """The joint moderation meeting: freeze the independent round, write the pack, record
    the agreed explanations."""


@moderation.command("start")
@click.option("--lot", metavar="ID", help="Moderate this lot only (default: every lot).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the moderation pack into.",
)
@exercise_option
@text_or_json_option
@pass_context
def moderation_start(
    ctx: Context, lot: str | None, out_dir: Path, exercise_id: str | None, fmt: str
) -> None:
    """Freeze the independent round and write the moderation pack.

    The pack holds the meeting's agenda as agenda.pdf and its accessible HTML edition
    agenda.html (one section per lot: agreement within each panel, then per tender and
    criterion, divergent points first, each panel's n, mean, median, range and standard
    deviation, the gap between the panels, outlying scores and a line for the agreed
    explanation), the same figures as moderation.csv, outliers.csv and agenda.json, and a
    pre-filled sheet-<evaluator>.csv per panel member, to be revised and imported with
    `commission scores import --round moderated`. Later independent imports into the frozen
    lots are refused unless --reopen.
    """
    from ..app.moderation import start_moderation

    with _store(ctx, fmt=fmt) as store:
        outcome = start_moderation(store, out_dir, lot=lot, exercise_id=exercise_id)
    _said(outcome, fmt)
    if fmt != "json":
        for written in outcome.details["files"]:
            click.echo(f"  {out_dir / written['file']}")


@moderation.command("notes")
@click.argument("file", metavar="NOTES.csv", type=_EXISTING)
@exercise_option
@text_or_json_option
@pass_context
def moderation_notes(ctx: Context, file: Path, exercise_id: str | None, fmt: str) -> None:
    """Record the panel's agreed explanation per tender and criterion (CSV: tender, criterion,
    note), all or nothing; a changed note replaces the stored one (audited)."""
    from ..app.moderation import record_notes

    with _store(ctx, fmt=fmt) as store:
        outcome = record_notes(store, file, exercise_id=exercise_id)
    _said(outcome, fmt)


def register(group: click.Group) -> None:
    group.add_command(moderation)
