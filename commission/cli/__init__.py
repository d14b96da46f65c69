"""The ``commission`` command line. Each command parses its arguments, calls one library function
and turns the project's own errors into exit status 1 (input found wrong) or 2 (usage).

Shared pieces live here: the global ``--db`` option, ``--exercise``, one ``--format`` option,
and :func:`library_call`, the single place where library errors become messages.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from ..errors import CommissionError, ExitStatus

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "sqlite:///commission.db"


class LibraryFailure(click.ClickException):
    """A library error shown to the user: the message and every problem, exit status 1."""

    def __init__(self, error: CommissionError) -> None:
        super().__init__(str(error))
        self.error = error
        self.exit_code = int(error.exit_status)  # type: ignore[misc]  # per error, not per class

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


@contextlib.contextmanager
def library_call(fmt: str = "text") -> Iterator[None]:
    """Turn the project's errors into clean exits; never a traceback for bad input.

    With ``fmt`` ``json`` a failure is printed on stdout as one JSON object — ``{"ok": false}``
    and the error's own ``to_dict()``, every problem included — before exiting 1 (or 2).
    """
    from .hints import for_cli

    try:
        try:
            yield
        except UnicodeDecodeError as error:
            raise CommissionError(
                f"could not read text: {error.reason} at byte {error.start}; "
                "save the file as UTF-8 or try --encoding cp1252"
            ) from error
        except OSError as error:
            name = getattr(error, "filename", None)
            reason = error.strerror or str(error)
            raise CommissionError(f"{name}: {reason}" if name else reason) from error
    except CommissionError as raised:
        error = for_cli(raised)
        if fmt == "json":
            click.echo(
                json.dumps(
                    {"ok": False, **error.to_dict()}, ensure_ascii=False, indent=2, default=str
                )
            )
            raise click.exceptions.Exit(int(error.exit_status)) from raised
        if error.exit_status == ExitStatus.USAGE:
            raise click.UsageError(str(error)) from raised
        raise LibraryFailure(error) from raised


def format_option(func: F) -> F:
    """The one ``--format table|csv|json`` option shared by every command that prints rows."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="How to print: a table for people, CSV for spreadsheets, JSON for programs.",
    )(func)


def text_or_json_option(func: F) -> F:
    """``--format text|json``, for commands that say what they did rather than print rows."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="A sentence for people, or the outcome (or every problem) as JSON for programs.",
    )(func)


def analysis_option(func: F) -> F:
    """``--analysis``: each lot's agreement and robustness in the JSON (exact; slower)."""
    return click.option(
        "--analysis",
        is_flag=True,
        help="Add each lot's panel agreement (Krippendorff's alpha) and the robustness of its "
        "winner to the JSON output.",
    )(func)


def exercise_option(func: F) -> F:
    from .exercises import exercise_id_callback

    return click.option(
        "--exercise",
        "exercise_id",
        metavar="ID|FILE",
        callback=exercise_id_callback,
        help="Which exercise, when the database holds several: its id, or its JSON file.",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress bars or notes on stderr.")(
        func
    )


def show_progress(quiet: bool) -> bool:
    """Progress bars go to stderr, only to a terminal, and never with --quiet."""
    return not quiet and sys.stderr.isatty()


class ProgressBar:
    """A stderr progress bar, opened when the library first reports and knows the total.

    Library functions take a callback ``progress(done, total)`` (or ``progress(stage, done,
    total)``); this is that callback. It draws nothing unless ``enabled``.
    """

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled, self.label = enabled, label
        self.bar: Any = None

    def __call__(self, *report: Any) -> None:
        if not self.enabled:
            return
        *stage, done, total = report
        if self.bar is None:
            label = str(stage[0]) if stage else self.label
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()
        if total != self.bar.length or (stage and str(stage[0]) != self.bar.label):
            # A staged report (reading, decisions, summaries): the total becomes known.
            self.bar.length = total
            self.bar.label = str(stage[0]) if stage else self.bar.label
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def note(message: str, quiet: bool = False) -> None:
    """Progress and notes go to stderr so stdout stays data."""
    if not quiet:
        click.echo(message, err=True)


class Context:
    """What the group hands each command: the database URL."""

    def __init__(self, db: str | None) -> None:
        self.db_url = db or os.environ.get("COMMISSION_DB") or DEFAULT_DB
        #: True when the database was named (``--db`` or the environment), not the default.
        self.named = bool(db or os.environ.get("COMMISSION_DB"))


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Database: a SQLite file's path, or a URL (env COMMISSION_DB). Default: commission.db "
    "in this folder; sqlite:////abs/path.db (four slashes) for an absolute path in a URL; "
    "PostgreSQL as postgresql://user@host/name.",
)
@click.version_option(package_name="commission")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Co-productive commissioning: a community panel and an officer panel score every tender
    against co-production criteria, with equal weight whatever their headcount."""
    ctx.obj = Context(db)


def _register() -> None:
    from . import decisions, files, moderation, publish, store

    for module in (files, store, decisions, publish, moderation):
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``commission`` console script."""
    return cli.main(args=argv, prog_name="commission")
