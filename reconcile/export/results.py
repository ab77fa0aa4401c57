"""The results table of the data contract, as CSV or Parquet, for outside tools to score or audit."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reconcile.errors import UserError

FORMATS = ("csv", "parquet")


def write_results(results: pl.DataFrame, out: Path, file_format: str | None = None) -> str:
    """Write `results` to `out`; the format comes from `file_format` or the file extension."""
    fmt = file_format or out.suffix.lstrip(".").lower() or "csv"
    if fmt not in FORMATS:
        raise UserError.said("err_format", formats=", ".join(FORMATS), value=fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        results.write_csv(out)
    else:
        results.write_parquet(out)
    return fmt
