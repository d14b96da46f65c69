"""Suggestions for the commands people mix up: ``score`` (files alone) and ``scores import``
(into the database)."""

from __future__ import annotations

import click


class ScoreCommand(click.Command):
    """``commission score``: ``score import x.csv`` means ``scores import x.csv``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] == "import":
            rest = " ".join(args[1:])
            raise click.UsageError(
                "`commission score` scores files without a database and has no `import`; "
                f"did you mean `commission scores import{' ' + rest if rest else ''}`?",
                ctx,
            )
        return super().parse_args(ctx, args)


class ScoresGroup(click.Group):
    """``commission scores``: an unknown subcommand is most likely a sheet or ``score``'s
    options, so say which command was meant."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and name not in self.commands and not name.startswith("-"):
            raise click.UsageError(
                f"no such command 'scores {name}'; did you mean "
                f"`commission scores import {' '.join(args)}`?",
                ctx,
            )
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0].startswith("--") and args[0] not in ("--help", "-h"):
            given = " ".join(args)
            if "--scores" in args or "--tenders" in args:  # options of `score`, not `scores`
                meant = f"`commission score {given}` (scoring files without a database)"
            else:
                meant = (
                    f"`commission scores import {given}`, or `commission score {given}` to "
                    "score files without a database"
                )
            raise click.UsageError(
                f"`commission scores` takes a command first; did you mean {meant}?", ctx
            )
        return super().parse_args(ctx, args)
