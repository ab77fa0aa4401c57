"""A commune run decides every marriage a full run would need for the commune's records."""

from __future__ import annotations

import polars as pl

from reconcile.jobs import _scope_pairs

PAIR_SCHEMA = {"spouse_uid": pl.String, "person_uid": pl.String, "match_probability": pl.Float64}


def _person(uid: str, commune: str, sex: str, spouse_id: str | None) -> dict[str, object]:
    return {"unique_id": uid, "person_id": uid, "commune": commune, "sex": sex, "spouse_id": spouse_id,
            "id12": None, "id9": None}


def test_the_marriage_of_a_residents_population_spouse_is_decided_too() -> None:
    # P lives in 11111 and is married, in the population, to Q of 22222. The registry's marriage
    # M1 (registered in 22222) links its wife to Q and finds no husband. In a full run M1 accounts
    # for P (not "married without registration"); a run of 11111 must decide M1 to say the same.
    persons = pl.DataFrame([_person("P", "11111", "M", "Q"), _person("Q", "22222", "F", "P"),
                            _person("R", "33333", "M", None)],
                           schema_overrides={"id12": pl.String, "id9": pl.String})
    marriages = pl.DataFrame({"registration_id": ["M1"], "commune": ["22222"]})
    spouses = pl.DataFrame({"unique_id": ["M1|H", "M1|W"], "registration_id": ["M1", "M1"], "sex": ["M", "F"],
                            "id12": [None, None], "id9": [None, None]},
                           schema_overrides={"id12": pl.String, "id9": pl.String})
    matches = {("M1|W", "Q"): 0.99}

    def score(left: pl.DataFrame, right: pl.DataFrame, _what: str) -> pl.DataFrame:
        rows = [(s, p, pr) for (s, p), pr in matches.items()
                if s in left["unique_id"].to_list() and p in right["unique_id"].to_list()]
        return pl.DataFrame(rows, schema=PAIR_SCHEMA, orient="row")

    decided, pairs = _scope_pairs(marriages, spouses, persons, {"11111"}, 0.1, score, ("l.sex = r.sex",))
    assert decided["registration_id"].to_list() == ["M1"]
    assert pairs.filter(pl.col("spouse_uid") == "M1|W")["person_uid"].to_list() == ["Q"]
