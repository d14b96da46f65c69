"""Writing output files without following a symlink left in their place, and without overwriting.

A blank score sheet (``sheet -o``), a decision PDF or an assessment summary is written into a
folder other people may also write to. A symbolic link left where the file will go once made the
toolkit overwrite the link's target; an existing file (a filled score sheet!) was silently
replaced. Here:

* every target is checked before anything is written: a symbolic link there (or as the output
  folder, or its ``summaries/``) is refused; an existing file is refused unless ``force``;
* each file is written under a private temporary name (a ``mkdtemp`` folder, mode 700, in the
  target's own folder, so nobody else can swap a link in while it is written), then moved into
  place: ``os.link`` when not forcing (it fails if the name was taken meanwhile and never follows
  a link), ``os.replace`` with ``force`` (which replaces a link itself, never its target).

So a refused command writes nothing, and a failure half-way leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from commission.errors import Problem, Refused

__all__ = ["Staging", "check_targets", "open_new", "write_new"]


def _problem(path: Path, force: bool) -> Problem | None:
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    import stat

    if stat.S_ISLNK(status.st_mode):
        return Problem(
            type="symlink-refused",
            message="a symbolic link stands where the file would be written; it is not followed",
            file=str(path),
            fix="remove the link (or choose another file name) and run the command again",
        )
    if stat.S_ISDIR(status.st_mode):
        return Problem(
            type="file-exists",
            message="a folder stands where the file would be written",
            file=str(path),
            fix="choose another file name",
        )
    if not force:
        return Problem(
            type="file-exists",
            message="the file already exists and would be overwritten",
            file=str(path),
            fix="overwrite it only on purpose, or choose another file name or folder",
        )
    return None


def _folder_problem(folder: Path) -> Problem | None:
    if folder.is_symlink():
        return Problem(
            type="symlink-refused",
            message="the output folder is a symbolic link; it is not followed",
            file=str(folder),
            fix="remove the link, or name the real folder",
        )
    if folder.exists() and not folder.is_dir():
        return Problem(
            type="file-exists",
            message="a file stands where the output folder would be",
            file=str(folder),
            fix="choose another folder",
        )
    return None


def check_targets(targets: Iterable[Path], *, force: bool, folders: Iterable[Path] = ()) -> None:
    """Refuse (one problem per file) before anything is written; see the module docstring."""
    problems = [p for f in folders if (p := _folder_problem(Path(f))) is not None]
    problems += [p for t in targets if (p := _problem(Path(t), force)) is not None]
    if problems:
        raise Refused(
            f"{len(problems)} output file{'s' if len(problems) != 1 else ''} refused; "
            "nothing was written",
            problems,
        )


def _publish(temporary: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target, follow_symlinks=False)
    except FileExistsError:
        check_targets([target], force=False)  # says why: a link or a file appeared meanwhile
        raise
    os.unlink(temporary)


class Staging:
    """Files written under private temporary names, then moved into place all together."""

    def __init__(self, targets: Iterable[Path], *, force: bool, folders: Iterable[Path] = ()):
        self.targets = [Path(t) for t in targets]
        self.force = force
        folders = [Path(f) for f in folders]
        check_targets(self.targets, force=force, folders=folders)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            _refuse_if_link(folder)
        self._private: dict[Path, Path] = {}

    def temporary(self, target: Path) -> Path:
        """Where to write ``target`` for now (same file system, so the move is atomic)."""
        folder = Path(target).parent
        if folder not in self._private:
            private = Path(tempfile.mkdtemp(prefix=".commission-", dir=folder))
            self._private[folder] = private
            # removed even when the caller fails before publish() or discard()
            weakref.finalize(self, shutil.rmtree, private, True)
        return self._private[folder] / Path(target).name

    def publish(self) -> list[Path]:
        """Move every written file into place; the targets."""
        for target in self.targets:
            _publish(self.temporary(target), target, self.force)
        self.discard()
        return self.targets

    def discard(self) -> None:
        for private in self._private.values():
            shutil.rmtree(private, ignore_errors=True)
        self._private.clear()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def _refuse_if_link(folder: Path) -> None:
    problem = _folder_problem(folder)
    if problem is not None:
        raise Refused("an output folder was refused; nothing was written", [problem])


@contextlib.contextmanager
def open_new(target: str | os.PathLike[str], *, force: bool, **open_args: Any) -> Iterator[IO[Any]]:
    """``open(target, "w", ...)`` that never follows a link there nor overwrites without force."""
    path = Path(target)
    with Staging([path], force=force) as staging:
        temporary = staging.temporary(path)
        with open(temporary, "x", **open_args) as stream:
            yield stream
        staging.publish()


@contextlib.contextmanager
def write_new(target: str | os.PathLike[str], *, force: bool) -> Iterator[Path]:
    """A temporary path to save ``target`` to (for writers that take a file name)."""
    path = Path(target)
    with Staging([path], force=force) as staging:
        yield staging.temporary(path)
        staging.publish()
