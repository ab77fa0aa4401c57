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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self


@dataclass(frozen=True)
class Text:
    """A text of the command line's catalogue (texts/cli.toml) with its values, said in any of
    its languages; a value may be a Text itself (a part of the sentence said in the same language)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def said_in(self, lang: str) -> str:
        from reconcile.paths import cli_catalogue  # paths imports this module

        values = {name: v.said_in(lang) if isinstance(v, Text) else v for name, v in self.values.items()}
        return cli_catalogue()[self.key][lang].format(**values)


class ReconcileError(Exception):
    """Base of every error reconcile raises on purpose."""


class UserError(ReconcileError):
    """Something the user can fix: bad input, bad rules, wrong campaign state.

    Made by `said(key, *names, **values)`, it carries a `Text` of the command line's catalogue,
    so that the CLI says it in the user's language (`said_in`); its text (`str`) is the English
    one, for logs and tracebacks. A subclass that names a file (and a rules key) puts them before
    the text, in `str` and in every language."""

    text: Text | None = None

    @classmethod
    def said(cls, key: str, *names: str, **values: object) -> Self:
        """The error saying the catalogue's `key` with `values`; `names` are what the subclass's
        constructor takes before the message (a file's path, a rules key)."""
        text = Text(key, values)
        error = cls(*names, text.said_in("en"))
        error.text = text
        return error

    def said_in(self, lang: str) -> str:
        """What the error says in `lang` (for an error made without the catalogue, its text)."""
        return str(self) if self.text is None else self._framed(self.text.said_in(lang))

    def _framed(self, message: str) -> str:
        return message


class InputFileError(UserError):
    """An input file cannot be read at all."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path

    def _framed(self, message: str) -> str:
        return f"{self.path}: {message}"


class MissingColumnError(InputFileError):
    """A required column is missing from an input file (said from the catalogue as it is made)."""

    def __init__(self, path: str, column: str, seen: list[str]) -> None:
        shown = ", ".join(seen[:12]) + (" …" if len(seen) > 12 else "")
        self.text = Text("err_missing_column", {"column": column, "shown": shown})
        super().__init__(path, self.text.said_in("en"))
        self.column = column


class RulesError(UserError):
    """A rules file is invalid; the message names the file and the key."""

    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: [{key}] {message}")
        self.path = path
        self.key = key

    def _framed(self, message: str) -> str:
        return f"{self.path}: [{self.key}] {message}"


class CampaignError(UserError):
    """The campaign is missing or not in a state for the command."""


class CampaignDatabaseError(CampaignError):
    """The campaign database cannot be used: not a DuckDB file, damaged, foreign, or too new."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path

    def _framed(self, message: str) -> str:
        return f"{self.path}: {message}"


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
            return ResourceError.said("err_out_of_memory", why=(memory or lines)[0])
        if (isinstance(cause, OSError) and cause.errno == errno.ENOSPC) or disk:
            return ResourceError.said("err_disk_full", why=(disk or lines)[0])
    return None


class InternalError(ReconcileError):
    """A bug in reconcile itself."""
