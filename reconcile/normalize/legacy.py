"""Repair Vietnamese text typed in legacy 8-bit fonts (TCVN3 ".Vn" fonts, VNI) and read as Windows-1252.

Such text arrives as `NguyÔn V¨n Hïng` (TCVN3) or `Nguyeãn Vaên Huøng` (VNI); UTF-8
read as cp1252 (`Nguyá»…n`) is repaired the same way. Text is decoded only when it has
suspect words (not Vietnamese syllables, or with a capital inside) and the decoded text
has none, so valid Unicode (Hòa, Thúy, José) is never touched. Text whose every word is
also a valid syllable (TCVN3 "Khúc" reads "Khóc") cannot be told apart and is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from reconcile.normalize.syllables import parse_syllable

# --- TCVN 5712:1993 (TCVN3) ------------------------------------------------------------
# Lowercase toned vowels: byte codes in the order of the standard's chart
# (huyền, hỏi, ngã, sắc, nặng). The ".Vn" fonts have no toned capitals: a capital
# was typed with the same code in a ".VnTimeH" font, so it decodes to lowercase.
_TCVN3_TONED = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_CHART_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
# Untoned letters with a hat (0xA1–0xAE; 0xAD, ư, reads as an invisible soft hyphen).
_TCVN3_PLAIN = dict(zip(range(0xA1, 0xAF), "ĂÂÊÔƠƯĐăâêôơưđ", strict=True))
# The full VN1 table also puts toned capitals in the gaps, in 0x80–0x9F and in a few
# control codes, and combining tone marks at 0xB0–0xB4 (as glibc's TCVN5712-1).
_TCVN3_CAPITALS = {
    **dict(zip(range(0x80, 0xA0), "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ", strict=True)),
    **dict(zip((0x01, 0x02, 0x04, 0x05, 0x06), "ÚỤỪỬỮ", strict=True)),
    **dict(zip(range(0x11, 0x18), "ỨỰỲỶỸÝỴ", strict=True)),
    **dict(zip((0xAF, 0xBA, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5), "ẰẲẴẮẦẨẪẤỀ", strict=True)),
    **dict(zip((0xCD, 0xD9, 0xDA, 0xDB, 0xE0, 0xF0, 0xFF), "ỂỄẾỒỔỖỐ", strict=True)),
    **dict(zip(range(0xB0, 0xB5), "\u0300\u0309\u0303\u0301\u0323", strict=True)),
}


def _tcvn3_bytes() -> dict[int, str]:
    table = {**_TCVN3_PLAIN, **_TCVN3_CAPITALS}
    for vowel, codes in _TCVN3_TONED.items():
        for code, tone in zip(codes, _CHART_TONES, strict=True):
            table[code] = unicodedata.normalize("NFC", vowel + tone)
    return table


# --- VNI-Windows -----------------------------------------------------------------------
# A base letter followed by one mark byte (two marks fused in one byte for â/ê/ô and ă
# with a tone); ơ, ư, đ and the toned i and ỵ are single bytes. Each mark exists in a
# lowercase (0xE0–0xFC) and an uppercase (0xC0–0xDC) form.
_VNI_MARKS = {
    0xF9: "\u0301", 0xF8: "\u0300", 0xFB: "\u0309", 0xF5: "\u0303", 0xEF: "\u0323",
    0xE2: "\u0302", 0xE1: "\u0302\u0301", 0xE0: "\u0302\u0300", 0xE5: "\u0302\u0309",
    0xE3: "\u0302\u0303", 0xE4: "\u0302\u0323",
    0xEA: "\u0306", 0xE9: "\u0306\u0301", 0xE8: "\u0306\u0300", 0xFA: "\u0306\u0309",
    0xFC: "\u0306\u0303", 0xEB: "\u0306\u0323",
}
_VNI_LETTERS = {
    0xF4: "ơ", 0xF6: "ư", 0xF1: "đ", 0xED: "í", 0xEC: "ì", 0xE6: "ỉ", 0xF3: "ĩ", 0xF2: "ị", 0xEE: "ỵ",
}


def _vni_bytes() -> dict[int, str]:
    table: dict[int, str] = {}
    for code, mark in _VNI_MARKS.items():
        table[code] = table[code - 0x20] = mark
    for code, letter in _VNI_LETTERS.items():
        table[code], table[code - 0x20] = letter, letter.upper()
    return table


def _as_read(byte_table: dict[int, str]) -> dict[int, str]:
    """Key a byte table by the characters the bytes become when read as cp1252 or latin-1."""
    table: dict[int, str] = {}
    for code, text in byte_table.items():
        table[code] = text  # latin-1 reading (also the C1 codes cp1252 leaves undefined)
        try:
            table[ord(bytes([code]).decode("cp1252"))] = text
        except UnicodeDecodeError:
            pass
    return table


_TCVN3 = _as_read(_tcvn3_bytes())
_VNI = _as_read(_vni_bytes())


def decode_tcvn3(text: str) -> str:
    """Text typed in a TCVN3 font and read as cp1252 (or latin-1), decoded to NFC Unicode."""
    return unicodedata.normalize("NFC", text.translate(_TCVN3))


def decode_vni(text: str) -> str:
    """Text typed in a VNI font and read as cp1252 (or latin-1), decoded to NFC Unicode."""
    return unicodedata.normalize("NFC", text.translate(_VNI))


def _decode_utf8(text: str) -> str | None:
    """UTF-8 bytes that were read as cp1252 (`Nguyá»…n`)."""
    for codec in ("cp1252", "latin-1"):
        try:
            return unicodedata.normalize("NFC", text.encode(codec).decode("utf-8"))
        except UnicodeError:
            continue
    return None


_DECODERS: tuple[tuple[str, Callable[[str], str | None]], ...] = (
    ("tcvn3", decode_tcvn3),
    ("vni", decode_vni),
    ("utf8", _decode_utf8),
)


@lru_cache(maxsize=65536)
def is_suspect(word: str) -> bool:
    """A word with non-ASCII characters that is not a Vietnamese syllable, or has a non-ASCII
    capital after a small letter (TuÊn: a legacy code for ấ read as a capital)."""
    if word.isascii() and word.isprintable():
        return False
    if any(c.isupper() and not c.isascii() and p.islower() for p, c in zip(word, word[1:])):
        return True
    return parse_syllable(word.lower()) is None


# Words are split at white space and ASCII punctuation only: every byte a legacy font
# uses above 0x7F may be a letter. (The pattern is valid for Python and Polars alike.)
WORD_BREAK = r"[\s!\"'(),./:;?\-]+"
_WORD_BREAK = re.compile(WORD_BREAK)


def _count_suspects(text: str) -> int:
    return sum(is_suspect(w) for w in _WORD_BREAK.split(text) if w)


def repair_legacy(text: str) -> tuple[str, str | None]:
    """Return the text decoded from a legacy font and the font's name, or the text and None.

    A decoding is kept only if it leaves no suspect word (see `is_suspect`); `text`
    should be NFC.
    """
    if text.isascii() and text.isprintable() or _count_suspects(text) == 0:
        return text, None
    for name, decode in _DECODERS:
        candidate = decode(text)
        if candidate is not None and candidate != text and _count_suspects(candidate) == 0:
            return candidate, name
    return text, None
