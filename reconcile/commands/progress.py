"""How a command reports progress: a callback taking a key of the command line's catalogue
(texts/cli.toml) and the values its text names."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[..., None]


def silent(*_args: object, **_values: object) -> None:
    """Progress nobody watches (a command called from code, a test)."""
    return None
