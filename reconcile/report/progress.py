"""Campaign progress from the daily snapshots: day N of the campaign, the share of records done
against a straight line to 100 % on the last day, and the finish date projected from the pace
of the last 7 days. Pure: a snapshots frame and dates in, frozen dataclasses out, so that the
terminal status and the HTML report show the same numbers.

A record is done when it is auto-resolved or decided (accepted or rejected) by an officer;
open conflicts, missing records (also deferred ones) and decisions to recheck are still to do.
On any day a commune counts as its latest snapshot up to that day; the province is the sum of
its communes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl

PACE_DAYS = 7
# A finish is projected only from a pace measured over at least this many days: one day's work
# (or the first day's, before any) is no pace to plan a campaign on.
MIN_PACE_DAYS = 2
PROVINCE = "province"
COUNTS = ("in_scope", "auto_resolved", "decided", "conflicts", "missing", "recheck")


@dataclass(frozen=True)
class Progress:
    """One commune's (or the province's) standing today."""

    commune: str
    in_scope: int
    auto_resolved: int
    decided: int
    conflicts: int
    missing: int
    recheck: int
    done_before: int   # done at the start of the pace window
    pace_days: int     # the window's length: 7 days, fewer in the campaign's first week
    finish: date | None  # projected; None when nothing is left, nothing was done lately, or too early

    @property
    def done(self) -> int:
        return self.auto_resolved + self.decided

    @property
    def remaining(self) -> int:
        return self.in_scope - self.done

    @property
    def share_done(self) -> float:
        return self.done / self.in_scope if self.in_scope else 1.0

    @property
    def pace(self) -> float | None:
        """Records done per day over the window (None before the campaign starts)."""
        return (self.done - self.done_before) / self.pace_days if self.pace_days > 0 else None


@dataclass(frozen=True)
class CampaignProgress:
    start: date
    days: int
    today: date
    communes: tuple[Progress, ...]
    province: Progress

    @property
    def day(self) -> int:
        """Today's day number: 1 on the first day, `days` on the last."""
        return (self.today - self.start).days + 1

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def share_target(self) -> float:
        """Where a straight line from 0 % before the first day to 100 % on the last day is today."""
        return min(max(self.day, 0), self.days) / self.days


def _as_of(snapshots: pl.DataFrame, day: date) -> pl.DataFrame:
    """Each commune's latest snapshot on or before `day`."""
    return snapshots.filter(pl.col("day") <= day).sort("day").group_by("commune", maintain_order=True).last()


def _progress(commune: str, counts: dict[str, int], done_before: int, pace_days: int, today: date) -> Progress:
    draft = Progress(commune, *(int(counts[c]) for c in COUNTS), done_before=done_before, pace_days=pace_days,
                     finish=None)
    gained = draft.done - done_before
    if draft.remaining <= 0 or pace_days < MIN_PACE_DAYS or gained <= 0:
        return draft
    # remaining / (gained / pace_days) days, rounded up, in whole numbers (no float rounding)
    return replace(draft, finish=today + timedelta(days=-(-draft.remaining * pace_days // gained)))


def campaign_progress(snapshots: pl.DataFrame, start: date, days: int, today: date) -> CampaignProgress:
    """Every commune's progress and the province's, as of `today`, from the daily snapshots
    (columns: day, commune and the counts of `COUNTS`).

    The pace counts what was done after a commune's first run: the records its first run
    auto-resolves at once say nothing about how fast the officers clear the rest. Until a
    day has passed since the first run there is no pace, and until MIN_PACE_DAYS have, no
    projected finish.
    """
    window_start = max(today - timedelta(days=PACE_DAYS), start - timedelta(days=1))
    seen = snapshots.filter(pl.col("day") <= today)
    first = seen.group_by("commune").agg(first_day=pl.col("day").min())
    base = (
        _as_of(seen, today).select("commune").join(first, on="commune")
        .with_columns(base_day=pl.max_horizontal(pl.col("first_day"), pl.lit(window_start)))
    )
    before = (
        seen.join(base, on="commune").filter(pl.col("day") <= pl.col("base_day"))
        .sort("day").group_by("commune", maintain_order=True).last()
        .select("commune", "base_day", done_before=pl.col("auto_resolved") + pl.col("decided"))
    )
    now = _as_of(seen, today).join(before, on="commune", how="left").sort("commune")
    communes = tuple(
        _progress(row["commune"], row, row["done_before"], (today - row["base_day"]).days, today)
        for row in now.iter_rows(named=True)
    )
    totals = {c: sum(getattr(p, c) for p in communes) for c in COUNTS}
    province_base = max(first["first_day"].min(), window_start) if not first.is_empty() else window_start
    province = _progress(PROVINCE, totals, sum(p.done_before for p in communes), (today - province_base).days, today)
    return CampaignProgress(start, days, today, communes, province)
