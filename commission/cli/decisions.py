"""``commission decide`` and ``commission verify``: panel decision PDFs and their check."""

from __future__ import annotations

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
@click.option("--format", "formats", type=click.Choice(["html", "pdf", "both"]),
              default="both", show_default=True,
              help="Write each document as a PDF, as its accessible HTML edition, or both.")
@exercise_option
@quiet_option
@pass_context
def decide_command(ctx: Context, out_dir: str, lot: str | None, provisional: bool,
                   name_evaluators: bool, formats: str, exercise_id: str | None,
                   quiet: bool) -> None:
    """Write the panel decision PDF of each lot and an assessment summary PDF per tender.

    A final decision is refused while any tender of the lot is incomplete."""
    from ..decide import decide
    from ..store import open_store

    with library_call(), open_store(ctx.db_url) as store, \
            ProgressBar(show_progress(quiet), "Assessment summaries") as progress:
        outcome = decide(store, out_dir, lot=lot, provisional=provisional,
                         name_evaluators=name_evaluators, exercise_id=exercise_id,
                         progress=progress, formats=formats)
    kind = "Provisional decision" if outcome.provisional else "Decision"
    for d in outcome.decisions:
        click.echo(f"{kind} for lot {d.lot}: {d.path} (SHA-256 {d.digest})")
    click.echo(f"{len(outcome.summaries)} assessment summaries in {out_dir}/summaries")
    if outcome.html:
        click.echo(f"{len(outcome.html)} accessible HTML editions beside them (.html)")
    if outcome.missing_glyphs:
        shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in outcome.missing_glyphs)
        click.echo(f"Note: no bundled font can draw {shown}; the PDFs show each as the marker "
                   f"[U+XXXX] (the HTML editions show the character itself)", err=True)
    note("Recorded in the audit trail. Check a decision later with: commission verify FILE.pdf",
         quiet)


@click.command("verify")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False))
@exercise_option
@pass_context
def verify_command(ctx: Context, pdf: str, exercise_id: str | None) -> None:
    """Say whether a decision PDF still matches the stored scores (exit 0) or not (exit 1)."""
    from ..decide import verify_pdf
    from ..store import open_store

    with library_call(), open_store(ctx.db_url) as store:
        outcome = verify_pdf(store, pdf)
    if outcome.matches:
        click.echo(outcome.message)
        return
    click.echo(outcome.message, err=True)
    raise click.exceptions.Exit(int(ExitStatus.INPUT_WRONG))
