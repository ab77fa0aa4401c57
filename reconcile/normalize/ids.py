"""Identity document numbers: clean, classify, restore dropped leading zeros, check structure.

A 12-digit personal ID is 3 digits of province (001–096, so it always starts with 0),
1 digit of sex and century, 2 digits of birth year, 6 random digits. Spreadsheets drop
leading zeros and write long numbers in scientific notation; the lost digits of the
latter cannot be recovered, so such a number is never trusted.
"""

from __future__ import annotations

import polars as pl

PERSONAL_ID, OLD_ID, PASSPORT, UNUSABLE = "personal_id", "old_id", "passport", "unusable"
ID_FIELDS = ("id_number", "id_kind", "id_note", "id_structure_ok")

# id_note values
LEADING_ZERO_RESTORED = "leading_zero_restored"
LEADING_ZERO_UNVERIFIED = "leading_zero_unverified"  # 10/11 digits that do not fit sex and birth year
SCIENTIFIC_NOTATION = "scientific_notation"
UNRECOGNISED_FORMAT = "unrecognised_format"

_SCIENTIFIC = r"^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$"
# Excel shows at most 6 significant digits of a long number in the General format; an
# ID with no leading zero (so it went through a number) and 6 or fewer significant
# digits is the digits of 4.61235E+11 written out.
_MAX_SHOWN_DIGITS = 6


def sex_century_digit(sex: pl.Expr, birth_year: pl.Expr) -> pl.Expr:
    """The 4th digit a personal ID must have: 0/1 male/female 1900s, 2/3 2000s, 4/5 2100s."""
    century = birth_year // 100 - 19
    base = pl.when(century.is_between(0, 2)).then(century * 2)
    return base + pl.when(sex == "F").then(1).when(sex == "M").then(0)


def id_structure_ok(id12: pl.Expr, sex: pl.Expr, birth_year: pl.Expr) -> pl.Expr:
    """Whether a 12-digit ID fits the record: province digits start with 0, digit 4 fits sex
    and century, digits 5–6 are the birth year. Null when the year is unknown; evidence only."""
    digit4 = id12.str.slice(3, 1).cast(pl.Int32, strict=False)
    year2 = id12.str.slice(4, 2).cast(pl.Int32, strict=False)
    century_ok = (digit4 // 2) == (birth_year // 100 - 19)
    sex_ok = pl.when(sex.is_in(["M", "F"])).then(digit4 == sex_century_digit(sex, birth_year)).otherwise(True)
    checked = id12.str.starts_with("0") & century_ok & sex_ok & (year2 == birth_year % 100)
    return pl.when(id12.is_null()).then(None).when(~id12.str.starts_with("0")).then(False).when(
        birth_year.is_between(1900, 2199)
    ).then(checked)


def classify_ids(
    ids: pl.Series, sex: pl.Series | None = None, birth_year: pl.Series | None = None
) -> pl.DataFrame:
    """One row per ID text with the `ID_FIELDS`; `sex` ('M'/'F') and `birth_year` allow zero restoring.

    Empty text gives all nulls; any other text gets a kind, and an unusable one a note.
    """
    n = len(ids)
    sex = pl.Series([None] * n, dtype=pl.String) if sex is None else sex
    birth_year = pl.Series([None] * n, dtype=pl.Int32) if birth_year is None else birth_year
    frame = pl.DataFrame({"_raw": ids.cast(pl.String), "_sex": sex.cast(pl.String), "_year": birth_year.cast(pl.Int32)})
    # Most IDs arrive as they should be: read off directly, only the others are cleaned.
    clean = frame.select(pl.col("_raw").str.contains(_CLEAN).fill_null(True)).to_series()
    fields = _clean_fields(frame)
    if not clean.all():
        cleaned = _cleaned_fields(frame.filter(~clean))
        rows = (~clean).arg_true()
        fields = pl.DataFrame([fields.get_column(c).scatter(rows, cleaned.get_column(c)) for c in fields.columns])
    return fields.hstack([frame.get_column("_sex"), frame.get_column("_year")]).select(
        "id_number",
        "id_kind",
        "id_note",
        id_structure_ok=pl.when(pl.col("id_kind") == PERSONAL_ID).then(
            id_structure_ok(pl.col("id_number"), pl.col("_sex"), pl.col("_year"))
        ),
    )


# 12 or 9 plain digits: the fields of such a text (or of none) are read off in `_clean_fields`.
_CLEAN = r"^(?:[0-9]{12}|[0-9]{9})$"


def _clean_fields(frame: pl.DataFrame) -> pl.DataFrame:
    """id_number, id_kind and id_note of IDs that are empty or match `_CLEAN`, as `_cleaned_fields`
    gives them (its rules, taken for such text)."""
    raw = pl.col("_raw")
    length = raw.str.len_bytes()
    rounded = (length == 12) & ~raw.str.starts_with("0") & (
        raw.str.strip_chars_end("0").str.len_bytes() <= _MAX_SHOWN_DIGITS
    )
    return frame.select(
        id_number=raw,
        id_kind=pl.when(raw.is_null()).then(None)
        .when(rounded).then(pl.lit(UNUSABLE))
        .when(length == 12).then(pl.lit(PERSONAL_ID))
        .otherwise(pl.lit(OLD_ID)),
        id_note=pl.when(rounded).then(pl.lit(SCIENTIFIC_NOTATION)),
    )


def _cleaned_fields(frame: pl.DataFrame) -> pl.DataFrame:
    """id_number, id_kind and id_note of any ID text (`_raw`, with `_sex` and `_year`)."""
    sex_col, year_col = pl.col("_sex"), pl.col("_year")
    text, cleaned, digits, length = (pl.col(c) for c in ("_text", "_cleaned", "_digits", "_length"))
    frame = (
        frame
        # a leading apostrophe is how spreadsheets keep a number as text
        .with_columns(_text=pl.col("_raw").str.strip_chars().str.strip_chars_start("'\u2019`"))
        .with_columns(_text=pl.col("_text").str.strip_chars().str.to_uppercase())
        .with_columns(_text=pl.when(text != "").then(text))
        .with_columns(
            _scientific=text.str.replace_all(r"\s", "").str.to_lowercase().str.contains(_SCIENTIFIC),
            # "079123456789.0": a number that went through a float, lossless below 2**53.
            _cleaned=text.str.replace(r"^(\d+)\.0+$", "$1").str.replace_all(r"[\s.\-]", ""),
        )
        .with_columns(_digits=pl.when(cleaned.str.contains(r"^\d+$")).then(cleaned))
        .with_columns(_length=digits.str.len_chars(), _padded=digits.str.zfill(12))
        .with_columns(
            _rounded=pl.col("_scientific")
            | (
                ~digits.str.starts_with("0")
                & (length >= 10)
                & (digits.str.strip_chars_end("0").str.len_chars() <= _MAX_SHOWN_DIGITS)
            ).fill_null(False),
            _restorable=(
                length.is_between(10, 11)
                & sex_col.is_in(["M", "F"])
                & id_structure_ok(pl.col("_padded"), sex_col, year_col)
            ).fill_null(False),
            _passport=cleaned.str.contains(r"^[A-Z]\d{7,8}$"),
        )
    )
    rounded, restorable, padded = pl.col("_rounded"), pl.col("_restorable"), pl.col("_padded")
    return frame.select(
        id_number=pl.when(text.is_null() | rounded).then(text)
        .when(restorable).then(padded)
        .when(length == 8).then(digits.str.zfill(9))
        .otherwise(cleaned),
        id_kind=pl.when(text.is_null()).then(None)
        .when(rounded).then(pl.lit(UNUSABLE))
        .when((length == 12) | restorable).then(pl.lit(PERSONAL_ID))
        .when(length.is_between(8, 9)).then(pl.lit(OLD_ID))
        .when(pl.col("_passport")).then(pl.lit(PASSPORT))
        .otherwise(pl.lit(UNUSABLE)),
        id_note=pl.when(text.is_null()).then(None)
        .when(rounded).then(pl.lit(SCIENTIFIC_NOTATION))
        .when(length == 12).then(None)
        .when(restorable | (length == 8)).then(pl.lit(LEADING_ZERO_RESTORED))
        .when(length.is_between(10, 11)).then(pl.lit(LEADING_ZERO_UNVERIFIED))
        .when((length == 9) | pl.col("_passport")).then(None)
        .otherwise(pl.lit(UNRECOGNISED_FORMAT)),
    )
