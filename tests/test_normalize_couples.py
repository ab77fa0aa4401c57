"""Couple columns: each registry spouse carries its partner, each population person its mate."""

from __future__ import annotations

import polars as pl

from reconcile.normalize.couples import COUPLE_COLUMNS, mate_columns, partner_columns, with_couples


def _spouses() -> pl.DataFrame:
    return pl.DataFrame({
        "unique_id": ["M1|H", "M1|W", "M2|H"],
        "registration_id": ["M1", "M1", "M2"],
        "role": ["husband", "wife", "husband"],
        "name_tone": ["nguyễn văn an", "trần thị bình", "lê văn cường"],
        "name_ascii": ["nguyen van an", "tran thi binh", "le van cuong"],
        "name_core_ascii": ["nguyen an", "tran binh", "le cuong"],
        "birth_year": [1960, 1962, 1970],
        "id12": ["046060000001", None, None],
    })


def _persons(**spouse_ids: str | None) -> pl.DataFrame:
    ids = ["P1", "P2", "P3", "P4"]
    return pl.DataFrame({
        "person_id": ids,
        "name_tone": ["nguyễn văn an", "trần thị bình", "lê văn cường", "phạm thị dung"],
        "name_ascii": ["nguyen van an", "tran thi binh", "le van cuong", "pham thi dung"],
        "name_core_ascii": ["nguyen an", "tran binh", "le cuong", "pham dung"],
        "birth_year": [1960, 1962, 1970, 1971],
        "spouse_id": [spouse_ids.get(i) for i in ids],
        "spouse_name_tone": [None, "nguyễn an", None, None],
        "spouse_name_ascii": [None, "nguyen an", None, None],
    }, schema_overrides={"spouse_id": pl.String})


def test_a_registry_spouse_carries_its_partner() -> None:
    out = partner_columns(_spouses()).sort("unique_id")
    assert out.select("unique_id", "spouse_name_tone", "spouse_birth_year", "spouse_id").rows() == [
        ("M1|H", "trần thị bình", 1962, None),
        ("M1|W", "nguyễn văn an", 1960, "046060000001"),
        ("M2|H", None, None, None),  # the wife's copy was rejected: no partner
    ]
    assert set(COUPLE_COLUMNS) <= set(out.columns)
    assert out["mate_id"].null_count() == out.height


def test_the_mate_is_the_person_recorded_as_spouse_by_id_either_way() -> None:
    # P1 names P2 and P3 names P4: each named person's mate is the one who names it.
    out = mate_columns(_persons(P1="P2", P3="P4")).sort("person_id")
    assert out.select("person_id", "mate_id", "mate_name_core").rows() == [
        ("P1", "P2", "tran binh"),   # the person it names
        ("P2", "P1", "nguyen an"),   # the one person who names it
        ("P3", "P4", "pham dung"),
        ("P4", "P3", "le cuong"),
    ]
    # The typed spouse name, without Văn/Thị, for the spouse-name comparison.
    assert out.filter(pl.col("person_id") == "P2")["spouse_name_core"].item() == "nguyen an"


def test_a_person_two_records_name_has_no_mate_by_their_naming() -> None:
    # P1 and P3 both name P2: who P2's husband is, the records do not say.
    out = mate_columns(_persons(P1="P2", P3="P2")).sort("person_id")
    assert out.filter(pl.col("person_id") == "P2")["mate_id"].item() is None
    assert out.filter(pl.col("person_id") == "P1")["mate_id"].item() == "P2"


def test_couple_columns_are_made_once() -> None:
    spouses, persons = with_couples(_spouses(), _persons(P1="P2"))
    again = with_couples(spouses, persons)
    assert again[0].equals(spouses) and again[1].equals(persons)


def test_a_typed_name_without_van_and_thi_is_the_same_key_as_a_name_s() -> None:
    from reconcile.normalize.names import core_ascii, name_columns

    names = ["Nguyễn Văn An", "Nguyễn Văn Thị Bình", "Văn An", "Lê Thị", "Trần Văn Minh Văn", "Hồ Thị Văn Anh"]
    keyed = name_columns(pl.DataFrame({"raw": names}), "raw")
    assert keyed.select(core_ascii(pl.col("name_ascii"))).to_series().to_list() == keyed["name_core_ascii"].to_list()
