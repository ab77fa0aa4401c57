"""Spreadsheet work as the police would do it, for the conflict-list tests: LibreOffice headless
conversions, and choosing answers from a list's drop-down with openpyxl."""

from __future__ import annotations

import subprocess
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

# LibreOffice's CSV filter: comma, double quote, UTF-8 (76), from row 1, cells as shown.
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
ANSWER = "Trả lời của công an"
NOTE = "Ghi chú của công an"


def soffice(src: Path, outdir: Path, target: str) -> Path:
    """Convert `src` with LibreOffice headless (a private profile, so runs never share one)."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / "lo-profile").resolve().as_uri()
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                           "--outdir", str(outdir), str(src)], capture_output=True, text=True, timeout=180)
    converted = outdir / f"{src.stem}.{target.split(':')[0]}"
    assert done.returncode == 0 and converted.is_file(), f"soffice failed: {done.stdout}\n{done.stderr}"
    return converted


def column(sheet: Worksheet, header: str) -> int:
    """The 1-based column whose header is `header`."""
    return [c.value for c in sheet[1]].index(header) + 1


def choices(sheet: Worksheet) -> list[str]:
    """The answers the drop-down of the sheet's answer column offers."""
    answer = column(sheet, ANSWER)
    for valid in sheet.data_validations.dataValidation:
        if any(rng.min_col == answer for rng in valid.sqref.ranges):
            assert valid.type == "list"
            source, cells = valid.formula1.lstrip("=").split("!")
            first, last = cells.replace("$", "").split(":")
            return [c.value for (c,) in sheet.parent[source][first:last]]
    raise AssertionError("the answer column has no drop-down list")


def fill_answers(path: Path, out: Path, answers: dict[str, tuple[int, str]]) -> None:
    """Choose answer number N of the drop-down (and type a note) in the rows of these records."""
    book = load_workbook(path)
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        offered, answer, note = choices(sheet), column(sheet, ANSWER), column(sheet, NOTE)
        for row in range(2, sheet.max_row + 1):
            record = sheet.cell(row, 1).value
            if record in answers:
                pick, text = answers[record]
                sheet.cell(row, answer).value = offered[pick]
                sheet.cell(row, note).value = text or None
    book.save(out)
