"""The frame contract (reconcile/frames.py) at every boundary: what normalize makes, what the store
gives back, what link scores and what decide returns have exactly the contract's columns and dtypes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLE

from reconcile.decide import decide
from reconcile.errors import InternalError
from reconcile.frames import DECIDING, LINKS, MARRIAGES, PERSONS, RESULTS, SCORED_PAIRS, SPOUSES, scored_pairs
from reconcile.ingest import load_column_map, read_population, read_registry
from reconcile.normalize import normalize_population, normalize_registry
from reconcile.normalize.communes import commune_table, current_communes
from reconcile.ruleset import load_rules
from reconcile.store import Store

RULES = load_rules()
TABLES = {"marriages": MARRIAGES, "spouses": SPOUSES, "persons": PERSONS}


def test_normalize_makes_the_contract_s_marriages_spouses_and_persons() -> None:
    columns = load_column_map()
    registry = normalize_registry(read_registry(SAMPLE / "registry.csv", columns).rows, commune_table(),
                                  current_communes())
    population = normalize_population(read_population(SAMPLE / "population.csv", columns).rows, commune_table(),
                                      current_communes())
    assert registry.marriages.height > 300 and population.persons.height > 1000
    for frame, contract in ((registry.marriages, MARRIAGES), (registry.spouses, SPOUSES), (population.persons, PERSONS)):
        assert contract.problems(frame) == []
        assert frame.columns == list(contract.columns)  # the order the store keeps


def test_the_store_gives_the_tables_back_as_normalize_made_them(sample_campaign: Path) -> None:
    with Store(sample_campaign / "campaign.duckdb", read_only=True) as store:
        for name, contract in TABLES.items():
            assert contract.problems(store.table(name)) == []
            assert DECIDING[name].problems(store.table(name, DECIDING[name].columns)) == []


def test_the_scored_pairs_carry_a_level_and_a_weight_per_comparison_and_nothing_else(sample_campaign: Path) -> None:
    with Store(sample_campaign / "campaign.duckdb", read_only=True) as store:
        pairs = store.table("scored_pairs")
    assert pairs.height > 0
    assert scored_pairs(c.name for c in RULES.matching.comparisons).problems(pairs) == []


def test_decide_returns_the_contract_s_results_and_links(sample_campaign: Path) -> None:
    with Store(sample_campaign / "campaign.duckdb", read_only=True) as store:
        tables = [store.table(t, DECIDING[t].columns) for t in ("marriages", "spouses", "persons")]
        pairs = store.table("scored_pairs")
    results, links = decide(*tables, pairs, RULES.buckets, RULES.reasons)
    assert results.height > 300 and links.height > 600
    assert RESULTS.problems(results) == []
    assert LINKS.problems(links) == []


def test_a_frame_that_breaks_the_contract_is_told_how() -> None:
    frame = RESULTS.build([{"record_id": "M1", "bucket": "conflict"}]).drop("action").with_columns(
        pl.col("husband_match_probability").cast(pl.String), extra=pl.lit(1))
    assert RESULTS.problems(frame) == [
        "results: no column action",
        "results.husband_match_probability is String, not Float64",
        "results: column extra is not in the contract",
    ]
    with pytest.raises(InternalError, match="no column action"):
        RESULTS.check(frame)
    assert SCORED_PAIRS.problems(SCORED_PAIRS.build([{"spouse_uid": "M1|H", "level_id": "x"}])) == []


def test_a_frame_built_from_a_few_columns_has_every_column_of_the_contract_typed() -> None:
    built = SPOUSES.build([{"unique_id": "M1|H", "birth_year": 1980, "is_foreign": False}])
    assert built.columns == list(SPOUSES.columns)
    assert built.schema["birth_year"] == pl.Int32 and built.schema["birth_month"] == pl.Int8
    assert built.row(0, named=True)["id12"] is None
    with pytest.raises(InternalError, match="column typo is not in the contract"):
        SPOUSES.build([{"typo": 1}])
