"""Train the spouse→person model and score candidate pairs, with Splink on DuckDB (or Spark).

Training is unsupervised: the prior from deterministic rules, u by random sampling,
m by expectation maximisation. The trained model is returned as Splink's JSON (with the
rules' DuckDB SQL, whichever engine trained it) plus the term-frequency tables computed on
the whole province, so that scoring a single commune later (registering the stored tables
instead of recomputing them) gives exactly the scores of a full run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, TypeVar

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker, SettingsCreator

from reconcile.errors import CampaignError
from reconcile.link.blocking import blocked_pairs, drop_blocked_pairs, on_numbers, unpruned
from reconcile.link.engine import DEFAULT_ENGINE, Engine, backend, give_back_freed_memory
from reconcile.link.inputs import SCORING_DATASETS, Inputs, StoredSides, as_arrow, compact_ids, matcher_inputs
from reconcile.link.settings import (
    columns_read,
    in_dialect,
    level_labels,
    splink_settings,
    sql_in_dialect,
    with_fast_guards,
)
from reconcile.normalize.couples import COUPLE_COLUMNS, MATE_INPUTS, PARTNER_INPUTS
from reconcile.ruleset import MatchingRules

# The normalized columns the matching rules may use; both sides must carry them all. The home and the
# couple columns are made at ingest (`normalize.records`), or, for a campaign ingested before, when
# the model trains or scores (`matcher_inputs`).
LINK_COLUMNS: tuple[str, ...] = (
    "unique_id", "sex", "id12", "id9", "name_tone", "name_ascii", "family_key", "family_ascii",
    "middle_ascii", "given_ascii", "given_tone", "name_core_ascii", "birth_year", "birth_month",
    "birth_day", "birth_precision", "birth_date", "birth_placeholder", "commune", "home", *COUPLE_COLUMNS,
)
# What to read of the stored spouses and persons of a campaign ingested before ingest made the home
# and couple columns, to train or score as frames (each table has its part; the home is made from the
# registry's residence and the population's address).
STORED_LINK_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(
    [c for c in LINK_COLUMNS if c not in COUPLE_COLUMNS and c != "home"] + [*PARTNER_INPUTS, *MATE_INPUTS]
    + ["residence", "address"]))

# A stage's catalogue key (texts/cli.toml) and the values its text names.
Progress = Callable[..., None]



@dataclass(frozen=True)
class TrainedModel:
    """A trained Splink model: its settings JSON and province-wide term-frequency tables."""

    settings_json: str
    tf_tables: Mapping[str, pl.DataFrame]
    # Splink's training warnings, deduplicated (not stored with the model).
    notes: tuple[str, ...] = ()


@contextmanager
def _splink_warnings() -> Iterator[list[str]]:
    """Collect Splink's warnings (e.g. levels never observed in training) instead of printing them.

    Splink logs every step at INFO; the CLI shows its own progress, and the warnings are
    returned to the caller to show once, as a summary.
    """
    logger = logging.getLogger("splink")
    notes: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            notes.append(" ".join(record.getMessage().split()))

    handler = _Collect(level=logging.WARNING)
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield notes
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


# Without --memory-limit, DuckDB would take up to 80% of the machine's memory, and keep most of
# what it took. Training and scoring run within these caps instead (DuckDB spills to disk past
# them: a lower peak for more time), and again without one if a step cannot fit under it: a
# larger province still runs. At 1.5 M persons, training within 2 GB ran out one time in four;
# scoring within 2 GB takes about 30% less time than within 1 GB, and 1.5 GB was weighed against it
# when its peak was a province run's; within 1.7 GB it takes the same time as within 2 GB, the same
# pairs, and DuckDB's blocking no longer rises above the copy of the inputs that is the run's peak
# (five runs each: max RSS at most 2.62 GiB against 2.81) (docs/performance.md, "Memory, `--memory-limit`").
TRAIN_MEMORY, PREDICT_MEMORY = "3GB", "1.7GB"
T = TypeVar("T")


def _within_default_memory(engine: Engine, cap: str, work: Callable[[Engine], T],
                           say: Progress | None = None) -> T:
    if engine.name != "duckdb" or engine.memory_limit is not None:
        return work(engine)
    try:
        return work(replace(engine, memory_limit=cap))
    except Exception as exc:  # noqa: BLE001 - only DuckDB running out of memory under our cap is retried
        if not _out_of_memory(exc):
            raise
    if say:
        say("progress_memory_retry", cap=cap)
    return work(engine)


def _out_of_memory(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, duckdb.OutOfMemoryException) or "Out of Memory Error" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _runnable(settings: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The settings Splink runs with on `dialect` (the model keeps the rules' SQL as written)."""
    out = in_dialect(settings, dialect)
    return with_fast_guards(out) if dialect == "duckdb" else out


def _columns_read(columns: tuple[str, ...], settings: dict[str, Any], rules: Sequence[str] = ()) -> tuple[str, ...]:
    """Of `columns`, the records' `unique_id` and those the settings and `rules` read (`columns_read`):
    what training and scoring copy into their database."""
    read = columns_read(settings, rules)
    return tuple(c for c in columns if c == "unique_id" or c in read)


# What gives the two sides when the work starts: (registry spouses, population persons), or where
# the campaign stores them (`StoredSides`).
Sides = Callable[[], tuple[pl.DataFrame, pl.DataFrame]] | StoredSides


def _frames(load: Sides) -> tuple[pl.DataFrame, pl.DataFrame]:
    return load.load() if isinstance(load, StoredSides) else load()


def train_model(
    spouses: pl.DataFrame, persons: pl.DataFrame, rules: MatchingRules, progress: Progress | None = None,
    settings: SettingsCreator | None = None, columns: tuple[str, ...] = LINK_COLUMNS,
    engine: Engine = DEFAULT_ENGINE,
) -> TrainedModel:
    """Train the model without labels on the whole province and return it with its TF tables.

    `settings` and `columns` default to the campaign's rules and the normalized columns; the
    plain baseline passes its own.
    """
    return train_loaded(lambda: (spouses, persons), rules, progress, settings, columns, engine)


def train_loaded(
    load: Sides, rules: MatchingRules, progress: Progress | None = None, settings: SettingsCreator | None = None,
    columns: tuple[str, ...] = LINK_COLUMNS, engine: Engine = DEFAULT_ENGINE,
) -> TrainedModel:
    """`train_model` on the registry spouses and population persons `load` gives, called when the
    training starts (and again if it starts over without the memory cap). On DuckDB the two sides
    are copied into the training's database and let go before Splink works, as `predict_loaded`
    does: a caller that holds no frame of its own (`commands.train`) trains within less memory."""
    say = progress or (lambda *_args, **_values: None)
    canonical = (settings or splink_settings(rules)).get_settings("duckdb").as_dict()
    columns = _columns_read(columns, canonical, [*rules.prior_rules, *rules.em_blocking_rules])

    def work(capped: Engine) -> tuple[dict[str, Any], dict[str, pl.DataFrame]]:
        with backend(capped) as (db_api, dialect):
            inputs = (Inputs.stored(db_api, load.database, columns, sided=True) if isinstance(load, StoredSides)
                      else None) or Inputs(db_api, *matcher_inputs(*_frames(load), columns), columns, sided=True,
                                           copied=True)
            return _train(db_api, dialect, inputs, rules, say, canonical)

    with _splink_warnings() as notes:
        trained, tf_tables = _within_default_memory(engine, TRAIN_MEMORY, work, say)
    # Stored with the rules' DuckDB SQL whichever engine trained it: any engine can score with it.
    model = in_dialect(_reproducible(trained), "duckdb", sql_from=canonical)
    return TrainedModel(json.dumps(model, ensure_ascii=False), MappingProxyType(tf_tables),
                        tuple(dict.fromkeys(n for n in notes if n)))


def _train(db_api: Any, dialect: str, inputs: Inputs, rules: MatchingRules, say: Progress, settings: dict[str, Any]
           ) -> tuple[dict[str, Any], dict[str, pl.DataFrame]]:
    linker = Linker(inputs.tables, _runnable(settings, dialect), log_level=None)
    say("progress_prior")
    linker.training.estimate_probability_two_random_records_match(
        [sql_in_dialect(rule, dialect) for rule in rules.prior_rules], recall=rules.prior_recall
    )
    say("progress_u")
    linker.training.estimate_u_using_random_sampling(max_pairs=rules.u_max_pairs, seed=rules.u_seed)
    # On the whole province, before EM narrows the inputs: EM uses them, and they are stored with
    # the model (Splink keeps them, and EM does not compute them again).
    tf_tables = {
        col: _frame(linker.table_management.compute_tf_table(col).as_pyarrow_table())
        for col in sorted(_tf_columns(settings))
    }
    for rule in rules.em_blocking_rules:
        say("progress_em", rule=rule)
        # Only the records some pair of the session uses, joined across the two sides only: the same
        # pairs, and EM's joins build on far fewer records (1.5 M persons: the ID session's on 0.1 M).
        with inputs.narrowed(rule) as em_rule:
            linker.training.estimate_parameters_using_expectation_maximisation(
                sql_in_dialect(em_rule, dialect), max_pairs=rules.em_max_pairs, estimate_without_term_frequencies=True)
    return linker.misc.save_model_to_json(), tf_tables


# DuckDB sums EM's expectations in parallel, in no fixed order: two trainings on the same data
# differed in the 16th digit of their m probabilities, enough to tip a tie between two candidates
# (1 marriage in 286,000 changed bucket). Kept to 12 significant digits, the same data trains the
# same model.
_DIGITS = 12


def _reproducible(settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` with its probabilities rounded to `_DIGITS` significant digits."""
    def rounded(value: Any) -> Any:
        return float(f"{value:.{_DIGITS}g}") if isinstance(value, float) else value

    out = dict(settings)
    if "probability_two_random_records_match" in settings:
        out["probability_two_random_records_match"] = rounded(settings["probability_two_random_records_match"])
    out["comparisons"] = [
        {**comp, "comparison_levels": [
            {**level, **{k: rounded(level[k]) for k in ("m_probability", "u_probability") if k in level}}
            for level in comp["comparison_levels"]]}
        for comp in settings["comparisons"]
    ]
    return out


def predict_pairs(
    spouses: pl.DataFrame,
    persons: pl.DataFrame,
    model: TrainedModel,
    rules: MatchingRules,
    columns: tuple[str, ...] = LINK_COLUMNS,
    engine: Engine = DEFAULT_ENGINE,
) -> pl.DataFrame:
    """Score every blocked (spouse, person) pair with the pinned model.

    Returns one row per pair kept: `spouse_uid`, `person_uid`, `match_weight`,
    `match_probability`, and for each comparison `level_<name>` (the level's label)
    and `weight_<name>` (its match weight, term-frequency adjustment included).
    """
    return predict_loaded(lambda: (spouses, persons), model, rules, columns, engine)


def predict_loaded(load: Sides, model: TrainedModel, rules: MatchingRules, columns: tuple[str, ...] = LINK_COLUMNS,
                   engine: Engine = DEFAULT_ENGINE) -> pl.DataFrame:
    """`predict_pairs` of the registry spouses and population persons `load` gives, called when the
    scoring starts (and again if it starts over without the memory cap). On DuckDB the two sides
    are copied into the scoring's database and let go before Splink works: a caller that holds no
    frame of its own (`commands.run`) scores the 1.5 M province within about 2.8 GB rather than
    4.1 GB (docs/performance.md, "Memory")."""
    settings = json.loads(model.settings_json)
    # Keep the comparison vector (gamma_*) and each comparison's match weight (mw_*):
    # decide uses the levels, explain shows the weights.
    settings["retain_matching_columns"] = True
    settings["retain_intermediate_calculation_columns"] = True
    labels = level_labels(settings)
    columns = _columns_read(columns, settings)

    needed = _tf_columns(settings)
    if needed - set(model.tf_tables):
        # Splink would silently compute them from the records at hand: scores would differ by commune.
        raise CampaignError.said("err_model_no_term_frequencies",
                                 columns=", ".join(sorted(needed - set(model.tf_tables))))

    def work(capped: Engine) -> tuple[pl.DataFrame, dict[str, pl.Series]] | None:
        with backend(capped) as (db_api, dialect):
            # Scored under their positions (compact_ids), given back their own IDs below.
            inputs = (Inputs.stored(db_api, load.database, columns, datasets=SCORING_DATASETS, numbered=True,
                                    copied=True) if isinstance(load, StoredSides) else None)
            if inputs is not None:
                uids = inputs.ids
            else:
                spouses, persons = matcher_inputs(*_frames(load), columns)
                # Copied, since a column read from the campaign shares its text buffers with the frame's others.
                uids = {side: pl.Series(frame["unique_id"].to_arrow(compat_level=pl.CompatLevel.oldest()))
                        for side, frame in (("spouses", spouses), ("persons", persons))}
                inputs = Inputs(db_api, compact_ids(spouses), compact_ids(persons), columns,
                                datasets=SCORING_DATASETS, copied=True)
                del spouses, persons
            if uids["spouses"].is_empty() or uids["persons"].is_empty():
                inputs.release()
                return None
            chunks = _chunks(dialect, uids["spouses"].len())
            runnable = _runnable(settings, dialect)
            linker = Linker(inputs.tables, runnable, log_level=None)
            for col, table in model.tf_tables.items():
                registered = db_api.register(as_arrow(db_api, table), table_name=f"reconcile_tf_{col}")
                linker.table_management.register_term_frequency_lookup(registered, col)
            # predict() over the two registered inputs (link_only: only spouse × person pairs). It is
            # ~100× faster here than predict_between, and uses the registered province-wide TF tables.
            blocked = None
            if chunks.get("num_chunks_left") == 1:
                # One slice: the blocked pairs are made first and registered, so that Splink scores
                # them against only the records they use (its source pruning on DuckDB, which the
                # chunked predict does for each slice). The same pairs, sooner: the joins of the
                # pairs to the records build on the persons some pair uses, not on every person
                # (the gain measured: docs/performance.md).
                blocked = blocked_pairs(db_api, inputs.tables, SCORING_DATASETS, [
                    rule["blocking_rule"] for rule in runnable["blocking_rules_to_generate_predictions"]])
                linker.table_management.register_blocked_pairs_for_predict(blocked)
                chunks = {}
            # In one slice, the two sides are dropped as the predictions' statement starts: Splink has
            # copied the records its pairs use by then, and the statement runs short of memory with them.
            before = inputs.release if blocked is not None else (lambda: None)
            with _predictions_narrowed(db_api, _wanted(settings), before) as narrowed:
                scored = linker.inference.predict(threshold_match_probability=rules.keep_min_probability, **chunks)
            # The records and blocked pairs dropped, and the memory DuckDB keeps after the scoring given
            # back, before the predictions are handed over: that moment was a province run's peak.
            if blocked is not None:
                drop_blocked_pairs(db_api)
            inputs.release()
            if dialect == "duckdb":
                give_back_freed_memory()
            return _fetch(db_api, scored, settings, narrowed), uids

    with _splink_warnings():
        scored = _within_default_memory(engine, PREDICT_MEMORY, work)
    if scored is None:
        return pl.DataFrame(schema=_pairs_schema(list(labels)))
    raw, uids = scored
    # The registry is on the left (see SCORING_DATASETS); guard against a Splink that orders otherwise.
    swap = raw.height > 0 and raw["source_dataset_l"][0] != SCORING_DATASETS[0]
    spouse_side, person_side = ("r", "l") if swap else ("l", "r")
    cols = [
        pl.lit(uids["spouses"].gather(raw[f"unique_id_{spouse_side}"].cast(pl.UInt32))).alias("spouse_uid"),
        pl.lit(uids["persons"].gather(raw[f"unique_id_{person_side}"].cast(pl.UInt32))).alias("person_uid"),
        pl.col("match_weight").cast(pl.Float64),
        pl.col("match_probability").cast(pl.Float64),
    ]
    for name, mapping in labels.items():
        cols.append(
            pl.col(f"gamma_{name}").cast(pl.Int64)
            .replace_strict(list(mapping), list(mapping.values()), return_dtype=pl.String)
            .alias(f"level_{name}")
        )
        weight = pl.col(f"mw_{name}").cast(pl.Float64)
        if f"mw_tf_adj_{name}" in raw.columns:
            weight = weight + pl.col(f"mw_tf_adj_{name}").cast(pl.Float64).fill_null(0.0)
        cols.append(weight.alias(f"weight_{name}"))
    return raw.select(cols).cast(pl.Schema(_pairs_schema(list(labels))))


# Scoring the registry in slices of about this many spouses (Splink's chunked predict, which on
# DuckDB also prunes each slice's inputs to the records its pairs use) keeps the blocked pairs and
# their joined records of one slice in memory at a time; below it, one slice, whose blocked pairs
# are made once and registered (faster: the whole registry of the 1.5 M-person bench province,
# 572,000 spouses, run --all 111.9 -> 96.8 s in one slice against three, the same 2,454,336 pairs
# kept, peak 5.85 -> 5.83 GB, the deciding's). A province of 3 M persons scores in two.
CHUNK_SPOUSES = 600_000


def _chunks(dialect: str, spouses: int) -> dict[str, Any]:
    if dialect != "duckdb":
        return {}
    return {"num_chunks_left": max(1, -(-spouses // CHUNK_SPOUSES)), "num_chunks_right": 1}


def _wanted(settings: dict[str, Any]) -> list[str]:
    """The columns of Splink's predictions that `predict_pairs` uses."""
    wanted = ["source_dataset_l", "unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        wanted += [f"gamma_{name}", f"mw_{name}"]
        if any(lv.get("tf_adjustment_column") for lv in comp["comparison_levels"]):
            wanted.append(f"mw_tf_adj_{name}")
    return wanted


# The table Splink makes of the predictions (its templated name; the physical name adds a hash).
_PREDICTIONS = "__splink__df_predict"


@contextmanager
def _predictions_narrowed(db_api: Any, wanted: list[str], before: Callable[[], None] = lambda: None
                          ) -> Iterator[list[bool]]:
    """Within it, on DuckDB, the table of predictions Splink makes holds only the `wanted` columns.

    Splink gives the comparison levels (gamma_*) only with `retain_matching_columns`, which also
    writes every compared column of both records into the predictions: at 1.5 M persons writing that
    table took a quarter of the CPU of the statement that scores the pairs (docs/performance.md). Splink's
    backends make a table of a statement in `_setup_for_execute_sql`, which each backend may
    override (DuckDB's does, for Parquet): here the predictions' statement is wrapped in a
    selection of the wanted columns, so DuckDB computes the same rows and never stores the rest.
    `before` is called as the predictions' statement starts (the scoring drops its two sides there).
    Every statement that joins records to `link.blocking`'s pairs joins them on the records'
    numbers (`on_numbers`), and Splink's source pruning copies each side whole (`unpruned`).
    Yields a one-item list, true once the predictions were made so (else `_fetch` selects them: a
    Splink that made its tables otherwise would score as before, only slower; tests/test_link_model.py
    says so)."""
    narrowed = [False]
    if not isinstance(db_api, DuckDBAPI):
        yield narrowed
        return
    make_table = db_api._setup_for_execute_sql

    def setup(sql: str, physical_name: str, *args: Any, **kwargs: Any) -> str:
        sql = unpruned(on_numbers(sql, SCORING_DATASETS))
        if physical_name.startswith(_PREDICTIONS):
            before()
            sql = f"SELECT {', '.join(wanted)} FROM (\n{sql}\n)"
            narrowed[0] = True
        return make_table(sql, physical_name, *args, **kwargs)

    setattr(db_api, "_setup_for_execute_sql", setup)  # on this instance only
    try:
        yield narrowed
    finally:
        del db_api._setup_for_execute_sql


def _fetch(db_api: Any, scored: Any, settings: dict[str, Any], narrowed: list[bool]) -> pl.DataFrame:
    """The columns of Splink's predictions that `predict_pairs` uses: the predictions as they are
    where they hold only those (`_predictions_narrowed`), else selected in the database, then the
    rest dropped."""
    if narrowed[0]:
        try:
            return _frame(scored.as_pyarrow_table())
        finally:
            scored.drop_table_from_database_and_remove_from_cache()
    selected = db_api.query_sql(f"SELECT {', '.join(_wanted(settings))} FROM {scored.physical_name}")
    scored.drop_table_from_database_and_remove_from_cache()
    try:
        return _frame(selected.as_pyarrow_table())
    finally:
        selected.drop_table_from_database_and_remove_from_cache()


def _frame(table: Any) -> pl.DataFrame:
    """A Polars frame of an Arrow table Splink gives back."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # a table, not one column
    return frame


def _tf_columns(settings: dict[str, Any]) -> set[str]:
    """The columns whose term-frequency tables the model's comparison levels use."""
    return {lv["tf_adjustment_column"] for c in settings["comparisons"] for lv in c["comparison_levels"]
            if lv.get("tf_adjustment_column")}


def _pairs_schema(comparisons: list[str]) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {
        "spouse_uid": pl.String(), "person_uid": pl.String(),
        "match_weight": pl.Float64(), "match_probability": pl.Float64(),
    }
    for name in comparisons:
        schema[f"level_{name}"] = pl.String()
        schema[f"weight_{name}"] = pl.Float64()
    return schema
