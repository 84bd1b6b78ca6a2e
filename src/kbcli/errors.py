"""The one error type the core raises; the CLI turns it into a message and an exit code."""

from __future__ import annotations

import errno
from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1  # findings, or an operation refused
EXIT_USAGE = 2  # usage, configuration or input error
EXIT_INTERNAL = 3  # a bug in kb
EXIT_INTERRUPTED = 130


class KbError(Exception):
    """An expected failure: a message for the user, an exit code and, where known, a place.

    A plain class, not a dataclass: every command imports it, and `dataclasses` costs
    `kb --version` 17 ms."""

    def __init__(
        self,
        message: str,
        exit_code: int = EXIT_USAGE,
        path: Path | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.exit_code = message, exit_code
        self.path, self.line, self.col = path, line, col

    def __str__(self) -> str:
        return self.render(None)

    def render(self, cwd: Path | None) -> str:
        """The message, its place first; paths under `cwd` are shown relative to it."""
        where = ""
        if self.path is not None:
            where = str(self.path)
            if cwd is not None and self.path.is_absolute() and self.path.is_relative_to(cwd):
                where = str(self.path.relative_to(cwd))
            if self.line is not None:
                where += f":{self.line}:{self.col or 1}"
            where += ": "
        return where + self.message


class Refused(KbError):
    """An operation kb declined to do (a duplicate claim, an unknown source): exit 1."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message, EXIT_FINDINGS, path)


# Errors of the machine, not of kb: each is exit 2 with the path and what to do.
_ENVIRONMENT = {
    errno.ENOSPC: "no space left on the device: free some space and run kb again",
    errno.EDQUOT: "disk quota exceeded: free some space and run kb again",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "the file name is too long for the file system: use a shorter id",
}


def environment_error(exc: OSError, doing: str = "") -> KbError | None:
    """A KbError (exit 2) for an OSError that the machine caused (a full disk, a read-only
    file system, a permission, a quota, a name too long), with the path and the cause on
    one line; None for any other OSError, which stays a bug. `doing` says what failed."""
    cause = _ENVIRONMENT.get(exc.errno or 0)
    if cause is None:
        return None
    filename = exc.filename if isinstance(exc.filename, str) else None
    where = Path(filename) if filename else None
    return KbError(f"{doing}{cause}", EXIT_USAGE, where)
