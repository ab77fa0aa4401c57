"""Dates as the records write them: full, month and year, or year only, with their doubts flagged.

Accepted: dd/mm/yyyy and d/m/yyyy (also with - or . between), yyyy-mm-dd, mm/yyyy,
yyyy-mm, yyyy, Vietnamese `ngày 5 tháng 3 năm 1990`, a time part after the date, and
Excel serial day numbers. A serial is a 5-digit number (optionally with a fraction):
4-digit numbers are years, and 5-digit serials cover 1927-05-18 to 2173, so the two
never collide inside the accepted years 1880–2030. Anything else yields its year if it
holds exactly one 4-digit number that is a plausible year, else reason UNREADABLE_DATE
(so is a 2-digit year: its century is a guess).
"""

from __future__ import annotations

import polars as pl

UNREADABLE_DATE = "UNREADABLE_DATE"
MIN_YEAR, MAX_YEAR = 1880, 2030

DATE_FIELDS = ("year", "month", "day", "precision", "date", "placeholder", "swapped", "impossible", "reason")

_TIME_PART = r"(?:\s+|t)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:am|pm|sa|ch)?\s*(?:z|[+-]\d{2}:?\d{2})?$"
_SEP = r"[/.\-]"
_PATTERNS = {  # name: (regex, group of year, group of month, group of day)
    "dmy": (rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}})$", 3, 2, 1),
    "ymd": (rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})$", 1, 2, 3),
    "my": (rf"^(\d{{1,2}}){_SEP}(\d{{4}})$", 2, 1, None),
    "ym": (rf"^(\d{{4}}){_SEP}(\d{{1,2}})$", 1, 2, None),
    "y": (r"^(\d{4})(?:\.0+)?$", 1, None, None),
}
_EXCEL_SERIAL = r"^(\d{5})(?:[.,]\d+)?$"
_EXCEL_EPOCH = (1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's 1900 date system


def _clean(text: pl.Expr) -> pl.Expr:
    """Lowercase, no time part, Vietnamese words turned into separators, no stray spaces."""
    s = text.str.normalize("NFC").str.strip_chars().str.to_lowercase()
    s = s.str.replace(_TIME_PART, "")
    s = (
        s.str.replace(r"^ngày\s*(\d{1,2})\s*(?:tháng|/)\s*(\d{1,2})\s*(?:năm|/)\s*(\d{4})$", "$1/$2/$3")
        .str.replace(r"^tháng\s*(\d{1,2})\s*(?:năm|/)\s*(\d{4})$", "$1/$2")
        .str.replace(r"^năm\s*(\d{4})$", "$1")
    )
    s = s.str.replace_all(r"\s*([/.\-])\s*", "$1").str.strip_chars()
    return pl.when(s != "").then(s)


def _parts(s: pl.Expr) -> list[pl.Expr]:
    """Year, month and day (Int32) found by whichever pattern matches, and an Excel serial."""
    found: list[list[pl.Expr]] = [[], [], []]
    for regex, *groups in _PATTERNS.values():
        for which, group in enumerate(groups):
            if group is not None:
                found[which].append(s.str.extract(regex, group).cast(pl.Int32, strict=False))
    serial = s.str.extract(_EXCEL_SERIAL, 1).cast(pl.Int32, strict=False)
    return [
        *(pl.coalesce(f).alias(name) for f, name in zip(found, ("_y", "_m", "_d"), strict=True)),
        (pl.date(*_EXCEL_EPOCH) + pl.duration(days=serial)).alias("_serial"),
    ]


def _fallback_year(s: pl.Expr) -> pl.Expr:
    """The one 4-digit number in free text, if there is exactly one."""
    runs = s.str.extract_all(r"\d+").list.eval(
        pl.element().filter(pl.element().str.len_chars() == 4).cast(pl.Int32)
    )
    return pl.when(runs.list.len() == 1).then(runs.list.first())


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def parse_dates(text: pl.Series) -> pl.DataFrame:
    """One row per value of `text` with the `DATE_FIELDS`; empty text gives all nulls."""
    s, y, m, d, serial = (pl.col(c) for c in ("_s", "_y", "_m", "_d", "_serial"))
    frame = (
        pl.DataFrame({"_text": text.cast(pl.String)})
        .with_columns(_clean(pl.col("_text")).alias("_s"))
        .with_columns(_parts(s))
        .with_columns(
            _y=pl.coalesce(y, serial.dt.year(), pl.when(y.is_null() & serial.is_null()).then(_fallback_year(s))),
            _m=pl.coalesce(m, serial.dt.month().cast(pl.Int32)),
            _d=pl.coalesce(d, serial.dt.day().cast(pl.Int32)),
        )
        # 13/05 in a d/m field can only be m/d: swap when that makes a month of the day.
        .with_columns(_y=pl.when(y.is_between(MIN_YEAR, MAX_YEAR)).then(y), _swapped=(m > 12) & d.is_between(1, 12))
        .with_columns(
            _m=pl.when("_swapped").then(d).otherwise(m),
            _d=pl.when("_swapped").then(m).otherwise(d),
        )
        .with_columns(_month_ok=m.is_between(1, 12), _last=_days_in_month(y, m))
        .with_columns(_day_ok=pl.col("_month_ok") & d.is_between(1, pl.col("_last")))
    )
    month_ok, day_ok = pl.col("_month_ok"), pl.col("_day_ok")
    known = y.is_not_null()

    def if_known(value: pl.Expr) -> pl.Expr:
        return pl.when(known).then(value)

    return frame.select(
        year=y,
        month=if_known(pl.when(month_ok).then(m)).cast(pl.Int8),
        day=if_known(pl.when(day_ok).then(d)).cast(pl.Int8),
        precision=if_known(
            pl.when(day_ok).then(pl.lit("day")).when(month_ok).then(pl.lit("month")).otherwise(pl.lit("year"))
        ),
        date=if_known(pl.when(day_ok).then(pl.date(y, m, d))),
        placeholder=if_known((day_ok & (d == 1)).fill_null(False)),
        swapped=if_known(pl.col("_swapped").fill_null(False)),
        impossible=if_known(((m > 12) | (month_ok & (d > pl.col("_last")))).fill_null(False)),
        reason=pl.when(s.is_not_null() & ~known).then(pl.lit(UNREADABLE_DATE)),
    )


def date_columns(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """Add `prefix + field` for each of `DATE_FIELDS`, parsing each distinct text once."""
    distinct = frame.get_column(column).unique()
    parsed = parse_dates(distinct).select(pl.all().name.prefix(prefix)).with_columns(distinct)
    # Joined on the one column, not the whole frame: the frame's other columns are not copied.
    found = frame.select(column).join(parsed, on=column, how="left", maintain_order="left", nulls_equal=True)
    return frame.hstack(found.drop(column).get_columns())
