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
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the decisions and assessment summaries into (PDF and HTML).",
)
@click.option("--lot", metavar="ID", help="Only this lot (default: every lot).")
@click.option(
    "--provisional",
    is_flag=True,
    help="Issue a provisional decision (marked PROVISIONAL on every page) even while "
    "tenders are incomplete.",
)
@click.option(
    "--name-evaluators",
    is_flag=True,
    help="Name panel members in the decision (default: their anonymous ids).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["both", "pdf", "html", "text", "json"]),
    default="both",
    show_default=True,
    help="Which editions to write: each document as a PDF and its accessible HTML "
    "edition (both), or only one (pdf, html); text is both, json is both with "
    "the outcome (or every problem) printed as JSON.",
)
@click.option(
    "--editions",
    type=click.Choice(["both", "pdf", "html"]),
    default=None,
    help="The editions to write when --format is json (default: both).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace decision and summary files already in the folder (a symbolic link "
    "is never followed).",
)
@exercise_option
@quiet_option
@pass_context
def decide_command(
    ctx: Context,
    out_dir: str,
    lot: str | None,
    provisional: bool,
    name_evaluators: bool,
    fmt: str,
    editions: str | None,
    force: bool,
    exercise_id: str | None,
    quiet: bool,
) -> None:
    """Write the panel decision of each lot and an assessment summary per tender, each as a
    PDF and as its accessible HTML edition.

    A final decision is refused while any tender of the lot is incomplete."""
    from ..app.decisions import decide
    from ..store import open_store

    formats, output = _formats(fmt, editions)
    with (
        library_call(output),
        open_store(ctx.db_url) as store,
        ProgressBar(show_progress(quiet), "Reading the stored scores") as progress,
    ):
        outcome = decide(
            store,
            out_dir,
            lot=lot,
            provisional=provisional,
            name_evaluators=name_evaluators,
            exercise_id=exercise_id,
            progress=progress,
            formats=formats,
            force=force,
        )
    fmt = output
    if fmt == "json":
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
        return
    kind = "Provisional decision" if outcome.provisional else "Decision"
    for d in outcome.decisions:
        click.echo(f"{kind} for lot {d.lot}: {d.path} (SHA-256 {d.digest})")
    click.echo(f"{len(outcome.summaries)} assessment summaries in {out_dir}/summaries")
    if outcome.html:
        click.echo(
            f"{len(outcome.html)} accessible HTML editions"
            + (" beside them (.html)" if formats == "both" else " (.html)")
        )
    if outcome.missing_glyphs:
        shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in outcome.missing_glyphs)
        click.echo(
            f"Note: no bundled font can draw {shown}; the PDFs show each as the marker "
            f"[U+XXXX] (the HTML editions show the character itself)",
            err=True,
        )
    if outcome.issued_at is not None:
        from ..documents.content import issued_text

        click.echo(f"{issued_text(outcome.issued_at)}")
    note(
        "Recorded in the audit trail with each file's SHA-256. Check a file later with: "
        "commission verify FILE.pdf",
        quiet,
    )


def _formats(fmt: str, editions: str | None) -> tuple[str, str]:
    """(editions to write, output format) from ``--format`` and ``--editions``."""
    if fmt in ("text", "json"):
        return editions or "both", fmt
    if editions is not None and editions != fmt:
        raise click.UsageError(
            f"--format {fmt} and --editions {editions} disagree; pass one "
            f"(--editions is for --format json)"
        )
    return fmt, "text"


@click.command("verify")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False))
@text_or_json_option
@pass_context
def verify_command(ctx: Context, pdf: str, fmt: str) -> None:
    """Check a decision or summary (a PDF or its HTML edition): were these exact bytes issued by
    this database, and do the stored scores still give the same decision? Exit 0 when both
    hold, 1 naming the check that failed."""
    from ..app.verification import verify_pdf
    from ..store import open_store

    with library_call(fmt), open_store(ctx.db_url) as store:
        outcome = verify_pdf(store, pdf)
    if fmt == "json":
        click.echo(
            json.dumps({"ok": outcome.matches, **outcome.to_dict()}, ensure_ascii=False, indent=2)
        )
        if not outcome.matches:
            raise click.exceptions.Exit(int(ExitStatus.INPUT_WRONG))
        return
    if outcome.matches:
        click.echo(outcome.message)
        return
    click.echo(outcome.message, err=True)
    raise click.exceptions.Exit(int(ExitStatus.INPUT_WRONG))
