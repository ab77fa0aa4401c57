"""The `reconcile` command line: the Typer app (`app`), its commands (one module per group), what
they show (`views`), the console (`console`, the only module that imports Rich) and the help's
language (`language`). It parses options, calls a command of `reconcile.commands` and shows the
outcome; nothing else.

Exit codes: 0 ok, 1 user error (a one-line reason, no traceback), 2 internal error.
"""

from reconcile.cli.main import app, entry, main

__all__ = ["app", "entry", "main"]
