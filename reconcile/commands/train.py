"""`reconcile train`: train the matching model on the whole province and pin it in the campaign."""

from __future__ import annotations

from dataclasses import dataclass

from reconcile.clock import today, user
from reconcile.commands.progress import Progress, silent
from reconcile.errors import UserError
from reconcile.link.engine import DEFAULT_ENGINE, Engine
from reconcile.ruleset import load_rules
from reconcile.store import Campaign, Store, writing


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
    from reconcile.link.model import STORED_LINK_COLUMNS, train_model

    rules = load_rules(campaign.rules_dir)
    with Store(campaign.database, read_only=True) as store:
        spouses, persons = store.table("spouses", STORED_LINK_COLUMNS), store.table("persons", STORED_LINK_COLUMNS)
        ingest_id = store.ingests.latest()
    if spouses.is_empty() or persons.is_empty():
        raise UserError.said("err_nothing_to_train", marriages=f"{spouses.height // 2:,}", persons=f"{persons.height:,}")
    model = train_model(spouses, persons, rules.matching, progress, engine=engine)
    with Store(campaign.database, compact=True) as store:
        model_id = store.models.save(model, ingest_id, spouses.height, persons.height, who, today())
    return TrainSummary(model_id, spouses.height, persons.height, model.notes)


