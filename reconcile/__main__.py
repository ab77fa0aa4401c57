"""`python -m reconcile ...`: the same command line as the `reconcile` entry point."""

from reconcile.cli import entry

entry()
