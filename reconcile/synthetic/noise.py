"""Noise on the registry copy of each spouse (and light noise on the population), vectorised.

Each kind is drawn independently at the rate in `NoiseRates` (defaults below, also listed
in fixtures/README.md). Names: the text form is one of no diacritics with đ→d 15 %, NFD
5 %, TCVN3-garbled 1.5 %, VNI-garbled 1 %, else NFC; independently old tone placement
10 %, ALL CAPS 10 %, stray/double spaces 5 %, Văn/Thị dropped or added 5 %, Hoàng↔Huỳnh
/ Vũ↔Võ 2 %, a one-letter typo in the given name 1 %. Birth dates: year only 8 %,
month/year 4 %, 01/01 placeholder 3 %, day/month swapped 2 % (of dates where both are
≤ 12 and differ); full dates are dd/mm/yyyy, 10 % yyyy-mm-dd, 5 % dd-mm-yyyy. IDs: the old
9-digit number for 10 % of those who have one; otherwise missing 25 %, leading zeros
dropped 5 %, scientific notation 1 %, a one-digit typo 1 % (never another person's ID).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reconcile.synthetic.names import full_name
from reconcile.synthetic.people import is_member
from reconcile.synthetic.textforms import ascii_fold, nfd, old_tone_placement, tcvn3, vni

_FAMILY_SWAPS = {"Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Vũ": "Võ", "Võ": "Vũ"}
_TYPO_LETTERS = "abcdeghiklmnopqrstuvxy"
_FORMATS = {"slash": "%d/%m/%Y", "iso": "%Y-%m-%d", "dashed": "%d-%m-%Y"}


@dataclass(frozen=True)
class NoiseRates:
    """Share of registry spouse copies (or population rows) that get each kind of noise."""

    name_ascii: float = 0.15
    name_nfd: float = 0.05
    name_tcvn3: float = 0.015
    name_vni: float = 0.01
    name_old_tone: float = 0.10
    name_caps: float = 0.10
    name_spaces: float = 0.05
    name_van_thi: float = 0.05
    name_family_swap: float = 0.02
    name_typo: float = 0.01
    date_year_only: float = 0.08
    date_month_year: float = 0.04
    date_placeholder: float = 0.03
    date_swap: float = 0.02
    date_iso: float = 0.10
    date_dashed: float = 0.05
    id_legacy: float = 0.10
    id_missing: float = 0.25
    id_zero_dropped: float = 0.05
    id_scientific: float = 0.01
    id_typo: float = 0.01
    ward_code_empty: float = 0.03
    status_empty: float = 0.10
    population_ascii: float = 0.03
    population_year_only: float = 0.02


def categorical(rng: np.random.Generator, n: int, shares: dict[str, float]) -> np.ndarray:
    """One of the keys of `shares` per row at those rates, else the empty string."""
    names = np.array(["", *shares])
    p = np.array([1.0 - sum(shares.values()), *shares.values()])
    return names[rng.choice(len(names), size=n, p=p)]


def _tags(pairs: list[tuple[str, pl.Expr]]) -> pl.Expr:
    """The names of the conditions that hold, joined by `+` (empty if none)."""
    return pl.concat_str(
        [pl.when(cond).then(pl.lit(tag)) for tag, cond in pairs], separator="+", ignore_nulls=True
    )


def noisy_names(rng: np.random.Generator, parts: pl.DataFrame, rates: NoiseRates) -> pl.DataFrame:
    """Noisy full names from family, middle, given, female; columns `name`, `name_tags`, `name_ok`."""
    n = len(parts)
    c = pl.col
    form = categorical(rng, n, {"ascii": rates.name_ascii, "nfd": rates.name_nfd,
                                "tcvn3": rates.name_tcvn3, "vni": rates.name_vni})
    draws = parts.with_columns(
        form=form,
        **{k: rng.random(n) < getattr(rates, f"name_{k}")
           for k in ("old_tone", "caps", "spaces", "van_thi", "family_swap", "typo")},
        typo_at=rng.random(n), letter=pl.Series(list(_TYPO_LETTERS)).gather(rng.integers(0, len(_TYPO_LETTERS), n)),
        space_kind=rng.random(n),
    )
    word = pl.when(c("female")).then(pl.lit("Thị")).otherwise(pl.lit("Văn"))
    has_word = (c("middle") == word) | c("middle").str.starts_with(pl.concat_str([word, pl.lit(" ")]))
    pos = (c("typo_at") * c("given").str.len_chars()).cast(pl.Int64)
    old = c("given").str.slice(pos, 1)
    letter = pl.when(c("letter") == old.str.to_lowercase()).then(pl.lit("o")).otherwise(c("letter"))
    letter = pl.when(letter == old.str.to_lowercase()).then(pl.lit("a")).otherwise(letter)
    staged = draws.with_columns(
        family=pl.when(c("family_swap")).then(c("family").replace(_FAMILY_SWAPS)).otherwise(c("family")),
        middle=pl.when(c("van_thi") & has_word)
        .then(c("middle").str.slice(word.str.len_chars()).str.strip_chars_start(" "))
        .when(c("van_thi")).then(pl.concat_str([word, pl.when(c("middle") != "").then(c("middle"))],
                                               separator=" ", ignore_nulls=True))
        .otherwise(c("middle")),
        given=pl.when(c("typo")).then(pl.concat_str([c("given").str.slice(0, pos), letter, c("given").str.slice(pos + 1)]))
        .otherwise(c("given")),
        swapped=c("family_swap") & c("family").is_in(list(_FAMILY_SWAPS)),
    ).with_columns(plain=full_name(c("family"), c("middle"), c("given")))
    staged = staged.with_columns(
        toned=pl.when(c("old_tone")).then(old_tone_placement(c("plain"))).otherwise(c("plain"))
    ).with_columns(cased=pl.when(c("caps")).then(c("toned").str.to_uppercase()).otherwise(c("toned")))
    formed = (
        pl.when(c("form") == "ascii").then(ascii_fold(c("cased")))
        .when(c("form") == "nfd").then(nfd(c("cased")))
        .when(c("form") == "tcvn3").then(tcvn3(c("cased")))
        .when(c("form") == "vni").then(vni(c("cased")))
        .otherwise(c("cased"))
    )
    spaced = (
        pl.when(~c("spaces")).then(formed)
        .when(c("space_kind") < 0.6).then(formed.str.replace(" ", "  ", literal=True))
        .when(c("space_kind") < 0.8).then(pl.concat_str([pl.lit(" "), formed]))
        .otherwise(pl.concat_str([formed, pl.lit("  ")]))
    )
    return staged.select(
        name=spaced,
        name_tags=_tags([
            ("family_swap", c("swapped")), ("van_thi", c("van_thi")), ("typo", c("typo")),
            ("old_tone", c("toned") != c("plain")), ("caps", c("caps")), ("ascii", c("form") == "ascii"),
            ("nfd", c("form") == "nfd"), ("tcvn3", c("form") == "tcvn3"), ("vni", c("form") == "vni"),
            ("spaces", c("spaces")),
        ]),
        name_ok=~c("typo"),
    )


def format_dates(rng: np.random.Generator, dates: pl.Series, rates: NoiseRates, partial: bool) -> pl.DataFrame:
    """Dates as text in mixed formats; with `partial`, also year-only, month/year, placeholder
    01/01 and day/month swaps. Columns `text`, `date_tag`, `exact` (the full true date)."""
    n = len(dates)
    kind = (
        categorical(rng, n, {"year_only": rates.date_year_only, "month_year": rates.date_month_year,
                             "placeholder": rates.date_placeholder})
        if partial else np.full(n, "")
    )
    fmt = categorical(rng, n, {"iso": rates.date_iso, "dashed": rates.date_dashed})
    swap = rng.random(n) < (rates.date_swap if partial else 0.0)
    c = pl.col
    frame = pl.DataFrame({"d": dates, "kind": kind, "fmt": fmt, "swap": swap}).with_columns(
        kind=pl.when((c("kind") == "placeholder") & (c("d").dt.ordinal_day() == 1)).then(pl.lit(""))
        .when((c("kind") == "") & c("swap") & (c("d").dt.day() <= 12) & (c("d").dt.day() != c("d").dt.month()))
        .then(pl.lit("swap")).otherwise(c("kind"))
    )
    full = pl.when(c("fmt") == "iso").then(c("d").dt.strftime(_FORMATS["iso"])) \
        .when(c("fmt") == "dashed").then(c("d").dt.strftime(_FORMATS["dashed"])) \
        .otherwise(c("d").dt.strftime(_FORMATS["slash"]))
    return frame.select(
        text=pl.when(c("kind") == "year_only").then(c("d").dt.year().cast(pl.String))
        .when(c("kind") == "month_year").then(c("d").dt.strftime("%m/%Y"))
        .when(c("kind") == "placeholder").then(c("d").dt.strftime("01/01/%Y"))
        .when(c("kind") == "swap").then(c("d").dt.strftime("%m/%d/%Y"))
        .otherwise(full),
        date_tag=pl.when(c("kind") != "").then(pl.concat_str([pl.lit("date_"), c("kind")])).otherwise(pl.lit("")),
        exact=c("d").is_not_null() & (c("kind") == ""),
    )


def _scientific(ids: np.ndarray) -> pl.Series:
    """IDs as a spreadsheet shows long numbers: `4.6123E+10`, `1.1235E+09` (digits lost for good)."""
    exp = np.floor(np.log10(np.maximum(ids, 1))).astype(np.int64)
    mant = np.round(ids / 10.0 ** (exp - 4)).astype(np.int64)
    carry = mant >= 100_000
    mant, exp = np.where(carry, mant // 10, mant), exp + carry
    return pl.select(pl.concat_str([
        pl.lit(pl.Series(mant // 10_000)).cast(pl.String), pl.lit("."),
        pl.lit(pl.Series(mant % 10_000)).cast(pl.String).str.zfill(4), pl.lit("E+"),
        pl.lit(pl.Series(exp)).cast(pl.String).str.zfill(2),
    ])).to_series()


def _typos(rng: np.random.Generator, ids: np.ndarray, existing: np.ndarray) -> np.ndarray:
    """Each ID with one of its six random digits changed, never into an existing ID."""
    existing = np.sort(existing)
    out = ids.copy()
    redo = np.ones(len(ids), dtype=bool)
    while redo.any():
        k = int(redo.sum())
        place = 10 ** rng.integers(0, 6, k)
        digit = (ids[redo] // place) % 10
        out[redo] = ids[redo] + ((digit + rng.integers(1, 10, k)) % 10 - digit) * place
        redo[redo] = is_member(out[redo], existing)
    return out


def noisy_ids(
    rng: np.random.Generator, spouses: pl.DataFrame, force_missing: np.ndarray, existing: np.ndarray,
    rates: NoiseRates,
) -> pl.DataFrame:
    """ID numbers as written in the registry from person_id, legacy_id, document; columns
    `id_number`, `id_tag`, `id_ok` (an ID that still leads to the person)."""
    n = len(spouses)
    vietnamese = spouses["person_id"].is_not_null().to_numpy()
    kind = categorical(rng, n, {"missing": rates.id_missing, "scientific": rates.id_scientific,
                                "typo": rates.id_typo, "zero_dropped": rates.id_zero_dropped})
    legacy = spouses["legacy_id"].is_not_null().to_numpy() & (rng.random(n) < rates.id_legacy)
    kind = np.where(legacy, "legacy", kind)
    kind = np.where(vietnamese | (kind == "missing"), kind, "")
    kind = np.where(force_missing, "missing", kind)
    pid = spouses["person_id"].cast(pl.Int64).fill_null(0).to_numpy()
    typo = np.zeros(n, dtype=np.int64)
    typo[kind == "typo"] = _typos(rng, pid[kind == "typo"], existing)
    sci = np.full(n, "", dtype=object)
    sci_rows = kind == "scientific"
    c = pl.col
    frame = spouses.select("document", "legacy_id").with_columns(
        kind=kind, typo=pl.Series(typo).cast(pl.String).str.zfill(12),
        sci=pl.Series(sci.astype(str)).scatter(np.flatnonzero(sci_rows), _scientific(pid[sci_rows])),
    )
    return frame.select(
        id_number=pl.when(c("kind") == "missing").then(pl.lit(""))
        .when(c("kind") == "legacy").then(c("legacy_id"))
        .when(c("kind") == "zero_dropped").then(c("document").str.strip_chars_start("0"))
        .when(c("kind") == "scientific").then(c("sci"))
        .when(c("kind") == "typo").then(c("typo"))
        .otherwise(c("document")),
        id_tag=pl.when(c("kind") != "").then(pl.concat_str([pl.lit("id_"), c("kind")])).otherwise(pl.lit("")),
        id_ok=c("kind").is_in(["", "legacy", "zero_dropped"]),
    )


def population_names(rng: np.random.Generator, names: pl.Series, rates: NoiseRates) -> pl.Series:
    """Population full names, a few typed without diacritics."""
    folded = np.flatnonzero(rng.random(len(names)) < rates.population_ascii)
    return names.clone().scatter(folded, pl.select(ascii_fold(pl.lit(names.gather(folded)))).to_series())


def population_dates(rng: np.random.Generator, dates: pl.Series, rates: NoiseRates) -> tuple[pl.Series, np.ndarray]:
    """Population birth dates as dd/mm/yyyy, a few year only; also whether the full date is kept."""
    year_only = rng.random(len(dates)) < rates.population_year_only
    text = pl.select(
        pl.when(pl.lit(year_only)).then(pl.lit(dates).dt.year().cast(pl.String))
        .otherwise(pl.lit(dates).dt.strftime(_FORMATS["slash"]))
    ).to_series()
    return text, ~year_only
