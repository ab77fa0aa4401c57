"""What a one-commune run must decide, read from the province's scored pairs.

A full run scores every (spouse, person) pair the blocking rules make and keeps them in the
campaign (`scored_pairs`, with the model, ingest and matching rules they were made with in
`pair_sets`). A commune run on the same model and data then decides, from those very pairs,
exactly what a full run would decide for the commune's records, reading only the rows it needs:

1. the commune's marriages and their spouses;
2. the persons involved: the commune's residents and every candidate of its spouses (a pair at
   or above the candidate minimum);
3. their population spouses (`decide.persons.population_spouses`: recorded, on either side, as
   married to one of them), because a marriage that links one accounts for the other;
4. every other marriage with a spouse that is a candidate for one of those persons, or that
   names one of them by ID number (it accounts for that person, and may make a second live
   marriage);
5. for the spouses of all those marriages, all their scored pairs; and the persons those pairs,
   and the ID numbers of those spouses, point to (so that an ID held by two persons is seen as
   such).

The queries run on any DuckDB connection where `marriages`, `spouses`, `persons` and the scored
pairs (`scored_pairs`, or the table named) can be read: the campaign database, or frames
registered under those names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from reconcile.store.listed import listed, number

# Null communes are the "unknown commune" ('' in results; see store.UNKNOWN_COMMUNE).
_COMMUNE = "coalesce(commune, '')"

_STEPS = f"""
CREATE OR REPLACE TEMP TABLE _scope_regs AS
    SELECT registration_id FROM marriages WHERE {_COMMUNE} IN (SELECT value FROM _communes);
CREATE OR REPLACE TEMP TABLE _scope_involved AS
    SELECT unique_id, person_id, spouse_id, id12, id9 FROM persons
    WHERE unique_id IN (
        SELECT unique_id FROM persons WHERE {_COMMUNE} IN (SELECT value FROM _communes)
        UNION ALL
        SELECT person_uid FROM {{pairs_table}}
        WHERE match_probability >= {{min_probability}}
          AND spouse_uid IN (SELECT unique_id FROM spouses
                             WHERE registration_id IN (SELECT registration_id FROM _scope_regs)));
CREATE OR REPLACE TEMP TABLE _scope_focus AS  -- with decide.persons.population_spouses
    SELECT unique_id, id12, id9 FROM persons
    WHERE unique_id IN (SELECT unique_id FROM _scope_involved)
       OR person_id IN (SELECT spouse_id FROM _scope_involved WHERE spouse_id IS NOT NULL)
       OR spouse_id IN (SELECT person_id FROM _scope_involved WHERE person_id IS NOT NULL);
CREATE OR REPLACE TEMP TABLE _scope_decided AS
    SELECT registration_id FROM _scope_regs
    UNION
    SELECT registration_id FROM spouses
    WHERE unique_id IN (SELECT spouse_uid FROM {{pairs_table}}
                        WHERE match_probability >= {{min_probability}}
                          AND person_uid IN (SELECT unique_id FROM _scope_focus))
    UNION
    SELECT registration_id FROM spouses WHERE id12 IN (SELECT id12 FROM _scope_focus WHERE id12 IS NOT NULL)
    UNION
    SELECT registration_id FROM spouses WHERE id9 IN (SELECT id9 FROM _scope_focus WHERE id9 IS NOT NULL);
CREATE OR REPLACE TEMP TABLE _scope_spouses AS
    SELECT unique_id, id12, id9 FROM spouses WHERE registration_id IN (SELECT registration_id FROM _scope_decided);
CREATE OR REPLACE TEMP TABLE _scope_pairs AS
    SELECT * FROM {{pairs_table}} WHERE spouse_uid IN (SELECT unique_id FROM _scope_spouses);
CREATE OR REPLACE TEMP TABLE _scope_persons AS
    SELECT unique_id FROM _scope_focus
    UNION
    SELECT person_uid FROM _scope_pairs
    UNION
    SELECT unique_id FROM persons WHERE id12 IN (SELECT id12 FROM _scope_spouses WHERE id12 IS NOT NULL)
    UNION
    SELECT unique_id FROM persons WHERE id9 IN (SELECT id9 FROM _scope_spouses WHERE id9 IS NOT NULL);
"""
_CLEAN = ";".join(f"DROP TABLE IF EXISTS {t}" for t in
                  ("_scope_regs", "_scope_involved", "_scope_focus", "_scope_decided", "_scope_spouses",
                   "_scope_pairs", "_scope_persons"))


@dataclass(frozen=True)
class ScopeFrames:
    """What a commune run decides: marriages and their spouses, the persons they may concern,
    and the spouses' scored pairs."""

    marriages: pl.DataFrame
    spouses: pl.DataFrame
    persons: pl.DataFrame
    pairs: pl.DataFrame


def _columns(con: duckdb.DuckDBPyConnection, table: str, wanted: Sequence[str]) -> str:
    present = {c for c in con.sql(f'SELECT * FROM "{table}" LIMIT 0').columns}
    return ", ".join(f'"{c}"' for c in wanted if c in present)


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def scope_frames(con: duckdb.DuckDBPyConnection, communes: Sequence[str], min_probability: float,
                 columns: Mapping[str, Sequence[str]], pairs_table: str = "scored_pairs") -> ScopeFrames:
    """The frames a run of `communes` decides (see the module's steps), with the given columns
    of marriages, spouses and persons; every column of the scored pairs, read from `pairs_table`."""
    steps = _STEPS.format(min_probability=number(min_probability), pairs_table=pairs_table)
    with listed(con, "_communes", communes):
        try:
            for step in filter(str.strip, steps.split(";")):
                con.execute(step)
            marriages = _frame(con, f"SELECT {_columns(con, 'marriages', columns['marriages'])} FROM marriages "
                                    "WHERE registration_id IN (SELECT registration_id FROM _scope_decided)")
            spouses = _frame(con, f"SELECT {_columns(con, 'spouses', columns['spouses'])} FROM spouses "
                                  "WHERE unique_id IN (SELECT unique_id FROM _scope_spouses)")
            pairs = _frame(con, "SELECT * FROM _scope_pairs")
            persons = _frame(con, f"SELECT {_columns(con, 'persons', columns['persons'])} FROM persons "
                                  "WHERE unique_id IN (SELECT unique_id FROM _scope_persons)")
        finally:
            con.execute(_CLEAN)
    return ScopeFrames(marriages, spouses, persons, pairs)
