"""`reconcile export conflicts`: the lists the police liaisons receive, as they open them."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import tomllib
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from conftest import ROOT, SAMPLE, Cli
from reconcile.police.lists import commune_lists
from reconcile.police.sheet import COMMUNE_CODE
from reconcile.store import Store
from reconcile.store.campaign import DATABASE_FILE
from reconcile.store.conflicts import open_conflicts
from spreadsheet import ANSWER, CSV_UTF8, NOTE, choices, column, soffice

DAY = "2025-06-02"
ON_DAY = {"RECONCILE_TODAY": DAY}
HUSBAND_ID = "Chồng: số định danh (dân cư)"
WIFE_ID = "Vợ: số định danh (dân cư)"
REASONS = tomllib.loads((ROOT / "rules" / "reasons.toml").read_text(encoding="utf-8"))
ANSWERS = tomllib.loads((ROOT / "rules" / "answers.toml").read_text(encoding="utf-8"))


def conflicts(campaign: Path) -> pl.DataFrame:
    """The campaign's current conflicts (none decided yet in these tests), as the results table has them."""
    with Store(campaign / DATABASE_FILE, read_only=True) as store:
        return store.results.current().filter(pl.col("bucket") == "conflict").sort("commune", "record_id")


def busiest(found: pl.DataFrame) -> str:
    return found["commune"].mode().sort()[0]


def sheet_rows(sheet) -> list[dict[str, object]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_one_communes_list_shows_both_sides_ready_to_answer(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    found = conflicts(campaign_copy)
    commune = busiest(found)
    mine = found.filter(pl.col("commune") == commune)
    out = cli("export", "conflicts", "--lang", "vi", "--out", tmp_path / "lists" / "danh_sach.xlsx", "--commune", commune,
              "--campaign", campaign_copy, env=ON_DAY).output
    path = tmp_path / "lists" / f"danh_sach_{commune}_{DAY}.xlsx"
    assert f"{mine.height} open conflict(s) written to {path}" in out

    book = load_workbook(path)
    assert book.sheetnames == [commune, "lists"] and book["lists"].sheet_state == "hidden"
    sheet = book[commune]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Số đăng ký / số định danh", "Mã xã", "Tên xã", "Lý do"]
    assert header[-3:] == [ANSWER, NOTE, "Mã kiểm tra (không sửa)"]
    rows = sheet_rows(sheet)
    # Exactly the commune's conflicts, never a record of another commune.
    assert [r["Số đăng ký / số định danh"] for r in rows] == mine["record_id"].to_list()
    assert {r["Mã xã"] for r in rows} == {commune}

    registry = pl.read_csv(SAMPLE / "registry.csv", infer_schema=False)
    population = pl.read_csv(SAMPLE / "population.csv", infer_schema=False)
    for row, result in zip(rows, mine.iter_rows(named=True)):
        codes = result["reasons"].split(";")
        assert row["Lý do"] == "; ".join(REASONS[c]["vi"] for c in codes)
        assert row[HUSBAND_ID] == result["husband_person_id"] and row[WIFE_ID] == result["wife_person_id"]
        assert row["Chồng: xác suất khớp"] == pytest.approx(result["husband_match_probability"], abs=5e-5)
        # The registry's values as exported, beside the population's values of the linked person.
        entry = registry.filter(pl.col("Số đăng ký") == result["record_id"]).row(0, named=True)
        assert (row["Chồng: họ tên (hộ tịch)"], row["Vợ: ngày sinh (hộ tịch)"]) == \
            (entry["Họ và tên chồng"], entry["Ngày sinh vợ"])
        person = population.filter(pl.col("Số định danh cá nhân").str.zfill(12) == result["wife_person_id"])
        assert row["Vợ: họ tên (dân cư)"] == person["Họ và tên"][0]
        assert row["Vợ: tình trạng hôn nhân (dân cư)"] == person["Tình trạng hôn nhân"][0]
        # The spouse the population records for the linked person, beside that person.
        assert (row["Vợ: chồng ghi nhận (dân cư)"], row["Vợ: số định danh chồng (dân cư)"]) == \
            (person["Họ tên vợ/chồng"][0], person["Số định danh vợ/chồng"][0])

    # IDs are text with their leading zeros, and stay text when retyped.
    id_cells = [sheet.cell(r, column(sheet, name)) for name in (HUSBAND_ID, WIFE_ID) for r in range(2, len(rows) + 2)]
    assert any(str(c.value).startswith("0") for c in id_cells)
    assert all(c.data_type == "s" and c.number_format == "@" for c in id_cells if c.value is not None)
    # Frozen header, a filter over every column and row, readable widths, the checksum hidden.
    last = sheet.cell(1, len(header)).column_letter
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
    widths = {name: sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width for i, name in enumerate(header)}
    assert all(10 <= w <= 65 for w in widths.values()) and widths["Lý do"] > widths["Mã xã"]
    assert sheet.column_dimensions[last].hidden and all(len(r["Mã kiểm tra (không sửa)"]) == 64 for r in rows)
    # The answer column offers the catalogue's answers, in Vietnamese.
    assert choices(sheet) == [a["vi"] for a in ANSWERS.values()]

    # The export is in the audit log with the file's SHA-256 and its counts.
    with Store(campaign_copy / DATABASE_FILE, read_only=True) as store:
        entry = store.audit.entries(1).row(0, named=True)
    assert (entry["action"], entry["subject"]) == ("export", f"conflicts {commune} (xlsx, vi)")
    assert json.loads(entry["counts"]) == {"rows": mine.height, "communes": 1}
    assert json.loads(entry["files"]) == {str(path.resolve()): hashlib.sha256(path.read_bytes()).hexdigest()}


def test_all_communes_csv_is_one_utf8_file_per_commune(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    found = conflicts(campaign_copy)
    cli("export", "conflicts", "--out", tmp_path / "ds.csv", "--all", "--lang", "en", "--campaign", campaign_copy,
        env=ON_DAY)
    communes = sorted(set(found["commune"].to_list()))
    assert sorted(p.name for p in tmp_path.glob("ds_*.csv")) == [f"ds_{c}_{DAY}.csv" for c in communes]
    seen = []
    for commune in communes:
        raw = (tmp_path / f"ds_{commune}_{DAY}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: spreadsheet programs then read UTF-8
        header, *rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert header[:2] == ["Registration or personal ID", "Commune code"] and header[-3:-1] == [
            "Police answer", "Police note"]
        assert {r[1] for r in rows} == {commune}
        expected = found.filter(pl.col("commune") == commune)
        assert [r[header.index("Husband: personal ID (population)")] for r in rows] == \
            [p or "" for p in expected["husband_person_id"].to_list()]
        seen += [r[0] for r in rows]
    assert seen == found["record_id"].to_list()
    assert any(p.startswith("0") for p in found["husband_person_id"].drop_nulls().to_list())


def test_all_communes_xlsx_is_one_sheet_per_commune(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    found = conflicts(campaign_copy)
    cli("export", "conflicts", "--lang", "vi", "--out", tmp_path / "ds.xlsx", "--all", "--campaign", campaign_copy, env=ON_DAY)
    book = load_workbook(tmp_path / f"ds_all_{DAY}.xlsx")
    communes = sorted(set(found["commune"].to_list()))
    assert book.sheetnames == [*communes, "lists"]
    for commune in communes:
        rows = sheet_rows(book[commune])
        assert {r["Mã xã"] for r in rows} == {commune}
        assert [r["Số đăng ký / số định danh"] for r in rows] == \
            found.filter(pl.col("commune") == commune)["record_id"].to_list()


def test_help_has_an_example(cli: Cli) -> None:
    assert "Example: reconcile export conflicts --out danh_sach.xlsx --commune" in cli(
        "export", "conflicts", "--help").output


def test_export_refuses_what_would_go_wrong(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    commune = busiest(conflicts(campaign_copy))
    out = tmp_path / "lists" / "ds.xlsx"
    cases = [
        (["--commune", "1975"], "--commune must be a current 5-digit commune code, got '1975'"),
        (["--commune", "../../etc"], "--commune must be a current 5-digit commune code"),
        (["--commune", "19753/.."], "--commune must be a current 5-digit commune code"),
        (["--commune", "99999"], "commune 99999 has no results in this campaign"),
        (["--commune", commune, "--all"], "give either --commune CODE or --all"),
        ([], "give either --commune CODE or --all"),
        (["--all", "--format", "ods"], "--format must be one of xlsx, csv, got 'ods'"),
        (["--all", "--lang", "fr"], "--lang must be vi or en, got 'fr'"),
    ]
    for args, says in cases:
        said = cli("export", "conflicts", "--lang", "vi", "--out", out, *args, "--campaign", campaign_copy, code=1).output
        assert says in said and "Traceback" not in said
    assert not out.parent.exists()
    # A list that exists (perhaps one that came back with answers) is never overwritten.
    cli("export", "conflicts", "--lang", "vi", "--out", out, "--commune", commune, "--campaign", campaign_copy, env=ON_DAY)
    written = out.parent / f"ds_{commune}_{DAY}.xlsx"
    before = written.read_bytes()
    said = cli("export", "conflicts", "--lang", "vi", "--out", out, "--commune", commune, "--campaign", campaign_copy, env=ON_DAY,
               code=1).output
    assert "already exists" in said and written.read_bytes() == before
    # A commune with results but no open conflict gets no list.
    with Store(campaign_copy / DATABASE_FILE, read_only=True) as store:
        results = store.results.current()
    calm = sorted(set(results["commune"].to_list()) - set(results.filter(pl.col("bucket") == "conflict")["commune"]))[0]
    said = cli("export", "conflicts", "--lang", "vi", "--out", out, "--commune", calm, "--campaign", campaign_copy,
               env=ON_DAY).output
    assert f"No open conflicts in commune {calm}: no list written." in said
    assert sorted(p.name for p in out.parent.iterdir()) == [written.name]


def test_a_conflict_without_a_known_commune_is_in_no_list(sample_campaign: Path) -> None:
    with Store(sample_campaign / DATABASE_FILE, read_only=True) as store:
        found = open_conflicts(store)
    unknown = found.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("")).otherwise(pl.col("commune"))
                                 .alias("commune"))
    lists = commune_lists(unknown, {}, {}, "vi")
    listed = [row[0] for cl in lists for row in cl.rows]
    assert found["record_id"][0] not in listed and len(listed) == found.height - 1
    assert all(COMMUNE_CODE.fullmatch(cl.commune) for cl in lists)


@pytest.mark.slow
def test_formula_name_stays_text_in_excel_and_libreoffice(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    """A name such as =HYPERLINK(…) is text in the workbook and in LibreOffice; Vietnamese and the
    IDs' leading zeros come through LibreOffice unchanged."""
    found = conflicts(campaign_copy)
    record = found.filter(pl.col("reasons").str.contains("DEAD_BEFORE_MARRIAGE")).row(0, named=True)
    formula = '=HYPERLINK("http://x","y")'
    registry = pl.read_csv(SAMPLE / "registry.csv", infer_schema=False).with_columns(
        pl.when(pl.col("Số đăng ký") == record["record_id"]).then(pl.lit(formula))
        .otherwise(pl.col("Họ và tên chồng")).alias("Họ và tên chồng"))
    registry.write_csv(tmp_path / "registry.csv")
    cli("ingest", "--registry", tmp_path / "registry.csv", "--campaign", campaign_copy, env=ON_DAY)
    cli("run", "--commune", record["commune"], "--campaign", campaign_copy, env=ON_DAY)
    for fmt in ("xlsx", "csv"):
        cli("export", "conflicts", "--lang", "vi", "--out", tmp_path / "out" / "ds", "--commune", record["commune"],
            "--format", fmt,
            "--campaign", campaign_copy, env=ON_DAY)
    workbook = tmp_path / "out" / f"ds_{record['commune']}_{DAY}.xlsx"

    sheet = load_workbook(workbook)[record["commune"]]
    row = 1 + [c.value for c in sheet["A"]].index(record["record_id"])
    cell = sheet.cell(row, column(sheet, "Chồng: họ tên (hộ tịch)"))
    assert cell.data_type == "s" and not str(cell.value).startswith("=") and cell.value == "'" + formula

    converted = soffice(workbook, tmp_path / "libreoffice", CSV_UTF8)
    calc = list(csv.reader(converted.read_text(encoding="utf-8").splitlines()))
    ours = list(csv.reader((tmp_path / "out" / f"ds_{record['commune']}_{DAY}.csv").read_text(
        encoding="utf-8-sig").splitlines()))
    # LibreOffice shows every cell exactly as the list's own CSV has it: Vietnamese, IDs, the formula as text.
    assert calc == ours
    header = calc[0]
    assert header[0] == "Số đăng ký / số định danh" and "Chồng: ngày sinh (dân cư)" in header
    shown = {r[0]: dict(zip(header, r)) for r in calc[1:]}[record["record_id"]]
    assert shown["Chồng: họ tên (hộ tịch)"] == "'" + formula
    assert shown[HUSBAND_ID] == record["husband_person_id"] and shown[HUSBAND_ID].startswith("0")
    assert shown["Lý do"] == REASONS["DEAD_BEFORE_MARRIAGE"]["vi"]
    # Vietnamese letters (ă â đ ê ô ơ ư and the toned ones) in the rows, not only the header.
    assert any(re.search("[ăâđêôơưạ-ỹ]", value) for r in calc[1:] for value in r)


RECORDED_AS = "Ghi nhận là vợ chồng của nhau (dân cư)"
RUNNER_UP = ("Cặp vợ chồng thứ hai: số định danh chồng (dân cư)", "Cặp vợ chồng thứ hai: số định danh vợ (dân cư)")


def test_a_conflicts_couple_evidence_is_listed_how_recorded_and_its_runner_up(cli: Cli, campaign_copy: Path,
                                                                               tmp_path: Path) -> None:
    found = conflicts(campaign_copy)
    both = found.filter(pl.col("husband_person_id").is_not_null() & pl.col("wife_person_id").is_not_null())
    record = both.row(0, named=True)
    with Store(campaign_copy / DATABASE_FILE) as store:
        links = store.frame("SELECT s.role, k.couple_recorded, k.couple_weight FROM links k "
                            "JOIN spouses s USING (unique_id) WHERE k.run_id = ? AND s.registration_id = ? "
                            "ORDER BY s.role", [record["run_id"], record["record_id"]])
        # A runner-up couple as a namesake couple would make it: two other persons of the province.
        others = store.frame("SELECT unique_id, person_id FROM persons WHERE person_id NOT IN (?, ?) "
                             "ORDER BY person_id LIMIT 2", [record["husband_person_id"], record["wife_person_id"]])
        for role, (uid, _) in zip(("husband", "wife"), others.rows()):
            store.con.execute("UPDATE links SET couple_lead = 1.5, runner_up_uid = ? WHERE run_id = ? AND unique_id = "
                              "(SELECT unique_id FROM spouses WHERE registration_id = ? AND role = ?)",
                              [uid, record["run_id"], record["record_id"], role])
    assert links["couple_weight"].null_count() == 0, "the sample's first conflict with both spouses linked is a couple"
    cli("export", "conflicts", "--lang", "vi", "--out", tmp_path / "ds.xlsx", "--commune", record["commune"], "--campaign",
        campaign_copy, env=ON_DAY)
    rows = {r["Số đăng ký / số định danh"]: r for r in sheet_rows(
        load_workbook(tmp_path / f"ds_{record['commune']}_{DAY}.xlsx")[record["commune"]])}
    row = rows[record["record_id"]]
    expected = {"id": "Theo số định danh", "both_ways": "Cả hai ghi họ tên", "name": "Theo họ tên", None: "Không"}
    assert row[RECORDED_AS].startswith(expected[links["couple_recorded"][0]])
    assert [row[header] for header in RUNNER_UP] == others["person_id"].to_list()
    # Other conflicts: no runner-up; a marriage without a candidate couple shows no couple evidence.
    assert all(r[RUNNER_UP[0]] is None for key, r in rows.items() if key != record["record_id"])
    alone = found.filter(pl.col("husband_person_id").is_null() & (pl.col("commune") == record["commune"]))
    assert all(rows[key][RECORDED_AS] is None for key in alone["record_id"])



def test_the_list_speaks_the_command_lines_language_unless_told(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    # Vietnamese by default (no RECONCILE_LANG), English with RECONCILE_LANG=en, and --lang wins.
    for env, args, first in (({"RECONCILE_LANG": ""}, (), "Số đăng ký / số định danh"),
                             ({"RECONCILE_LANG": "en"}, (), "Registration or personal ID"),
                             ({"RECONCILE_LANG": "en"}, ("--lang", "vi"), "Số đăng ký / số định danh")):
        out = tmp_path / f"{env['RECONCILE_LANG'] or 'default'}{len(args)}" / "ds.csv"
        cli("export", "conflicts", "--out", out, "--all", *args, "--campaign", campaign_copy, env={**ON_DAY, **env})
        written = next(out.parent.glob("*.csv"))
        assert written.read_text(encoding="utf-8-sig").split(",")[0] == first
        # The registry's status in words of the list's language, not as a code.
        with written.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        status = "Tình trạng (hộ tịch)" if first.startswith("Số") else "Status (registry)"
        shown = {r[status] for r in rows}
        assert ("Còn hiệu lực" in shown and "valid" not in shown) if first.startswith("Số") else "valid" in shown
