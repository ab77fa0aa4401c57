"""The two sides as Splink's inputs: registry spouses on the left, population persons on the right.

On DuckDB each side is handed to Splink as a view, of the Polars frame itself (read as Arrow,
without a copy) or of a copy of it in the database (`copied`), so that the frames can be let go
while Splink works. Training and scoring read the two sides where the campaign stores them
(`Inputs.stored`: a view of the campaign's table attached read only, or a copy of it), with the
columns ingest made for the matcher: no frame at all. Splink reads its inputs again for every step (the
prior's counts, u's sample, each EM session's blocking and comparison vectors); the view lets an EM
session see only the records that can pair under its blocking rule (`Inputs.narrowed`), and block
across the two sides only: the same pairs, joined to far fewer records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from splink import DuckDBAPI

from reconcile.normalize.couples import COUPLE_COLUMNS, with_couples
from reconcile.normalize.homes import home_of
from reconcile.normalize.names import toned_only

# Splink (link_only) puts the input whose name sorts first on the left of every pair: `l.` in
# a blocking rule, `_l` in a comparison. The rules write the registry spouse as `l`, so its
# name sorts before the population's.
SPOUSES_DATASET, PERSONS_DATASET = "marriage_registry", "population"
# Scoring names them in one letter (in the same order), and numbers their records (`compact_ids`):
# Splink joins its blocked pairs to the records on `source_dataset || '-__-' || unique_id`, a key
# DuckDB keeps inline up to 12 characters, and compares far faster so (docs/performance.md).
# Training keeps the long names: EM's sample of records is a hash of that same key.
SCORING_DATASETS = ("m", "p")
# Splink's own tables are named __splink__…; ours cannot collide with them.
_TABLES = ("reconcile_spouses", "reconcile_persons")
_NO_KEY_FILTERS = "join_filter_pushdown"
# With `sided` inputs: the side of each record ('S' a registry spouse, 'P' a population person),
# and the side it pairs with.
_SIDE, _OTHER = "reconcile_side", "reconcile_other"


def matcher_inputs(spouses: pl.DataFrame, persons: pl.DataFrame,
                   columns: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The two sides as the matcher reads them (training, scoring, the blocking analysis): names
    typed without diacritics given no tone form (`toned_only`), each record's `home` (the
    registry's residence, the population's address: `normalize.homes`), and the couple columns
    where `columns` asks for them."""
    spouses = toned_only(spouses).with_columns(home=home_of(spouses, "residence"))
    persons = toned_only(persons).with_columns(home=home_of(persons, "address"))
    return with_couples(spouses, persons) if set(columns) & set(COUPLE_COLUMNS) else (spouses, persons)


def compact_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with each record's `unique_id` its position (0, 1, …, a UInt32): see SCORING_DATASETS.
    The position of a record in `frame` is what the scored pairs give back."""
    return frame.with_columns(unique_id=pl.int_range(pl.len(), dtype=pl.UInt32))


def as_arrow(db_api: Any, frame: pl.DataFrame) -> Any:
    """`frame` as Arrow for `db_api`. DuckDB reads Polars' string views as they are: no copy of
    the strings (the default conversion copies every string column into a new buffer)."""
    if isinstance(db_api, DuckDBAPI):
        return frame.to_arrow(compat_level=pl.CompatLevel.newest())
    # Spark takes no unsigned integers from Arrow (the scoring's record numbers are UInt32).
    return frame.with_columns(pl.col(pl.UInt8, pl.UInt16, pl.UInt32).cast(pl.Int64)).to_arrow()


# Rows per Arrow batch when a side is copied into the database (DuckDB's row group).
_BATCH_ROWS = 122_880


def _in_batches(table: Any) -> Any:
    """An Arrow `table` as a stream of batches of `_BATCH_ROWS`, read once: DuckDB reads each Arrow
    batch on one thread, so a frame of one chunk was copied on one core (the 1.5 M province's two
    sides: 1.8 -> 1.0 s so, the same rows in the same order)."""
    return table.to_reader(max_chunksize=_BATCH_ROWS)


@dataclass(frozen=True)
class StoredSides:
    """The registry spouses and population persons where the campaign database stores them (its
    tables `spouses` and `persons`), and `load`, which reads them as frames (`Sides`). On DuckDB,
    training and scoring read them there (`Inputs.stored`), with the home and couple columns
    made at ingest: not through Polars, nor copied into the matcher's database before Splink copies
    what it needs. `load` serves the other engines, and a campaign ingested before those columns
    were stored."""

    database: Path
    load: Callable[[], tuple[pl.DataFrame, pl.DataFrame]]


# The campaign database as the matcher's DuckDB attaches it (read only), and the tables of the two sides.
_CAMPAIGN = "reconcile_campaign"
_STORED = ("spouses", "persons")


class Inputs:
    """Both sides registered with Splink's database API, the registry on the left."""

    def __init__(self, db_api: Any, spouses: pl.DataFrame, persons: pl.DataFrame, columns: Sequence[str],
                 sided: bool = False, datasets: tuple[str, str] = (SPOUSES_DATASET, PERSONS_DATASET),
                 copied: bool = False) -> None:
        """`sided`: for training, where `narrowed` is used, each record also says its side (see there).
        `datasets`: the two sides' names in Splink (its `source_dataset`), the registry's first.
        `copied`: on DuckDB, each side copied into a table of the database rather than read through
        a view of the frame, so that the caller can let the frames go while Splink works (training
        and scoring: docs/performance.md, "Memory")."""
        assert datasets[0] < datasets[1]  # Splink puts the name that sorts first on the left
        self._con = db_api.duckdb_con if isinstance(db_api, DuckDBAPI) else None
        self._released, self._attached, self._copied = False, False, copied
        # With `stored(numbered=True)`: each side's own `unique_id`s ("spouses", "persons"), at their row numbers.
        self.ids: dict[str, pl.Series] = {}
        self._sided = sided and self._con is not None
        frames = dict(zip(datasets, (spouses.select(columns), persons.select(columns)), strict=True))
        if self._con is None:
            self.tables = [db_api.register(as_arrow(db_api, frame), dataset_display_name=name)
                           for name, frame in frames.items()]
            return
        for frame, table in zip(frames.values(), _TABLES, strict=True):
            arrow = as_arrow(db_api, frame)
            self._con.register(f"{table}_arrow", _in_batches(arrow) if copied else arrow)
        self._register(db_api, datasets, [f"SELECT * FROM {table}_arrow" for table in _TABLES])
        if copied:
            for table in _TABLES:
                self._con.unregister(f"{table}_arrow")

    @classmethod
    def stored(cls, db_api: Any, database: Path, columns: Sequence[str], sided: bool = False,
               datasets: tuple[str, str] = (SPOUSES_DATASET, PERSONS_DATASET), numbered: bool = False,
               copied: bool = False) -> Inputs | None:
        """Both sides as views of the tables `spouses` and `persons` of the campaign `database`,
        attached read only (or, `copied`, copied from there into tables of the database, and the
        campaign detached): the same records, with the same columns, as `matcher_inputs` of the two
        tables read as frames gives. `numbered`: each record's `unique_id` is its row number (0, 1,
        …, as `compact_ids`), and `ids` gives the records' own. None where the sides cannot be read
        so: not DuckDB, or a campaign ingested before the matcher's columns were stored (or whose
        rows are not numbered 0, 1, …)."""
        if not isinstance(db_api, DuckDBAPI):
            return None
        con = db_api.duckdb_con
        path = str(database).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS {_CAMPAIGN} (READ_ONLY)")
        stored = {table: {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? AND table_name = ?",
            [_CAMPAIGN, table]).fetchall()} for table in _STORED}
        readable = all(set(columns) <= found for found in stored.values()) and (not numbered or all(
            con.execute(f"SELECT count(*) = coalesce(max(rowid) + 1, 0) FROM {_CAMPAIGN}.{table}").fetchone() == (True,)
            for table in _STORED))
        if not readable:
            con.execute(f"DETACH {_CAMPAIGN}")
            return None
        inputs = cls.__new__(cls)
        inputs._con, inputs._released, inputs._attached, inputs._copied = con, False, True, copied
        inputs._sided = sided
        inputs.ids = {table: pl.DataFrame(con.sql(
            f"SELECT unique_id FROM {_CAMPAIGN}.{table} ORDER BY rowid").to_arrow_table())["unique_id"]
            for table in _STORED} if numbered else {}

        def column(name: str) -> str:
            if name == "unique_id" and numbered:
                return "rowid::UINTEGER AS unique_id"
            if name == "name_tone":  # toned_only: a name typed without any diacritic has no tone form
                return "CASE WHEN name_tone <> name_ascii THEN name_tone END AS name_tone"
            return f'"{name}"'

        selected = ", ".join(column(c) for c in columns)
        inputs._register(db_api, datasets, [f"SELECT {selected} FROM {_CAMPAIGN}.{table}" for table in _STORED])
        if copied:
            con.execute(f"DETACH {_CAMPAIGN}")
            inputs._attached = False
        return inputs

    def _register(self, db_api: Any, datasets: tuple[str, str], selects: Sequence[str]) -> None:
        """Each side made from its `selects` (a table where `_copied`, else a view), with its side where
        `_sided`, and registered with Splink under its dataset's name."""
        assert self._con is not None
        for select, table, (side, other) in zip(selects, _TABLES, (("'S'", "'P'"), ("'P'", "'S'")), strict=True):
            sides = f", {side} AS {_SIDE}, {other} AS {_OTHER}" if self._sided else ""
            self._con.execute(f"CREATE {'TABLE' if self._copied else 'VIEW'} {table}_all AS "
                              f"SELECT *{sides} FROM ({select})")
            self._con.execute(f"CREATE VIEW {table} AS SELECT * FROM {table}_all")
        self.tables = [db_api.register(table, dataset_display_name=name) for table, name in zip(_TABLES, datasets)]

    def release(self) -> None:
        """Drop the two sides from the database (DuckDB), once Splink no longer reads them: what they
        hold is then free for what follows (the scoring's predictions handed over)."""
        if self._con is None or self._released:
            return
        self._released = True
        for table in _TABLES:
            self._con.execute(f"DROP VIEW IF EXISTS {table}")
            self._con.execute(f"DROP {'TABLE' if self._copied else 'VIEW'} IF EXISTS {table}_all")
            if not self._copied and not self._attached:
                self._con.unregister(f"{table}_arrow")
        if self._attached:
            self._con.execute(f"DETACH {_CAMPAIGN}")

    @contextmanager
    def narrowed(self, rule: str) -> Iterator[str]:
        """Within it, Splink's inputs hold only the records that pair with at least one record of the
        other side under `rule` (DuckDB SQL, `l` the spouse and `r` the person). Every pair the
        rule makes is still made, with the same records, and Splink's hash sampling of records
        (EM's `max_pairs`) keeps the same ones: an EM session on the narrowed inputs learns
        exactly what it learns on the whole province, if the term frequencies it uses were
        computed on the whole province first. The view is a semi-join each query of the session
        runs again: cheaper than copying the records kept. Other engines see the whole inputs.

        It gives the rule to block the session on: `rule`, and with `sided` inputs also
        `l.reconcile_other = r.reconcile_side`. Splink's EM joins the records of both sides with
        themselves and drops the pairs of one side only after the join; with each side's partner
        side as a join key, DuckDB never makes them (docs/performance.md). The pairs are the same."""
        if self._con is None:
            yield rule
            return
        spouses, persons = _TABLES
        kept = {
            spouses: f"SELECT l.* FROM {spouses}_all AS l WHERE EXISTS (SELECT 1 FROM {persons}_all AS r WHERE {rule})",
            persons: f"SELECT r.* FROM {persons}_all AS r WHERE EXISTS (SELECT 1 FROM {spouses}_all AS l WHERE {rule})",
        }
        # DuckDB would push the semi-join's keys into the scan of the other side as a filter, which
        # Arrow cannot apply to Polars' string views (when a side has few distinct keys): not where
        # the sides are copied into the database.
        row = self._con.execute("SELECT current_setting('disabled_optimizers')").fetchone()
        assert row is not None  # a setting always has a value
        disabled = row[0]
        try:
            if not self._copied and not self._attached:
                self._con.execute(f"SET disabled_optimizers = '{','.join(filter(None, [disabled, _NO_KEY_FILTERS]))}'")
            for table, sql in kept.items():
                self._con.execute(f"CREATE OR REPLACE VIEW {table} AS {sql}")
            yield f"({rule}) AND l.{_OTHER} = r.{_SIDE}" if self._sided else rule
        finally:
            for table in kept:
                self._con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM {table}_all")
            self._con.execute(f"SET disabled_optimizers = '{disabled}'")
