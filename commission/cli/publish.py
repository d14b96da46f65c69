"""``commission publish --ocds``: the awards of issued final decisions as OCDS open data."""

from __future__ import annotations

import json

import click

from . import Context, exercise_option, library_call, note, pass_context, quiet_option


def register(group: click.Group) -> None:
    group.add_command(publish_command)


@click.command("publish")
@click.option(
    "--ocds",
    "ocds",
    is_flag=True,
    help="Write an OCDS 1.1 release package (the only format so far).",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write the package to (default: standard output).",
)
@click.option(
    "--lot", metavar="ID", help="Only this lot (default: every lot with an issued final decision)."
)
@click.option(
    "--include-comments",
    is_flag=True,
    help="Publish the panels' comments on their scores (panel members are never named).",
)
@click.option(
    "--uri",
    metavar="URI",
    help="The package's URI: where it will be published (default: a URN from the "
    "ocid and the issue time).",
)
@click.option(
    "--documents-url",
    metavar="URL",
    help="The web folder the decision PDFs are published in; each document's url is "
    "this plus its file name.",
)
@click.option(
    "--ocid-prefix",
    metavar="PREFIX",
    help="The authority's OCDS prefix (ocds-xxxxxx), for an exercise stored without one.",
)
@click.option(
    "--extension-url",
    metavar="URL",
    help="Where the commission extension's extension.json is published.",
)
@exercise_option
@quiet_option
@pass_context
def publish_command(
    ctx: Context,
    ocds: bool,
    output: str | None,
    lot: str | None,
    include_comments: bool,
    uri: str | None,
    documents_url: str | None,
    ocid_prefix: str | None,
    extension_url: str | None,
    exercise_id: str | None,
    quiet: bool,
) -> None:
    """Publish the awards of issued final decisions as open data.

    With --ocds, an OCDS 1.1 release package: the tender and its lots with the award criteria
    breakdown, every tenderer, every bid with its rank and the panels' scores (in the commission
    extension), and a pending award per lot with a winner. It is validated against the OCDS
    1.1.5 schema and its extensions before it is written. Refused until a final decision has
    been issued with 'commission decide'."""
    if not ocds:
        raise click.UsageError("say which open data format to write: --ocds")
    from ..app.publish import publish_ocds
    from ..publish import OcdsOptions
    from ..publish.ocds import DEFAULT_EXTENSION_URL
    from ..store import open_store

    options = OcdsOptions(
        include_comments=include_comments,
        uri=uri,
        documents_url=documents_url,
        extension_url=extension_url or DEFAULT_EXTENSION_URL,
        ocid_prefix=ocid_prefix,
    )
    with library_call(), open_store(ctx.db_url) as store:
        outcome = publish_ocds(store, exercise_id=exercise_id, lot=lot, options=options)
        text = json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
    if not output:
        click.echo(text, nl=False)
    awarded = ", ".join(outcome.awards) or "none"
    note(
        f"OCDS release package for {outcome.exercise}: lots {', '.join(outcome.lots)}; "
        f"awards for {awarded}; valid against OCDS 1.1.5 with its extensions"
        + (f"; written to {output}" if output else ""),
        quiet,
    )
