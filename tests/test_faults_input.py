"""Fault injection, input side: every broken or hostile file of `hostile_files.CASES` through `reconcile ingest`.

A refused file gives exit 1 and one line naming the file, and leaves the campaign database
exactly as it was (ingest is one transaction: the good population file given with it is
not kept either). A file that is read accounts for every row: rows read = accepted +
rejected, each rejected row with its reason. No case prints a traceback or a whole ID.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import SAMPLE, Cli, table_row
from hostile_files import INGESTED, REFUSED, ROWS, SQL, csv_text

DATA = Path(__file__).parent / "data" / "ingest"
WHOLE_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> Path:
    """A campaign holding the small registry and population of tests/data/ingest, shared by the
    cases: a refused file must leave it as it was, and a file that is read replaces the registry
    (or population) side whole, so no case depends on another."""
    folder = tmp_path_factory.mktemp("faults") / "campaign"
    cli("init", folder)
    cli("ingest", "--registry", DATA / "registry.csv", "--population", DATA / "population.csv", "--campaign", folder)
    return folder


def query(campaign: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(campaign / "campaign.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def snapshot(campaign: Path) -> dict[str, list[str]]:
    """Every table of the campaign database, its rows in a fixed order."""
    with duckdb.connect(str(campaign / "campaign.duckdb"), read_only=True) as con:
        tables = [name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {name: sorted(map(repr, con.execute(f'SELECT CAST(COLUMNS(*) AS VARCHAR) FROM "{name}"').fetchall()))
                for name in tables}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_file_is_one_line_and_changes_nothing(name: str, cli: Cli, campaign: Path, tmp_path: Path) -> None:
    case = REFUSED[name]
    path = case.write(tmp_path)
    before = snapshot(campaign)
    out = cli("ingest", "--registry", path, "--population", DATA / "population.csv", "--campaign", campaign,
              code=1).output
    errors = [line.removeprefix("error: ") for line in out.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, out
    expected = f"{path}: {case.refused}"
    assert errors[0].startswith(expected) if case.startswith else errors[0] == expected
    assert "Traceback" not in out and not WHOLE_ID.search(out)
    assert snapshot(campaign) == before


@pytest.mark.parametrize("name", INGESTED)
def test_read_file_accounts_for_every_row(name: str, cli: Cli, campaign: Path, tmp_path: Path) -> None:
    case = INGESTED[name]
    out = cli("ingest", "--registry", case.write(tmp_path), "--campaign", campaign).output
    ((read, rejected),) = query(
        campaign, "SELECT rows_read, rows_rejected FROM ingests WHERE kind = 'registry' ORDER BY ingest_id DESC LIMIT 1")
    reasons = query(campaign, "SELECT source_row, reason FROM rejected WHERE record_type = 'marriage' ORDER BY 1")
    ((kept,),) = query(campaign, "SELECT count(*) FROM marriages")
    assert (read, reasons) == (case.read, case.rejected)
    assert kept + rejected == read
    assert table_row(out, "registry")[2:] == [str(read), str(kept), str(rejected)]
    assert "Traceback" not in out and not WHOLE_ID.search(out)


def test_impossible_dates_are_kept_with_their_doubt(cli: Cli, campaign: Path, tmp_path: Path) -> None:
    cli("ingest", "--registry", INGESTED["impossible-dates"].write(tmp_path), "--campaign", campaign)
    got = query(campaign, "SELECT role, birth_date_raw, birth_year, birth_precision, birth_impossible FROM spouses "
                          "WHERE registration_id = '46-2003-Q01-0001' ORDER BY role")
    assert got == [("husband", "00/00/1975", 1975, "year", False), ("wife", "31/02/1980", 1980, "month", True)]
    ((registered,),) = query(campaign, "SELECT registration_precision FROM marriages WHERE registration_id = ?",
                             ["46-2003-Q01-0002"])
    assert registered == "month"  # 30/02/2003: the month is known, the day cannot be


def test_rejected_rows_keep_the_raw_row_and_messages_mask_ids(cli: Cli, campaign: Path, tmp_path: Path) -> None:
    population = tmp_path / "population.csv"
    population.write_text(
        "Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Tình trạng hôn nhân\n"
        "046182005678,Lê Thị Cúc,1982,Nữ,\n046080001234,Nguyễn Văn An,1980,Nam,\n046182005678,Lê Cúc,1982,Nữ,\n",
        encoding="utf-8",
    )
    out = cli("ingest", "--population", population, "--campaign", campaign).output
    assert table_row(out, "population")[2:] == ["3", "1", "2"]
    rows = query(campaign, "SELECT record_id, message, \"values\" FROM rejected WHERE record_type = 'person' ORDER BY 1")
    assert [(record_id, message) for record_id, message, _ in rows] == [
        ("046182005678", "population.csv row 2: person_id '*********678' appears 2 times (rows 2, 4)"),
        ("046182005678", "population.csv row 4: person_id '*********678' appears 2 times (rows 2, 4)"),
    ]
    assert '"person_id":"046182005678"' in rows[0][2]  # the quarantine keeps the raw row
    assert not WHOLE_ID.search(out)


def test_sql_and_path_values_are_data_end_to_end(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    """Hostile keys, ward codes and names go through ingest, a run, explain and export as plain text."""
    registry = tmp_path / "registry.csv"
    sample = SAMPLE.joinpath("registry.csv").read_text(encoding="utf-8-sig")
    header = sample.splitlines()[0].split(",")
    hostile = {"Số đăng ký": SQL, "Mã xã đăng ký": "../../x", "Họ và tên chồng": ROWS[0][3],
               "Họ và tên vợ": "Robert'); DROP TABLE persons;--", "Ngày sinh chồng": "1976", "Tình trạng": SQL}
    path_key = {**hostile, "Số đăng ký": "../../46-2003", "Mã xã đăng ký": "19753; DELETE FROM results"}
    extra = [[row.get(h, "") for h in header] for row in (hostile, path_key)]
    registry.write_text(sample + csv_text(extra, header=None), encoding="utf-8")
    cli("ingest", "--registry", registry, "--campaign", campaign_copy)
    cli("run", "--all", "--campaign", campaign_copy)

    out = cli("explain", SQL, "--campaign", campaign_copy).output
    assert f"marriage {SQL}" in out
    out = cli("run", "--commune", "'; DROP TABLE runs; --", "--campaign", campaign_copy, code=1).output
    assert "has no records" in out and "Traceback" not in out
    results = tmp_path / "results.csv"
    cli("export", "results", "--out", results, "--campaign", campaign_copy)
    marriages = pl.read_csv(results, infer_schema=False).filter(pl.col("record_type") == "marriage")
    assert {SQL, "../../46-2003"} <= set(marriages["record_id"])
    assert marriages.height == len(sample.splitlines()) - 1 + 2  # records in = records out
    ((ward,),) = query(campaign_copy, "SELECT ward_code_raw FROM marriages WHERE registration_id = ?", ["../../46-2003"])
    assert ward == "19753; DELETE FROM results"
    for root in (campaign_copy, tmp_path, Path.cwd()):  # no value became a file name
        assert not (root / "../../x").resolve().exists() and not (root / "../../46-2003").resolve().exists()
