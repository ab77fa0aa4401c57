"""Checks on XLSX workbooks before reading: which sheet is read, where its table starts, merged cells."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from hostile_files import HEADER, ROWS, workbook

from reconcile.errors import InputFileError
from reconcile.ingest.readers import read_table
from reconcile.ingest.workbook import check_workbook


def test_the_table_start_is_the_first_row_with_a_value(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(workbook([HEADER, *ROWS], start=(4, 3)))
    assert check_workbook(path) == 4
    assert read_table(path).rows["source_row"].to_list() == [5, 6, 7]


def test_only_the_sheet_that_is_read_is_checked_for_merged_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Ghi chú"
    notes.append(["Người lập biểu"])
    notes.merge_cells("A1:D2")
    data = book.create_sheet("Kết hôn")
    for row in [HEADER, *ROWS]:
        data.append(row)
    book.move_sheet(data, offset=-1)  # the data sheet first: it is the one read
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "r.xlsx"
    path.write_bytes(buffer.getvalue())
    assert read_table(path).rows["Số đăng ký"].to_list() == [r[0] for r in ROWS]


def test_many_merged_ranges_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(workbook([HEADER, *ROWS], merged=("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3")))
    with pytest.raises(InputFileError, match=r"has merged cells \(([A-E]2:[A-E]3, ){2}[A-E]2:[A-E]3 and 2 more\);"):
        read_table(path)
