"""Splink's inputs: an EM session sees only the records its blocking rule pairs, and learns what
it learns on the whole province."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from contextlib import contextmanager

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from conftest import SAMPLE, Cli
from reconcile.commands.train import matching_sides
from reconcile.ingest import load_column_map, read_population, read_registry
from reconcile.link import train_model
from reconcile.link.engine import Engine, backend
from reconcile.link.inputs import Inputs, compact_ids, matcher_inputs
from reconcile.link.model import LINK_COLUMNS, train_loaded
from reconcile.normalize import normalize_population, normalize_registry
from reconcile.normalize.communes import commune_table
from reconcile.normalize.couples import COUPLE_COLUMNS
from reconcile.ruleset import load_rules
from reconcile.store import Store
from test_link_blocking import PERSONS, SPOUSES


def _ids(con, view: str) -> list[str]:
    return sorted(r[0] for r in con.execute(f"SELECT unique_id FROM {view}").fetchall())


def test_narrowed_inputs_hold_only_the_records_the_rule_pairs_then_all_again() -> None:
    with backend(Engine()) as (db_api, _):
        inputs = Inputs(db_api, SPOUSES, PERSONS, LINK_COLUMNS)
        spouses, persons = (t.physical_name for t in inputs.tables)
        # Only the wife has an ID, and only p3 holds it.
        with inputs.narrowed("l.id12 = r.id12"):
            assert (_ids(db_api.duckdb_con, spouses), _ids(db_api.duckdb_con, persons)) == (["m1|W"], ["p3"])
        # The rule's filters count too: only the husband (no ID) pairs on name and year.
        with inputs.narrowed("l.given_ascii = r.given_ascii AND l.birth_year = r.birth_year AND l.id12 IS NULL"):
            assert (_ids(db_api.duckdb_con, spouses), _ids(db_api.duckdb_con, persons)) == (["m1|H"], ["p1", "p2"])
        assert _ids(db_api.duckdb_con, persons) == ["p1", "p2", "p3", "p4"]
        assert _ids(db_api.duckdb_con, spouses) == ["m1|H", "m1|W"]


def test_sided_inputs_block_only_across_the_two_sides() -> None:
    rule = "l.given_ascii = r.given_ascii AND l.birth_year = r.birth_year"
    with backend(Engine()) as (db_api, _):
        inputs = Inputs(db_api, SPOUSES, PERSONS, LINK_COLUMNS, sided=True)
        spouses, persons = (t.physical_name for t in inputs.tables)
        with inputs.narrowed(rule) as em_rule:
            assert em_rule.startswith(f"({rule}) AND ")
            everyone = f"SELECT * FROM {spouses} UNION ALL BY NAME SELECT * FROM {persons}"
            pairs = sorted(db_api.duckdb_con.execute(
                f"SELECT l.unique_id, r.unique_id FROM ({everyone}) l JOIN ({everyone}) r ON {em_rule}").fetchall())
    # Spouse × person both ways round (Splink keeps the one with the registry on the left), never
    # spouse × spouse or person × person, although p1 and p2 share a name and a year.
    assert pairs == sorted([("m1|H", "p1"), ("m1|H", "p2"), ("m1|W", "p3"), ("m1|W", "p4"),
                            ("p1", "m1|H"), ("p2", "m1|H"), ("p3", "m1|W"), ("p4", "m1|W")])
    with backend(Engine()) as (db_api, _), Inputs(db_api, SPOUSES, PERSONS, LINK_COLUMNS).narrowed(rule) as plain:
        assert plain == rule


def _probabilities(settings_json: str) -> list[tuple[str, str, float | None, float | None]]:
    model = json.loads(settings_json)
    return [(c["output_column_name"], lv["label_for_charts"], lv.get("m_probability"), lv.get("u_probability"))
            for c in model["comparisons"] for lv in c["comparison_levels"]]


@pytest.mark.slow
def test_training_on_narrowed_inputs_learns_the_model_of_the_whole_province(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = load_column_map()
    spouses = normalize_registry(read_registry(SAMPLE / "registry.csv", columns).rows, commune_table()).spouses
    persons = normalize_population(read_population(SAMPLE / "population.csv", columns).rows, commune_table()).persons
    rules = load_rules().matching
    narrowed = train_model(spouses, persons, rules)

    @contextmanager
    def whole(_self: Inputs, rule: str) -> Iterator[str]:
        yield rule

    monkeypatch.setattr(Inputs, "narrowed", whole)
    whole_province = train_model(spouses, persons, rules)
    for ours, theirs in zip(_probabilities(narrowed.settings_json), _probabilities(whole_province.settings_json),
                            strict=True):
        assert ours[:2] == theirs[:2]
        for a, b in zip(ours[2:], theirs[2:], strict=True):
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-9), ours[:2]
    for column, table in narrowed.tf_tables.items():
        assert table.sort(column).equals(whole_province.tf_tables[column].sort(column))


def test_trainings_that_differ_only_in_summation_order_store_the_same_model() -> None:
    # DuckDB sums EM's expectations in parallel: two trainings on the same data gave m values that
    # differed in the 16th digit (0.7687357298578176 and ...177), enough to tip a tie between two
    # candidates of a marriage. The stored model keeps 12 significant digits.
    from reconcile.link.model import _reproducible

    def settings(m: float, prior: float) -> dict:
        return {"probability_two_random_records_match": prior, "comparisons": [
            {"output_column_name": "name", "comparison_levels": [
                {"label_for_charts": "null", "is_null_level": True},
                {"label_for_charts": "tone_exact", "m_probability": m, "u_probability": 0.00021152897817228582}]}]}

    first = _reproducible(settings(0.7687357298578176, 2.156381118881119e-07))
    second = _reproducible(settings(0.7687357298578177, 2.1563811188811192e-07))
    assert first == second
    assert first["comparisons"][0]["comparison_levels"][1]["m_probability"] == 0.768735729858
    assert first["comparisons"][0]["comparison_levels"][0] == {"label_for_charts": "null", "is_null_level": True}


def _sides(db_api: object) -> list[pl.DataFrame]:
    con = db_api.duckdb_con  # type: ignore[attr-defined]
    return [pl.from_arrow(con.sql(f"SELECT * FROM {t}").to_arrow_table()) for t in ("reconcile_spouses",
                                                                                  "reconcile_persons")]


@pytest.mark.parametrize("numbered", [False, True])
def test_the_stored_sides_are_the_records_the_matcher_made_from_the_stored_frames(
        sample_campaign: Path, numbered: bool) -> None:
    # Ingest stores each record's home and couple columns; training and scoring read the two sides
    # where they are stored. They must be what the matcher made itself from the stored records
    # before (names typed without diacritics given no tone form, the partner's and the mate's
    # included), column for column, in the same order.
    database = sample_campaign / "campaign.duckdb"
    with Store(database, read_only=True) as store:
        stored_spouses, stored_persons = store.table("spouses"), store.table("persons")
    made = [c for c in ("home", *COUPLE_COLUMNS)]
    assert set(made) <= set(stored_spouses.columns) and set(made) <= set(stored_persons.columns)
    recorded_only = [c for c in made if c not in ("spouse_id", "spouse_name_tone", "spouse_name_ascii")]
    # What the matcher made from the records alone (a campaign ingested before the columns were stored).
    spouses, persons = matcher_inputs(stored_spouses.drop(made), stored_persons.drop(recorded_only), LINK_COLUMNS)
    assert spouses.filter(pl.col("name_tone").is_null() & pl.col("name_ascii").is_not_null()).height > 0
    assert spouses["spouse_name_tone"].null_count() > spouses["spouse_name_ascii"].null_count()
    if numbered:
        spouses, persons = compact_ids(spouses), compact_ids(persons)
    with backend(Engine()) as (db_api, _):
        inputs = Inputs.stored(db_api, database, LINK_COLUMNS, numbered=numbered, copied=numbered)
        assert inputs is not None
        read = _sides(db_api)
        ids = inputs.ids
        inputs.release()
    for ours, theirs in zip(read, (spouses, persons), strict=True):
        assert ours.columns == list(LINK_COLUMNS)
        assert_frame_equal(ours, theirs.select(LINK_COLUMNS), check_dtypes=False)
    if numbered:
        assert ids["spouses"].to_list() == stored_spouses["unique_id"].to_list()
        assert ids["persons"].to_list() == stored_persons["unique_id"].to_list()


def test_a_campaign_ingested_before_the_matcher_columns_were_stored_trains_the_same_model(
        campaign_copy: Path, sample_campaign: Path, cli: Cli) -> None:
    database = campaign_copy / "campaign.duckdb"
    con = duckdb.connect(str(database))
    for table, column in [("spouses", c) for c in ("home", *COUPLE_COLUMNS)] + [
            ("persons", c) for c in ("home", *COUPLE_COLUMNS) if c not in ("spouse_id", "spouse_name_tone",
                                                                          "spouse_name_ascii")]:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.close()
    with backend(Engine()) as (db_api, _):
        assert Inputs.stored(db_api, database, LINK_COLUMNS) is None
        # Nothing of the campaign is left attached.
        assert db_api.duckdb_con.sql("SELECT count(*) FROM duckdb_databases() WHERE NOT internal").fetchone() == (1,)
    # Read as frames, the matcher makes the columns itself: the model is the one trained on the stored columns.
    cli("train", "--campaign", campaign_copy)
    with Store(database, read_only=True) as old, Store(sample_campaign / "campaign.duckdb", read_only=True) as new:
        assert _probabilities(old.models.load()[2].settings_json) == _probabilities(new.models.load()[2].settings_json)


def test_the_stored_columns_read_as_frames_train_the_model_read_where_they_are_stored(sample_campaign: Path) -> None:
    # An encrypted campaign, or Spark, reads the two sides as frames (`matching_sides`: the stored
    # home and couple columns, not what they are made of): the same model as reading them in place.
    database = sample_campaign / "campaign.duckdb"
    spouses, persons = matching_sides(database)
    assert {"home", "mate_id", "residence"} & set(spouses.columns) == {"home", "mate_id"}
    as_frames = train_loaded(functools.partial(matching_sides, database), load_rules().matching)
    with Store(database, read_only=True) as store:
        assert _probabilities(as_frames.settings_json) == _probabilities(store.models.load()[2].settings_json)
