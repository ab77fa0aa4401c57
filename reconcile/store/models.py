"""The store's models: every trained model (Splink's settings JSON and the term-frequency tables),
the latest one pinned for runs (`store.models`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from reconcile.clock import now
from reconcile.errors import CampaignError
from reconcile.store import audit
from reconcile.store.listed import number

if TYPE_CHECKING:
    from reconcile.link.model import TrainedModel
    from reconcile.store.database import Store


class Models:
    """`store.models`: save a trained model, and read the pinned one."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, model: TrainedModel, ingest_id: int, spouses: int, persons: int, who: str, day: date) -> int:
        with self._store.transaction() as con:
            model_id = self._store._next_id("models", "model_id")
            con.execute("INSERT INTO models (model_id, ingest_id, settings_json, spouses, persons, trained_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", [model_id, ingest_id, model.settings_json, spouses, persons, now()])
            for col, tf in model.tf_tables.items():
                self._store._insert("model_tf", tf.select(
                    pl.lit(model_id).alias("model_id"), pl.lit(col).alias("column_name"),
                    pl.col(col).cast(pl.String).alias("value"), pl.col(f"tf_{col}").cast(pl.Float64).alias("tf")))
            audit.append(con, audit.AuditEntry("train", who, f"model {model_id}",
                                               {"registry spouses": spouses, "population persons": persons}), day)
        return model_id

    def latest(self) -> tuple[int, int]:
        """The pinned (latest) model's id and the ingest it was trained on."""
        rows = self._store.con.execute("SELECT model_id, ingest_id FROM models ORDER BY model_id DESC LIMIT 1").fetchall()
        if not rows:
            raise CampaignError.said("err_no_model")
        return rows[0][0], rows[0][1] or 0

    def load(self) -> tuple[int, int, TrainedModel]:
        """The pinned (latest) model: its id, the ingest it was trained on, the model."""
        from reconcile.link.model import TrainedModel  # loads Splink: only commands that score need it

        model_id, ingest_id = self.latest()
        settings = self._store.con.execute(
            f"SELECT settings_json FROM models WHERE model_id = {number(model_id)}").fetchall()[0][0]
        tf = self._store.frame(f"SELECT column_name, value, tf FROM model_tf WHERE model_id = {number(model_id)}")
        tables = {
            col: tf.filter(pl.col("column_name") == col).select(pl.col("value").alias(col), pl.col("tf").alias(f"tf_{col}"))
            for col in tf["column_name"].unique().to_list()
        }
        return model_id, ingest_id, TrainedModel(settings, tables)
