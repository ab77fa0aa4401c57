"""Read-only queries for the supervisor's report: aggregates and the few columns it counts,
never a name or an ID number. `commune` narrows each to one commune (None: the province).
"""

from __future__ import annotations

import polars as pl

from reconcile.store.current import latest_runs
from reconcile.store.database import Store

# The columns `normalize.data_quality` counts: of the people, then of the places.
_PEOPLE_QUALITY = ("name_repaired", "id_kind", "id_note", "birth_precision")
_PLACE_QUALITY = ("commune_source",)


def _in_commune(column: str, commune: str | None) -> tuple[str, list[object]]:
    """A condition keeping one commune's rows (all rows for None), and its parameters."""
    return (f"coalesce({column}, '') = ?", [commune]) if commune is not None else ("TRUE", [])


def reason_snapshots(store: Store, commune: str | None) -> pl.DataFrame:
    """Open records per state and reason code filed beside each daily snapshot: day, commune,
    state, reason, records."""
    where, params = _in_commune("commune", commune)
    return store.frame(f"SELECT day, commune, state, reason, records FROM snapshot_reasons WHERE {where} "
                       "ORDER BY day, commune", params)


def registry_quality_frames(store: Store, commune: str | None) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The registry's spouses and marriages, only the columns data quality counts (None before
    a registry was ingested)."""
    if not (store.has_table("spouses") and store.has_table("marriages")):
        return None
    where, params = _in_commune("m.commune", commune)
    people = store.frame(f"SELECT {', '.join(f's.{c}' for c in _PEOPLE_QUALITY)} FROM spouses s "
                         f"JOIN marriages m USING (registration_id) WHERE {where}", params)
    places = store.frame(f"SELECT {', '.join(_PLACE_QUALITY)} FROM marriages m WHERE {where}", params)
    return people, places


def population_quality_frame(store: Store, commune: str | None) -> pl.DataFrame | None:
    """The population's persons, only the columns data quality counts (None before a population
    was ingested)."""
    if not store.has_table("persons"):
        return None
    where, params = _in_commune("commune", commune)
    return store.frame(f"SELECT {', '.join(_PEOPLE_QUALITY + _PLACE_QUALITY)} FROM persons WHERE {where}", params)


def link_weights(store: Store, commune: str | None) -> pl.Series:
    """The match weight of every spouse's best candidate in each commune's latest run on the
    current data (spouses with no candidate have none)."""
    if not store.has_table("marriages"):
        return pl.Series("match_weight", [], pl.Float64)
    where, params = _in_commune("m.commune", commune)
    return store.frame(f"""
        WITH latest AS ({latest_runs(True)})
        SELECT k.match_weight FROM links k
        JOIN spouses s ON s.unique_id = k.unique_id
        JOIN marriages m ON m.registration_id = s.registration_id
        JOIN latest l ON l.run_id = k.run_id AND l.commune = coalesce(m.commune, '')
        WHERE {where} AND k.match_weight IS NOT NULL""", params)["match_weight"]


def couple_evidence(store: Store, commune: str | None) -> pl.DataFrame:
    """Per marriage decided in each commune's latest run on the current data: `couple` (it had a
    candidate couple), `recorded` (how the best couple's persons record each other as spouse: id,
    both_ways, name, or null) and `lead` (over the runner-up couple; null when there was none).
    Runs stored before couples were kept count as marriages without a couple."""
    if not store.has_table("marriages"):
        return pl.DataFrame(schema={"couple": pl.Boolean, "recorded": pl.String, "lead": pl.Float64})
    where, params = _in_commune("m.commune", commune)
    return store.frame(f"""
        WITH latest AS ({latest_runs(True)})
        SELECT bool_or(k.couple_weight IS NOT NULL) AS couple, any_value(k.couple_recorded) AS recorded,
               any_value(k.couple_lead) AS lead
        FROM links k
        JOIN spouses s ON s.unique_id = k.unique_id
        JOIN marriages m ON m.registration_id = s.registration_id
        JOIN latest l ON l.run_id = k.run_id AND l.commune = coalesce(m.commune, '')
        WHERE {where} GROUP BY k.run_id, m.registration_id""", params)


def latest_model_settings(store: Store) -> str | None:
    """The pinned (latest) model's Splink settings JSON, with its trained m and u per level."""
    rows = store.con.execute("SELECT settings_json FROM models ORDER BY model_id DESC LIMIT 1").fetchall()
    return rows[0][0] if rows else None
