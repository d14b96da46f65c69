"""``commission decide`` and ``commission verify``: panel decision PDFs and their check."""

from __future__ import annotations

import json

import click

from ..errors import ExitStatus
from . import (
    Context,
    ProgressBar,
    exercise_option,
    library_call,
    note,
    pass_context,
    quiet_option,
    show_progress,
    text_or_json_option,
)


def register(group: click.Group) -> None:
    group.add_command(decide_command)
    group.add_command(verify_command)


@click.command("decide")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the decision and assessment summary PDFs into.")
@click.option("--lot", metavar="ID", help="Only this lot (default: every lot).")
@click.option("--provisional", is_flag=True,
              help="Issue a provisional decision (marked PROVISIONAL on every page) even while "
                   "tenders are incomplete.")
@click.option("--name-evaluators", is_flag=True,
              help="Name panel members in the decision (default: their anonymous ids).")
@exercise_option
@text_or_json_option
@quiet_option
@pass_context
def decide_command(ctx: Context, out_dir: str, lot: str | None, provisional: bool,
                   name_evaluators: bool, exercise_id: str | None, fmt: str, quiet: bool) -> None:
    """Write the panel decision PDF of each lot and an assessment summary PDF per tender.

    A final decision is refused while any tender of the lot is incomplete."""
    from ..app.decisions import decide
    from ..store import open_store

    with library_call(fmt), open_store(ctx.db_url) as store, \
            ProgressBar(show_progress(quiet), "Reading the stored scores") as progress:
        outcome = decide(store, out_dir, lot=lot, provisional=provisional,
                         name_evaluators=name_evaluators, exercise_id=exercise_id,
                         progress=progress)
    if fmt == "json":
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
        return
    kind = "Provisional decision" if outcome.provisional else "Decision"
    for d in outcome.decisions:
        click.echo(f"{kind} for lot {d.lot}: {d.path} (SHA-256 {d.digest})")
    click.echo(f"{len(outcome.summaries)} assessment summaries in {out_dir}/summaries")
    if outcome.issued_at is not None:
        from ..documents.content import issued_text

        click.echo(f"{issued_text(outcome.issued_at)}")
    note("Recorded in the audit trail with each file's SHA-256. Check a file later with: "
         "commission verify FILE.pdf", quiet)


@click.command("verify")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False))
@text_or_json_option
@pass_context
def verify_command(ctx: Context, pdf: str, fmt: str) -> None:
    """Check a decision or summary PDF: were these exact bytes issued by this database, and do
    the stored scores still give the same decision? Exit 0 when both hold, 1 naming the check
    that failed."""
    from ..app.decisions import verify_pdf
    from ..store import open_store

    with library_call(fmt), open_store(ctx.db_url) as store:
        outcome = verify_pdf(store, pdf)
    if fmt == "json":
        click.echo(json.dumps({"ok": outcome.matches, **outcome.to_dict()}, ensure_ascii=False,
                              indent=2))
        if not outcome.matches:
            raise click.exceptions.Exit(int(ExitStatus.INPUT_WRONG))
        return
    if outcome.matches:
        click.echo(outcome.message)
        return
    click.echo(outcome.message, err=True)
    raise click.exceptions.Exit(int(ExitStatus.INPUT_WRONG))
