"""The command line's words for the library's problems: the library never names a flag or a
command, so the CLI adds them here, keyed by problem type."""

from __future__ import annotations

import dataclasses

from ..errors import CommissionError, Problem

#: Appended to the error's message when its first problem is of this type.
MESSAGE_HINTS = {
    "no-database": "; run: commission init EXERCISE.json",
    "no-exercise": "; run: commission init EXERCISE.json",
    "old-schema": "; run: commission init EXERCISE.json to upgrade it",
    "several-exercises": "; pass --exercise ID to pick one",
    "not-a-database": "; pass --db with the path of the exercise's database",
    "overwrite": " (pass --replace to replace them)",
    "incomplete-tender": " (use --provisional for a provisional decision)",
    "no-final-decision": "; issue one with: commission decide --out DIR",
    "round-frozen": " (pass --round moderated for revised scores, or --reopen on purpose)",
    "moderation-not-started": "; run: commission moderation start --out DIR first",
}

#: The fix a problem of this type shows at the command line, in place of the library's.
FIXES = {
    "overwrite": "pass --replace to replace stored scores (the audit trail keeps the old one)",
    "incomplete-tender": "import the missing scores, or issue a provisional decision with "
    "--provisional",
    "exercise-exists": "give the exercise a new id, or run init against a new database",
    "round-frozen": "import revised scores with --round moderated, or pass --reopen to change "
    "the independent round on purpose (audited)",
}

#: Words in a library message that stand for a flag at the command line.
NAMED_BY = {
    "(named for the whole import)": "(named by --evaluator)",
    "the import is for evaluator ": "the import is for --evaluator ",
    "or name the evaluator for the whole import": "or name the evaluator with --evaluator ID",
    "ocds-xxxxxx) for this publication": "ocds-xxxxxx) with --ocid-prefix",
    "(encoding name ": "(--encoding ",
    "try the encoding name ": "try --encoding ",
    "overwrite it only on purpose": "pass --force to overwrite it",
    "or name the right database file": "or name the right file with --db",
}


def for_cli(error: CommissionError) -> CommissionError:
    """The same error, worded for the command line: flags and commands named."""
    problems = [_problem(p) for p in error.problems]
    message = error.message
    for words, flag in NAMED_BY.items():
        if words in message:
            message = message.replace(words, flag)
            break
    first = error.problems[0].type if error.problems else None
    if first in MESSAGE_HINTS and not message.endswith(MESSAGE_HINTS[first]):
        message += MESSAGE_HINTS[first]
    clone = type(error).__new__(type(error))
    CommissionError.__init__(clone, message, problems)
    clone.__dict__.update(
        {k: v for k, v in error.__dict__.items() if k not in ("message", "problems")}
    )
    clone.message, clone.problems = message, problems
    return clone


def _problem(problem: Problem) -> Problem:
    changes: dict[str, str] = {}
    if problem.type in FIXES:
        changes["fix"] = FIXES[problem.type]
    message, fix = problem.message, changes.get("fix", problem.fix)
    for words, flag in NAMED_BY.items():
        if words in message:
            message = message.replace(words, flag)
        elif fix and words in fix and flag not in fix:
            fix = fix.replace(words, flag)
    if message != problem.message:
        changes["message"] = message
    if fix != problem.fix and fix is not None:
        changes["fix"] = fix
    return dataclasses.replace(problem, **changes) if changes else problem
