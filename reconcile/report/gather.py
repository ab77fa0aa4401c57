"""What the supervisor's report shows, gathered from the campaign store: the progress as of
every day of the campaign, the open records by reason, the data quality, the model and the
marriages judged as couples.
Counts only: nothing here carries a person's name or ID number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from reconcile.errors import CampaignError
from reconcile.link.weights import LevelWeight, model_weights
from reconcile.normalize import DataQuality, data_quality
from reconcile.normalize.communes import current_communes
from reconcile.report.progress import COUNTS, CampaignProgress, campaign_progress
from reconcile.report.status import commune_names
from reconcile.ruleset import Reason
from reconcile.store import UNKNOWN_COMMUNE, Campaign, Store, report_data

# The open states the report breaks down by reason (as the league table's columns).
REASON_STATES = ("conflict", "missing")
# The communes outside the campaign's province, shown as one.
OUTSIDE = "outside"


@dataclass(frozen=True)
class ModelSummary:
    prior: float                   # probability that two random records are the same person
    levels: tuple[LevelWeight, ...]
    weights: pl.DataFrame          # bin (whole match weight, rounded down), links


# How the persons of a marriage's best couple record each other as spouse (`couple_recorded`),
# `none` where neither does; and the edges of the couple-lead classes the report counts.
RECORDED_WAYS = ("id", "both_ways", "name", "none")
LEAD_EDGES = (0, 4, 8, 16, 32, 64)


@dataclass(frozen=True)
class CoupleSummary:
    """The marriages of the latest runs judged as couples: counts only."""

    marriages: int                       # marriages decided in the latest runs
    couples: int                         # of them, with a candidate couple (a person on each side)
    recorded: tuple[tuple[str, int], ...]  # (way of `RECORDED_WAYS`, couples)
    leads: tuple[int, ...]               # couples per lead class: below LEAD_EDGES[0], between two edges, above
    no_runner_up: int                    # couples with no runner-up couple


@dataclass(frozen=True)
class QualitySide:
    """What reading one input found: over its people, and over its places (registry marriages,
    population persons) for the commune codes."""

    kind: str             # registry | population
    figures: DataQuality
    places: int


@dataclass(frozen=True)
class ReportData:
    campaign: str
    province: str
    commune: str | None                  # the one commune reported on, None for the province
    outside: int                         # communes outside the province, counted as one (`OUTSIDE`)
    names: Mapping[str, str]             # commune code -> current name
    progress: CampaignProgress           # as of today
    history: tuple[CampaignProgress, ...]  # as of each day from the first day to today
    reasons: pl.DataFrame                # day, state, reason, records: open records as of each day
    reason_texts: Mapping[str, Reason]
    quality: tuple[QualitySide, ...]
    model: ModelSummary | None
    couples: CoupleSummary | None = None   # None before any run stored its links' couple evidence


def _as_of_each_day(snapshots: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """For each day and commune, the day of the commune's latest snapshot up to that day: as for
    progress, a commune counts on a day as its latest snapshot (columns day, commune, filed)."""
    grid = pl.DataFrame({"day": days}, schema={"day": pl.Date}).join(
        snapshots.select("commune").unique(), how="cross").sort("day")
    return grid.join_asof(snapshots.select("commune", "day", filed=pl.col("day")).sort("day"), on="day",
                          by="commune", strategy="backward", check_sortedness=False).drop_nulls("filed")


def _fold_outside(snapshots: pl.DataFrame, province: str, today: date) -> tuple[pl.DataFrame, int]:
    """The communes outside the campaign's province (people registered or living elsewhere) as one
    commune `OUTSIDE`, and how many they are. It gets a snapshot on every day holding the sum of
    their latest ones, so that progress counts it as it counts them."""
    inside = set(current_communes().filter(pl.col("province_code") == province)["code"].to_list()) | {UNKNOWN_COMMUNE}
    outside = snapshots.filter(~pl.col("commune").is_in(list(inside)))
    if outside.is_empty():
        return snapshots, 0
    first, last = min(outside["day"].min(), today), max(outside["day"].max(), today)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    summed = (_as_of_each_day(outside, days).join(outside.rename({"day": "filed"}), on=["filed", "commune"])
              .group_by("day").agg(pl.col(*COUNTS).sum()).with_columns(commune=pl.lit(OUTSIDE)))
    folded = pl.concat([snapshots.filter(pl.col("commune").is_in(list(inside))), summed.select(snapshots.columns)],
                       how="vertical_relaxed")
    return folded.sort("day", "commune"), outside["commune"].n_unique()


def _reasons_by_day(snapshots: pl.DataFrame, filed: pl.DataFrame, days: list[date],
                    reasons: Mapping[str, Reason]) -> pl.DataFrame:
    """Open records per state and reason on each day (0 on the days a reason had none), with the
    reasons filed beside each commune's latest snapshot. Only the reasons that send a record to
    its state are kept (a conflict's secondary note such as a foreign spouse is not why it is a
    conflict)."""
    buckets = pl.DataFrame({"reason": list(reasons), "bucket": [r.bucket for r in reasons.values()]},
                           schema={"reason": pl.String, "bucket": pl.String})
    filed = (filed.join(buckets, on="reason", how="left")
             .filter(pl.col("state").is_in(REASON_STATES)
                     & (pl.col("bucket").is_null() | (pl.col("bucket") == pl.col("state"))))
             .drop("bucket"))
    counts = (_as_of_each_day(snapshots, days).join(filed.rename({"day": "filed"}), on=["filed", "commune"])
              .group_by("day", "state", "reason").agg(pl.col("records").sum().cast(pl.Int64)))
    return (pl.DataFrame({"day": days}, schema={"day": pl.Date}).join(counts.select("state", "reason").unique(), how="cross")
            .join(counts, on=["day", "state", "reason"], how="left")
            .with_columns(pl.col("records").fill_null(0)).sort("state", "reason", "day"))


def _model(settings_json: str | None, weights: pl.Series) -> ModelSummary | None:
    if settings_json is None:
        return None
    model = model_weights(settings_json)
    bins = (weights.floor().cast(pl.Int64).alias("bin").to_frame()
            .group_by("bin").len("links").with_columns(pl.col("links").cast(pl.Int64)).sort("bin"))
    return ModelSummary(model.prior, model.levels, bins)


def _couples(evidence: pl.DataFrame) -> CoupleSummary | None:
    if evidence.is_empty():
        return None
    couples = evidence.filter(pl.col("couple"))
    ways = couples["recorded"].fill_null("none").to_list()
    leads = couples["lead"].drop_nulls().to_list()
    edges = (float("-inf"), *LEAD_EDGES, float("inf"))
    return CoupleSummary(
        marriages=evidence.height, couples=couples.height,
        recorded=tuple((way, ways.count(way)) for way in RECORDED_WAYS),
        leads=tuple(sum(low <= lead < high for lead in leads) for low, high in zip(edges, edges[1:])),
        no_runner_up=couples.height - len(leads),
    )


def gather(campaign: Campaign, store: Store, reasons: Mapping[str, Reason], commune: str | None,
           today: date) -> ReportData:
    """Everything the report shows for the province, or for one commune, as of `today`."""
    snapshots, outside = store.results.snapshots(), 0
    if commune is not None:
        snapshots = snapshots.filter(pl.col("commune") == commune)
        if snapshots.is_empty():
            raise CampaignError.said("err_commune_no_progress", commune=commune)
    days = [campaign.start + timedelta(days=i) for i in range((today - campaign.start).days + 1)]
    reason_counts = _reasons_by_day(snapshots, report_data.reason_snapshots(store, commune), days, reasons)
    if commune is None:
        snapshots, outside = _fold_outside(snapshots, campaign.province, today)
    history = tuple(campaign_progress(snapshots, campaign.start, campaign.days, day) for day in days)
    quality = []
    registry = report_data.registry_quality_frames(store, commune)
    if registry is not None:
        quality.append(QualitySide("registry", data_quality(*registry), registry[1].height))
    population = report_data.population_quality_frame(store, commune)
    if population is not None:
        quality.append(QualitySide("population", data_quality(population, population), population.height))
    return ReportData(
        campaign=campaign.folder.name, province=campaign.province, commune=commune, outside=outside,
        names=commune_names(snapshots["commune"].unique().to_list()),
        progress=campaign_progress(snapshots, campaign.start, campaign.days, today), history=history,
        reasons=reason_counts,
        reason_texts=reasons, quality=tuple(quality),
        model=_model(report_data.latest_model_settings(store), report_data.link_weights(store, commune)),
        couples=_couples(report_data.couple_evidence(store, commune)),
    )
