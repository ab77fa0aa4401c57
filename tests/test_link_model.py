"""Scoring on DuckDB keeps, of Splink's predictions, only the columns reconcile reads
(`link.model._predictions_narrowed`): the same pairs, levels and weights as selecting them from
Splink's whole table of predictions, and the narrowing really happens (a Splink that named or made
its predictions otherwise would fall back to the slower selection, and this test would say so); and
the records are joined to the blocked pairs on their numbers (`link.blocking.on_numbers`), scoring the
same pairs as on Splink's text keys; and each side is copied whole for the scoring (`link.blocking.unpruned`),
scoring the same pairs as from the records the pairs use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from reconcile.link import model as link_model
from reconcile.link import predict_pairs
from reconcile.ruleset import load_rules
from reconcile.store import Store

KEYS = ["spouse_uid", "person_uid"]


def _scored(campaign: Path) -> pl.DataFrame:
    with Store(campaign / "campaign.duckdb", read_only=True) as store:
        _, _, model = store.models.load()
        spouses, persons = store.table("spouses"), store.table("persons")
    return predict_pairs(spouses, persons, model, load_rules(campaign / "rules").matching).sort(KEYS)


def _scores_the_same_without(campaign: Path, monkeypatch: pytest.MonkeyPatch, scored: pl.DataFrame, name: str,
                             plain: Any) -> None:
    """`scored` (pairs scored with `link.model`'s `name` as it is) equal to the pairs scored with
    `plain` in its place, and not few."""
    monkeypatch.setattr(link_model, name, plain)
    without = _scored(campaign)
    assert scored.height == without.height > 500
    assert scored.equals(without)


def test_the_predictions_hold_only_the_columns_read_and_score_as_the_whole_table(
        sample_campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    fetch = link_model._fetch

    def spy(db_api: Any, scored: Any, settings: dict[str, Any], narrowed: list[bool]) -> pl.DataFrame:
        seen.append(scored.as_duckdbpyrelation().columns if narrowed[0] else [])
        return fetch(db_api, scored, settings, narrowed)

    monkeypatch.setattr(link_model, "_fetch", spy)
    narrow = _scored(sample_campaign)
    assert len(seen) == 1 and seen[0], "Splink's predictions were not narrowed"
    assert not any(c.endswith(("_l", "_r")) and not c.startswith(("unique_id", "source_dataset")) for c in seen[0])
    assert {"gamma_id", "mw_id", "match_probability"} <= set(seen[0])

    @contextmanager
    def whole(_db_api: Any, _wanted: list[str], *_before: Any) -> Iterator[list[bool]]:
        yield [False]

    _scores_the_same_without(sample_campaign, monkeypatch, narrow, "_predictions_narrowed", whole)


def test_the_records_join_their_pairs_on_numbers_and_score_as_on_text_keys(
        sample_campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    statements: list[str] = []
    rewrite = link_model.on_numbers

    def spy(sql: str, datasets: Any) -> str:
        statements.append(rewrite(sql, datasets))
        return statements[-1]

    monkeypatch.setattr(link_model, "on_numbers", spy)
    on_numbers = _scored(sample_campaign)
    read_pairs = [sql for sql in statements if "reconcile_blocked_pairs" in sql]
    # Splink's source pruning (each side) and its predictions read the pairs: none by the text key.
    assert len(read_pairs) == 3, "Splink no longer reads the blocked pairs as it did"
    assert not any(".join_key_" in sql for sql in read_pairs), "a join on the text keys was left"

    _scores_the_same_without(sample_campaign, monkeypatch, on_numbers, "on_numbers", lambda sql, _datasets: sql)


def test_each_side_is_copied_whole_for_the_scoring_and_scores_as_pruned(
        sample_campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rewritten: list[str] = []
    rewrite = link_model.unpruned

    def spy(sql: str) -> str:
        out = rewrite(sql)
        if out != sql:
            rewritten.append(out)
        return out

    monkeypatch.setattr(link_model, "unpruned", spy)
    whole = _scored(sample_campaign)
    # Splink's source pruning of each side no longer semi-joins the records to the blocked pairs.
    assert len(rewritten) == 2, "Splink no longer prunes the two sides as it did"
    assert all("reconcile_blocked_pairs" not in sql and 'WHERE source."source_dataset" = ' in sql for sql in rewritten)

    _scores_the_same_without(sample_campaign, monkeypatch, whole, "unpruned", lambda sql: sql)
