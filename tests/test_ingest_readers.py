"""Reading CSV, XLSX and Parquet exports as text, with the row numbers a user sees."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from reconcile.errors import InputFileError
from reconcile.ingest import load_column_map, read_population, read_registry
from reconcile.ingest.readers import read_table

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture(scope="module")
def columns():
    return load_column_map()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"], ids=["no-bom", "bom"])
def test_csv_with_or_without_bom_reads_the_same_headers_and_text(tmp_path, encoding):
    path = write(tmp_path / "p.csv", "Số định danh cá nhân,Họ và tên\n001234567890,Nguyễn Văn Anh\n", encoding)
    frame = read_table(path).rows
    assert frame.columns == ["Số định danh cá nhân", "Họ và tên", "source_file", "source_row"]
    assert frame.row(0) == ("001234567890", "Nguyễn Văn Anh", str(path), 2)


def test_an_export_with_every_field_quoted_crlf_and_a_bom_reads_as_the_plain_file(tmp_path):
    # The same rows as another office exports them: a BOM, every field quoted, Windows line ends.
    plain = ('Số định danh cá nhân,Họ và tên,Địa chỉ\n001234567890,Nguyễn Văn Anh,"Số 5 ""Lê Lợi"", Huế"\n'
             ",Lê Thị Hoa,\n001234567891,Trần Văn Ba,Thôn 3\n")
    quoted = ('"Số định danh cá nhân","Họ và tên","Địa chỉ"\r\n"001234567890","Nguyễn Văn Anh","Số 5 ""Lê Lợi"", Huế"\r\n'
              '"","Lê Thị Hoa",""\r\n"001234567891","Trần Văn Ba","Thôn 3"\r\n')
    a = read_table(write(tmp_path / "a.csv", plain)).rows
    b = read_table(write(tmp_path / "b.csv", quoted, "utf-8-sig")).rows
    assert b.columns == a.columns == ["Số định danh cá nhân", "Họ và tên", "Địa chỉ", "source_file", "source_row"]
    assert b.drop("source_file").rows() == a.drop("source_file").rows() == [
        ("001234567890", "Nguyễn Văn Anh", 'Số 5 "Lê Lợi", Huế', 2), (None, "Lê Thị Hoa", None, 3),
        ("001234567891", "Trần Văn Ba", "Thôn 3", 4)]


@pytest.mark.parametrize(
    ("name", "separator"), [("p.csv", ";"), ("p.csv", "\t"), ("p.tsv", "\t"), ("p.csv", ","), ("p.csv", "|")]
)
def test_csv_delimiter_is_sniffed_from_the_header_line(tmp_path, name, separator):
    text = separator.join(["Số định danh cá nhân", "Họ và tên", "Nơi thường trú"]) + "\n"
    text += separator.join(["001234567890", "Nguyễn Văn Anh", '"thôn 3, xã Lộc Thủy; Huế"']) + "\n"
    frame = read_table(write(tmp_path / name, text)).rows
    assert frame.select(pl.exclude("source_file", "source_row")).row(0) == (
        "001234567890",
        "Nguyễn Văn Anh",
        "thôn 3, xã Lộc Thủy; Huế",
    )


def test_every_value_is_text_stripped_and_blank_is_null(tmp_path):
    path = write(tmp_path / "p.csv", "id,n,x\n 0012 , Lê  Văn ,   \n00012,1.50,\n")
    frame = read_table(path).rows
    assert frame.schema["id"] == pl.String and frame.schema["n"] == pl.String
    assert frame.select("id", "n", "x").rows() == [("0012", "Lê  Văn", None), ("00012", "1.50", None)]


def test_row_numbers_are_the_ones_a_spreadsheet_shows(tmp_path):
    # Blank lines are not rows of data, but they still take a row number;
    # a quoted value over two lines is one row.
    path = write(tmp_path / "p.csv", 'id,n\r\n1,a\r\n\r\n2,"b\nc"\r\n,\r\n3,d\r\n')
    frame = read_table(path).rows
    assert frame.select("id", "source_row").rows() == [("1", 2), ("2", 4), ("3", 6)]
    assert frame.schema["source_row"] == pl.Int64


def test_any_line_ending_ends_a_row(tmp_path):
    # Windows, Unix and old-Mac line ends in one file; inside quotes a line end is part of the value.
    path = write(tmp_path / "p.csv", 'id,n\r\n1,a\n2,b\r3,"c\rd"\r\n4,e')
    assert read_table(path).rows.select("id", "n", "source_row").rows() == [
        ("1", "a", 2), ("2", "b", 3), ("3", "c\rd", 4), ("4", "e", 5),
    ]


def test_missing_trailing_values_are_empty_cells(tmp_path):
    # Excel leaves out the separators of empty cells at the end of some rows.
    path = write(tmp_path / "p.csv", "id,n,x,y\n1,a,b,c\n2,d\n3,e,,\n")
    assert read_table(path).rows.select("id", "n", "x", "y").rows() == [
        ("1", "a", "b", "c"), ("2", "d", None, None), ("3", "e", None, None),
    ]


def test_trailing_separators_of_the_header_allow_as_many_empty_values(tmp_path):
    path = write(tmp_path / "p.csv", "id,n,,\n1,a,,\n2,b,\n3,c,,,\n4,d,x\n")
    read = read_table(path)
    assert read.rows.columns == ["id", "n", "source_file", "source_row"]
    assert read.rows.select("id", "source_row").rows() == [("1", 2), ("2", 3)]
    assert read.malformed["source_row"].to_list() == [4, 5]


def test_registry_fixture_keeps_ids_as_text(columns):
    table = read_registry(DATA / "registry.csv", columns)
    assert table.rows.schema["husband_id_number"] == pl.String
    assert table.rows["husband_id_number"].to_list() == ["046080001234", "001234567890", "C1234567"]
    assert table.rows["registration_place"][0] == "UBND xã Lộc Thủy, huyện Phú Lộc, tỉnh Thừa Thiên Huế"


def test_sha256_is_the_hash_of_the_file(columns):
    path = DATA / "population.csv"
    table = read_population(path, columns)
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_xlsx_first_sheet_every_cell_as_text(tmp_path, columns):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Tình trạng hôn nhân", "Mã xã"])
    sheet.append(["001234567890", "  Nguyễn Văn Anh ", "01/02/1980", "Nam", "đã kết hôn", 1234.5])
    sheet.append([79123456789, "Trần Thị Bình", date(1982, 3, 4), "Nữ", None, 19999])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["046182005678", "Lê Thị Cúc", "1982", "Nữ", "", "  "])
    book.create_sheet("Ignored").append(["not", "read"])
    path = tmp_path / "population.xlsx"
    book.save(path)

    table = read_population(path, columns)
    rows = table.rows.select("person_id", "full_name", "birth_date", "marital_status", "ward_code", "source_row")
    assert rows.rows() == [
        ("001234567890", "Nguyễn Văn Anh", "01/02/1980", "đã kết hôn", "1234.5", 2),
        ("79123456789", "Trần Thị Bình", "1982-03-04", None, "19999", 3),
        ("046182005678", "Lê Thị Cúc", "1982", None, None, 5),
    ]
    assert all(dtype == pl.String for name, dtype in table.rows.schema.items() if name != "source_row")


def test_parquet_columns_become_text_and_rows_are_numbered_from_one(tmp_path, columns):
    path = tmp_path / "population.parquet"
    pl.DataFrame(
        {
            "person_id": [79123456789, 46182005678],
            "full_name": ["Nguyễn Văn Anh", " "],
            "birth_date": [date(1980, 2, 1), None],
            "sex": ["M", "F"],
            "marital_status": ["married", None],
            "spouse_id": [46182005678.0, 1.5],
        }
    ).write_parquet(path)

    table = read_population(path, columns)
    assert table.rows.select("person_id", "birth_date", "spouse_id", "source_row").rows() == [
        ("79123456789", "1980-02-01", "46182005678", 1)
    ]
    assert table.rejected.select("source_row", "reason").rows() == [(2, "MISSING_NAME")]


def workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


# (file name, content or None for no file, what the user reads after "<path>: ")
UNREADABLE = {
    "missing-file": ("registry.csv", None, "file not found"),
    "unknown-extension": ("registry.docx", b"x", "unknown file type '.docx'; expected .csv, .tsv, .txt, .xlsx, .parquet"),
    "tcvn3-bytes": (
        "population.csv",
        "Họ và tên\n".encode() + "NguyÔn V¨n Hïng,B\u00b8 Th\u00b5nh\n".encode("cp1252"),
        "is not UTF-8, UTF-16 or Windows-1258 Vietnamese text (line 2 cannot be read; text typed in a TCVN3 or "
        "VNI font must be converted to Unicode first); save it as 'CSV UTF-8 (Comma delimited)' and try again",
    ),
    "xlsx-not-a-zip": (
        "registry.xlsx",
        "Số đăng ký,Họ và tên chồng\n1,A\n".encode(),
        "is not an XLSX workbook (not a zip archive, or cut off); open it in Excel and save it as .xlsx",
    ),
    "workbook-named-csv": ("registry.csv", workbook_bytes(), "is an Excel workbook, not CSV text; rename it to .xlsx"),
    "empty-xlsx": ("registry.xlsx", workbook_bytes(), "has an empty first sheet"),
    "empty-csv": ("registry.csv", b"", "is empty (0 bytes)"),
    "parquet-not-parquet": (
        "population.parquet",
        b"person_id\n1\n",
        "is not a Parquet file; export it again as Parquet, CSV or XLSX",
    ),
}


@pytest.mark.parametrize(("name", "content", "message"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_unreadable_file_is_one_line_naming_it(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    assert str(caught.value) == f"{path}: {message}"
    assert caught.value.path == str(path)
