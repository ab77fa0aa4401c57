"""Registry and population rows through normalize: the frames, communes, rejections, counts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from reconcile.normalize import (
    NormalizedPopulation,
    NormalizedRegistry,
    commune_table,
    current_communes,
    normalize_population,
    normalize_registry,
)
from reconcile.ingest.contract import POPULATION, REGISTRY

REGISTRY_COLUMNS, POPULATION_COLUMNS = REGISTRY.columns, POPULATION.columns

REASONS = {"DUPLICATE_KEY", "MISSING_KEY", "MISSING_NAME", "UNREADABLE_DATE"}

MARRIAGE_COLUMNS = [
    "registration_id", "source_file", "source_row", "registration_date", "registration_year", "ward_code_raw",
    "commune", "commune_source", "registration_place", "status", "status_date",
]
SPOUSE_COLUMNS = [
    "unique_id", "registration_id", "role", "sex", "full_name_raw", "full_name", "name_tone", "name_ascii",
    "family_ascii", "middle_ascii", "given_ascii", "given_tone", "family_key", "name_core_ascii",
    "name_repaired", "birth_date_raw", "birth_year", "birth_month", "birth_day", "birth_precision", "birth_date",
    "birth_placeholder", "birth_swapped", "birth_impossible", "id_raw", "id_number", "id_kind", "id_note", "id12",
    "id9", "id_structure_ok", "ethnicity", "nationality", "is_foreign", "residence", "commune",
]
PERSON_COLUMNS = [
    "unique_id", "person_id", "source_file", "source_row", "full_name", "name_tone", "name_ascii", "family_key",
    "name_core_ascii", "birth_year", "birth_date", "birth_precision", "sex", "id12", "id9", "ethnicity",
    "nationality", "ward_code_raw", "commune", "commune_source", "address", "marital_status", "spouse_id",
    "spouse_name", "spouse_name_ascii", "death_date", "death_year",
]
REJECTED_COLUMNS = ["record_type", "record_id", "source_file", "source_row", "column", "reason", "message"]


def registry(*rows: dict[str, str | None]) -> pl.DataFrame:
    """Rows as ingest hands them over: every canonical column as String, plus source columns."""
    data = {c: [r.get(c) for r in rows] for c in REGISTRY_COLUMNS}
    return pl.DataFrame(data, schema=dict.fromkeys(REGISTRY_COLUMNS, pl.String)).with_columns(
        source_file=pl.lit("registry.csv"), source_row=pl.int_range(2, len(rows) + 2, dtype=pl.Int64)
    )


def population(*rows: dict[str, str | None]) -> pl.DataFrame:
    data = {c: [r.get(c) for r in rows] for c in POPULATION_COLUMNS}
    return pl.DataFrame(data, schema=dict.fromkeys(POPULATION_COLUMNS, pl.String)).with_columns(
        source_file=pl.lit("population.xlsx"), source_row=pl.int_range(2, len(rows) + 2, dtype=pl.Int64)
    )


def marriage(rid: str, **values: str | None) -> dict[str, str | None]:
    return {
        "registration_id": rid, "registration_date": "15/03/2020", "registration_ward_code": "19780",
        "husband_full_name": "Nguyễn Văn Hùng", "wife_full_name": "Trần Thị Hoà",
        "husband_birth_date": "12/05/1990", "wife_birth_date": "1992",
        "husband_id_number": "046090012345", "wife_id_number": "046192054321",
        "husband_nationality": "Việt Nam", "wife_nationality": "Việt Nam", **values,
    }


@pytest.fixture(scope="module")
def communes() -> pl.DataFrame:
    return commune_table()


def run(communes: pl.DataFrame, *rows: dict[str, str | None]) -> NormalizedRegistry:
    return normalize_registry(registry(*rows), communes)


def test_registry_frames_have_their_columns(communes: pl.DataFrame) -> None:
    out = run(communes, marriage("A-1"))
    assert set(MARRIAGE_COLUMNS) <= set(out.marriages.columns)
    assert set(SPOUSE_COLUMNS) <= set(out.spouses.columns)
    assert out.rejected.columns[:7] == REJECTED_COLUMNS
    assert out.marriages.schema["registration_date"] == pl.Date and out.marriages.schema["registration_year"] == pl.Int32


def test_old_hue_ward_code_maps_to_its_current_commune(communes: pl.DataFrame) -> None:
    # 19780, Phường Phường Đúc of old Huế city, is part of Phường Thuận Hóa (19789) since July 2025
    out = run(communes, marriage("A-1", registration_ward_code="19780"))
    row = out.marriages.row(0, named=True)
    assert (row["ward_code_raw"], row["commune"], row["commune_source"]) == ("19780", "19789", "old_mapped")
    assert out.spouses.get_column("commune").to_list() == ["19789", "19789"]


def test_empty_ward_code_is_read_from_the_registering_authority(communes: pl.DataFrame) -> None:
    out = run(communes, marriage(
        "A-1", registration_date="02/03/2004", registration_ward_code=None,
        registration_place="UBND phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế"),
        marriage("A-2", registration_ward_code=None, registration_place="no such place"))
    first, second = out.marriages.rows(named=True)
    assert (first["commune"], first["commune_source"]) == ("19789", "place_text")
    assert (second["commune"], second["commune_source"]) == (None, "unknown")


def test_registration_date_decides_how_a_code_is_read(communes: pl.DataFrame) -> None:
    # 00103 was Phường Xuân La (divided; default successor 00611) before the merger and is
    # Phường Tây Hồ after it.
    out = run(
        communes,
        marriage("before", registration_ward_code="00103", registration_date="30/06/2025"),
        marriage("after", registration_ward_code="00103", registration_date="01/07/2025"),
        marriage("undated", registration_ward_code="00103", registration_date=""),
        marriage("split", registration_ward_code="7", registration_date="2019"),  # 00007 Cống Vị, divided
        marriage("nonsense", registration_ward_code="99999"),
        marriage("empty", registration_ward_code=None),
    )
    got = {r["registration_id"]: (r["commune"], r["commune_source"]) for r in out.marriages.iter_rows(named=True)}
    assert got == {
        "before": ("00611", "old_split"), "after": ("00103", "current"), "undated": ("00103", "current"),
        "split": ("00008", "old_split"), "nonsense": (None, "unknown"), "empty": (None, "unknown"),
    }


def test_spouses_are_husband_then_wife(communes: pl.DataFrame) -> None:
    out = run(communes, marriage("A-1"), marriage("A-2", wife_full_name="NguyÔn ThÞ Lan"))
    spouses = out.spouses
    assert spouses.get_column("unique_id").to_list() == ["A-1|H", "A-1|W", "A-2|H", "A-2|W"]
    assert spouses.get_column("role").to_list() == ["husband", "wife"] * 2
    assert spouses.get_column("sex").to_list() == ["M", "F"] * 2
    wife = spouses.row(3, named=True)
    assert (wife["full_name"], wife["name_repaired"], wife["name_ascii"]) == ("Nguyễn Thị Lan", True, "nguyen thi lan")
    husband = spouses.row(0, named=True)
    assert (husband["birth_date"], husband["birth_precision"], husband["id12"]) == (dt.date(1990, 5, 12), "day", "046090012345")
    assert husband["id_structure_ok"] is True
    assert spouses.row(1, named=True)["birth_precision"] == "year"


def test_spouse_id_zero_restored_with_the_role_as_sex(communes: pl.DataFrame) -> None:
    out = run(communes, marriage("A-1", husband_id_number="46090012345", wife_id_number="46192054321"))
    assert out.spouses.get_column("id12").to_list() == ["046090012345", "046192054321"]
    assert out.spouses.get_column("id_note").to_list() == ["leading_zero_restored"] * 2


def test_status_and_foreign_spouse(communes: pl.DataFrame) -> None:
    out = run(
        communes,
        marriage("A-1", status=""),
        marriage("A-2", status="Đã ly hôn", status_date="01/02/2022"),
        marriage("A-3", status="HỦY", wife_nationality="Hàn Quốc", wife_id_number="M1234567"),
        marriage("A-4", status="annulled", husband_nationality="VNM"),
        # A 12-digit personal ID holder, an ethnicity typed as nationality and a typo are Vietnamese.
        marriage("A-5", status="Ly thân", wife_nationality="Hàn Quốc", husband_nationality="Kinh"),
        marriage("A-6", status="Đã li hôn", husband_nationality="Việt Nan", wife_nationality="Viet Nam (Kinh)"),
    )
    assert out.marriages.get_column("status").to_list() == [
        "valid", "divorced", "annulled", "annulled", "unrecognised", "divorced"]
    assert out.marriages.get_column("status_date").to_list() == [None, dt.date(2022, 2, 1), None, None, None, None]
    foreign = out.spouses.filter(pl.col("is_foreign")).get_column("unique_id").to_list()
    assert foreign == ["A-3|W"]


def test_unreadable_birth_date_rejects_the_marriage_with_row_and_column(communes: pl.DataFrame) -> None:
    frame = registry(marriage("A-1"), marriage("A-2", wife_birth_date="3x/abc"), marriage("A-3", wife_birth_date=""))
    out = normalize_registry(frame, communes)
    assert out.marriages.get_column("registration_id").to_list() == ["A-1", "A-3"]
    assert "A-2|H" not in out.spouses.get_column("unique_id").to_list()
    rejected = out.rejected.row(0, named=True)
    assert '"wife_birth_date":"3x/abc"' in rejected.pop("values")  # the row as read, for the officer
    assert rejected == {
        "record_type": "marriage", "record_id": "A-2", "source_file": "registry.csv", "source_row": 3,
        "column": "wife_birth_date", "reason": "UNREADABLE_DATE",
        "message": "wife_birth_date '3x/abc' cannot be read, not even as a year",
    }


def test_every_registry_row_is_kept_or_rejected(communes: pl.DataFrame) -> None:
    frame = registry(
        marriage("A-1"), marriage("A-2", husband_birth_date="??", wife_birth_date="abc"),
        marriage("A-3"), marriage("A-3"), marriage(" ", wife_full_name="Lê Thị Lan"),
        marriage("A-5", husband_full_name="  "), marriage("A-6"),
    )
    out = normalize_registry(frame, communes)
    rejected_rows = set(out.rejected.get_column("source_row"))
    kept_rows = set(out.marriages.get_column("source_row"))
    assert kept_rows.isdisjoint(rejected_rows)
    assert len(kept_rows) + len(rejected_rows) == frame.height
    assert out.spouses.height == 2 * out.marriages.height
    assert set(out.rejected.get_column("reason")) <= REASONS
    by_row = out.rejected.group_by("source_row").agg("reason").sort("source_row")
    assert dict(by_row.iter_rows()) == {
        3: ["UNREADABLE_DATE"], 4: ["DUPLICATE_KEY"], 5: ["DUPLICATE_KEY"],
        6: ["MISSING_KEY"], 7: ["MISSING_NAME"],
    }
    # One row per record; its message names every problem.
    message = out.rejected.filter(pl.col("source_row") == 3)["message"][0]
    assert "husband_birth_date '??'" in message and "wife_birth_date 'abc'" in message


def person(pid: str | None, **values: str | None) -> dict[str, str | None]:
    return {"person_id": pid, "full_name": "Nguyễn Văn Hùng", "birth_date": "12/05/1990", "sex": "Nam",
            "ward_code": "19789", "nationality": "Việt Nam", **values}


def test_population_frames(communes: pl.DataFrame) -> None:
    frame = population(
        person("046090012345", marital_status="Đã kết hôn", spouse_id="'046192054321", spouse_name="TrÇn ThÞ Hoµ",
               legacy_id="191234567"),
        person("46192054321", full_name="TRẦN THỊ HOÀ", birth_date="1992", sex="Nữ", marital_status="goá chồng",
               ward_code="19780", death_date="2024-01-02"),
        person("046085000111", sex="F", marital_status="CHUA KET HON", ward_code=""),
    )
    out = normalize_population(frame, communes)
    assert isinstance(out, NormalizedPopulation)
    assert set(PERSON_COLUMNS) <= set(out.persons.columns)
    rows = out.persons.rows_by_key("source_row", named=True, unique=True)
    first, second, third = rows[2], rows[3], rows[4]
    assert (first["unique_id"], first["id12"], first["id9"], first["sex"]) == ("046090012345", "046090012345", "191234567", "M")
    assert (first["marital_status"], first["spouse_id"], first["spouse_name"], first["spouse_name_ascii"]) == (
        "married", "046192054321", "Trần Thị Hoà", "tran thi hoa",
    )
    assert (second["unique_id"], second["sex"], second["full_name"], second["marital_status"]) == (
        "046192054321", "F", "Trần Thị Hoà", "widowed",
    )
    assert (second["commune"], second["commune_source"], second["death_date"], second["death_year"]) == (
        "19789", "old_mapped", dt.date(2024, 1, 2), 2024,
    )
    assert (third["sex"], third["marital_status"], third["commune_source"]) == ("F", "single", "unknown")
    # The key keeps the zero a spreadsheet dropped, so it compares with the spouse's spouse_id.
    assert (second["person_id"], second["person_id_raw"]) == ("046192054321", "46192054321")
    assert first["spouse_id"] == second["person_id"]


def test_unknown_marital_status_text_is_not_read_as_single(communes: pl.DataFrame) -> None:
    out = normalize_population(population(person("046090012345", marital_status="Ly thân")), communes)
    assert out.persons["marital_status"].to_list() == ["unrecognised"]


def test_every_population_row_is_kept_or_rejected(communes: pl.DataFrame) -> None:
    frame = population(
        person("046090012345"), person(None), person("046090012346", birth_date="không rõ"),
        person("46090012347"), person("046090012347"), person("046090012348", full_name=""),
    )
    out = normalize_population(frame, communes)
    assert out.persons.height + out.rejected.get_column("source_row").n_unique() == frame.height
    assert out.persons.get_column("unique_id").is_unique().all()
    reasons = dict(out.rejected.select("source_row", "reason").iter_rows())
    # row 5's "46090012347" regains its zero and collides with row 6
    assert reasons == {3: "MISSING_KEY", 4: "UNREADABLE_DATE", 5: "DUPLICATE_KEY", 6: "DUPLICATE_KEY", 7: "MISSING_NAME"}
    message = out.rejected.filter(pl.col("reason") == "UNREADABLE_DATE").get_column("message").item()
    assert message == "birth_date 'không rõ' cannot be read, not even as a year"


def test_columns_absent_from_the_file_are_tolerated(communes: pl.DataFrame) -> None:
    frame = registry(marriage("A-1")).drop("status", "status_date", "husband_residence")
    out = normalize_registry(frame, communes, current_communes())
    assert out.marriages.get_column("status").to_list() == ["valid"]
