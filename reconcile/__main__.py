"""`python -m reconcile ...`: the same command line as the `reconcile` entry point."""

import sys

from reconcile.cli import main

sys.exit(main())
