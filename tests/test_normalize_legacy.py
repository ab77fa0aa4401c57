"""Legacy fonts: the TCVN3 and VNI tables, round trips, and leaving valid Unicode alone."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.normalize.legacy import decode_tcvn3, repair_legacy


def _glibc_tcvn(data: bytes) -> str | None:
    """glibc's TCVN5712-1 decoder, an implementation independent of ours (None if unavailable)."""
    if shutil.which("iconv") is None:
        return None
    done = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=data, capture_output=True)
    return done.stdout.decode("utf-8") if done.returncode == 0 else None


TCVN_BYTES = [0x01, 0x02, 0x04, 0x05, 0x06, *range(0x11, 0x18), *range(0x80, 0x100)]
GLIBC = _glibc_tcvn(b"\n".join(bytes([b]) for b in TCVN_BYTES))


def test_tcvn3_table_matches_glibc_byte_for_byte() -> None:
    assert GLIBC is not None, "glibc's iconv with TCVN5712-1 is needed (Debian: libc-bin)"
    expected = dict(zip(TCVN_BYTES, GLIBC.split("\n"), strict=True))  # type: ignore[union-attr]
    wrong = {}
    for byte, unicode in expected.items():
        if ord(unicode[0]) == byte:  # bytes glibc leaves as they are (ASCII controls, NBSP, ý)
            continue
        for reading in {bytes([byte]).decode("latin-1"), bytes([byte]).decode("cp1252", errors="ignore")} - {""}:
            if decode_tcvn3(reading) != unicodedata.normalize("NFC", unicode):
                wrong[hex(byte)] = (reading, decode_tcvn3(reading), unicode)
    assert not wrong


def _tcvn3_typist(text: str) -> str:
    """A .VnTime/.VnTimeH typist: glibc bytes, toned capitals typed with the lowercase code."""
    typed = "".join(
        c.lower() if not c.isascii() and c.isupper() and c not in "ĂÂÊÔƠƯĐ" else c for c in text
    )
    done = subprocess.run(["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=typed.encode(), capture_output=True)
    assert done.returncode == 0
    return done.stdout.decode("cp1252")


# VNI-Windows as its keyboard builds it: base letter, then one mark byte; the mark byte is
# uppercase (−0x20) after an uppercase letter. Written from the VNI chart, not from our table.
_VNI_MARK = {
    ("", "\u0301"): 0xF9, ("", "\u0300"): 0xF8, ("", "\u0309"): 0xFB, ("", "\u0303"): 0xF5, ("", "\u0323"): 0xEF,
    ("\u0302", ""): 0xE2, ("\u0302", "\u0301"): 0xE1, ("\u0302", "\u0300"): 0xE0, ("\u0302", "\u0309"): 0xE5,
    ("\u0302", "\u0303"): 0xE3, ("\u0302", "\u0323"): 0xE4,
    ("\u0306", ""): 0xEA, ("\u0306", "\u0301"): 0xE9, ("\u0306", "\u0300"): 0xE8, ("\u0306", "\u0309"): 0xFA,
    ("\u0306", "\u0303"): 0xFC, ("\u0306", "\u0323"): 0xEB,
}
_VNI_SINGLE = {"i\u0301": 0xED, "i\u0300": 0xEC, "i\u0309": 0xE6, "i\u0303": 0xF3, "i\u0323": 0xF2, "y\u0323": 0xEE}


def _vni_typist(text: str) -> str:
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        if char in "đĐ":
            out.append(0xF1 if char == "đ" else 0xD1)
            continue
        base, *marks = unicodedata.normalize("NFD", char)
        shift = 0x20 if base.isupper() else 0
        tone = "".join(m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323")
        shape = "".join(m for m in marks if m in "\u0302\u0306")
        if not shape and base.lower() + tone in _VNI_SINGLE:
            out.append(_VNI_SINGLE[base.lower() + tone] - shift)
            continue
        if "\u031b" in marks:  # ơ and ư are letters of their own
            out.append((0xF4 if base.lower() == "o" else 0xF6) - shift)
        else:
            out += base.encode("ascii")
        if shape or tone:
            out.append(_VNI_MARK[(shape, tone)] - shift)
    return out.decode("cp1252")


def test_examples_from_the_field() -> None:
    assert repair_legacy("NguyÔn V¨n Hïng") == ("Nguyễn Văn Hùng", "tcvn3")
    assert repair_legacy("Nguyeãn Vaên Huøng") == ("Nguyễn Văn Hùng", "vni")
    assert repair_legacy("Nguyá»…n VÄƒn HÃ¹ng") == ("Nguyễn Văn Hùng", "utf8")
    assert _vni_typist("Nguyễn Văn Hùng") == "Nguyeãn Vaên Huøng"


WORDS = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Võ Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý Văn Thị Hữu Đức Ngọc Thanh "
    "Hùng Hưng Hồng Hòa Thúy Khỏe Quỳnh Quý Tuấn Tiến Tuyết Hương Ước Nguyệt Giang Khuê Huệ Ánh Ân "
    "Ẩn Yến Uyên Kỳ Mỹ Vy Trường Phước Đạt Ỷ Ứng Ửng Ngữ Thịnh Khắc Ặc Oanh Xuyến Khuyến Nghĩa Lộc"
).split()
# At least one word a legacy font garbles visibly, so the name is not all-valid by chance
# (in capitals, TCVN3 "TUẤN" reads "TUÊN", which could be Unicode: alone it is not repaired).
names = st.tuples(
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=3),
    st.sampled_from(["Nguyễn", "Trần", "Văn", "Đặng", "Hùng", "Hương"]),
).map(lambda t: " ".join([t[1], *t[0]]))


@settings(max_examples=300, deadline=None)
@given(names, st.booleans())
def test_tcvn3_round_trip(name: str, upper: bool) -> None:
    text = name.upper() if upper else name
    repaired, font = repair_legacy(_tcvn3_typist(text))
    assert font == "tcvn3"
    assert repaired.lower() == text.lower()  # a .VnTimeH capital decodes as its lowercase


@settings(max_examples=300, deadline=None)
@given(names, st.booleans())
def test_vni_round_trip(name: str, upper: bool) -> None:
    text = name.upper() if upper else name
    assert repair_legacy(_vni_typist(text)) == (text, "vni")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join))
def test_valid_unicode_is_left_alone(name: str) -> None:
    for text in (name, name.upper(), name.lower()):
        assert repair_legacy(text) == (text, None)


@pytest.mark.parametrize("text", ["José García", "Müller", "Ksor H'Bia", "Vò Văn An", "Björn Ångström", "Zoë"])
def test_foreign_and_ambiguous_names_are_left_alone(text: str) -> None:
    assert repair_legacy(text) == (text, None)


def test_official_unit_names_are_never_repaired() -> None:
    """9,000+ real Vietnamese names (with minority-language words that are no syllables)."""
    from reconcile.normalize.communes import commune_table, current_communes

    table = commune_table()
    names = {*table.get_column("old_name").drop_nulls(), *table.get_column("old_district").drop_nulls()}
    names |= set(current_communes().get_column("name"))
    assert len(names) > 9000
    assert [n for n in names if repair_legacy(n)[1] is not None] == []
