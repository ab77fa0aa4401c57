"""The column map: loading and checking columns.toml, and matching real headers to it."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from reconcile.errors import InputFileError, MissingColumnError, RulesError
from reconcile.ingest import load_column_map, read_population, read_registry
from reconcile.ingest.columns import default_columns_path
from reconcile.ingest.contract import POPULATION, REGISTRY
from reconcile.paths import data_dir

# The headers the fixture generator writes, with the canonical column each must reach.
REGISTRY_HEADERS = {
    "Số đăng ký": "registration_id",
    "Ngày đăng ký": "registration_date",
    "Mã xã đăng ký": "registration_ward_code",
    "Nơi đăng ký": "registration_place",
    "Họ và tên chồng": "husband_full_name",
    "Ngày sinh chồng": "husband_birth_date",
    "Số giấy tờ tùy thân chồng": "husband_id_number",
    "Dân tộc chồng": "husband_ethnicity",
    "Quốc tịch chồng": "husband_nationality",
    "Nơi cư trú chồng": "husband_residence",
    "Họ và tên vợ": "wife_full_name",
    "Ngày sinh vợ": "wife_birth_date",
    "Số giấy tờ tùy thân vợ": "wife_id_number",
    "Dân tộc vợ": "wife_ethnicity",
    "Quốc tịch vợ": "wife_nationality",
    "Nơi cư trú vợ": "wife_residence",
    "Tình trạng": "status",
    "Ngày thay đổi tình trạng": "status_date",
}
POPULATION_HEADERS = {
    "Số định danh cá nhân": "person_id",
    "Họ và tên": "full_name",
    "Ngày sinh": "birth_date",
    "Giới tính": "sex",
    "Dân tộc": "ethnicity",
    "Quốc tịch": "nationality",
    "Mã xã": "ward_code",
    "Nơi thường trú": "address",
    "Tình trạng hôn nhân": "marital_status",
    "Số định danh vợ/chồng": "spouse_id",
    "Họ tên vợ/chồng": "spouse_name",
    "Ngày mất": "death_date",
    "Số CMND": "legacy_id",
}


@pytest.fixture(scope="module")
def columns():
    return load_column_map()


def test_default_rules_cover_every_contract_column(columns):
    assert default_columns_path() == data_dir("rules") / "columns.toml"
    assert columns.path == default_columns_path()
    assert [r.name for r in columns.registry.rules] == list(REGISTRY.columns)
    assert [r.name for r in columns.population.rules] == list(POPULATION.columns)
    required = {r.name for r in columns.registry.rules if r.required}
    assert required == {"registration_id", "husband_full_name", "wife_full_name"}
    required = {r.name for r in columns.population.rules if r.required}
    assert required == {"person_id", "full_name", "birth_date", "sex", "marital_status"}


@pytest.mark.parametrize(("header", "name"), REGISTRY_HEADERS.items())
def test_registry_generator_headers(columns, header, name):
    assert columns.registry.canonical(header) == name


@pytest.mark.parametrize(("header", "name"), POPULATION_HEADERS.items())
def test_population_generator_headers(columns, header, name):
    assert columns.population.canonical(header) == name


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Số CCCD", "person_id"),
        ("Số CMND/CCCD", "person_id"),
        ("Họ tên", "full_name"),
        ("Ngày, tháng, năm sinh", "birth_date"),
        ("person_id", "person_id"),
        ("Date of birth", "birth_date"),
        ("Marital status", "marital_status"),
    ],
)
def test_common_variants(columns, header, name):
    assert columns.population.canonical(header) == name


@pytest.mark.parametrize(
    "header",
    [
        unicodedata.normalize("NFD", "Số định danh cá nhân"),
        "  SỐ ĐỊNH DANH   CÁ NHÂN ",
        "số định danh\ncá nhân",
        "So dinh danh ca nhan",
        "SO DINH DANH CA NHAN",
    ],
    ids=["nfd", "case-and-spaces", "line-break", "no-diacritics", "no-diacritics-upper"],
)
def test_forgiving_header_match(columns, header):
    assert columns.population.canonical(header) == "person_id"


def test_unknown_header_matches_nothing(columns):
    assert columns.population.canonical("Ghi chú") is None
    assert columns.registry.canonical("Quyển số") is None


def test_nfd_headers_in_a_file(tmp_path, columns):
    header = ",".join(unicodedata.normalize("NFD", h) for h in POPULATION_HEADERS)
    path = tmp_path / "population.csv"
    path.write_text(header + "\n001234567890,Lê Văn An,1990,Nam,,,,,chưa kết hôn,,,,\n", encoding="utf-8")
    table = read_population(path, columns)
    assert table.ignored_columns == ()
    assert table.rows.select("person_id", "full_name", "marital_status").row(0) == (
        "001234567890",
        "Lê Văn An",
        "chưa kết hôn",
    )


def test_absent_optional_columns_are_all_null_and_extra_ones_listed(tmp_path, columns):
    path = tmp_path / "registry.csv"
    path.write_text("Ghi chú,Số đăng ký,Họ tên chồng,Họ tên vợ,Quyển số\nx,1,A,B,Q01\n", encoding="utf-8")
    table = read_registry(path, columns)
    assert table.rows.columns == [*REGISTRY.columns, "source_file", "source_row"]
    assert table.rows.row(0) == ("1", *[None] * 3, "A", "B", *[None] * 12, str(path), 2)
    assert all(table.rows.schema[c] == pl.String for c in REGISTRY.columns)
    assert table.ignored_columns == ("Ghi chú", "Quyển số")


def test_missing_required_column_names_file_and_column(tmp_path, columns):
    path = tmp_path / "registry.csv"
    path.write_text("Số đăng ký,Họ và tên chồng,Ngày sinh vợ\n1,A,1990\n", encoding="utf-8")
    with pytest.raises(MissingColumnError) as caught:
        read_registry(path, columns)
    assert str(caught.value) == (
        f"{path}: required column 'wife_full_name' is missing "
        "(columns found: Số đăng ký, Họ và tên chồng, Ngày sinh vợ)"
    )
    assert caught.value.column == "wife_full_name"


def test_two_headers_meaning_one_column(tmp_path, columns):
    path = tmp_path / "population.csv"
    path.write_text("Số CCCD,Họ và tên,Ngày sinh,Giới tính,Tình trạng hôn nhân,Số định danh\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_population(path, columns)
    assert str(caught.value) == f"{path}: columns 'Số CCCD' and 'Số định danh' both mean 'person_id'; keep one of them"


def test_a_campaign_copy_of_the_rules_is_loaded_from_its_path(tmp_path):
    path = tmp_path / "columns.toml"
    text = default_columns_path().read_text(encoding="utf-8")
    path.write_text(text.replace('"Số đăng ký",', '"Số đăng ký", "Số sổ",'), encoding="utf-8")
    columns = load_column_map(path)
    assert columns.path == path
    assert columns.registry.canonical("Số sổ") == "registration_id"


# --- invalid rules: each names the file and the key --------------------------------


def broken_rules(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the default rules with one edit."""
    path = tmp_path / "columns.toml"
    shutil.copy(default_columns_path(), path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "[registry.status]\n",
            "[registry.statuss]\n",
            "[registry.statuss] unknown column; the registry columns are: " + ", ".join(REGISTRY.columns),
        ),
        ("[registry.status]\n", "[registri.status]\n", "[registri] unknown input; expected registry and population"),
        (
            "[population.sex]\nrequired = true\n",
            "[population.sex]\nrequired = true\nalias = []\n",
            "[population.sex.alias] unknown key; expected 'required' and 'aliases'",
        ),
        ("[population.sex]\nrequired = true", "[population.sex]\nrequired = 'yes'",
         "[population.sex.required] must be bool, got 'yes'"),
        (
            'aliases = ["Giới tính", "Sex", "Gender"]',
            'aliases = "Giới tính"',
            "[population.sex.aliases] must be a list of non-empty strings",
        ),
        (
            'aliases = ["Giới tính", "Sex", "Gender"]',
            'aliases = ["Giới tính", 1]',
            "[population.sex.aliases] must be a list of non-empty strings",
        ),
        (
            'aliases = ["Giới tính", "Sex", "Gender"]',
            'aliases = ["Giới tính", "Họ và tên"]',
            "[population.sex.aliases] 'Họ và tên' already means 'full_name'; a header can mean one column only",
        ),
        (
            'aliases = ["Giới tính", "Sex", "Gender"]',
            'aliases = ["Giới tính", " HỌ  VÀ TÊN "]',
            "[population.sex.aliases] ' HỌ  VÀ TÊN ' already means 'full_name'; a header can mean one column only",
        ),
        (
            'aliases = ["Giới tính", "Sex", "Gender"]',
            'aliases = ["Giới tính", "birth_date"]',
            "[population.sex.aliases] 'birth_date' already means 'birth_date'; a header can mean one column only",
        ),
        (
            '[population.sex]\nrequired = true\naliases = ["Giới tính", "Sex", "Gender"]\n',
            "",
            "[population.sex] is missing; every canonical column needs 'required' and 'aliases'",
        ),
        (
            "[population.person_id]\nrequired = true",
            "[population.person_id]\nrequired = false",
            "[population.person_id.required] must be true: every row is checked on the key and the names",
        ),
    ],
    ids=[
        "unknown-column",
        "unknown-input",
        "unknown-key",
        "required-not-bool",
        "aliases-not-list",
        "alias-not-text",
        "alias-claimed-twice",
        "alias-claimed-twice-other-spelling",
        "alias-is-another-canonical-name",
        "column-missing",
        "key-not-required",
    ],
)
def test_invalid_rules_name_file_and_key(tmp_path, old, new, expected):
    path = broken_rules(tmp_path, old, new)
    with pytest.raises(RulesError) as caught:
        load_column_map(path)
    assert str(caught.value) == f"{path}: {expected}"


def test_missing_rules_file(tmp_path):
    path = tmp_path / "columns.toml"
    with pytest.raises(RulesError) as caught:
        load_column_map(path)
    assert str(caught.value) == f"{path}: [-] file is missing"


def test_rules_that_are_not_toml(tmp_path):
    path = tmp_path / "columns.toml"
    path.write_text("[registry.status]\nrequired = = false\n", encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_column_map(path)
    assert str(caught.value) == f"{path}: [-] not valid TOML: Invalid value (at line 2, column 12)"


def test_exact_match_wins_over_a_diacritics_free_lookalike(tmp_path):
    # 'Mã xã' (ward code) and 'Ma xa' differ only by marks: each still matches exactly,
    # and a header that matches neither exactly is not guessed.
    path = broken_rules(tmp_path, '"Giới tính", "Sex"', '"Giới tính", "Ma xa", "Sex"')
    columns = load_column_map(path)
    assert columns.population.canonical("Mã xã") == "ward_code"
    assert columns.population.canonical(" MA  XA ") == "sex"
    assert columns.population.canonical("Mà xa") is None
