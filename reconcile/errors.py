"""Errors raised by reconcile.

Hierarchy (one base, narrow subclasses)::

    ReconcileError              anything reconcile raises on purpose
    ├── UserError               the user can fix it; the CLI prints one line and exits 1
    │   ├── InputFileError      an input file cannot be read (names the file)
    │   │   └── MissingColumnError  a required column is absent (names file and column)
    │   ├── RulesError          a rules TOML file is invalid (names the file and the key)
    │   └── CampaignError       no campaign, or a campaign in the wrong state (e.g. not trained)
    └── InternalError           a bug; the CLI exits 2
"""

from __future__ import annotations


class ReconcileError(Exception):
    """Base of every error reconcile raises on purpose."""


class UserError(ReconcileError):
    """Something the user can fix: bad input, bad rules, wrong campaign state."""


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


class InternalError(ReconcileError):
    """A bug in reconcile itself."""
