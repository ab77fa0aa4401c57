"""Every parser of reconcile.normalize, fed any text: never an exception, always a value or a reason.

Each property runs a whole batch through the vectorised parser, as ingest does, so that a
value which breaks a batch (not only a single call) is found. The texts mix anything
Unicode holds with what real exports carry: legacy-font bytes read as Windows-1252,
decomposed marks, spreadsheet numbers, and values that look like SQL or paths.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.normalize.communes import commune_table, current_communes
from reconcile.normalize.dates import DATE_FIELDS, MAX_YEAR, MIN_YEAR, UNREADABLE_DATE, parse_dates
from reconcile.normalize.ids import (
    OLD_ID,
    PASSPORT,
    PERSONAL_ID,
    UNUSABLE,
    classify_ids,
    id_structure_ok,
)
from reconcile.normalize.legacy import decode_tcvn3, decode_vni, is_suspect, repair_legacy
from reconcile.normalize.names import NAME_COLUMNS, name_table
from reconcile.normalize.syllables import fold_ascii, key_syllable
from reconcile.normalize.values import (
    UNRECOGNISED,
    is_foreign,
    marital_status_code,
    marriage_status_code,
    sex_code,
)
from reconcile.normalize.wards import (
    CURRENT,
    OLD_MAPPED,
    OLD_SPLIT,
    PLACE_TEXT,
    UNKNOWN,
    clean_ward_code,
    commune_columns,
    place_communes,
)

HOSTILE = [
    "'; DROP TABLE marriages; --", "../../x", "..\\..\\x", "/etc/passwd", "%s%n", "${jndi:x}", "NULL", "null",
    "\x00", "\ufeff", "\u200b", "\u202e", "  ", "\t", "\r\n", "'", '"', "\\", "0" * 40, "9" * 19, "1e308", "-0",
    "NaN", "inf", "00/00/1975", "31/02/1980", "99999", "00000", "1975.0", "4.61235E+11", "NguyÔn V¨n Hïng",
    "Nguyeãn Vaên Huøng", "Nguyá»…n", "Ð", "ǅ", "ﬁ", "İ", "ß", "ꭰ", "𝐍𝐠𝐮𝐲ễ𝐧", "\U0010ffff",
]
# Characters of Windows-1252 and Latin-1 above 0x7F: what legacy-font bytes read as.
LEGACY_CHARS = "".join(
    chr(c) for c in range(0xA0, 0x100)
) + "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ" + "\u0300\u0301\u0303\u0309\u0323"

texts = st.one_of(
    st.text(),
    st.text(alphabet=LEGACY_CHARS + VIETNAMESE + " -'./0123456789", max_size=40),
    st.text(alphabet="0123456789 ./-'eE+", max_size=20),
    st.sampled_from(HOSTILE),
    st.text(min_size=200, max_size=2000),
)
batches = st.lists(st.one_of(st.none(), texts), max_size=12)


def series(values: list[str | None]) -> pl.Series:
    return pl.Series("text", values, dtype=pl.String)


# Python's str.strip also takes \x1c–\x1f for white space; Polars (Unicode White_Space) does not.
_NOT_SPACE = dict.fromkeys(range(0x1C, 0x20), "x")


def blank(text: str | None) -> bool:
    """Nothing but white space, as Polars' strip_chars sees it."""
    return text is None or not text.translate(_NOT_SPACE).strip()


@settings(max_examples=200, deadline=None)
@given(batches)
def test_names_give_a_name_or_no_letters(values: list[str | None]) -> None:
    table = name_table(series(values))
    assert table.height == len(values) and table.columns == ["raw", *NAME_COLUMNS]
    for raw, row in zip(values, table.iter_rows(named=True), strict=True):
        assert row["raw"] == raw
        # The name key, or none (records.py rejects the row: MISSING_NAME) when nothing of the
        # name folds to an ASCII letter or digit.
        spelled = row["full_name"] is not None and re.search(r"[a-z0-9]", fold_ascii(row["full_name"].lower()))
        assert (row["name_ascii"] is not None) == bool(spelled)
        if row["name_ascii"] is not None:
            assert row["name_ascii"].isascii() and row["name_ascii"] == row["name_ascii"].strip()
        if blank(raw):
            assert row["full_name"] is None and row["name_repair"] is None
        assert row["name_repaired"] == (row["name_repair"] is not None)
        assert row["name_repair"] in (None, "tcvn3", "vni", "utf8")


@settings(max_examples=300, deadline=None)
@given(texts)
def test_legacy_repair_returns_text_and_a_font_or_none(text: str) -> None:
    for decode in (decode_tcvn3, decode_vni):
        assert isinstance(decode(text), str)
    nfc = unicodedata.normalize("NFC", text)
    repaired, font = repair_legacy(nfc)
    assert isinstance(repaired, str)
    if font is None:
        assert repaired == nfc
    else:
        assert font in ("tcvn3", "vni", "utf8") and repaired != nfc
    for word in re.split(r"\s+", text):
        assert isinstance(is_suspect(word), bool)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_syllable_keys_are_text_and_idempotent(text: str) -> None:
    for word in text.split():
        key = key_syllable(word)
        assert isinstance(key, str) and key_syllable(key) == key
    folded = fold_ascii(text)
    assert fold_ascii(folded) == folded
    assert not any(unicodedata.combining(c) for c in folded)


@settings(max_examples=200, deadline=None)
@given(batches)
def test_dates_give_a_year_or_a_reason(values: list[str | None]) -> None:
    parsed = parse_dates(series(values))
    assert parsed.columns == list(DATE_FIELDS) and parsed.height == len(values)
    for raw, row in zip(values, parsed.iter_rows(named=True), strict=True):
        if blank(raw):
            assert all(v is None for v in row.values())
            continue
        assert (row["year"] is None) == (row["reason"] == UNREADABLE_DATE)
        if row["year"] is not None:
            assert MIN_YEAR <= row["year"] <= MAX_YEAR
            assert row["precision"] in ("day", "month", "year")
            assert (row["date"] is not None) == (row["precision"] == "day")
            assert isinstance(row["impossible"], bool) and isinstance(row["swapped"], bool)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), texts), st.sampled_from(["M", "F", None]),
                  st.one_of(st.none(), st.integers(-10_000, 10_000))),
        max_size=12,
    )
)
def test_ids_give_a_kind_and_unusable_ones_a_note(rows: list[tuple[str | None, str | None, int | None]]) -> None:
    ids, sexes, years = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [])
    got = classify_ids(series(ids), pl.Series(sexes, dtype=pl.String), pl.Series(years, dtype=pl.Int32))
    assert got.height == len(rows)
    for raw, row in zip(ids, got.iter_rows(named=True), strict=True):
        if blank((raw or "").translate(_NOT_SPACE).strip().lstrip("'\u2019`")):
            assert row["id_kind"] is None and row["id_note"] is None
            continue
        assert row["id_kind"] in (PERSONAL_ID, OLD_ID, PASSPORT, UNUSABLE)
        assert row["id_number"] is not None
        if row["id_kind"] == UNUSABLE:
            assert row["id_note"] is not None
        if row["id_kind"] == PERSONAL_ID:
            assert re.fullmatch(r"\d{12}", row["id_number"])
        if row["id_kind"] == OLD_ID:
            assert re.fullmatch(r"\d{9}", row["id_number"])
        assert row["id_structure_ok"] in (None, True, False)
    frame = pl.DataFrame({"id": ids, "sex": sexes, "year": years}, schema={"id": pl.String, "sex": pl.String,
                                                                           "year": pl.Int32})
    frame.select(id_structure_ok(pl.col("id"), pl.col("sex"), pl.col("year")))  # never raises


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), texts), st.one_of(st.none(), st.booleans())), max_size=10))
def test_ward_codes_give_a_current_commune_or_unknown(rows: list[tuple[str | None, bool | None]]) -> None:
    codes, before = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [])
    frame = pl.DataFrame({"code": codes, "before": before}, schema={"code": pl.String, "before": pl.Boolean})
    cleaned = frame.select(clean_ward_code(pl.col("code"))).to_series().to_list()
    assert all(c is None or re.fullmatch(r"\d{5}", c) for c in cleaned)
    communes, current = commune_table(), current_communes()
    known = set(current.get_column("code"))
    got = commune_columns(frame, "code", pl.col("before"), communes, current)
    got = place_communes(got.with_columns(place=pl.col("code")), "place", pl.col("before"), communes, current)
    assert got.height == len(rows)
    for row in got.iter_rows(named=True):
        assert row["commune_source"] in (CURRENT, OLD_MAPPED, OLD_SPLIT, PLACE_TEXT, UNKNOWN)
        assert (row["commune"] is None) == (row["commune_source"] == UNKNOWN)
        assert row["commune"] is None or row["commune"] in known


@settings(max_examples=200, deadline=None)
@given(batches)
def test_categories_give_a_code_or_unrecognised(values: list[str | None]) -> None:
    text = pl.col("text")
    got = series(values).to_frame().select(
        sex=sex_code(text), marital=marital_status_code(text), status=marriage_status_code(text),
        foreign=is_foreign(text),
    )
    assert got.height == len(values)
    for raw, row in zip(values, got.iter_rows(named=True), strict=True):
        assert row["sex"] in ("M", "F", None)
        assert row["status"] in ("valid", "divorced", "annulled", UNRECOGNISED)
        assert isinstance(row["foreign"], bool)
        if raw is None:
            assert row["marital"] is None and row["status"] == "valid" and row["foreign"] is False
        else:
            assert row["marital"] in ("single", "married", "divorced", "widowed", UNRECOGNISED, None)
