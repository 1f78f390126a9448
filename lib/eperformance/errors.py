"""One small exception tree. Every error a user can cause derives from ``EperfError``.

Each class carries the process exit code the CLI uses (see README, "Exit codes") and an
optional hint printed after the one-line message.
"""

from __future__ import annotations


class EperfError(Exception):
    """Base class of every error a user can cause. Tracebacks are for bugs only."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(EperfError):
    """Bad parameter, unknown NIP, unknown scheme, invalid settings file (exit 2)."""

    exit_code = 2


class SettingsError(UsageError):
    """A params/*.yaml file is invalid: names the file and the key."""


class NoDataError(UsageError):
    """Nobody has an assignment, an entry or a rating in the period (exit 2)."""


class ImportFailed(UsageError):
    """The import failed as a whole: nothing was loaded (exit 2)."""


class Refused(EperfError):
    """Another run holds the lock, or the month is not closed yet (exit 4)."""

    exit_code = 4


class DatabaseUnavailable(EperfError):
    """The database cannot be reached, refuses the login or does not exist (exit 5)."""

    exit_code = 5


class SchemaOutdated(UsageError):
    """The database schema is behind the code: run ``eperf db upgrade``."""


class UnsafePath(UsageError):
    """An output path the workbook refuses to write through: a planted link, a folder of
    another user where a run of ours should be, a journal naming a path outside its run
    (exit 2)."""


class OutputPathError(UsageError):
    """An output file that cannot be written: its folder is missing or not writable, its
    name is too long (exit 2)."""


EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_REFUSED = 4
EXIT_DATABASE = 5
