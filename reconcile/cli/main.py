"""The `reconcile` entry point: the Typer app with every command group registered."""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn

import typer

from reconcile.cli import campaign, outputs, records, samples  # noqa: F401 - each registers its commands on `app`
from reconcile.cli.app import app


def entry() -> NoReturn:
    """The `reconcile` command (and `python -m reconcile`): `main`, then out of the process at once.

    Once the command has finished and its output is flushed, what a normal exit would add is
    the interpreter freeing, object by object, the tables and libraries it still holds (tenths of
    a second at a province's size: docs/performance.md). The exit handlers still run (Spark's
    stop, temporary folders, logging; CPython has no public call for that step, so its own
    `atexit._run_exitfuncs` is used); an error still ends as usual."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # the reader of a pipe left early (`reconcile status | head -1`)
            pass
    atexit._run_exitfuncs()  # CPython's own exit step (in every release since 3.0)
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, mapping command-line usage errors to exit code 1."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="reconcile", standalone_mode=False)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)  # noqa: T201 - the entry point's last word, no console made yet
        return 1
    except Exception as exc:
        # Usage errors of the command-line parser (unknown option, missing value, …) carry
        # their own message; they are user errors.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            return 1
        raise
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
