"""The frames that cross a stage's boundary, each with its columns and their dtypes, defined once.

normalize makes `MARRIAGES`, `SPOUSES` and `PERSONS` (the store keeps them as they are); link
scores `SCORED_PAIRS` (one spouse × person each, with a level and a weight per comparison of
the matching rules, so it may carry more columns); decide reads the parts of the three tables
in `DECIDING` and makes `RESULTS` (the contract's results table, before the store adds the run
and the decisions) and `LINKS` (one per spouse: its best candidate, why, and the couple
evidence). The stages select and cast by these; tests check every boundary against them
(`Frame.problems`) and build their small frames from them (`Frame.build`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from reconcile.errors import InternalError

S, I8, I32, I64, F64, B, D = pl.String, pl.Int8, pl.Int32, pl.Int64, pl.Float64, pl.Boolean, pl.Date

# The name and birth-date columns a registry spouse and a population person share.
_NAME = {"full_name_raw": S, "full_name": S, "name_tone": S, "name_ascii": S, "given_tone": S, "family_ascii": S,
         "middle_ascii": S, "given_ascii": S, "family_key": S, "name_core_ascii": S, "name_repair": S, "name_repaired": B}
_BIRTH = {"birth_date_raw": S, "birth_year": I32, "birth_month": I8, "birth_day": I8, "birth_precision": S,
          "birth_date": D, "birth_placeholder": B, "birth_swapped": B, "birth_impossible": B}
# What the matcher compares beside a record's own: its home (`normalize.homes`) and the couple
# columns (`normalize.couples`), made at ingest so that training and scoring read them as stored.
_MATCHING = {"home": S, "spouse_id": S, "spouse_name_tone": S, "spouse_name_ascii": S, "spouse_name_core": S,
             "spouse_birth_year": I32, "mate_id": S, "mate_name_tone": S, "mate_name_ascii": S, "mate_name_core": S,
             "mate_birth_year": I32}


@dataclass(frozen=True)
class Frame:
    """One frame's contract: its columns in order, with their dtypes. `more`: it may carry further
    columns (the scored pairs' levels and weights, which the matching rules name)."""

    name: str
    schema: Mapping[str, pl.DataType | type[pl.DataType]]
    more: bool = False
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        # Every dtype as an instance (pl.String → pl.String()), so that they compare and print alike.
        object.__setattr__(self, "schema", {c: t() if isinstance(t, type) else t for c, t in self.schema.items()})
        object.__setattr__(self, "columns", tuple(self.schema))

    def part(self, columns: Sequence[str]) -> Frame:
        """The contract of the given columns of this frame (in this frame's order)."""
        unknown = sorted(set(columns) - set(self.schema))
        if unknown:
            raise InternalError(f"{self.name} has no column {', '.join(unknown)}")
        return Frame(self.name, {c: t for c, t in self.schema.items() if c in set(columns)}, self.more)

    def problems(self, frame: pl.DataFrame) -> list[str]:
        """What in `frame` breaks the contract: a column missing, of another dtype, or not in it."""
        found = frame.schema
        said = [f"{self.name}: no column {c}" for c in self.columns if c not in found]
        said += [f"{self.name}.{c} is {found[c]}, not {t}" for c, t in self.schema.items() if c in found and found[c] != t]
        if not self.more:
            said += [f"{self.name}: column {c} is not in the contract" for c in found if c not in self.schema]
        return said

    def check(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` itself, if it keeps the contract; else an internal error saying how it breaks it."""
        said = self.problems(frame)
        if said:
            raise InternalError("; ".join(said))
        return frame

    def build(self, rows: Iterable[Mapping[str, object]]) -> pl.DataFrame:
        """A frame of this contract from rows that give some of its columns (the others null);
        with `more`, a row's other columns are kept as given."""
        rows = list(rows)
        given = list(dict.fromkeys(c for r in rows for c in r))
        extra = [c for c in given if c not in self.schema]
        if extra and not self.more:
            raise InternalError(f"{self.name}: column {', '.join(extra)} is not in the contract")
        schema = {**self.schema, **{c: None for c in extra}}
        data = {c: [r.get(c) for r in rows] for c in schema}
        return pl.DataFrame({c: pl.Series(c, v, dtype=schema[c], strict=False) for c, v in data.items()})


MARRIAGES = Frame("marriages", {
    "registration_id": S, "source_file": S, "source_row": I64, "registration_date": D, "registration_year": I32,
    "registration_precision": S, "ward_code_raw": S, "commune": S, "commune_source": S, "registration_place": S,
    "status": S, "status_raw": S, "status_date": D,
})
SPOUSES = Frame("spouses", {
    "unique_id": S, "registration_id": S, "role": S, "sex": S, **_NAME, **_BIRTH,
    "id_raw": S, "id_number": S, "id_kind": S, "id_note": S, "id12": S, "id9": S, "id_structure_ok": B,
    "ethnicity": S, "nationality": S, "is_foreign": B, "residence": S, "residence_province": S, "commune": S,
    **_MATCHING,
})
PERSONS = Frame("persons", {
    "unique_id": S, "person_id": S, "person_id_raw": S, "source_file": S, "source_row": I64, **_NAME, **_BIRTH,
    "sex": S, "id12": S, "id9": S, "id_kind": S, "id_note": S, "id_structure_ok": B, "ethnicity": S, "nationality": S,
    "is_foreign": B, "ward_code_raw": S, "commune": S, "commune_source": S, "province": S, "address": S,
    "marital_status": S, "marital_status_raw": S, "spouse_id": S, "spouse_name": S, "spouse_name_raw": S,
    "spouse_name_tone": S, "spouse_name_ascii": S, "death_date": D, "death_year": I32,
    **{c: t for c, t in _MATCHING.items() if c not in ("spouse_id", "spouse_name_tone", "spouse_name_ascii")},
})
SCORED_PAIRS = Frame("scored_pairs", {
    "spouse_uid": S, "person_uid": S, "match_weight": F64, "match_probability": F64,
}, more=True)


def scored_pairs(comparisons: Iterable[str]) -> Frame:
    """The scored pairs of matching rules with these comparisons: a level (its label, as a category:
    a few labels over millions of pairs) and a weight for each, after the columns every pair has."""
    named = {f"{kind}_{c}": t for c in comparisons for kind, t in (("level", pl.Categorical), ("weight", F64))}
    return Frame("scored_pairs", {**SCORED_PAIRS.schema, **named})


# The columns of each table that deciding reads: loading only these keeps `run` small.
DECIDING = {
    "marriages": MARRIAGES.part(("registration_id", "commune", "status", "registration_date", "registration_year")),
    "spouses": SPOUSES.part(("unique_id", "registration_id", "role", "sex", "full_name", "name_tone", "name_ascii",
                             "birth_year", "birth_month", "birth_day", "is_foreign", "residence_province", "id12",
                             "id9", "residence", "home")),
    "persons": PERSONS.part(("unique_id", "person_id", "sex", "marital_status", "spouse_id", "spouse_name",
                             "spouse_name_tone", "spouse_name_ascii", "death_date", "death_year", "province", "id12",
                             "id9", "commune", "name_tone", "name_ascii", "address", "birth_year", "birth_month",
                             "birth_day", "home")),
}

RESULTS = Frame("results", {
    "record_type": S, "record_id": S, "commune": S, "bucket": S, "action": S, "reasons": S,
    "husband_person_id": S, "wife_person_id": S, "husband_match_probability": F64, "wife_match_probability": F64,
    "proposed_changes": S,
})
LINKS = Frame("links", {
    "unique_id": S, "person_uid": S, "match_probability": F64, "match_weight": F64, "linked": B, "acceptable": B,
    "link_reasons": pl.List(pl.String), "id_owner_uid": S, "candidate_count": pl.UInt32,
    "couple_weight": F64, "couple_lead": F64, "runner_up_uid": S, "couple_recorded": S,
})
