"""The forms a Vietnamese name takes in real exports, as vectorised Polars expressions.

Legacy 8-bit fonts are simulated the way they reach us: the Unicode text is encoded with
the real TCVN3 (ABC, ".Vn" fonts) or VNI-Windows byte table and the bytes are read back
as cp1252, so `Nguyễn Văn Hùng` becomes `NguyÔn V¨n Hïng` (TCVN3) or
`Nguyeãn Vaên Huøng` (VNI).

The byte tables here are written independently of `reconcile.normalize.legacy` on purpose:
a generator that garbled text with the decoder's own tables could only produce what the
decoder already understands, and the accuracy figures would flatter it.
"""

from __future__ import annotations

import unicodedata

import polars as pl

# TCVN3 byte of each lower-case letter, in the order grave, acute, hook, tilde, dot.
_TCVN3_TONED: dict[str, tuple[int, ...]] = {
    "a": (0xB5, 0xB8, 0xB6, 0xB7, 0xB9), "â": (0xC7, 0xCA, 0xC8, 0xC9, 0xCB),
    "ă": (0xBB, 0xBE, 0xBC, 0xBD, 0xC6), "e": (0xCC, 0xD0, 0xCE, 0xCF, 0xD1),
    "ê": (0xD2, 0xD5, 0xD3, 0xD4, 0xD6), "i": (0xD7, 0xDD, 0xD8, 0xDC, 0xDE),
    "o": (0xDF, 0xE3, 0xE1, 0xE2, 0xE4), "ô": (0xE5, 0xE8, 0xE6, 0xE7, 0xE9),
    "ơ": (0xEA, 0xED, 0xEB, 0xEC, 0xEE), "u": (0xEF, 0xF3, 0xF1, 0xF2, 0xF4),
    "ư": (0xF5, 0xF8, 0xF6, 0xF7, 0xF9), "y": (0xFA, 0xFD, 0xFB, 0xFC, 0xFE),
}
# Untoned letters with a modifier; TCVN3 has upper-case codes only for these seven.
_TCVN3_PLAIN: dict[str, int] = {
    "ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE,
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
}
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # grave, acute, hook, tilde, dot

# VNI-Windows: a base letter followed by mark bytes (lower-case codes; upper case is -0x20).
_VNI_TONE = (0xF8, 0xF9, 0xFB, 0xF5, 0xEF)
_VNI_CIRCUMFLEX = (0xE2, 0xE0, 0xE1, 0xE5, 0xE3, 0xE4)  # untoned, then the five tones
_VNI_BREVE = (0xEA, 0xE8, 0xE9, 0xFA, 0xFC, 0xEB)
_VNI_TONED_I = (0xEC, 0xED, 0xE6, 0xF3, 0xF2)  # ì í ỉ ĩ ị are single bytes
_VNI_HORN = {"o": 0xF4, "u": 0xF6}  # ơ ư are single bytes
_VNI_Y_DOT = 0xEE  # ỵ is a single byte


def _cp1252(codes: list[int]) -> str:
    return bytes(codes).decode("cp1252")


def _vietnamese_letters() -> list[str]:
    """Every precomposed Vietnamese letter with a diacritic, lower and upper case."""
    lower = [
        unicodedata.normalize("NFC", base + tone)
        for base in _TCVN3_TONED
        for tone in _TONES
    ] + list("ăâêôơưđ")
    return lower + [c.upper() for c in lower]


def _tcvn3_char(c: str) -> str:
    if c in _TCVN3_PLAIN:
        return _cp1252([_TCVN3_PLAIN[c]])
    # Toned capitals do not exist in TCVN3: the ".VnTimeH" capital font reuses the
    # lower-case codes, so a capital toned letter is stored with its lower-case byte.
    decomposed = unicodedata.normalize("NFD", c.lower())
    tone = next(m for m in decomposed if m in _TONES)
    base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
    return _cp1252([_TCVN3_TONED[base][_TONES.index(tone)]])


def _vni_char(c: str) -> str:
    upper = c.isupper()
    nfd = unicodedata.normalize("NFD", c.lower())
    base, marks = nfd[0], nfd[1:]
    tone = next((_TONES.index(m) for m in marks if m in _TONES), None)
    if base == "đ":
        codes, base = [0xF1], ""
    elif "\u0302" in marks:  # circumflex: â ê ô
        codes = [_VNI_CIRCUMFLEX[0 if tone is None else tone + 1]]
    elif "\u0306" in marks:  # breve: ă
        codes = [_VNI_BREVE[0 if tone is None else tone + 1]]
    elif "\u031b" in marks:  # horn: ơ ư
        codes, base = [_VNI_HORN[base]] + ([] if tone is None else [_VNI_TONE[tone]]), ""
    elif base == "i" and tone is not None:
        codes, base = [_VNI_TONED_I[tone]], ""
    elif base == "y" and tone == 4:
        codes, base = [_VNI_Y_DOT], ""
    else:
        codes = [_VNI_TONE[tone]] if tone is not None else []
    if upper:
        base, codes = base.upper(), [code - 0x20 for code in codes]
    return base + _cp1252(codes)


TCVN3_MOJIBAKE: dict[str, str] = {c: _tcvn3_char(c) for c in _vietnamese_letters()}
VNI_MOJIBAKE: dict[str, str] = {c: _vni_char(c) for c in _vietnamese_letters()}

_MARKS = "[\u0300\u0301\u0303\u0309\u0323]"


def tcvn3(text: pl.Expr) -> pl.Expr:
    """Unicode text typed in a TCVN3 font, as it shows when read as cp1252."""
    return text.str.normalize("NFC").str.replace_many(TCVN3_MOJIBAKE)


def vni(text: pl.Expr) -> pl.Expr:
    """Unicode text typed in a VNI-Windows font, as it shows when read as cp1252."""
    return text.str.normalize("NFC").str.replace_many(VNI_MOJIBAKE)


def ascii_fold(text: pl.Expr) -> pl.Expr:
    """Text with every diacritic removed and đ typed as d."""
    return (
        text.str.normalize("NFD").str.replace_all(r"\p{Mn}", "")
        .str.replace_many({"đ": "d", "Đ": "D"})
    )


def nfd(text: pl.Expr) -> pl.Expr:
    """Text in decomposed Unicode (base letters followed by combining marks)."""
    return text.str.normalize("NFD")


def old_tone_placement(text: pl.Expr) -> pl.Expr:
    """Move the tone of a final oa/oe/uy to the first vowel: Hoà → Hòa, Thuý → Thúy."""
    # In "qu" the u belongs to the consonant, so Quý never moves.
    pattern = rf"(^|[^qQ])([oOuU])([aAeEyY])({_MARKS})(\s|$)"
    return (
        text.str.normalize("NFD").str.replace_all(pattern, "${1}${2}${4}${3}${5}")
        .str.normalize("NFC")
    )
