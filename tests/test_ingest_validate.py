"""Rejected rows: no key, a duplicated key, an empty name — kept with row, column and reason."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import polars as pl
import pytest

from reconcile.ingest import load_column_map, read_population, read_registry
from reconcile.ingest.contract import POPULATION, REGISTRY
from reconcile.paths import data_dir

DATA = Path(__file__).parent / "data" / "ingest"
REJECTED_SCHEMA = {
    "record_type": pl.String,
    "record_id": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
    "column": pl.String,
    "reason": pl.String,
    "message": pl.String,
    "values": pl.String,
}


@pytest.fixture(scope="module")
def columns():
    return load_column_map()


def registry_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "registry.csv"
    path.write_text("Số đăng ký,Họ và tên chồng,Họ và tên vợ\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def problems(table) -> list[tuple]:
    return table.rejected.select("source_row", "record_id", "column", "reason", "message").rows()


def test_registry_fixture_rejections(columns):
    table = read_registry(DATA / "registry.csv", columns)
    assert problems(table) == [
        (3, None, "registration_id", "MISSING_KEY", "registry.csv row 3: registration_id is empty"),
        (
            4,
            "46-2003-Q01-0003",
            "registration_id",
            "DUPLICATE_KEY",
            "registry.csv row 4: registration_id '46-2003-Q01-0003' appears 2 times (rows 4, 6)",
        ),
        (5, "46-2003-Q01-0004", "husband_full_name", "MISSING_NAME", "registry.csv row 5: husband_full_name is empty"),
        # Row 6 also lacks the wife's name, row 7 too: each row is rejected once, for its first problem.
        (
            6,
            "46-2003-Q01-0003",
            "registration_id",
            "DUPLICATE_KEY",
            "registry.csv row 6: registration_id '46-2003-Q01-0003' appears 2 times (rows 4, 6)",
        ),
        (7, None, "registration_id", "MISSING_KEY", "registry.csv row 7: registration_id is empty"),
    ]
    assert table.rows["registration_id"].to_list() == ["46-2003-Q01-0001", "46-2003-Q01-0007", "46-2003-Q01-0008"]
    assert table.rows_read == 8 == table.rows.height + table.rejected.height
    assert set(table.rejected["record_type"]) == {"marriage"}
    assert set(table.rejected["source_file"]) == {str(DATA / "registry.csv")}


def test_population_fixture_rejects_every_copy_of_a_duplicate(columns):
    table = read_population(DATA / "population.csv", columns)
    assert problems(table) == [
        (
            3,
            "046182005678",
            "person_id",
            "DUPLICATE_KEY",
            # The message masks the ID (it is shown and logged); record_id keeps it (the quarantine).
            "population.csv row 3: person_id '*********678' appears 2 times (rows 3, 5)",
        ),
        (
            5,
            "046182005678",
            "person_id",
            "DUPLICATE_KEY",
            "population.csv row 5: person_id '*********678' appears 2 times (rows 3, 5)",
        ),
        (6, "079175000123", "full_name", "MISSING_NAME", "population.csv row 6: full_name is empty"),
    ]
    assert table.rows["person_id"].to_list() == ["046080001234", "001234567890"]
    assert set(table.rejected["record_type"]) == {"person"}
    assert table.kind == "population"
    assert table.rows_read == 5 == table.rows.height + table.rejected.height


def test_wife_name_empty(tmp_path, columns):
    table = read_registry(registry_csv(tmp_path, "A1,Lê Văn An,"), columns)
    assert problems(table) == [(2, "A1", "wife_full_name", "MISSING_NAME", "registry.csv row 2: wife_full_name is empty")]
    assert table.rows.height == 0


def test_many_copies_are_counted_and_the_first_rows_listed(tmp_path, columns):
    path = registry_csv(tmp_path, "X,A,B", *["K7,A,B"] * 12)
    table = read_registry(path, columns)
    assert table.rejected.height == 12 and set(table.rejected["reason"]) == {"DUPLICATE_KEY"}
    assert table.rejected["message"][0] == (
        "registry.csv row 3: registration_id 'K7' appears 12 times (rows 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, …)"
    )
    assert table.rows["registration_id"].to_list() == ["X"]


def test_keys_compare_after_stripping_spaces(tmp_path, columns):
    table = read_registry(registry_csv(tmp_path, "K1,A,B", " K1 ,C,D"), columns)
    assert table.rejected["message"].to_list() == [
        "registry.csv row 2: registration_id 'K1' appears 2 times (rows 2, 3)",
        "registry.csv row 3: registration_id 'K1' appears 2 times (rows 2, 3)",
    ]


def test_values_keep_the_whole_row(tmp_path, columns):
    path = registry_csv(tmp_path, ',Nguyễn Văn "Tèo",Trần Thị B')
    (values,) = read_registry(path, columns).rejected["values"].to_list()
    assert json.loads(values) == {
        **dict.fromkeys(REGISTRY.columns),
        "husband_full_name": 'Nguyễn Văn "Tèo"',
        "wife_full_name": "Trần Thị B",
    }


def test_rejected_schema_even_when_nothing_is_rejected(tmp_path, columns):
    table = read_registry(registry_csv(tmp_path, "K1,A,B"), columns)
    assert table.rejected.height == 0
    assert dict(table.rejected.schema) == REJECTED_SCHEMA
    table = read_population(DATA / "population.csv", columns)
    assert dict(table.rejected.schema) == REJECTED_SCHEMA
    assert table.rows.columns == [*POPULATION.columns, "source_file", "source_row"]


def test_blank_lines_are_not_rows_read(tmp_path, columns):
    table = read_registry(registry_csv(tmp_path, "K1,A,B", "", ",,", "K2,C,"), columns)
    assert table.rows_read == 2 == table.rows.height + table.rejected.height
    assert problems(table) == [(5, "K2", "wife_full_name", "MISSING_NAME", "registry.csv row 5: wife_full_name is empty")]


def test_a_row_that_does_not_fit_the_header_is_rejected_with_its_raw_values(tmp_path, columns):
    path = registry_csv(
        tmp_path, "K1,A,B", "K2,Lê, Văn An,C", "K3;D;E", 'K4,"F,G\nK5,H,I,",x', "K6,J,K"
    )
    table = read_registry(path, columns)
    assert table.rejected.select("source_row", "record_id", "column", "reason", "message").rows() == [
        (3, None, None, "MALFORMED_ROW", "registry.csv row 3: has 4 values but the header has 3 columns (a value "
         "may hold an unquoted ',', or a quote out of place)"),
        (4, None, None, "MALFORMED_ROW", "registry.csv row 4: has 1 value but the header has 3 columns (it looks "
         "separated by ';', the header by ',')"),
        (5, None, None, "MALFORMED_ROW", "registry.csv row 5: has a value that spans several lines holding whole "
         "rows (a quote left open swallowed the rows after it)"),
    ]
    assert json.loads(table.rejected["values"][0]) == {"fields": ["K2", "Lê", " Văn An", "C"]}
    assert table.rows["registration_id"].to_list() == ["K1", "K6"]
    assert table.rows_read == 5 == table.rows.height + table.rejected.height


def test_a_value_too_long_is_rejected_and_kept_shortened(tmp_path, columns):
    path = registry_csv(tmp_path, "K1," + "x" * 10_000_000 + ",B", "K2,A,B")
    table = read_registry(path, columns)
    assert table.rejected.select("source_row", "record_id", "column", "reason", "message").rows() == [
        (2, "K1", "husband_full_name", "VALUE_TOO_LONG",
         "registry.csv row 2: husband_full_name is 10000000 characters long; a value has at most 4,000"),
    ]
    kept = json.loads(table.rejected["values"][0])
    assert kept["husband_full_name"] == "x" * 200 + "… (10000000 characters)" and kept["wife_full_name"] == "B"
    assert table.rows["registration_id"].to_list() == ["K2"]


def test_reasons_are_in_the_catalogue(columns):
    catalogue = tomllib.loads((data_dir("rules") / "reasons.toml").read_text(encoding="utf-8"))
    seen = set(read_registry(DATA / "registry.csv", columns).rejected["reason"])
    assert seen == {"MISSING_KEY", "DUPLICATE_KEY", "MISSING_NAME"}
    seen |= {"MALFORMED_ROW", "VALUE_TOO_LONG"}  # the readers' and the length check's reasons
    assert all(catalogue[code]["bucket"] == "rejected" for code in seen)
