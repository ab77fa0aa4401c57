"""`reconcile ingest`: read, validate and normalize the two exports, and store them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from reconcile.clock import today, user
from reconcile.commands.progress import Progress, silent
from reconcile.errors import UserError
from reconcile.ingest import IngestedTable, load_column_map, read_population, read_registry
from reconcile.normalize import (
    DataQuality,
    data_quality,
    normalize_population,
    normalize_registry,
    rejected_communes,
    with_matching_columns,
)
from reconcile.normalize.communes import commune_table, current_communes
from reconcile.store import Campaign, IngestedSide, Store, writing


@dataclass(frozen=True)
class IngestSummary:
    kind: str
    path: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    ignored_columns: tuple[str, ...]
    quality: DataQuality


def ingest(campaign: Campaign, registry: Path | None, population: Path | None,
           progress: Progress = silent, who: str | None = None) -> list[IngestSummary]:
    """Read, validate and normalize the given exports, then store them in one transaction:
    if either file fails, the campaign is left as it was. Earlier ingests stay in the history."""
    if registry is None and population is None:
        raise UserError.said("err_ingest_files")
    who = who or user()
    with writing(campaign.folder, "ingest", who):
        return _ingest(campaign, registry, population, progress, who)


def _ingest(campaign: Campaign, registry: Path | None, population: Path | None, progress: Progress,
            who: str) -> list[IngestSummary]:
    columns = load_column_map(campaign.rules_dir / "columns.toml")
    communes, current = commune_table(), current_communes()
    summaries: list[IngestSummary] = []
    # One transaction: if either file fails, nothing of this ingest is kept. Each table goes to the
    # store as soon as it is made, and is written while the next one is made; the population file
    # is read meanwhile too, while the registry is normalized (much of that is one core's work).
    with (ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile-read") as reader,
          Store(campaign.database, compact=True) as store, store.ingests.save(who, today()) as saving):
        reading = reader.submit(read_population, population, columns) if population is not None else None
        if registry is not None:
            progress("progress_reading", path=registry)
            table = read_registry(registry, columns)
            saving.table("registry_rows", table.rows)
            progress("progress_normalizing_registry")
            norm = normalize_registry(table.rows, communes, current)
            side = _side(table, "marriage", ("registration_ward_code", "registration_date"), norm.rejected,
                         {"marriages": norm.marriages, "spouses": norm.spouses})
            summaries.append(_summary(side, data_quality(norm.spouses, norm.marriages)))
            del table, norm
            progress("progress_saving_registry")
            saving.side(side)
        if reading is not None:
            progress("progress_reading", path=population)
            table = reading.result()
            reading = None
            saving.table("population_rows", table.rows)
            progress("progress_normalizing_population")
            norm_p = normalize_population(table.rows, communes, current, matching=False)
            # The file's rows let go (the writer has them, or has written them) before the matcher's
            # columns are made beside the persons: together they were ingest's peak.
            table = replace(table, rows=table.rows.clear())
            persons = with_matching_columns(norm_p.persons)
            side = _side(table, "person", ("ward_code", None), norm_p.rejected, {"persons": persons})
            summaries.append(_summary(side, data_quality(persons, persons)))
            del table, norm_p, persons
            progress("progress_saving_population")
            saving.side(side)
    return summaries


def _summary(side: IngestedSide, quality: DataQuality) -> IngestSummary:
    return IngestSummary(side.kind, side.path, side.rows_read, side.rows_read - side.rejected.height,
                         side.rejected.height, side.ignored_columns, quality)


def _side(table: IngestedTable, record_type: str, ward_and_date: tuple[str, str | None],
          late_rejected: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> IngestedSide:
    rejected = rejected_communes(pl.concat([table.rejected, late_rejected], how="diagonal_relaxed"),
                                 ward_and_date[0], commune_table(), current_communes(), ward_and_date[1])
    return IngestedSide(table.kind, record_type, str(table.path), table.sha256, table.rows_read,
                        tuple(table.ignored_columns), tables, rejected)


