"""Vietnamese syllable orthography: is a word a Vietnamese syllable, where does its tone mark go.

Used by name repair (a garbled word is not a syllable) and by the name keys (one tone
placement style, one spelling of the i/y variants).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# The five written tones as combining marks (NFD): huyền, sắc, ngã, hỏi, nặng.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Stop codas (c, ch, p, t) only take the sắc or nặng tone.
_STOP_TONES = frozenset({"", "\u0301", "\u0323"})

_SYLLABLE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx])?"
    r"([aăâeêioôơuưy]+)"
    r"(ch|ng|nh|[cmnpt])?"
)
# Vowel clusters by what may follow them: nothing, a final consonant, or either.
_OPEN = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uơ "
    "iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyu".split()
)
_CLOSED = frozenset("ă â iê yê uô ươ oă uâ uyê oo".split())
_EITHER = frozenset("a e ê i o ô ơ u ư y oa oe uê uy".split())
_HATTED = frozenset("ăâêôơư")


class Syllable(NamedTuple):
    """A lowercase syllable split into onset, vowel cluster, final consonant and tone mark."""

    onset: str
    vowels: str
    coda: str
    tone: str  # one combining tone mark, or "" for the level tone


@lru_cache(maxsize=65536)
def parse_syllable(word: str) -> Syllable | None:
    """Split a lowercase NFC word into a `Syllable`, or None if it is not a Vietnamese syllable.

    The tone mark must sit where one of the two placement styles puts it (hòa or hoà).
    """
    parsed = _parse(word)
    if parsed is None:
        return None
    syllable, marked = parsed
    if syllable.tone and marked - len(syllable.onset) not in _allowed_positions(syllable):
        return None
    return syllable


@lru_cache(maxsize=65536)
def _parse(word: str) -> tuple[Syllable, int] | None:
    """The syllable and the index of the letter that carries the tone, wherever it is."""
    letters: list[str] = []
    tones: list[tuple[str, int]] = []
    for c in unicodedata.normalize("NFD", word):
        if c in _TONE_MARKS:
            tones.append((c, len(letters) - 1))
        elif unicodedata.combining(c) and letters:
            letters[-1] += c
        else:
            letters.append(c)
    if len(tones) > 1:
        return None
    match = _SYLLABLE.fullmatch(unicodedata.normalize("NFC", "".join(letters)))
    if match is None:
        return None
    onset, vowels, coda = (g or "" for g in match.groups())
    if vowels in _OPEN and coda or vowels in _CLOSED and not coda:
        return None
    if vowels not in _OPEN | _CLOSED | _EITHER:
        return None
    tone, marked = tones[0] if tones else ("", -1)
    if coda in ("c", "ch", "p", "t") and tone not in _STOP_TONES:
        return None
    return Syllable(onset, vowels, coda, tone), marked


def _allowed_positions(syllable: Syllable) -> tuple[int, ...]:
    classic = tone_position(syllable)
    if not syllable.coda and syllable.vowels in ("oa", "oe", "uy"):
        return (classic, 1)
    return (classic,)


def tone_position(syllable: Syllable) -> int:
    """Index in the vowel cluster that carries the tone, in the classic style (hòa, thúy, khỏe)."""
    vowels = syllable.vowels
    hatted = [i for i, c in enumerate(vowels) if c in _HATTED]
    if hatted:
        return hatted[-1]  # ươ → ơ, uyê → ê, ưa → ư
    if syllable.coda:
        return len(vowels) - 1  # hoàn, huỳnh, khoét
    if len(vowels) == 3:
        return 1  # ngoài, khuỷu
    # Two open vowels: the classic style marks the first (hòa, thúy, mùa, tài);
    # the newer style would mark the second in oa, oe and uy (hoà, thuý, khoẻ).
    return 0


@lru_cache(maxsize=65536)
def key_syllable(word: str) -> str:
    """A lowercase word in one spelling: tone on the classic vowel, i for the i/y variant (lý → lí).

    A misplaced tone (ngòai) is moved too; words that are not Vietnamese syllables are
    returned unchanged.
    """
    parsed = _parse(word)
    if parsed is None:
        return word
    syllable = parsed[0]
    vowels = syllable.vowels
    # After a consonant, a lone i or y in an open syllable is one sound written two ways
    # (Lý/Lí, Mỹ/Mĩ, Kỳ/Kì, Quý/Quí); not after gi, and not in uy, ay or a bare Y.
    if vowels == "y" and not syllable.coda and syllable.onset not in ("", "gi"):
        vowels = "i"
    if syllable.tone:
        pos = tone_position(syllable)
        marked = unicodedata.normalize("NFC", vowels[pos] + syllable.tone)
        vowels = vowels[:pos] + marked + vowels[pos + 1 :]
    return syllable.onset + vowels + syllable.coda


@lru_cache(maxsize=65536)
def fold_ascii(text: str) -> str:
    """Drop every diacritic and write đ as d: 'Đặng Thị Huệ' → 'Dang Thi Hue'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
