"""A commune run decides every marriage a full run would need for the commune's records
(store.scope, run here over frames registered under the campaign's table names)."""

from __future__ import annotations

import duckdb
import polars as pl

from reconcile.commands.run import DECIDE_COLUMNS
from reconcile.store.scope import ScopeFrames, scope_frames

ID = {"id12": pl.String, "id9": pl.String, "spouse_id": pl.String}


def _person(uid: str, commune: str, spouse_id: str | None = None, id12: str | None = None) -> dict[str, object]:
    return {"unique_id": uid, "person_id": uid, "commune": commune, "spouse_id": spouse_id, "id12": id12, "id9": None}


def _frames(persons: list[dict[str, object]], marriages: dict[str, str], pairs: dict[tuple[str, str], float],
            ids: dict[str, str] | None = None) -> tuple[pl.DataFrame, ...]:
    spouse_uids = [f"{m}|{side}" for m in marriages for side in "HW"]
    return (
        pl.DataFrame({"registration_id": list(marriages), "commune": list(marriages.values())}),
        pl.DataFrame({"unique_id": spouse_uids, "registration_id": [u.split("|")[0] for u in spouse_uids],
                      "id12": [(ids or {}).get(u) for u in spouse_uids], "id9": [None] * len(spouse_uids)},
                     schema_overrides={"id12": pl.String, "id9": pl.String}),
        pl.DataFrame(persons, schema_overrides=ID),
        pl.DataFrame([(s, p, pr) for (s, p), pr in pairs.items()],
                     schema={"spouse_uid": pl.String, "person_uid": pl.String, "match_probability": pl.Float64},
                     orient="row"),
    )


def _scope(frames: tuple[pl.DataFrame, ...], communes: list[str], min_probability: float) -> ScopeFrames:
    with duckdb.connect() as con:
        for name, frame in zip(("marriages", "spouses", "persons", "scored_pairs"), frames, strict=True):
            con.register(name, frame.to_arrow())
        return scope_frames(con, communes, min_probability, DECIDE_COLUMNS)


def test_the_marriage_of_a_residents_population_spouse_is_decided_too() -> None:
    # P lives in 11111 and is married, in the population, to Q of 22222. The registry's marriage
    # M1 (registered in 22222) links its wife to Q and finds no husband. In a full run M1 accounts
    # for P (not "married without registration"); a run of 11111 must decide M1 to say the same.
    frames = _frames([_person("P", "11111", "Q"), _person("Q", "22222", "P"), _person("R", "33333")],
                     {"M1": "22222"}, {("M1|W", "Q"): 0.99})
    scope = _scope(frames, ["11111"], 0.1)
    assert scope.marriages["registration_id"].to_list() == ["M1"]
    assert scope.pairs.filter(pl.col("spouse_uid") == "M1|W")["person_uid"].to_list() == ["Q"]
    assert set(scope.persons["unique_id"]) == {"P", "Q"}


def test_another_marriage_of_a_candidate_and_one_naming_a_resident_by_id_are_decided() -> None:
    # M1 of 11111 finds S of 22222, whom M2 (of 22222) also finds: a possible second live marriage.
    # M3 (of 33333) names resident T by ID with no scored pair. M4 touches nobody involved, and
    # a pair below the candidate minimum (M5 → T) does not bring its marriage in.
    persons = [_person("S", "22222"), _person("T", "11111", id12="001234567890"), _person("U", "44444")]
    frames = _frames(persons, {"M1": "11111", "M2": "22222", "M3": "33333", "M4": "44444", "M5": "55555"},
                     {("M1|H", "S"): 0.95, ("M2|H", "S"): 0.9, ("M2|H", "U"): 0.05, ("M4|W", "U"): 0.99,
                      ("M5|W", "T"): 0.05},
                     ids={"M3|W": "001234567890"})
    scope = _scope(frames, ["11111"], 0.1)
    assert sorted(scope.marriages["registration_id"]) == ["M1", "M2", "M3"]
    # All the pairs of the decided spouses, also those below the minimum (explain shows them).
    assert sorted(zip(scope.pairs["spouse_uid"], scope.pairs["person_uid"])) == [
        ("M1|H", "S"), ("M2|H", "S"), ("M2|H", "U")]
    assert set(scope.persons["unique_id"]) == {"S", "T", "U"}
