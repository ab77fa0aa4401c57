"""Golden tables (tests/golden/*.tsv): cases anyone can add a line to, without writing code."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent / "golden"


def read_table(name: str) -> tuple[list[str], list[list[str]]]:
    """The header and the case rows of `tests/golden/<name>.tsv`; lines starting with # are notes."""
    lines = [line.split("\t") for line in (FOLDER / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    return lines[0], lines[1:]
