"""The one error type the core raises; the CLI turns it into a message and an exit code."""

from __future__ import annotations

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
