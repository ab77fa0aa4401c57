"""`reconcile train`: train the matching model on the whole province and pin it in the campaign."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from reconcile.clock import today, user
from reconcile.commands.progress import Progress, silent
from reconcile.errors import UserError
from reconcile.link.engine import DEFAULT_ENGINE, Engine
from reconcile.ruleset import load_rules
from reconcile.store import Campaign, Store, writing

if TYPE_CHECKING:  # Splink is loaded only by the commands that link
    from reconcile.link.model import Sides


@dataclass(frozen=True)
class TrainSummary:
    model_id: int
    spouses: int
    persons: int
    notes: tuple[str, ...]


def train(campaign: Campaign, progress: Progress = silent, who: str | None = None,
          engine: Engine = DEFAULT_ENGINE) -> TrainSummary:
    """Train the matching model on the whole province and pin it in the campaign."""
    who = who or user()
    with writing(campaign.folder, "train", who):
        return _train(campaign, progress, who, engine)


def _train(campaign: Campaign, progress: Progress, who: str, engine: Engine = DEFAULT_ENGINE) -> TrainSummary:
    from reconcile.link.model import train_loaded

    rules = load_rules(campaign.rules_dir)
    with Store(campaign.database, read_only=True) as store:
        spouses, persons = store.rows("spouses"), store.rows("persons")
        ingest_id = store.ingests.latest()
    if not spouses or not persons:
        raise UserError.said("err_nothing_to_train", marriages=f"{spouses // 2:,}", persons=f"{persons:,}")
    model = train_loaded(matcher_sides(campaign), rules.matching, progress, engine=engine)
    with Store(campaign.database, compact=True) as store:
        model_id = store.models.save(model, ingest_id, spouses, persons, who, today())
    return TrainSummary(model_id, spouses, persons, model.notes)


def matcher_sides(campaign: Campaign) -> Sides:
    """The province's two sides as training and scoring read them: where the campaign stores them
    (DuckDB attaches the database, read only); read as frames as the work starts and let go once the
    engine holds them, for an encrypted campaign, whose key only the store uses, or on Spark."""
    from reconcile.link.inputs import StoredSides

    load = functools.partial(matching_sides, campaign.database)
    return load if campaign.encrypted else StoredSides(campaign.database, load)


def matching_sides(database: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The province's registry spouses and population persons with the columns the matcher reads:
    those ingest made for it, or, in a campaign ingested before it made them, what they are made of."""
    from reconcile.link.model import LINK_COLUMNS, STORED_LINK_COLUMNS

    with Store(database, read_only=True) as store:
        def side(name: str) -> pl.DataFrame:
            made = "home" in store.frame(f"SELECT * FROM {name} LIMIT 0").columns
            return store.table(name, LINK_COLUMNS if made else STORED_LINK_COLUMNS)

        return side("spouses"), side("persons")


