"""One root error for everything galleys reports to a user, each subclass with its exit code."""

from __future__ import annotations

from pathlib import Path

# Every exit code of the `galleys` command (sysexits.h where one fits, else the shell's
# convention); the README's table and `galleys --help` list the same.
EXIT_OK = 0
EXIT_FAILURES = 1  # a build finished, but some articles failed
EXIT_USAGE = 2  # bad command line
EXIT_DATA = 65  # bad source data (EX_DATAERR)
EXIT_NO_INPUT = 66  # an input file or folder is missing (EX_NOINPUT)
EXIT_TOOL = 69  # a tool galleys runs (pandoc) failed or is missing (EX_UNAVAILABLE)
EXIT_INTERNAL = 70  # a bug in galleys (EX_SOFTWARE)
EXIT_CANT_CREATE = 73  # output cannot be written (EX_CANTCREAT)
EXIT_TEMP_FAIL = 75  # another build holds the output folder's lock; try again (EX_TEMPFAIL)
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + 2, as a shell reports it


class GalleysError(Exception):
    """An error with a one-line message meant for the user and an exit code."""

    exit_code = EXIT_INTERNAL

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        return " ".join(f"{where}{key}{self.message}".split())  # always one line


class SourceError(GalleysError):
    """The article source or journal.yaml is malformed or incomplete."""

    exit_code = EXIT_DATA


class InputMissingError(GalleysError):
    """A file or folder the user named does not exist."""

    exit_code = EXIT_NO_INPUT


class OutputError(GalleysError):
    """An edition could not be written."""

    exit_code = EXIT_CANT_CREATE


class LockHeldError(GalleysError):
    """Another build is writing the output folder, and did not finish within --wait."""

    exit_code = EXIT_TEMP_FAIL


class UsageError(GalleysError):
    """The command line asks for something that does not exist (a format, a style)."""

    exit_code = EXIT_USAGE


class ToolError(GalleysError):
    """A tool galleys runs (pandoc) failed or is unsuitable: not the source's fault, nor a bug
    in galleys."""

    exit_code = EXIT_TOOL


class InternalError(GalleysError):
    """A bug in galleys, e.g. a writer meeting a pandoc AST node it does not know (the reader
    should have refused it with a SourceError, or the writer should draw it)."""

    exit_code = EXIT_INTERNAL
