"""Broken and hostile input files, each with what a user must see when ingesting it.

A case is refused (one line naming the file, the campaign unchanged) or ingested (rows
read = accepted + rejected, each rejected row with its reason). The fault-injection
suite (test_faults_input.py) runs every case through `reconcile ingest`; the reader
tests use the same builders for the details.
"""

from __future__ import annotations

import codecs
import io
import os
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import polars as pl

HEADER = [
    "Số đăng ký", "Ngày đăng ký", "Mã xã đăng ký", "Họ và tên chồng", "Ngày sinh chồng",
    "Số giấy tờ tùy thân chồng", "Họ và tên vợ", "Ngày sinh vợ", "Tình trạng",
]
ROWS = [
    ["46-2003-Q01-0001", "12/02/2003", "19753", "Nguyễn Văn Hùng", "14/03/1976", "046076001234",
     "Trần Thị Thúy", "29/10/1978", ""],
    ["46-2003-Q01-0002", "15/03/2003", "19753", "Lê Văn Đức", "01/01/1975", "", "Phạm Thị Hương", "05/1979", ""],
    ["46-2003-Q01-0003", "20/04/2003", "19753", "Huỳnh Quốc Ánh", "1974", "", "Đặng Thị Yến", "1980", "ly hôn"],
]
SQL = "'; DROP TABLE marriages; --"


def csv_text(rows: list[list[str]], separator: str = ",", end: str = "\n", header: list[str] | None = HEADER) -> str:
    """CSV as a careful writer makes it (quoted where needed); `header=None` for rows only."""
    def cell(value: str) -> str:
        quote = any(c in value for c in (separator, '"', "\n", "\r"))
        return '"' + value.replace('"', '""') + '"' if quote else value

    lines = rows if header is None else [header, *rows]
    return "".join(separator.join(cell(v) for v in row) + end for row in lines)


def to_cp1258(text: str) -> bytes:
    """Text as a Vietnamese Windows wrote it in Windows-1258: letters with a hat, breve or horn
    are one byte, most tones a combining mark after them."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
            letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
            out += (letter + "".join(tones)).encode("cp1258")
    return bytes(out)


def workbook(rows: list[list[object]], merged: tuple[str, ...] = (), start: tuple[int, int] = (1, 1)) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            sheet.cell(start[0] + i, start[1] + j, value)
    for cells in merged:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in members.items():
            book.writestr(name, data)
    return buffer.getvalue()


def declared_size(data: bytes, member: str, size: int) -> bytes:
    """A zip whose directory claims that `member` unpacks to `size` bytes (below 4 GiB: no zip64)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack("<H", out[at + 28:at + 30])[0]
        if out[at + 46:at + 46 + name_length] == member.encode():
            out[at + 24:at + 28] = struct.pack("<I", size)  # central directory: uncompressed size
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def damaged(data: bytes, member: str) -> bytes:
    """A zip with the deflated bytes of one member overwritten in the middle."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        info = book.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    out = bytearray(data)
    middle = start + info.compress_size // 2
    out[middle:middle + 16] = b"\xff" * 16
    return bytes(out)


def cut_sheet_xml(data: bytes, after: bytes | None = None) -> bytes:
    """The workbook rebuilt with its sheet's XML cut in half, or just after the first `after`."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        members = {i.filename: book.read(i) for i in book.infolist()}
    sheet = members[SHEET]
    members[SHEET] = sheet[: len(sheet) // 2] if after is None else sheet[: sheet.index(after) + len(after)]
    return zip_of(members)


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
GOOD_XLSX = workbook([HEADER, *ROWS])
GOOD_PARQUET = parquet(pl.DataFrame(dict(zip(HEADER, zip(*ROWS)))))


@dataclass(frozen=True)
class Case:
    """A file to ingest as the registry, and its outcome: `refused` (the message after '<path>: ';
    `startswith` when the tail comes from a library) or else `read` rows and `rejected` (row, reason)."""

    file: str
    content: bytes | Callable[[Path], None]
    refused: str | None = None
    startswith: bool = False
    read: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        path = folder / self.file
        if callable(self.content):
            self.content(path)
        else:
            path.write_bytes(self.content)
        return path


def later(make: Callable[[], bytes]) -> Callable[[Path], None]:
    """A content built only when its case runs (the big ones)."""
    def write(path: Path) -> None:
        path.write_bytes(make())

    return write


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


UTF8_TEXT = csv_text(ROWS).encode()
CUT_OFF = "(the file looks cut off)"
NO_ROWS = "has no rows of data, only column names; nothing was ingested"

CASES: dict[str, Case] = {
    # --- files that cannot be read as a whole: refused, nothing changes -----------------------
    "empty-file": Case("registry.csv", b"", "is empty (0 bytes)"),
    "blank-lines-only": Case("registry.csv", b"\r\n\r\n  \r\n", "has no header on its first line (it is blank)"),
    "header-only": Case("registry.csv", csv_text([]).encode(), NO_ROWS),
    "header-and-blank-rows": Case("registry.csv", (csv_text([]) + ",,,,\n\n" + "," * 8 + "\n").encode(), NO_ROWS),
    "fifo-never-hangs": Case("registry.csv", _fifo, "is not a file"),
    "folder-named-csv": Case("registry.csv", _folder, "is not a file"),
    "binary-data": Case("registry.csv", bytes(range(256)) * 4, "holds binary data (zero bytes), not CSV text; "
                        "export it again as CSV or XLSX"),
    "tcvn3-font-bytes": Case(
        "registry.csv",
        csv_text([]).encode() + csv_text([["46-2003-Q01-0001", "", "", "NguyÔn V¨n Hïng", "", "", "TrÇn ThÞ Thóy",
                                           "", ""]], header=None).encode("cp1252"),
        "is not UTF-8, UTF-16 or Windows-1258 Vietnamese text (line 2 cannot be read; text typed in a TCVN3 or "
        "VNI font must be converted to Unicode first); save it as 'CSV UTF-8 (Comma delimited)' and try again",
    ),
    "cut-mid-row": Case("registry.csv", UTF8_TEXT + b"46-2003-Q01-0004,01/05/2003,19753,L",
                        f"ends in the middle of row 5 (it has 4 of 9 columns and no line break: {CUT_OFF[1:-1]}); "
                        "export it again"),
    "cut-mid-quote": Case(
        "registry.csv", UTF8_TEXT + '46-2003-Q01-0004,01/05/2003,19753,"Lê Văn'.encode(),
        "row 5: a quoted value opened here is never closed, so the rest of the file would be one value (the "
        "file looks cut off, or a value starts with a stray '\"'); nothing was ingested",
    ),
    "cut-mid-character": Case("registry.csv", UTF8_TEXT + "46-2003-Q01-0004,01/05/2003,19753,Lê".encode()[:-1],
                              f"ends in the middle of a character on line 5 {CUT_OFF}; export it again"),
    "utf16-cut-mid-character": Case("registry.csv", csv_text(ROWS, "\t").encode("utf-16")[:-1],
                                    f"ends in the middle of a character on line 4 {CUT_OFF}; export it again"),
    "header-repeated": Case(
        "registry.csv", csv_text([[*ROWS[0], "Trần Thị Thúy"]], header=[*HEADER, "Họ và tên vợ"]).encode(),
        "columns 'Họ và tên vợ' and 'Họ và tên vợ (column 10)' both mean 'wife_full_name'; keep one of them",
    ),
    "no-header-row": Case(
        "registry.csv", csv_text(ROWS, header=None).encode(),
        "required column 'registration_id' is missing (columns found: 46-2003-Q01-0001, 12/02/2003, 19753, Nguyễn "
        "Văn Hùng, 14/03/1976, *********234, Trần Thị Thúy, 29/10/1978)",
    ),
    "xlsx-not-a-zip": Case("registry.xlsx", UTF8_TEXT, "is not an XLSX workbook (not a zip archive, or cut off); "
                           "open it in Excel and save it as .xlsx"),
    "xlsx-cut-off": Case("registry.xlsx", GOOD_XLSX[: len(GOOD_XLSX) * 2 // 3], "is not an XLSX workbook (not a "
                         "zip archive, or cut off); open it in Excel and save it as .xlsx"),
    "xlsx-zip-bomb": Case(
        "registry.xlsx", later(lambda: zip_of({SHEET: b"<row/>" * (4 << 20)})),
        "is a zip bomb: 'xl/worksheets/sheet1.xml' packs 25,165,824 bytes into ", startswith=True,
    ),
    "xlsx-directory-claims-3-gib": Case(
        "registry.xlsx", declared_size(GOOD_XLSX, SHEET, 3 << 30),
        "would unpack to 3.0 GiB (at most 2 GiB is read); split the export into smaller files",
    ),
    "xlsx-ten-thousand-files": Case(
        "registry.xlsx", later(lambda: zip_of({f"x/{i}.xml": b"" for i in range(10_001)})),
        "holds 10,001 files; an XLSX workbook holds a few dozen",
    ),
    "xlsx-damaged-sheet": Case("registry.xlsx", damaged(GOOD_XLSX, SHEET), "is a damaged XLSX workbook (",
                               startswith=True),
    "xlsx-sheet-cut-mid-tag": Case(
        "registry.xlsx", cut_sheet_xml(GOOD_XLSX), "is a damaged XLSX workbook ('xl/worksheets/sheet1.xml' is cut "
        "off: it does not end with </worksheet>); open it in Excel and save it again",
    ),
    "xlsx-sheet-cut-after-a-row": Case(
        "registry.xlsx", cut_sheet_xml(GOOD_XLSX, after=b"</row>"), "is a damaged XLSX workbook "
        "('xl/worksheets/sheet1.xml' is cut off: it does not end with </worksheet>); open it in Excel and save it again",
    ),
    "xlsx-merged-cells": Case(
        "registry.xlsx", workbook([HEADER, *ROWS], merged=("C2:C4", "I2:I3")),
        "has merged cells (C2:C4, I2:I3); unmerge them in Excel so that the first row holds one column name per "
        "cell and each row below one record, then try again",
    ),
    "xlsx-title-row-merged": Case(
        "registry.xlsx", workbook([["DANH SÁCH ĐĂNG KÝ KẾT HÔN"], HEADER, *ROWS], merged=("A1:I1",)),
        "has merged cells (A1:I1); unmerge them in Excel so that the first row holds one column name per cell and "
        "each row below one record, then try again",
    ),
    "xlsx-header-only": Case("registry.xlsx", workbook([HEADER]), NO_ROWS),
    "parquet-no-rows": Case("registry.parquet", parquet(pl.DataFrame(schema=dict.fromkeys(HEADER, pl.String))),
                            NO_ROWS),
    "parquet-cut-off": Case("registry.parquet", GOOD_PARQUET[: len(GOOD_PARQUET) // 2],
                            "cannot be read as Parquet: ", startswith=True),
    # --- files that are read: every row accepted or rejected with its reason -------------------
    "semicolon-separated": Case("registry.csv", csv_text(ROWS, ";").encode(), read=3),
    "pipe-separated": Case("registry.csv", csv_text(ROWS, "|").encode(), read=3),
    "excel-unicode-text-utf16": Case("registry.txt", csv_text(ROWS, "\t", "\r\n").encode("utf-16"), read=3),
    "utf16-without-bom": Case("registry.csv", csv_text(ROWS).encode("utf-16-le"), read=3),
    "utf8-with-bom": Case("registry.csv", codecs.BOM_UTF8 + UTF8_TEXT, read=3),
    "windows-1258": Case("registry.csv", to_cp1258(csv_text(ROWS, end="\r\n")), read=3),
    "mixed-line-endings": Case(
        "registry.csv", (csv_text(ROWS[:1], end="\r\n") + csv_text(ROWS[1:2], end="\r", header=None)
                         + csv_text(ROWS[2:], header=None)).encode(), read=3,
    ),
    "ten-megabyte-cell": Case(
        "registry.csv",
        later(lambda: csv_text([ROWS[0], [*ROWS[1][:3], "x" * (10 << 20), *ROWS[1][4:]], ROWS[2]]).encode()),
        read=3, rejected=[(3, "VALUE_TOO_LONG")],
    ),
    "row-with-extra-field": Case(
        "registry.csv", (csv_text(ROWS[:1]) + "46-2003-Q01-0002,15/03/2003,19753,Lê, Văn Đức,01/01/1975,,"
                         "Phạm Thị Hương,05/1979,\n" + csv_text(ROWS[2:], header=None)).encode(),
        read=3, rejected=[(3, "MALFORMED_ROW")],
    ),
    "rows-missing-trailing-fields": Case(
        "registry.csv", (csv_text([r[:-1] for r in ROWS[:2]]) + csv_text(ROWS[2:], header=None)).encode(), read=3,
    ),
    "row-in-another-separator": Case(
        "registry.csv", (csv_text(ROWS[:2]) + ";".join(ROWS[2]) + "\n").encode(), read=3,
        rejected=[(4, "MALFORMED_ROW")],
    ),
    "stray-quote-swallows-rows": Case(
        "registry.csv", (csv_text(ROWS[:1]) + '46-2003-Q01-0002,15/03/2003,19753,"Lê Văn Đức,01/01/1975,,A,1,\n'
                         + csv_text(ROWS[2:], header=None) + 'x",1,2,3,4,5\n'
                         + "46-2003-Q01-0009,1/1/2004,19753,Võ An,1970,,Lý Bình,1972,\n").encode(),
        read=3, rejected=[(3, "MALFORMED_ROW")],
    ),
    "impossible-dates": Case(
        "registry.csv", csv_text([
            [*ROWS[0][:4], "00/00/1975", *ROWS[0][5:7], "31/02/1980", ""],
            ["46-2003-Q01-0002", "30/02/2003", *ROWS[1][2:]],
            [*ROWS[2][:4], "00/00/0000", *ROWS[2][5:]],
        ]).encode(),
        read=3, rejected=[(4, "UNREADABLE_DATE")],
    ),
    "sql-and-paths-as-values": Case(
        "registry.csv", csv_text([
            [SQL, "12/02/2003", "../../x", "Robert'); DROP TABLE persons;--", "1976", "../../etc/passwd",
             "Trần Thị Thúy", "1978", SQL],
            ["../../46-2003", "15/03/2003", "19753; DELETE FROM results", "Lê Văn Đức", "1975", "", "%s%n", "1979", ""],
            ["C:\\Windows\\x", "20/04/2003", "00000", "Huỳnh Ánh", "1974", "", "Đặng Yến", "1980", "ly hôn"],
        ]).encode(),
        read=3,
    ),
    "xlsx-table-off-a1": Case(
        "registry.xlsx", workbook([HEADER, ROWS[0], [*ROWS[1][:6], None, *ROWS[1][7:]], ROWS[2]], start=(3, 2)),
        read=3, rejected=[(5, "MISSING_NAME")],
    ),
    "parquet-with-a-long-value": Case(
        "registry.parquet", parquet(pl.DataFrame(dict(zip(HEADER, zip(*[ROWS[0], [*ROWS[1][:3], "y" * 5000,
                                                                                  *ROWS[1][4:]], ROWS[2]]))))),
        read=3, rejected=[(2, "VALUE_TOO_LONG")],
    ),
}
REFUSED = {name: case for name, case in CASES.items() if case.refused is not None}
INGESTED = {name: case for name, case in CASES.items() if case.refused is None}
