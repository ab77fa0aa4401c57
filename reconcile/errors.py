"""Errors raised by reconcile.

Hierarchy (one base, narrow subclasses)::

    ReconcileError              anything reconcile raises on purpose
    ├── UserError               the user can fix it; the CLI prints one line and exits 1
    │   ├── InputFileError      an input file cannot be read (names the file)
    │   │   └── MissingColumnError  a required column is absent (names file and column)
    │   ├── RulesError          a rules TOML file is invalid (names the file and the key)
    │   ├── ResourceError       the machine ran short (memory cap, disk full); the campaign is unchanged
    │   └── CampaignError       no campaign, or a campaign in the wrong state (e.g. not trained)
    │       ├── CampaignDatabaseError  the database file is damaged, foreign or too new (names the file)
    │       ├── CampaignBusyError      another command holds the campaign longer than the wait allows
    │       └── CampaignKeyError       an encrypted campaign's key is missing, unusable or wrong
    └── InternalError           a bug; the CLI exits 2
"""

from __future__ import annotations

import errno


class ReconcileError(Exception):
    """Base of every error reconcile raises on purpose."""


class UserError(ReconcileError):
    """Something the user can fix: bad input, bad rules, wrong campaign state.

    Made by `said(key, **values)`, it carries a key of the command line's catalogue
    (texts/cli.toml) and its values, so that the CLI says it in the user's language; its text
    (`str`) is the English one, for logs and tracebacks."""

    key: str | None = None
    values: dict[str, object] = {}

    @classmethod
    def said(cls, key: str, **values: object) -> UserError:
        error = cls(_english(key, values))
        error.key, error.values = key, values
        return error


def _english(key: str, values: dict[str, object]) -> str:
    from reconcile.ruleset import cli_catalogue  # ruleset imports this module

    return cli_catalogue()[key]["en"].format(**values)


class InputFileError(UserError):
    """An input file cannot be read at all."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class MissingColumnError(InputFileError):
    """A required column is missing from an input file."""

    def __init__(self, path: str, column: str, seen: list[str]) -> None:
        shown = ", ".join(seen[:12]) + (" …" if len(seen) > 12 else "")
        super().__init__(path, f"required column '{column}' is missing (columns found: {shown})")
        self.column = column


class RulesError(UserError):
    """A rules file is invalid; the message names the file and the key."""

    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: [{key}] {message}")
        self.path = path
        self.key = key


class CampaignError(UserError):
    """The campaign is missing or not in a state for the command."""


class CampaignDatabaseError(CampaignError):
    """The campaign database cannot be used: not a DuckDB file, damaged, foreign, or too new."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class CampaignBusyError(CampaignError):
    """Another command holds the campaign, and the bounded wait for it ran out."""


class CampaignKeyError(CampaignError):
    """The key of an encrypted campaign is missing, unusable or does not open it (never shows the key)."""


class ResourceError(UserError):
    """The command ran out of memory (under its cap) or of disk space; nothing was written."""


def as_resource_error(exc: BaseException) -> ResourceError | None:
    """The machine running short somewhere in `exc`'s chain (DuckDB out of memory under its
    `--memory-limit`, Python's MemoryError, a full disk), worded for the user; None otherwise."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for cause in reversed(chain):  # the root cause first: Splink wraps DuckDB's error with its SQL
        lines = str(cause).splitlines() or [type(cause).__name__]
        memory = [line[line.index("Out of Memory Error"):] for line in lines if "Out of Memory Error" in line]
        disk = [line for line in lines if "No space left on device" in line]
        if isinstance(cause, MemoryError) or type(cause).__name__ == "OutOfMemoryException" or memory:
            return ResourceError(f"out of memory ({(memory or lines)[0]}); nothing was written to the campaign. "
                                 "Give the command more memory (--memory-limit, e.g. 4GB), fewer --threads, or "
                                 "close other programs, and run it again")
        if (isinstance(cause, OSError) and cause.errno == errno.ENOSPC) or disk:
            return ResourceError(f"the disk is full ({(disk or lines)[0]}); nothing was written to the campaign. "
                                 "Free some space and run the command again")
    return None


class InternalError(ReconcileError):
    """A bug in reconcile itself."""
