"""`reconcile import-answers`: the police's answers come back, all applied as decisions or none."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from conftest import SAMPLE, Cli, table_row
from reconcile.errors import CampaignError
from reconcile.police.sheet import COLUMNS, DATA_COLUMNS, cell_text, row_checksum
from reconcile.store import AuditEntry, NewDecision, Store
from reconcile.store.campaign import DATABASE_FILE
from spreadsheet import ANSWER, NOTE, column, fill_answers, soffice
from test_police_lists import DAY, ON_DAY, busiest, conflicts

WIDE = {**ON_DAY, "COLUMNS": "300"}
CORRECTED, REGISTRY_WRONG, NOT_SAME = 0, 1, 2  # positions in the drop-down (rules/answers.toml)
RUNNER_UP_HUSBAND = "Cặp vợ chồng thứ hai: số định danh chồng (dân cư)"


def export(cli: Cli, campaign: Path, commune: str, folder: Path, fmt: str = "xlsx", lang: str = "vi") -> Path:
    cli("export", "conflicts", "--out", folder / "ds", "--commune", commune, "--format", fmt, "--lang", lang,
        "--campaign", campaign, env=ON_DAY)
    return folder / f"ds_{commune}_{DAY}.{fmt}"


def current(campaign: Path) -> dict[str, dict[str, object]]:
    with Store(campaign / DATABASE_FILE, read_only=True) as store:
        return {r["record_id"]: r for r in store.results.current().iter_rows(named=True)}


def stored(campaign: Path) -> tuple[int, list[str]]:
    """How many decisions the campaign holds, and its audit actions."""
    with Store(campaign / DATABASE_FILE, read_only=True) as store:
        decisions = store.frame("SELECT count(*) AS n FROM decisions")["n"][0]
        return decisions, store.frame("SELECT action FROM audit ORDER BY entry_id")["action"].to_list()


@pytest.mark.slow
def test_answers_close_conflicts_and_a_corrected_one_is_checked_again(cli: Cli, campaign_copy: Path,
                                                                       tmp_path: Path) -> None:
    # Each spouse judged alone ([couples] off): the small sample then has a commune with a spouse
    # dead before the marriage and two other conflicts whose spouses are both linked.
    buckets = campaign_copy / "rules" / "buckets.toml"
    buckets.write_text(buckets.read_text(encoding="utf-8").replace("enabled = true", "enabled = false"), encoding="utf-8")
    cli("run", "--all", "--campaign", campaign_copy, env=ON_DAY)
    found = conflicts(campaign_copy)
    dead = found.filter(pl.col("reasons").str.contains("DEAD_BEFORE_MARRIAGE")).row(0, named=True)
    commune = dead["commune"]
    linked = found.filter((pl.col("commune") == commune) & (pl.col("record_id") != dead["record_id"])
                          & pl.col("husband_person_id").is_not_null() & pl.col("wife_person_id").is_not_null())
    assert linked.height >= 2, "the sample has three conflicts in this commune"
    wrong_registry, other_person = linked.row(0, named=True), linked.row(1, named=True)

    path = export(cli, campaign_copy, commune, tmp_path)
    untouched = cli("import-answers", path, "--campaign", campaign_copy, code=1).output
    assert "no answers yet; choose an answer in the answer column" in untouched
    answered = tmp_path / "returned.xlsx"
    fill_answers(path, answered, {dead["record_id"]: (CORRECTED, "đã xoá ngày mất nhập nhầm"),
                                  wrong_registry["record_id"]: (REGISTRY_WRONG, ""),
                                  other_person["record_id"]: (NOT_SAME, "khác năm sinh")})
    out = cli("import-answers", answered, "--by", "Công an phường", "--campaign", campaign_copy, env=WIDE).output
    assert f"3 decision(s) stored for commune(s) {commune}" in out
    assert table_row(out, "population_corrected")[1] == "1" and table_row(out, "registry_wrong")[1] == "1"

    now = current(campaign_copy)
    first, second, third = (now[r["record_id"]] for r in (dead, wrong_registry, other_person))
    assert (first["decision"], first["decision_status"], first["decided_by"]) == ("defer", "deferred", "Công an phường")
    assert first["decision_note"] == ("Công an trả lời: Đã chỉnh sửa CSDL dân cư: đối chiếu lại ở lần chạy sau — "
                                      "đã xoá ngày mất nhập nhầm")
    assert (second["decision"], second["decision_status"]) == ("accept", "decided")
    assert second["decision_person_ids"] == f"{wrong_registry['husband_person_id']};{wrong_registry['wife_person_id']}"
    assert (third["decision"], third["decision_status"], third["decision_person_ids"]) == ("reject", "decided", None)
    assert third["decision_note"].endswith("Không phải cùng một người — khác năm sinh")
    review = cli("review", "--commune", commune, "--page-size", "500", "--campaign", campaign_copy, env=WIDE).output
    assert dead["record_id"] in review and "deferred by Công an phường" in review
    assert wrong_registry["record_id"] not in review and other_person["record_id"] not in review
    with Store(campaign_copy / DATABASE_FILE, read_only=True) as store:
        entry = store.audit.entries(1).row(0, named=True)
    assert (entry["action"], entry["subject"]) == ("import", "answers returned.xlsx")
    assert json.loads(entry["counts"]) == {"answers": 3, "population_corrected": 1, "registry_wrong": 1,
                                           "not_same_person": 1}
    assert json.loads(entry["files"]) == {str(answered.resolve()): hashlib.sha256(answered.read_bytes()).hexdigest()}

    # The same file again applies nothing: two of its records are closed now.
    rows = {r[0].value: r[0].row for r in load_workbook(answered)[commune].iter_rows(min_row=2, max_col=1)}
    again = cli("import-answers", answered, "--by", "Công an phường", "--campaign", campaign_copy, code=1,
                env=WIDE).output
    problems = {cells[1]: cells[3] for cells in _problems(again, commune)}
    assert sorted(problems) == sorted(str(rows[r["record_id"]]) for r in (wrong_registry, other_person))
    assert all("no longer an open conflict (now decided)" in says for says in problems.values())
    assert "no answer applied: 2 problem(s) in returned.xlsx" in again
    assert stored(campaign_copy)[0] == 3

    # The police corrected the population export: the next run checks the deferred record again.
    persons = [dead["husband_person_id"], dead["wife_person_id"]]
    population = pl.read_csv(SAMPLE / "population.csv", infer_schema=False).with_columns(
        pl.when(pl.col("Số định danh cá nhân").str.zfill(12).is_in(persons)).then(None)
        .otherwise(pl.col("Ngày mất")).alias("Ngày mất"))
    population.write_csv(tmp_path / "population.csv")
    cli("ingest", "--population", tmp_path / "population.csv", "--campaign", campaign_copy, env=ON_DAY)
    cli("run", "--commune", commune, "--campaign", campaign_copy, env=ON_DAY)
    rechecked = current(campaign_copy)[dead["record_id"]]
    assert "DEAD_BEFORE_MARRIAGE" not in (rechecked["reasons"] or "")
    assert (rechecked["decision"], rechecked["decision_status"]) == ("defer", "needs_recheck")
    review = cli("review", "--commune", commune, "--page-size", "500", "--campaign", campaign_copy, env=WIDE).output
    assert dead["record_id"] in review and "recheck: was defer" in review


def _problems(output: str, sheet: str) -> list[list[str]]:
    """The rows of the problems table shown for a sheet: sheet, row, column, problem."""
    rows = [[c.strip() for c in line.strip("│").split("│")] for line in output.splitlines() if line.startswith("│")]
    return [r for r in rows if r[0] == sheet]


def _edit(path: Path, out: Path, change: Callable[[Worksheet], object]) -> None:
    book = load_workbook(path)
    change(book.worksheets[0])
    book.save(out)


def _set(sheet: Worksheet, row: int, header: str, value: str | None) -> None:
    sheet.cell(row, column(sheet, header)).value = value


def _copy_row(sheet: Worksheet, row: int, record_id: str | None = None) -> None:
    """Append a copy of a row (with another record ID and a checksum made for it, if given)."""
    values = [c.value for c in sheet[row]]
    if record_id is not None:
        values[0] = record_id
        values[-1] = row_checksum([cell_text(v, c.kind) for v, c in zip(values, DATA_COLUMNS)])
    sheet.append(values)


# Each returned list has one wrong row (or cell) among right answers: (what, the edit, the row it is
# in (0 = a row appended at the end), its column's header, what the problem says).
WRONG = {
    "changed name": (lambda s: _set(s, 3, "Chồng: họ tên (hộ tịch)", "Nguyễn Văn Sửa"), 3,
                     "G (Chồng: họ tên (hộ tịch))", "changed outside the answer columns"),
    "answer not in list": (lambda s: _set(s, 3, ANSWER, "Đã xác minh"), 3, f"AF ({ANSWER})",
                           "'Đã xác minh' is not in the list; choose one of"),
    "unknown record": (lambda s: _copy_row(s, 2, "046099999123"), 0, "A (Số đăng ký / số định danh)",
                       "unknown record *********123: not in the campaign's current results"),
    "duplicate row": (lambda s: _copy_row(s, 2), 0, "A (Số đăng ký / số định danh)", "is also in sheet"),
    "formula": (lambda s: _set(s, 3, ANSWER, "=lists!A1"), 3, f"AF ({ANSWER})", "a formula"),
    "note without answer": (lambda s: (_set(s, 3, ANSWER, None), _set(s, 3, NOTE, "chưa rõ")), 3,
                            f"AG ({NOTE})", "a note without an answer"),
    "changed couple evidence": (lambda s: _set(s, 3, RUNNER_UP_HUSBAND, "046099999123"), 3,
                                f"AD ({RUNNER_UP_HUSBAND})", "changed outside the answer columns"),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_one_wrong_row_applies_nothing_and_is_named(cli: Cli, campaign_copy: Path, tmp_path: Path, case: str) -> None:
    change, row, where, says = WRONG[case]
    commune = busiest(conflicts(campaign_copy))
    path = export(cli, campaign_copy, commune, tmp_path)
    records = [r[0].value for r in load_workbook(path)[commune].iter_rows(min_row=2, max_col=1)]
    answered = tmp_path / "answered.xlsx"
    fill_answers(path, answered, {r: (NOT_SAME, "") for r in records})
    _edit(answered, tmp_path / "wrong.xlsx", change)
    before = stored(campaign_copy)

    out = cli("import-answers", tmp_path / "wrong.xlsx", "--by", "Công an", "--campaign", campaign_copy, code=1,
              env=WIDE).output
    row = row or len(records) + 2
    assert [p[1:3] for p in _problems(out, commune) if says in p[3]] == [[str(row), where]], out
    assert "no answer applied" in out and "Nothing applied from wrong.xlsx" in out
    assert "046099999123" not in out  # IDs in messages are masked
    assert stored(campaign_copy) == before, "nothing stored, not even an audit entry"
    # The right list itself goes in whole.
    ok = cli("import-answers", answered, "--by", "Công an", "--campaign", campaign_copy, env=WIDE).output
    assert f"{len(records)} decision(s) stored" in ok


def test_help_has_an_example(cli: Cli) -> None:
    assert "Example: reconcile import-answers" in cli("import-answers", "--help").output


def test_a_batch_with_a_failing_decision_stores_none(campaign_copy: Path) -> None:
    found = conflicts(campaign_copy)
    good = NewDecision(found["record_id"][0], "reject", [], "fine")
    bad = NewDecision(found["record_id"][1], "accept", ["046000000000"], "no such person")
    with Store(campaign_copy / DATABASE_FILE) as store:
        with pytest.raises(CampaignError, match="no population person"):
            store.decisions.save_all([good, bad], "Công an", date(2025, 6, 2), AuditEntry("import", "Công an", "x.xlsx"))
    assert stored(campaign_copy)[0] == 0


def test_csv_answers_saved_by_a_vietnamese_spreadsheet_go_in(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    """A CSV list answered in English and saved the way a Vietnamese-locale spreadsheet saves it:
    semicolons, decimal commas."""
    commune = busiest(conflicts(campaign_copy))
    path = export(cli, campaign_copy, commune, tmp_path, "csv", "en")
    header, *rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    answer, note = header.index("Police answer"), header.index("Police note")
    rows[0][answer], rows[0][note] = "Not the same person", "born in another year"
    rows[1][answer] = "  population record corrected: CHECK again on the next run "  # as typed by hand
    for r in rows:
        for i, name in enumerate(header):
            if name.endswith("match probability"):
                r[i] = r[i].replace(".", ",")
    with (tmp_path / "returned.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *rows])
    out = cli("import-answers", tmp_path / "returned.csv", "--by", "Police", "--campaign", campaign_copy,
              env=WIDE).output
    assert "2 decision(s) stored" in out
    now = current(campaign_copy)
    assert now[rows[0][0]]["decision_note"] == "Police answer: Not the same person — born in another year"
    assert now[rows[1][0]]["decision"] == "defer"


@pytest.mark.slow
def test_a_list_saved_by_libreoffice_goes_in(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    """Answers chosen in the workbook, saved again by a real spreadsheet program, still import."""
    commune = busiest(conflicts(campaign_copy))
    path = export(cli, campaign_copy, commune, tmp_path)
    records = [r[0].value for r in load_workbook(path)[commune].iter_rows(min_row=2, max_col=1)]
    fill_answers(path, tmp_path / "answered.xlsx", {records[0]: (NOT_SAME, "khác người")})
    saved = soffice(tmp_path / "answered.xlsx", tmp_path / "calc", "xlsx")
    out = cli("import-answers", saved, "--by", "Công an", "--campaign", campaign_copy, env=WIDE).output
    assert "1 decision(s) stored" in out
    assert current(campaign_copy)[records[0]]["decision_note"].endswith("Không phải cùng một người — khác người")


# A list exported before the couple columns (ebc9621), still with the police mid-campaign: the
# same columns without these three, its answer and note in AC and AD, its checksum in AE.
COUPLE_HEADERS = {
    "vi": ("Ghi nhận là vợ chồng của nhau (dân cư)", RUNNER_UP_HUSBAND, "Cặp vợ chồng thứ hai: số định danh vợ (dân cư)"),
    "en": ("Recorded as each other's spouse (population)", "Runner-up couple: husband's personal ID (population)",
           "Runner-up couple: wife's personal ID (population)"),
}
NOT_SAME_TEXT = {"vi": "Không phải cùng một người", "en": "Not the same person"}


def _table(path: Path, commune: str) -> list[list[object]]:
    """A list's rows, header first (one commune's sheet or the CSV)."""
    if path.suffix == ".csv":
        return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    return [list(r) for r in load_workbook(path)[commune].iter_rows(values_only=True)]


def _old_checksum(header: list[object], row: list[object]) -> str:
    """The previous version's row checksum: SHA-256 of its data cells' texts (all but the last
    three columns), joined by the unit separator."""
    kinds = {c.header(lang): c.kind for c in COLUMNS for lang in ("vi", "en")}
    texts = [cell_text(v, kinds[h]) for h, v in zip(header[:-3], row[:-3])]
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()


def _previous(table: list[list[object]], lang: str, drop: tuple[str, ...] | None = None) -> list[list[object]]:
    """A list as the previous version wrote it: without the couple columns, each row with the
    checksum of the cells it keeps."""
    header = table[0]
    gone = [header.index(h) for h in (COUPLE_HEADERS[lang] if drop is None else drop)]
    old = [[v for i, v in enumerate(r) if i not in gone] for r in table]
    for row in old[1:]:
        row[-1] = _old_checksum(old[0], row)
    return old


def _write(table: list[list[object]], path: Path, commune: str) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(table)
    else:
        book = Workbook()
        book.active.title = commune
        for row in table:
            book.active.append(row)
        book.save(path)
    return path


def _answer_all(table: list[list[object]], lang: str) -> list[list[object]]:
    answer = table[0].index(ANSWER if lang == "vi" else "Police answer")
    for row in table[1:]:
        row[answer] = NOT_SAME_TEXT[lang]
    return table


@pytest.mark.parametrize(("fmt", "lang"), [("xlsx", "vi"), ("csv", "en")])
def test_a_list_exported_before_the_couple_columns_goes_in(cli: Cli, campaign_copy: Path, tmp_path: Path, fmt: str,
                                                           lang: str) -> None:
    commune = busiest(conflicts(campaign_copy))
    table = _answer_all(_previous(_table(export(cli, campaign_copy, commune, tmp_path, fmt, lang), commune), lang),
                        lang)
    assert len(table[0]) == len(COLUMNS) - 3 and table[0][-3:] == [
        {"vi": ANSWER, "en": "Police answer"}[lang], {"vi": NOTE, "en": "Police note"}[lang],
        {"vi": "Mã kiểm tra (không sửa)", "en": "Checksum (do not edit)"}[lang]]
    path = _write(table, tmp_path / f"old.{fmt}", commune)
    out = cli("import-answers", path, "--by", "Công an", "--campaign", campaign_copy, env=WIDE).output
    assert f"{len(table) - 1} decision(s) stored" in out
    now = current(campaign_copy)
    assert all(now[r[0]]["decision"] == "reject" for r in table[1:])
    assert now[table[1][0]]["decision_note"].endswith(NOT_SAME_TEXT[lang])


def _old_set(table: list[list[object]], header: str, value: str, checksum: bool = False) -> None:
    """Change a cell of the first row (and make its checksum fit, the old way, if asked)."""
    table[1][table[0].index(header)] = value
    if checksum:
        table[1][-1] = _old_checksum(table[0], table[1])


# A wrong cell in a list of the previous layout: its edit, its column (in that layout), what the
# problem says.
OLD_WRONG = {
    "changed name": (lambda t: _old_set(t, "Chồng: họ tên (hộ tịch)", "Nguyễn Văn Sửa"),
                     "G (Chồng: họ tên (hộ tịch))", "changed outside the answer columns"),
    "changed name, checksum made to fit": (
        lambda t: _old_set(t, "Vợ: họ tên (dân cư)", "Trần Thị Sửa", True), "W (Vợ: họ tên (dân cư))",
        "changed in the campaign since this list"),
    "changed checksum": (lambda t: _old_set(t, "Mã kiểm tra (không sửa)", "0" * 64),
                         "AE (Mã kiểm tra (không sửa))", "changed outside the answer columns"),
    "answer not in list": (lambda t: _old_set(t, ANSWER, "Đã xác minh"), f"AC ({ANSWER})", "is not in the list"),
}


@pytest.mark.parametrize("case", list(OLD_WRONG))
def test_a_wrong_cell_in_a_list_of_the_previous_layout_is_named(cli: Cli, campaign_copy: Path, tmp_path: Path,
                                                               case: str) -> None:
    change, where, says = OLD_WRONG[case]
    commune = busiest(conflicts(campaign_copy))
    table = _answer_all(_previous(_table(export(cli, campaign_copy, commune, tmp_path), commune), "vi"), "vi")
    change(table)
    before = stored(campaign_copy)
    out = cli("import-answers", _write(table, tmp_path / "old.xlsx", commune), "--by", "Công an", "--campaign",
              campaign_copy, code=1, env=WIDE).output
    assert [p[1:] for p in _problems(out, commune)] == [["2", where, p[3]] for p in _problems(out, commune)
                                                        if says in p[3]] != [], out
    assert stored(campaign_copy) == before


def test_a_header_of_no_known_layout_is_refused(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    """Only some of the couple columns removed: neither the current layout nor the previous one."""
    commune = busiest(conflicts(campaign_copy))
    table = _answer_all(_previous(_table(export(cli, campaign_copy, commune, tmp_path), commune), "vi",
                                  COUPLE_HEADERS["vi"][1:]), "vi")
    before = stored(campaign_copy)
    out = cli("import-answers", _write(table, tmp_path / "half.xlsx", commune), "--by", "Công an", "--campaign",
              campaign_copy, code=1, env=WIDE).output
    assert [p[1:] for p in _problems(out, commune)] == [
        ["1", "—", "the header row is not a conflict list's; export a new list (columns must stay as exported, in "
                   "their order)"]]
    assert stored(campaign_copy) == before
