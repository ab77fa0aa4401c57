"""Read a record's ward code as a current (post-merger) commune code.

Old and current codes share one number space and many numbers are in both lists, so
the date decides: a record from before 1 July 2025 is read as an old code if it is
one, a later record as a current code if it is one, an undated record as current
first. Spreadsheets drop leading zeros, so 1–5 digit codes are padded to 5 digits.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from reconcile.normalize.communes import MERGER_DATE

MERGER_YEAR = MERGER_DATE.year

CURRENT, OLD_MAPPED, OLD_SPLIT, PLACE_TEXT, UNKNOWN = "current", "old_mapped", "old_split", "place_text", "unknown"


def clean_ward_code(raw: pl.Expr) -> pl.Expr:
    """A 5-digit code from ' 1975', '01975' or '1975.0'; null for anything else."""
    text = raw.str.strip_chars().str.replace(r"\.0+$", "")
    return pl.when(text.str.contains(r"^\d{1,5}$")).then(text.str.zfill(5))


def commune_columns(
    frame: pl.DataFrame,
    code_column: str,
    before_merger: pl.Expr,
    communes: pl.DataFrame,
    current: pl.DataFrame,
) -> pl.DataFrame:
    """Add `commune` (current code or null) and `commune_source` for the codes in `code_column`.

    `before_merger` is True/False/null per row; `communes` is `commune_table()` and
    `current` is `current_communes()`.
    """
    old = communes.select(
        pl.col("old_code").alias("_code"), pl.col("new_code").alias("_old_new"), pl.col("split").alias("_split")
    ).filter(pl.col("_code").is_not_null() & pl.col("_old_new").is_not_null())
    current_codes = current.get_column("code").implode()
    # Only the columns the commune is read from are joined: the frame's other columns are not copied.
    keys = frame.select(pl.col(code_column).alias("_raw"), before_merger.fill_null(False).alias("_before"))
    # Each distinct code (and side of the merger) is read once: a province has a few thousand.
    distinct = keys.unique().with_columns(_code=clean_ward_code(pl.col("_raw")))
    with_old = distinct.join(old, on="_code", how="left")
    is_current = pl.col("_code").is_in(current_codes)
    is_old = pl.col("_old_new").is_not_null()
    use_old = is_old & (pl.col("_before") | ~is_current)
    read = with_old.select(
        "_raw",
        "_before",
        commune=pl.when(use_old).then(pl.col("_old_new")).when(is_current).then(pl.col("_code")),
        commune_source=pl.when(use_old & pl.col("_split"))
        .then(pl.lit(OLD_SPLIT))
        .when(use_old)
        .then(pl.lit(OLD_MAPPED))
        .when(is_current)
        .then(pl.lit(CURRENT))
        .otherwise(pl.lit(UNKNOWN)),
    )
    found = keys.join(read, on=["_raw", "_before"], how="left", maintain_order="left", nulls_equal=True)
    return frame.with_columns(found.select("commune", "commune_source").get_columns())


@lru_cache(maxsize=65536)
def _place_code(place: str, legacy: bool) -> str | None:
    """The ward code named in an authority text such as 'UBND xã Lộc Thủy, huyện Phú Lộc, tỉnh
    Thừa Thiên Huế' (old names before the merger, current ones after), or None."""
    from vietnamadminunits import ParseMode, parse_address  # slow to import: only when a text needs it

    try:
        unit = parse_address(place, mode=ParseMode.LEGACY if legacy else ParseMode.FROM_2025, level=3 if legacy else 2)
    except Exception:  # noqa: BLE001 - the parser raises on text it cannot place; that is "unknown"
        return None
    return unit.ward_code or None


def place_communes(
    frame: pl.DataFrame, place_column: str, before_merger: pl.Expr, communes: pl.DataFrame, current: pl.DataFrame
) -> pl.DataFrame:
    """Fill `commune` where the code gave none, from the authority's name in `place_column`.

    Only the rows still `unknown` are parsed, each distinct text once; a commune found this
    way is marked `place_text`.
    """
    todo = frame.with_columns(_before=before_merger.fill_null(True)).filter(
        (pl.col("commune_source") == UNKNOWN) & pl.col(place_column).is_not_null()
    ).select(place_column, "_before").unique()
    if todo.is_empty():
        return frame
    codes = [_place_code(p, b) for p, b in todo.iter_rows()]
    found = commune_columns(
        todo.with_columns(pl.Series("_code", codes, dtype=pl.String)), "_code", pl.col("_before"), communes, current
    ).select(place_column, "_before", _place_commune=pl.col("commune"))
    filled = (
        frame.select(place_column, "commune", "commune_source", _before=before_merger.fill_null(True))
        .join(found, on=[place_column, "_before"], how="left", maintain_order="left")
        .select(
            commune=pl.coalesce("commune", "_place_commune"),
            commune_source=pl.when((pl.col("commune_source") == UNKNOWN) & pl.col("_place_commune").is_not_null())
            .then(pl.lit(PLACE_TEXT)).otherwise(pl.col("commune_source")),
        )
    )
    return frame.with_columns(filled.get_columns())


def rejected_communes(rejected: pl.DataFrame, code_field: str, communes: pl.DataFrame,
                      current: pl.DataFrame, date_field: str | None = None) -> pl.DataFrame:
    """Add `commune` to rejected rows, read from the ward code kept in their `values` JSON, so
    that an officer sees the rejected rows of her own commune. The year in `date_field` (if any)
    says whether the code is read as old or current, as for accepted rows."""
    if rejected.is_empty() or "values" not in rejected.columns:
        return rejected.with_columns(commune=pl.lit(None, pl.String))
    with_code = rejected.with_columns(_ward=pl.col("values").str.json_path_match(f"$.{code_field}"))
    before = pl.lit(None, pl.Boolean)
    if date_field:
        year = pl.col("values").str.json_path_match(f"$.{date_field}").str.extract(r"\b(1[89]\d\d|20\d\d)\b").cast(pl.Int32)
        before = pl.when(year < MERGER_YEAR).then(True).when(year > MERGER_YEAR).then(False)
    return commune_columns(with_code, "_ward", before, communes, current).drop("_ward", "commune_source")
