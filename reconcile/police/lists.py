"""Conflict lists for the police: one sheet (XLSX) or one file (CSV) per commune, the registry's
and the population's values side by side, the reasons in words, the couple evidence (how the
linked persons record each other as spouse, the runner-up couple's persons), and two columns to
fill in: an answer from a drop-down list and a note.

What a spreadsheet could spoil is fixed here: IDs are text (leading zeros kept), a value that
would run as a formula is made text, CSV carries a BOM so Vietnamese shows right, and each row
carries the checksum of its data cells (hidden in XLSX) so that import sees any other change.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from reconcile.errors import UserError
from reconcile.police.sheet import (
    COLUMNS,
    COMMUNE_CODE,
    DATA_COLUMNS,
    INDEX,
    LISTS_SHEET,
    NOT_IN_LIST,
    PROMPT,
    RECORDED,
    Answer,
    cell_text,
    headers,
    row_checksum,
    safe_text,
    status_words,
)
from reconcile.ruleset import Reason

FORMATS = ("xlsx", "csv")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
_MIN_WIDTH, _MAX_WIDTH = 10, 45


@dataclass(frozen=True)
class CommuneList:
    """One commune's open conflicts as list rows: cell values in `COLUMNS` order."""

    commune: str
    rows: list[list[object]]


def list_row(record: Mapping[str, object], reasons: Mapping[str, Reason], commune_name: str, lang: str) -> list[object]:
    """One record's cells: text made safe, probabilities rounded, the answer and note empty, the checksum."""
    codes = [c for c in str(record["reasons"] or "").split(";") if c]
    recorded = record.get("couple_recorded")
    values = {"reasons": "; ".join(reasons[c].text(lang) if c in reasons else c for c in codes),
              "commune_name": commune_name,
              "couple_recorded": RECORDED[recorded][lang] if recorded in RECORDED else recorded}
    cells: list[object] = []
    for column in DATA_COLUMNS:
        value = values[column.key] if column.key in values else status_words(column.key, record[column.key], lang)
        if value is None or value == "":
            cells.append(None)
        elif column.kind == "probability":
            cells.append(round(float(value), 4))  # type: ignore[arg-type]
        else:
            cells.append(safe_text(str(value)))
    checksum = row_checksum([cell_text(v, c.kind) for v, c in zip(cells, DATA_COLUMNS)])
    return [*cells, None, None, checksum]


def commune_lists(conflicts: pl.DataFrame, reasons: Mapping[str, Reason], names: Mapping[str, str],
                  lang: str) -> list[CommuneList]:
    """The conflicts grouped by commune (only 5-digit codes: a code names a sheet or a file)."""
    lists = []
    for commune in sorted(set(conflicts["commune"].drop_nulls().to_list())):
        if not COMMUNE_CODE.fullmatch(commune):
            continue
        records = conflicts.filter(pl.col("commune") == commune).sort("record_id")
        lists.append(CommuneList(commune, [list_row(r, reasons, names.get(commune, ""), lang)
                                           for r in records.iter_rows(named=True)]))
    return lists


def list_path(out: Path, label: str, day: date, fmt: str) -> Path:
    """`OUT_STEM_<commune or all>_<date>.<format>` beside `out` (inside it, if it is a folder)."""
    if label != "all" and not COMMUNE_CODE.fullmatch(label):
        raise UserError.said("err_commune_code", value=label)
    if out.is_dir():
        return out / f"conflicts_{label}_{day.isoformat()}.{fmt}"
    return out.with_name(f"{out.stem or 'conflicts'}_{label}_{day.isoformat()}.{fmt}")


def _widths(sheet: Worksheet, rows: Sequence[Sequence[object]], answers: Sequence[str]) -> None:
    for i, column in enumerate(COLUMNS, start=1):
        longest = max((len(cell_text(r[i - 1], column.kind)) for r in rows), default=0)
        if column.kind == "answer":
            longest = max((len(a) for a in answers), default=0)
        elif column.kind == "note":
            longest = 30
        width = min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH + (20 if column.kind == "answer" else 0))
        sheet.column_dimensions[get_column_letter(i)].width = width


def _fill_sheet(sheet: Worksheet, rows: Sequence[Sequence[object]], lang: str, answers: Sequence[str]) -> None:
    sheet.append(headers(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = _ANSWER_FILL if COLUMNS[cell.column - 1].kind in ("answer", "note") else _HEADER_FILL
    sheet.row_dimensions[1].height = 45
    for r, row in enumerate(rows, start=2):
        for c, (value, column) in enumerate(zip(row, COLUMNS), start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if column.kind == "probability":
                cell.number_format = "0.0000"
                continue
            cell.number_format = "@"  # text: what is typed in stays as typed (an ID keeps its zeros)
            if value is not None:
                cell.data_type = "s"  # never a formula, whatever the text
            if column.kind in ("answer", "note"):
                cell.fill = _ANSWER_FILL
    last_row, last_col = max(len(rows) + 1, 2), get_column_letter(len(COLUMNS))
    sheet.freeze_panes = "B2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.auto_filter.ref = f"A1:{last_col}{last_row}"
    sheet.column_dimensions[last_col].hidden = True  # the checksum
    answer_col = get_column_letter(INDEX["answer"] + 1)
    valid = DataValidation(type="list", formula1=f"={LISTS_SHEET}!$A$1:$A${len(answers)}", allow_blank=True,
                           showErrorMessage=True, errorStyle="stop", showInputMessage=True)
    valid.promptTitle, valid.prompt = PROMPT[lang]
    valid.errorTitle, valid.error = NOT_IN_LIST[lang]
    valid.add(f"{answer_col}2:{answer_col}{last_row}")
    sheet.add_data_validation(valid)
    _widths(sheet, rows, answers)


def _write_xlsx(path: Path, lists: Sequence[CommuneList], lang: str, answers: Sequence[Answer]) -> None:
    book = Workbook()
    book.remove(book.active)
    texts = [a.text(lang) for a in answers]
    for commune_list in lists:
        _fill_sheet(book.create_sheet(commune_list.commune), commune_list.rows, lang, texts)
    choices = book.create_sheet(LISTS_SHEET)
    for text in texts:
        choices.append([text])
    choices.sheet_state = "hidden"
    book.active = 0
    book.save(path)


def _write_csv(path: Path, rows: Sequence[Sequence[object]], lang: str) -> None:
    # UTF-8 with a BOM and CRLF: what spreadsheet programs read as UTF-8 without asking.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(headers(lang))
        writer.writerows([cell_text(v, c.kind) for v, c in zip(row, COLUMNS)] for row in rows)


def write_lists(lists: Sequence[CommuneList], out: Path, fmt: str, lang: str, answers: Sequence[Answer],
                day: date, one_commune: bool) -> list[tuple[Path, int]]:
    """Write the lists: XLSX one workbook (a sheet per commune), CSV a file per commune. Refuses
    to overwrite a file (it may be a list that came back with answers). Returns (file, rows)."""
    if fmt == "xlsx":
        label = lists[0].commune if one_commune else "all"
        planned = [(list_path(out, label, day, fmt), lists)]
    else:
        planned = [(list_path(out, cl.commune, day, fmt), [cl]) for cl in lists]
    existing = [str(path) for path, _ in planned if path.exists()]
    if existing:
        raise UserError.said("err_list_exists", files=", ".join(existing))
    planned[0][0].parent.mkdir(parents=True, exist_ok=True)
    written = []
    for path, part in planned:
        staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            if fmt == "xlsx":
                _write_xlsx(staged, part, lang, answers)
            else:
                _write_csv(staged, part[0].rows, lang)
            staged.replace(path)
        finally:
            staged.unlink(missing_ok=True)
        written.append((path, sum(len(cl.rows) for cl in part)))
    return written
