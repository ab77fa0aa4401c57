"""What a run changed against the previous run of the same communes: records whose bucket
moved, records new or gone, and the conflicts and missing records that a correction of the
data resolved (now `auto_resolve`). Pure: two results frames in, a summary out.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

NEW, GONE = "new", "gone"
_OPEN = ("conflict", "missing")
_WORKED = ("auto_resolve", *_OPEN)
_KEY = ["record_type", "record_id"]


@dataclass(frozen=True)
class RunChanges:
    compared_communes: int                   # communes that had a previous run
    moves: tuple[tuple[str, str, int], ...]  # (bucket before, bucket now, records); "new"/"gone" for none
    unchanged: int

    def _count(self, before: tuple[str, ...], now: tuple[str, ...]) -> int:
        return sum(n for b, a, n in self.moves if b in before and a in now)

    @property
    def resolved_by_correction(self) -> int:
        """Conflicts and missing records that the refreshed data turned into auto_resolve."""
        return self._count(_OPEN, ("auto_resolve",))

    @property
    def bucket_changed(self) -> int:
        return self._count(_WORKED, _WORKED)

    @property
    def new_records(self) -> int:
        return self._count((NEW,), _WORKED)

    @property
    def gone_records(self) -> int:
        return self._count(_WORKED, (GONE,))

    def counts(self) -> dict[str, int]:
        """The headline numbers, for the audit log."""
        return {"bucket changed": self.bucket_changed, "resolved by correction": self.resolved_by_correction,
                "new records": self.new_records, "records gone": self.gone_records}


def compare_runs(previous: pl.DataFrame, current: pl.DataFrame) -> RunChanges:
    """Compare the communes' previous results (record_type, record_id, commune, bucket) with a
    run's results, over the communes that had a previous run."""
    communes = previous["commune"].unique().implode()
    now = current.filter(pl.col("commune").is_in(communes)).select(*_KEY, now=pl.col("bucket"))
    joined = previous.select(*_KEY, before=pl.col("bucket")).join(now, on=_KEY, how="full", coalesce=True).with_columns(
        pl.col("before").fill_null(NEW), pl.col("now").fill_null(GONE))
    moved = joined.filter(pl.col("before") != pl.col("now"))
    moves = moved.group_by("before", "now").len().sort("before", "now")
    return RunChanges(
        compared_communes=previous["commune"].n_unique(),
        moves=tuple((b, a, int(n)) for b, a, n in moves.iter_rows()),
        unchanged=joined.height - moved.height,
    )
