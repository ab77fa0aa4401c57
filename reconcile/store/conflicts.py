"""The open conflicts as a police liaison compares them: each record's registry row as it was
exported and each linked population person's row as it was exported, side by side, and the
marriage's couple evidence (how the two are recorded as spouses, the runner-up couple).

Open: the current bucket is `conflict` and no officer has closed it (undecided, deferred, or a
decision whose evidence changed since).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reconcile.store.current import CURRENT
from reconcile.store.database import Store
from reconcile.store.listed import listed

_PERSON = ("full_name AS {r}_pop_name", "birth_date AS {r}_pop_birth_date",
           "marital_status AS {r}_pop_marital_status", "spouse_name AS {r}_pop_spouse_name",
           "spouse_id AS {r}_pop_spouse_id", "death_date AS {r}_pop_death_date")


def _spouse(role: str, alias: str) -> str:
    return ", ".join([
        f"reg.{role}_full_name AS {role}_name", f"reg.{role}_birth_date", f"reg.{role}_id_number",
        f"c.{role}_person_id", f"c.{role}_match_probability AS {role}_probability",
        *(f"{alias}.{p.format(r=role)}" for p in _PERSON)])


# Each marriage's couple evidence as its run stored it with the two links: how the best couple
# is recorded as spouses (`none` when it is not at all; null when the marriage had no candidate
# couple, or was run before couples were stored), and the runner-up couple's persons.
_COUPLES = """
    SELECT s.registration_id, k.run_id,
           CASE WHEN bool_or(k.couple_weight IS NOT NULL) THEN coalesce(any_value(k.couple_recorded), 'none')
           END AS couple_recorded,
           any_value(p.person_id) FILTER (WHERE s.role = 'husband') AS runner_up_husband_id,
           any_value(p.person_id) FILTER (WHERE s.role = 'wife') AS runner_up_wife_id
    FROM links k JOIN spouses s ON s.unique_id = k.unique_id
    LEFT JOIN persons p ON p.unique_id = k.runner_up_uid
    GROUP BY s.registration_id, k.run_id"""

# Persons are joined on the (restored, 12-digit) person_id the result names; a key appears once
# in accepted rows, the row_number only guards against a doubled row.
_OPEN_CONFLICTS = f"""
    WITH cur AS ({CURRENT}),
    reg AS (
        SELECT m.registration_id, r.* EXCLUDE (registration_id, source_file, source_row)
        FROM marriages m JOIN registry_rows r ON r.source_row = m.source_row
        QUALIFY row_number() OVER (PARTITION BY m.registration_id ORDER BY m.source_row) = 1),
    pop AS (
        SELECT p.person_id, r.* EXCLUDE (person_id, source_file, source_row)
        FROM persons p JOIN population_rows r ON r.source_row = p.source_row
        QUALIFY row_number() OVER (PARTITION BY p.person_id ORDER BY p.source_row) = 1)
    SELECT c.record_type, c.record_id, c.commune, c.reasons, reg.registration_date, reg.status AS registry_status,
           {_spouse("husband", "h")}, {_spouse("wife", "w")},
           cp.couple_recorded, cp.runner_up_husband_id, cp.runner_up_wife_id
    FROM cur c
    LEFT JOIN reg ON c.record_type = 'marriage' AND reg.registration_id = c.record_id
    LEFT JOIN pop h ON h.person_id = c.husband_person_id
    LEFT JOIN pop w ON w.person_id = c.wife_person_id
    LEFT JOIN ({_COUPLES}) cp ON c.record_type = 'marriage' AND cp.registration_id = c.record_id AND cp.run_id = c.run_id
    WHERE c.bucket = 'conflict' AND c.state IN ('conflict', 'recheck')"""


def open_conflicts(store: Store, communes: list[str] | None = None,
                   record_ids: list[str] | None = None) -> pl.DataFrame:
    """The open conflicts (of these communes, or these records, or all), sorted by commune and record."""
    where = []
    if communes is not None:
        where.append("commune IN (SELECT value FROM _communes)")
    if record_ids is not None:
        where.append("record_id IN (SELECT value FROM _record_ids)")
    with listed(store.con, "_communes", communes or []), listed(store.con, "_record_ids", record_ids or []):
        return store.frame(f"SELECT * FROM ({_OPEN_CONFLICTS}) {'WHERE ' + ' AND '.join(where) if where else ''} "
                           "ORDER BY commune, record_id")


@dataclass(frozen=True)
class RecordState:
    """Where a record stands now, and the population persons its result links."""

    record_type: str
    commune: str
    bucket: str
    state: str
    person_ids: tuple[str, ...]


def record_states(store: Store, record_ids: list[str]) -> dict[str, list[RecordState]]:
    """Every current result of these record IDs (a key may name a marriage and a person)."""
    with listed(store.con, "_record_ids", record_ids):
        rows = store.frame(f"SELECT record_type, record_id, commune, bucket, state, husband_person_id, wife_person_id "
                           f"FROM ({CURRENT}) WHERE record_id IN (SELECT value FROM _record_ids)")
    found: dict[str, list[RecordState]] = {}
    for r in rows.iter_rows(named=True):
        persons = tuple(p for p in (r["husband_person_id"], r["wife_person_id"]) if p)
        found.setdefault(r["record_id"], []).append(
            RecordState(r["record_type"], r["commune"] or "", r["bucket"], r["state"], persons))
    return found


def communes_with_results(store: Store) -> set[str]:
    """The communes that have current results."""
    return set(store.frame(f"SELECT DISTINCT commune FROM ({CURRENT}) WHERE bucket <> 'rejected'")["commune"]
               .drop_nulls().to_list())
