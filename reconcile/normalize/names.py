"""Full names: repaired display form and the comparison keys the linker uses.

`full_name` is what an officer reads (NFC, title case, single spaces, legacy fonts
repaired). The keys are lowercase words in one spelling: `name_tone` keeps the tones
(classic placement, i for the i/y variant), `name_ascii` drops them, `family_key` merges
the regional spellings Huỳnh/Hoàng and Võ/Vũ, `name_core_ascii` drops the middle names
Văn and Thị, which records add and drop freely.

Work is vectorised over whole names; Python runs once per distinct word (spelling keys)
and once per name that holds a word which is not a Vietnamese syllable (font repair).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import polars as pl

from reconcile.normalize.legacy import WORD_BREAK, is_suspect, repair_legacy
from reconcile.normalize.syllables import fold_ascii, key_syllable

# Regional spellings of one family name (ASCII keys).
FAMILY_EQUIVALENTS = {"huynh": "hoang", "vo": "vu"}
# Middle names that records add or drop freely.
SOFT_MIDDLE_NAMES = ("van", "thi")

_INVISIBLE = r"[\u00ad\u200c-\u200f\u2060\ufeff]"  # soft hyphen, zero-width marks (not U+200B, a space)
_APOSTROPHES = r"['\u2019\u02bc`]"  # H'Bia → hbia in the keys


@dataclass(frozen=True)
class NameParts:
    """One full name: display form, keys, and the legacy font it was repaired from (or None)."""

    full_name: str | None
    name_tone: str | None
    name_ascii: str | None
    given_tone: str | None
    family_ascii: str | None
    middle_ascii: str | None
    given_ascii: str | None
    family_key: str | None
    name_core_ascii: str | None
    name_repair: str | None
    name_repaired: bool


NAME_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(NameParts))


def _per_word(
    frame: pl.DataFrame, words: pl.Expr, functions: dict[str, tuple[Callable[[str], object], pl.DataType]]
) -> pl.DataFrame:
    """The words of each row of `frame` (`words`: a list column), one row per word in order, with the
    row's index `_row` and a column per function of `functions` (name: function, dtype), called once
    per distinct word. A row with no word (an empty or null list) keeps one row, its values null."""
    exploded = frame.select(words.alias("_word")).with_row_index("_row").explode(
        "_word", empty_as_null=True, keep_nulls=True
    )
    distinct = exploded.get_column("_word").drop_nulls().unique()
    table = pl.DataFrame([
        distinct,
        *(pl.Series(name, [function(word) for word in distinct.to_list()], dtype=dtype)
          for name, (function, dtype) in functions.items()),
    ])
    return exploded.join(table, on="_word", how="left", maintain_order="left")


def _word_key(word: str) -> str | None:
    return key_syllable(word) if _word_ascii(word) else None


def _word_ascii(word: str) -> str | None:
    # Folding can make a syllable of a word that was none (ñý → ny): spell it again.
    return key_syllable(fold_ascii(key_syllable(word)).encode("ascii", "ignore").decode()) or None


def _repaired(frame: pl.DataFrame) -> pl.DataFrame:
    """Decode from a legacy font the names that hold a word that is not a syllable."""
    words = pl.col("_text").str.replace_all(WORD_BREAK, " ").str.strip_chars().str.split(" ")
    suspect = (
        _per_word(frame, words, {"_suspect": (is_suspect, pl.Boolean())})
        .group_by("_row", maintain_order=True)
        .agg(pl.col("_suspect").any())
        .get_column("_suspect")
    )
    texts = frame.filter(suspect).get_column("_text").to_list()
    repairs = pl.DataFrame(
        [(text, *repair_legacy(text)) for text in texts],
        schema={"_text": pl.String, "_fixed": pl.String, "name_repair": pl.String},
        orient="row",
    ).unique("_text")
    return frame.join(repairs, on="_text", how="left", maintain_order="left").with_columns(
        _text=pl.coalesce("_fixed", "_text")
    )


def _split(words: pl.Expr, suffix: str, parts: tuple[str, ...] = ("family", "middle", "given", "name")) -> list[pl.Expr]:
    """Of `parts`: family (first word), middle (the rest), given (last word), the name (all the
    words); one word is a given name."""
    n = words.list.len()
    made = {
        "family": pl.when(n >= 2).then(words.list.first()),
        "middle": pl.when(n >= 3).then(words.list.slice(1, n - 2).list.join(" ")),
        "given": pl.when(n >= 1).then(words.list.last()),
        "name": pl.when(n >= 1).then(words.list.join(" ")),
    }
    return [made[part].alias(f"{part}_{suffix}") for part in parts]


def name_table(raw: pl.Series) -> pl.DataFrame:
    """One row per value of `raw` with the raw text (column `raw`) and the `NAME_COLUMNS`."""
    frame = pl.DataFrame({"raw": raw.cast(pl.String)}).with_columns(_text=pl.col("raw").str.normalize("NFC"))
    frame = _repaired(frame).with_columns(
        full_name=pl.col("_text")
        .str.replace_all(_INVISIBLE, "")
        .str.replace_all(r"[\s\u200b]+", " ")
        .str.strip_chars()
        # Ð (Icelandic eth) is a common stand-in for Đ in Unicode typed by hand.
        .str.replace_many(["Ð", "ð"], ["Đ", "đ"])
        .str.to_titlecase()
    )
    frame = frame.with_columns(full_name=pl.when(pl.col("full_name") != "").then(pl.col("full_name")))
    words = (
        pl.col("full_name").str.to_lowercase().str.replace_all(_APOSTROPHES, "")
        .str.replace_all(r"[\W_]+", " ").str.strip_chars().str.split(" ")
    )
    keys = (
        _per_word(frame, words, {"_tone": (_word_key, pl.String()), "_ascii": (_word_ascii, pl.String())})
        .group_by("_row", maintain_order=True)
        .agg(pl.col("_tone", "_ascii").drop_nulls())
    )
    frame = frame.hstack(keys.select("_tone", "_ascii").get_columns()).with_columns(
        pl.when(pl.col("full_name").is_not_null()).then(pl.col(c)).alias(c) for c in ("_tone", "_ascii")
    )
    ascii_words = pl.col("_ascii")
    frame = frame.with_columns(
        # With tones only the given name and the whole name are compared (the family and middle
        # names without them: `family_key`, `middle_ascii`).
        *_split(pl.col("_tone"), "tone", ("given", "name")), *_split(ascii_words, "ascii"),
    ).with_columns(
        family_key=pl.col("family_ascii").replace(FAMILY_EQUIVALENTS),
        name_core_ascii=_core_words(ascii_words, pl.col("name_ascii")),
        name_repaired=pl.col("name_repair").is_not_null(),
    )
    return frame.select("raw", *NAME_COLUMNS)


def _core_words(words: pl.Expr, name: pl.Expr) -> pl.Expr:
    """The name (`words`, its ASCII words) without the middle names Văn and Thị."""
    middle = words.list.slice(1, words.list.len() - 2)
    core = pl.concat_list(
        words.list.first(),
        middle.list.eval(pl.element().filter(~pl.element().is_in(list(SOFT_MIDDLE_NAMES)))),
        words.list.last(),
    )
    return pl.when(words.list.len() <= 2).then(name).otherwise(core.list.join(" "))


_SOFT_MIDDLE = r" (?:" + "|".join(SOFT_MIDDLE_NAMES) + r") "


def core_ascii(name_ascii: pl.Expr) -> pl.Expr:
    """`name_core_ascii` of a name already in its ASCII key form (`name_ascii`, single spaces): a
    Văn or Thị between two other words goes (a regex, no list per name; twice, as a match takes
    the space the next one starts with: "van thi" both go)."""
    return name_ascii.str.replace_all(_SOFT_MIDDLE, " ").str.replace_all(_SOFT_MIDDLE, " ")


# Văn/Thị with their tones or without, between spaces: the name keys are single-spaced words (a
# word boundary, \b, is many times slower on Unicode text).
_SOFT_MIDDLE_ANY = r" (?:" + "|".join([*SOFT_MIDDLE_NAMES, "văn", "thị"]) + r") "


def without_soft_middles(name: pl.Expr) -> pl.Expr:
    """A name key, with tones (`name_tone`) or without (`name_ascii`), without Văn and Thị wherever
    they stand, first or last word too: how a recorded spouse name typed with or without them is
    told to be the partner's. (`core_ascii` keeps the first and last words: a key for blocking.)
    Twice, as a match takes the space the next one starts with."""
    padded = pl.lit(" ") + name + pl.lit(" ")
    return padded.str.replace_all(_SOFT_MIDDLE_ANY, " ").str.replace_all(_SOFT_MIDDLE_ANY, " ").str.strip_chars()


def one_slip_apart(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """True where the two name keys differ by at most one typing slip (Damerau-Levenshtein
    distance 1: a letter wrong, missing, added or two swapped); null where either is null.

    Told from the two keys' common beginning and end (`_common_length`), no Python per row: keys
    of one length are one letter apart where those leave at most one letter out, or two swapped
    where they leave out two letters that are each other's; keys one letter apart in length where
    the two cover the shorter key (the longer one's extra letter dropped between them)."""
    def within_one(pairs: pl.Series) -> pl.Series:
        keys = pairs.struct.unnest().select("a", "b", la=pl.col("a").str.len_chars().cast(pl.Int64),
                                           lb=pl.col("b").str.len_chars().cast(pl.Int64))
        a_, b_, la, lb, p, s = (pl.col(c) for c in ("a", "b", "la", "lb", "prefix", "suffix"))
        # Searched only where it is in doubt: both keys given, different, and at most a letter apart
        # in length (most rows of a deciding's columns are null or equal).
        told = keys.select(
            pl.when(a_.is_null() | b_.is_null()).then(pl.lit(None, pl.Boolean))
            .when(a_ == b_).then(True)
            .when((la - lb).abs() > 1).then(False).alias("_told")
        ).to_series()
        doubt = keys.with_columns(told).with_row_index("_row").filter(
            pl.col("_told").is_null() & a_.is_not_null() & b_.is_not_null())
        if doubt.is_empty():
            return told
        doubt = doubt.with_columns(shorter=pl.min_horizontal("la", "lb"))
        doubt = doubt.with_columns(prefix=_common_length(doubt, from_end=False),
                                   suffix=_common_length(doubt, from_end=True))
        swapped = ((p + 2 <= la) & (a_.str.slice(p, 1) == b_.str.slice(p + 1, 1))
                   & (a_.str.slice(p + 1, 1) == b_.str.slice(p, 1)) & (s >= la - p - 2))
        found = doubt.select(
            "_row", pl.when(la == lb).then((p + s >= la - 1) | swapped).otherwise(p + s >= pl.col("shorter")))
        return told.scatter(found["_row"], found.to_series(1))

    return pl.struct(a.alias("a"), b.alias("b")).map_batches(within_one, return_dtype=pl.Boolean)


def _common_length(keys: pl.DataFrame, from_end: bool) -> pl.Series:
    """Per row of `keys` (`a`, `b`, their lengths `la`, `lb` and `shorter`; only the rows in doubt
    of `one_slip_apart`: both keys given, at most a letter apart in length): how many letters the
    two keys share at their beginning (or end), found by halving the range of lengths that could be
    at each step: about six steps for names, each a comparison of whole columns."""
    def part(key: str, length: str, k: pl.Expr) -> pl.Expr:
        return pl.col(key).str.slice(pl.col(length) - k) if from_end else pl.col(key).str.slice(0, k)

    bounds = keys.with_columns(low=pl.lit(0, pl.Int64), high=pl.col("shorter"))
    middle = (pl.col("low") + pl.col("high") + 1) // 2
    agree = (part("a", "la", middle) == part("b", "lb", middle)).fill_null(False)
    while (bounds["low"] < bounds["high"]).any():
        bounds = bounds.with_columns(low=pl.when(agree).then(middle).otherwise("low"),
                                     high=pl.when(agree).then("high").otherwise(middle - 1))
    return bounds["low"]


def name_columns(frame: pl.DataFrame, column: str, prefix: str = "") -> pl.DataFrame:
    """Add the `NAME_COLUMNS` (with `prefix`, replacing same-named columns) for the names in `column`."""
    outputs = {c: prefix + c for c in NAME_COLUMNS}
    table = name_table(frame.get_column(column).drop_nulls().unique()).rename({"raw": "_name_key", **outputs})
    # Joined on the one column, not the whole frame: the frame's other columns are not copied.
    found = (
        frame.select(pl.col(column).alias("_name_key"))
        .join(table, on="_name_key", how="left", maintain_order="left")
        .drop("_name_key")
        .with_columns(pl.col(prefix + "name_repaired").fill_null(False))
    )
    return frame.drop(list(outputs.values()), strict=False).hstack(found.get_columns())


def normalize_name(raw: str) -> NameParts:
    """Repair and normalise one full name (the same code path as `name_columns`)."""
    row = name_table(pl.Series([raw], dtype=pl.String)).row(0, named=True)
    return NameParts(**{c: row[c] for c in NAME_COLUMNS})


def toned_only(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with `name_tone` null where the name carries no tone mark or other diacritic at all
    (`name_tone` equals `name_ascii`: typed without them): such a name has no tones to agree on."""
    if not {"name_tone", "name_ascii"} <= set(frame.columns):
        return frame
    return frame.with_columns(name_tone=pl.when(pl.col("name_tone") != pl.col("name_ascii")).then(pl.col("name_tone")))
