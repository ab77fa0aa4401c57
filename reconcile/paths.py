"""Where the package data (default rules, report templates) lives, installed or in a source tree."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name` ('rules' or 'reports') shipped with the package.

    A wheel carries them under `reconcile/_data/`; a source checkout (editable install)
    keeps them at the repository top level, beside the package.
    """
    for candidate in (_HERE / "_data" / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"package data folder '{name}' not found beside {_HERE}")
