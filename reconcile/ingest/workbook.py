"""Checks on an XLSX workbook before any cell is read: a zip bomb, a damaged archive, merged cells.

Sizes come from the zip directory, so a workbook that would unpack to gigabytes is
refused before it is unpacked. The first sheet's XML is then streamed once (its true
size is bounded by the directory, and each member's CRC is checked as it is read) to
find merged cells and the row the table starts on.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

from reconcile.errors import InputFileError, Text

MAX_UNPACKED = 2 << 30      # a full 1,048,576-row sheet of 20 columns is well below this
MAX_MEMBERS = 10_000
MAX_RATIO = 200             # XML sheets pack 5–30 times; a bomb packs hundreds or a thousand times
_RATIO_FROM = 10 << 20      # small members may pack tighter without harm
_XML_PART = 64 << 20        # workbook.xml and its relationships are a few kilobytes
_CHUNK = 1 << 20
_SHOWN = 3

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([^\"]+)\"")
# A cell with content (not self-closing): calamine's table starts at the first one.
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"[A-Z]+(\d+)\"[^>]*(?<!/)>")
_END = re.compile(rb"</(?:\w+:)?worksheet>\s*$")


def check_workbook(path: Path) -> int:
    """Refuse a workbook that is damaged, a zip bomb, or has merged cells; return the sheet row
    (1-based) of its first sheet's header, the first row with a value."""
    with _damaged_refused(path), zipfile.ZipFile(path) as book:
        _check_sizes(path, book.infolist())
        sheet = _first_sheet(book)
        if sheet is None:
            return 1  # the reader says what is missing
        first_row, merged = _scan(book, sheet)
    if merged:
        shown: str | Text = ", ".join(merged[:_SHOWN])
        if len(merged) > _SHOWN:
            shown = Text("merged_and_more", {"cells": shown, "more": f"{len(merged) - _SHOWN:,}"})
        raise InputFileError.said("err_xlsx_merged", str(path), cells=shown)
    return first_row


def check_archive(path: Path) -> None:
    """Refuse a workbook whose zip directory says it is damaged or a zip bomb: nothing is unpacked
    (`check_workbook` checks the same, and then its first sheet)."""
    with _damaged_refused(path), zipfile.ZipFile(path) as book:
        _check_sizes(path, book.infolist())


@contextmanager
def _damaged_refused(path: Path) -> Iterator[None]:
    """A damaged archive or sheet, as the zip and XML readers find it, refused as such."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ElementTree.ParseError) as exc:
        raise InputFileError.said("err_xlsx_damaged", str(path), why=str(exc) or type(exc).__name__) from exc


def _check_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise InputFileError.said("err_xlsx_members", str(path), count=f"{len(members):,}")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED:
        raise InputFileError.said("err_xlsx_too_large", str(path), size=f"{total / 2**30:,.1f}",
                                  most=f"{MAX_UNPACKED / 2**30:.0f}")
    for m in members:
        if m.file_size > _RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputFileError.said("err_xlsx_zip_bomb", str(path), member=m.filename, size=f"{m.file_size:,}",
                                      packed=f"{m.compress_size:,}")


def _xml(book: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = book.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _XML_PART:
        raise zipfile.BadZipFile(f"'{name}' is {info.file_size:,} bytes")
    return ElementTree.fromstring(book.read(info))


def _first_sheet(book: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (the one a reader loads), or None."""
    workbook, rels = _xml(book, "xl/workbook.xml"), _xml(book, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return None
    sheet = workbook.find("m:sheets/m:sheet", _NS)
    rid = None if sheet is None else sheet.get(f"{{{_NS['r']}}}id")
    target = next((r.get("Target") for r in rels.findall("p:Relationship", _NS) if r.get("Id") == rid), None)
    if not target:
        return None
    name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return name if name in book.namelist() else None


def _scan(book: zipfile.ZipFile, name: str) -> tuple[int, list[str]]:
    """The first row with a value, and the merged ranges, of one sheet's XML."""
    first_row: int | None = None
    merged: list[str] = []
    tail = b""
    with book.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            text = tail + chunk
            if first_row is None and (cell := _CELL.search(text)):
                first_row = int(cell.group(1))
            if b"mergeCell" in text:  # a byte search first: the regex over every chunk took most of the scan
                merged.extend(m.decode("ascii", "replace") for m in _MERGE.findall(text))
            tail = text[-256:]  # a tag cut between two chunks is whole in the next text; repeats drop below
    if not _END.search(tail):
        # Cut after a whole row, the sheet would read as a shorter table without any error.
        raise zipfile.BadZipFile(f"'{name}' is cut off: it does not end with </worksheet>")
    return first_row or 1, list(dict.fromkeys(merged))
