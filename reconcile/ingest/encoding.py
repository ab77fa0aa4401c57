"""The text encoding of a CSV export: found, checked over the whole file, and opened.

Accepted: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with BOM, or
without one when one byte of each pair is mostly zero) and Windows-1258, the Vietnamese ANSI code
page of Excel on a Vietnamese Windows. Windows-1258 is taken only when what it decodes
reads as Vietnamese, because it decodes almost any bytes; text typed in the legacy
TCVN3 or VNI fonts, or in another code page, is refused with a message naming the file.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
from pathlib import Path
from typing import TextIO

import polars as pl

from reconcile.errors import InputFileError

_CHUNK = 1 << 20
_BOMS = (  # the longest first: a UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "utf-32": "UTF-32"}

# Vowels with any of Vietnamese's marks (hat, breve, horn, the five tones), and đ.
_MARKS = set("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_LETTERS = frozenset(
    c for c in map(chr, range(0xC0, 0x1EFA))
    if (d := unicodedata.normalize("NFD", c))[0] in "aeiouyAEIOUY" and set(d[1:]) <= _MARKS
) | {"đ", "Đ"}
_VIETNAMESE = _LETTERS | frozenset("\u00a0–—‘’“”…•·°№₫")  # and the punctuation Word and Excel type
_ASCII = re.compile(r"[\x00-\x7f]+")
# Share of the non-ASCII characters that must be Vietnamese letters for Windows-1258.
_VIETNAMESE_SHARE = 0.9


def open_text(path: Path) -> TextIO:
    """Open an input file as text in its encoding (lines kept whole: newline='')."""
    with path.open("rb") as handle:
        head = handle.read(_CHUNK)
    if not head:
        raise InputFileError.said("err_file_empty", str(path))
    if head.startswith(b"PK\x03\x04"):
        raise InputFileError.said("err_csv_is_excel", str(path))
    codec = next((name for bom, name in _BOMS if head.startswith(bom)), None) or _without_bom(path, head)
    problem = _first_error(path, codec)
    if problem is None:
        return path.open(encoding=codec, newline="")
    if codec == "utf-8" and problem.reason != "unexpected end of data":
        text = _windows_1258(path)
        if text is not None:
            return io.StringIO(text, newline="")
    raise _undecodable(path, codec, problem)


def _without_bom(path: Path, head: bytes) -> str:
    """UTF-16 without a BOM when zero bytes fill one byte position (ASCII's high byte), else UTF-8."""
    if b"\x00" not in head:
        return "utf-8"
    even, odd = head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / max(len(head[1::2]), 1)
    if odd >= 0.3 and even <= 0.05:
        return "utf-16-le"
    if even >= 0.3 and odd <= 0.05:
        return "utf-16-be"
    raise InputFileError.said("err_csv_binary", str(path))


def _first_error(path: Path, codec: str) -> UnicodeDecodeError | None:
    """The first decoding error over the whole file, with `start` as a file offset."""
    if codec in ("utf-8", "utf-8-sig") and _valid_utf8(path):
        return None  # the usual file: checked without decoding it
    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                pending = len(decoder.getstate()[0])  # bytes held back from earlier chunks
                exc.start += offset - pending
                return exc
            if not chunk:
                return None
            offset += len(chunk)


def _valid_utf8(path: Path) -> bool:
    """Whether the whole file is valid UTF-8 (the same rules as Python's strict decoder), found by
    Polars' validator: many times faster than decoding it to a str."""
    try:
        pl.Series([path.read_bytes()], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return False
    return True


def _windows_1258(path: Path) -> str | None:
    """The file decoded as Windows-1258 (NFC), if it reads as Vietnamese, else None."""
    try:
        text = unicodedata.normalize("NFC", path.read_bytes().decode("cp1258"))
    except UnicodeDecodeError:
        return None
    other = _ASCII.sub("", text)
    return text if sum(map(_VIETNAMESE.__contains__, other)) >= _VIETNAMESE_SHARE * len(other) else None


def _undecodable(path: Path, codec: str, problem: UnicodeDecodeError) -> InputFileError:
    with path.open("rb") as handle:
        line = handle.read(problem.start).decode(codec, "replace").count("\n") + 1
    if problem.reason in ("unexpected end of data", "truncated data"):
        return InputFileError.said("err_csv_cut_character", str(path), line=line)
    if codec == "utf-8":
        return InputFileError.said("err_csv_not_vietnamese", str(path), line=line)
    return InputFileError.said("err_csv_not_encoding", str(path), encoding=_NAMES[codec], line=line)
