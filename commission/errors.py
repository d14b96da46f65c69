"""The project's one exception tree, and the exit codes the command line documents.

Errors are data before they are messages: every problem found while checking input is a
:class:`Problem` with a kebab-case ``type``, the file, the row as a spreadsheet shows it (header =
row 1) or the JSON path, the column, the offending value and a note saying how to fix it.
Checking collects every problem; the exception carries the whole list.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any


class ExitStatus(enum.IntEnum):
    """Exit status of the ``commission`` command (SPEC §7)."""

    OK = 0
    #: The input was read and found wrong (validation or import errors, refused decisions).
    INPUT_WRONG = 1
    #: The command was used wrongly (unknown option, missing argument).
    USAGE = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, with where it is and how to fix it."""

    type: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    path: str | None = None
    value: Any = None
    fix: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def where(self) -> str:
        """``file:row 4, column score`` / ``file: responses/long-term/answer`` / ``file:3:17``."""
        parts = []
        place = self.file or "<input>"
        if self.line is not None:
            parts.append(f"{place}:{self.line}" + (f":{self.column}" if self.column else ""))
        else:
            parts.append(place)
            if self.row is not None:
                parts.append(f"row {self.row}")
            if self.column is not None:
                parts.append(f"column {self.column}")
            if self.path is not None:
                parts.append(f"at {self.path or '(document root)'}")
        return ", ".join(parts)

    def __str__(self) -> str:
        located = any(
            v is not None for v in (self.file, self.row, self.column, self.path, self.line)
        )
        text = f"{self.where()}: {self.message}" if located else self.message
        if self.value is not None and "value" not in self.message:
            shown = repr(self.value) if not isinstance(self.value, str) else f"'{self.value}'"
            if len(shown) > 80:
                shown = shown[:77] + "..."
            text += f" (value {shown})"
        if self.fix:
            text += f" — {self.fix}"
        return text


class CommissionError(Exception):
    """Base of every error the library raises on purpose."""

    exit_status = ExitStatus.INPUT_WRONG

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": False,
            "error": type(self).__name__,
            "message": self.message,
            "error_count": len(self.problems),
            "errors": [p.to_dict() for p in self.problems],
        }

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class InvalidDocument(CommissionError):
    """A JSON document (tender, exercise, criteria set) could not be read or is not valid."""


class InvalidCriteria(InvalidDocument):
    """A criteria set breaks the rules of SPEC §2."""


class InvalidExercise(InvalidDocument):
    """An exercise file breaks the rules of SPEC §3."""


class InvalidTender(InvalidDocument):
    """A tender submission is not valid for its exercise (SPEC §4)."""


class InvalidScores(CommissionError):
    """A score sheet (or score rows given to the library) has errors; nothing was written."""


class Refused(CommissionError):
    """The store refused a change that breaks the rules (duplicate tender, overwrite, ...)."""


class NotFound(CommissionError):
    """An exercise, tender, evaluator or lot named by the user does not exist."""


class DecisionRefused(CommissionError):
    """A final decision cannot be issued yet (for example a tender is incomplete)."""


class PublishRefused(CommissionError):
    """Open data cannot be published yet (for example no final decision has been issued)."""


class InvalidOcds(CommissionError):
    """The OCDS package built for publication breaks the OCDS schema or its codelists."""


class StoreBusy(CommissionError):
    """Another process holds the database; the command can simply be run again."""


class AuditBroken(CommissionError):
    """The audit trail's hash chain does not verify."""


class Usage(CommissionError):
    """The library was called wrongly in a way the command line reports as a usage error."""

    exit_status = ExitStatus.USAGE


@dataclass
class Report:
    """A frictionless-style validation report: valid, counts and every problem."""

    problems: list[Problem] = field(default_factory=list)
    checked: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "checked": self.checked,
            "error_count": len(self.problems),
            "errors": [p.to_dict() for p in self.problems],
        }
