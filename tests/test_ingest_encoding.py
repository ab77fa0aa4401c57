"""Text encodings of CSV exports: UTF-8, UTF-16 (Excel's "Unicode text") and Windows-1258 read alike."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest
from hostile_files import ROWS, csv_text, to_cp1258

from reconcile.errors import InputFileError
from reconcile.ingest.readers import read_table

ENCODINGS = {
    "utf-8": lambda text: text.encode(),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode(),
    "utf-16-bom": lambda text: text.encode("utf-16"),
    "utf-16-le-no-bom": lambda text: text.encode("utf-16-le"),
    "utf-16-be-no-bom": lambda text: text.encode("utf-16-be"),
    "utf-32-bom": lambda text: text.encode("utf-32"),
    "windows-1258": to_cp1258,
    "windows-1258-decomposed": lambda text: to_cp1258(unicodedata.normalize("NFD", text)),
}


def values(path: Path) -> list[tuple]:
    return read_table(path).rows.drop("source_file").rows()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_reads_the_same_nfc_text(tmp_path: Path, encoding: str) -> None:
    text = csv_text(ROWS, "\t", "\r\n")
    reference = values(_write(tmp_path / "utf8.csv", text.encode()))
    got = values(_write(tmp_path / "x.csv", ENCODINGS[encoding](text)))
    assert got == reference
    assert got[0][3] == "Nguyễn Văn Hùng" == unicodedata.normalize("NFC", got[0][3])


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_windows_1258_is_told_from_other_code_pages_by_its_letters(tmp_path: Path) -> None:
    # Western European text (Windows-1252) decodes under 1258 too, but not as Vietnamese letters.
    western = "Họ và tên\n".encode() + "José Müller,Ærøskøbing,Ñandú\n".encode("cp1252")
    with pytest.raises(InputFileError, match="line 2 cannot be read"):
        read_table(_write(tmp_path / "p.csv", western))
    # A foreign name among Vietnamese ones does not stop a Windows-1258 file.
    vietnamese = to_cp1258(csv_text([*ROWS, ["46-2003-Q01-0009", "", "", "José Müller", "", "", "Lê Thị Thu", "", ""]]))
    assert values(_write(tmp_path / "v.csv", vietnamese))[-1][3] == "José Müller"


def test_utf8_with_one_bad_byte_names_its_line(tmp_path: Path) -> None:
    data = csv_text(ROWS).encode().replace("Lê Văn Đức".encode(), b"L\xff V\xe3n")
    with pytest.raises(InputFileError) as caught:
        read_table(_write(tmp_path / "r.csv", data))
    assert "(line 3 cannot be read;" in str(caught.value)


def test_a_bad_utf16_pair_is_refused_naming_the_line(tmp_path: Path) -> None:
    data = csv_text(ROWS).encode("utf-16-le") + "\ud800".encode("utf-16-le", "surrogatepass") + "x\n".encode("utf-16-le")
    with pytest.raises(InputFileError) as caught:
        read_table(_write(tmp_path / "r.csv", codecs.BOM_UTF16_LE + data))
    assert str(caught.value).endswith(
        "is not valid UTF-16 text (line 5 cannot be read); save it as 'CSV UTF-8 (Comma delimited)' and try again"
    )
