"""Noise on the registry copy of each spouse (and light noise on the population), vectorised.

Each kind is drawn independently at the rate in `NoiseRates` (defaults below, also listed
in fixtures/README.md). Names: the text form is one of no diacritics with đ→d 15 %, NFD
5 %, TCVN3-garbled 1.5 %, VNI-garbled 1 %, else NFC; independently old tone placement
10 %, ALL CAPS 10 %, stray/double spaces 5 %, Văn/Thị dropped or added 5 %, Hoàng↔Huỳnh
/ Vũ↔Võ 2 %, a one-letter typo in the given name 1 %. Birth dates depend on the
registration year: before 2000 year only 45 %, month/year 15 %, 01/01 placeholder 5 %; from
2000 year only 8 %, month/year 4 %, placeholder 3 %; day/month swapped 2 % (of dates where
both are ≤ 12 and differ); full dates are dd/mm/yyyy, 10 % yyyy-mm-dd, 5 % dd-mm-yyyy.
IDs depend on the registration year too (`ID_ERAS`): before 1995 the old 9-digit number for
15 % (of those who have one), else none; 1995–2015 old number 45 %, 12-digit 15 %;
2016–2020 12-digit 60 %, old number 20 %; from 2021 12-digit 90 %. Of the old numbers
shown, 10 % are another number (the person moved province; it belongs to nobody). Of the
numbers shown: leading zeros dropped 5 % (12-digit only), scientific notation 1 %, a
one-digit typo 1 % (never another person's ID). The population's recorded spouse name is
free text with its own, lighter noise (`SPOUSE_NAME_RATES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reconcile.synthetic.names import full_name
from reconcile.synthetic.people import is_member, unique_draw
from reconcile.synthetic.textforms import ascii_fold, nfd, old_tone_placement, tcvn3, vni

_FAMILY_SWAPS = {"Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Vũ": "Võ", "Võ": "Vũ"}
_TYPO_LETTERS = "abcdeghiklmnopqrstuvxy"
_FORMATS = {"slash": "%d/%m/%Y", "iso": "%Y-%m-%d", "dashed": "%d-%m-%Y"}
# Which number a registration shows, by registration year: (first year of the era, share
# showing the old 9-digit number when the person has one, share showing the 12-digit ID).
ID_ERAS: tuple[tuple[int, float, float], ...] = (
    (0, 0.15, 0.0), (1995, 0.45, 0.15), (2016, 0.20, 0.60), (2021, 0.0, 0.90),
)
OLD_DATES_BEFORE = 2000  # registrations before this year often keep only the birth year


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
    old_date_year_only: float = 0.45  # registrations before OLD_DATES_BEFORE
    old_date_month_year: float = 0.15
    old_date_placeholder: float = 0.05
    id_legacy_moved: float = 0.10  # of old numbers shown: another number, belonging to nobody
    id_missing: float = 0.25  # foreigners' passports only; Vietnamese IDs follow ID_ERAS
    id_zero_dropped: float = 0.05
    id_scientific: float = 0.01
    id_typo: float = 0.01
    ward_code_empty: float = 0.03
    status_empty: float = 0.10
    population_ascii: float = 0.03
    population_year_only: float = 0.02
    population_legacy_shown: float = 0.40  # of persons who have an old 9-digit number


# The spouse name the population records is typed by another office: lighter, other noise.
SPOUSE_NAME_RATES = NoiseRates(
    name_ascii=0.20, name_nfd=0.05, name_tcvn3=0.0, name_vni=0.0, name_old_tone=0.0, name_caps=0.15,
    name_spaces=0.0, name_van_thi=0.10, name_family_swap=0.0, name_typo=0.02,
)


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


def noisy_names(
    rng: np.random.Generator, parts: pl.DataFrame, rates: NoiseRates, damage: np.ndarray | None = None
) -> pl.DataFrame:
    """Noisy full names from family, middle, given, female; columns `name`, `name_tags`, `name_ok`.

    `damage` marks names that get a typo in the given name and lose their middle name."""
    n = len(parts)
    c = pl.col
    damage = np.zeros(n, dtype=bool) if damage is None else damage
    form = categorical(rng, n, {"ascii": rates.name_ascii, "nfd": rates.name_nfd,
                                "tcvn3": rates.name_tcvn3, "vni": rates.name_vni})
    draws = parts.with_columns(
        form=form,
        **{k: rng.random(n) < getattr(rates, f"name_{k}")
           for k in ("old_tone", "caps", "spaces", "van_thi", "family_swap", "typo")},
        typo_at=rng.random(n), letter=pl.Series(list(_TYPO_LETTERS)).gather(rng.integers(0, len(_TYPO_LETTERS), n)),
        space_kind=rng.random(n), damaged=damage,
    ).with_columns(typo=c("typo") | c("damaged"), van_thi=c("van_thi") & ~c("damaged"))
    word = pl.when(c("female")).then(pl.lit("Thị")).otherwise(pl.lit("Văn"))
    has_word = (c("middle") == word) | c("middle").str.starts_with(pl.concat_str([word, pl.lit(" ")]))
    pos = (c("typo_at") * c("given").str.len_chars()).cast(pl.Int64)
    old = c("given").str.slice(pos, 1)
    letter = pl.when(c("letter") == old.str.to_lowercase()).then(pl.lit("o")).otherwise(c("letter"))
    letter = pl.when(letter == old.str.to_lowercase()).then(pl.lit("a")).otherwise(letter)
    staged = draws.with_columns(middle_orig=c("middle")).with_columns(
        family=pl.when(c("family_swap")).then(c("family").replace(_FAMILY_SWAPS)).otherwise(c("family")),
        middle=pl.when(c("damaged")).then(pl.lit(""))
        .when(c("van_thi") & has_word)
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
            ("middle_dropped", c("damaged") & (c("middle_orig") != "")),
            ("old_tone", c("toned") != c("plain")), ("caps", c("caps")), ("ascii", c("form") == "ascii"),
            ("nfd", c("form") == "nfd"), ("tcvn3", c("form") == "tcvn3"), ("vni", c("form") == "vni"),
            ("spaces", c("spaces")),
        ]),
        name_ok=~c("typo"),
    )


def format_dates(
    rng: np.random.Generator, dates: pl.Series, rates: NoiseRates, partial: bool,
    old: np.ndarray | None = None, force: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Dates as text in mixed formats; with `partial`, also year-only, month/year, placeholder
    01/01 and day/month swaps, far more often where `old` (registrations before 2000).

    `force` (columns year_only, year_off, exact) makes a date year-only, moves it a year, or
    keeps it exact. Columns `text`, `date_tag`, `exact` (the full true date), `shown` (the
    date written, before any swap) and `precision` (0 year, 1 month and year, 2 full date; a
    01/01 placeholder or a swapped date counts as the year only)."""
    n = len(dates)
    old = np.zeros(n, dtype=bool) if old is None else old
    if partial:
        p_year = np.where(old, rates.old_date_year_only, rates.date_year_only)
        p_month = p_year + np.where(old, rates.old_date_month_year, rates.date_month_year)
        p_holder = p_month + np.where(old, rates.old_date_placeholder, rates.date_placeholder)
        u = rng.random(n)
        kind = np.where(u < p_year, "year_only", np.where(u < p_month, "month_year",
                        np.where(u < p_holder, "placeholder", "")))
    else:
        kind = np.full(n, "")
    fmt = categorical(rng, n, {"iso": rates.date_iso, "dashed": rates.date_dashed})
    swap = rng.random(n) < (rates.date_swap if partial else 0.0)
    shift = np.where(rng.random(n) < 0.5, -1, 1)
    c = pl.col
    frame = pl.DataFrame({"d": dates, "kind": kind, "fmt": fmt, "swap": swap})
    if force is not None:
        frame = frame.with_columns(
            kind=pl.when(force["year_only"]).then(pl.lit("year_only"))
            .when(force["year_off"] | force["exact"]).then(pl.lit("")).otherwise(c("kind")),
            swap=c("swap") & ~force["year_off"] & ~force["exact"],
            d=pl.when(force["year_off"]).then(c("d").dt.offset_by(pl.lit(pl.Series(shift)).cast(pl.String) + "y"))
            .otherwise(c("d")),
            off=force["year_off"],
        )
    else:
        frame = frame.with_columns(off=pl.lit(False))
    frame = frame.with_columns(
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
        date_tag=pl.concat_str([
            pl.when(c("kind") != "").then(pl.concat_str([pl.lit("date_"), c("kind")])),
            pl.when(c("off")).then(pl.lit("date_year_off")),
        ], separator="+", ignore_nulls=True).fill_null(""),
        exact=c("d").is_not_null() & (c("kind") == "") & ~c("off"),
        shown=c("d"),
        precision=pl.when(c("kind") == "month_year").then(1)
        .when(c("kind") == "").then(2).otherwise(0).cast(pl.Int8),
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


def id_sources(rng: np.random.Generator, year: np.ndarray, has_legacy: np.ndarray) -> np.ndarray:
    """Which number each registry copy shows by registration year (`ID_ERAS`): `legacy`
    (the old 9-digit number, only for those who have one), `pid` (12-digit) or `none`."""
    era = np.searchsorted(np.array([e[0] for e in ID_ERAS]), year, side="right") - 1
    p_legacy = np.array([e[1] for e in ID_ERAS])[era]
    p_pid = np.array([e[2] for e in ID_ERAS])[era]
    u = rng.random(len(year))
    return np.where((u < p_legacy) & has_legacy, "legacy",
                    np.where((u >= p_legacy) & (u < p_legacy + p_pid), "pid", "none"))


def noisy_ids(
    rng: np.random.Generator, spouses: pl.DataFrame, year: np.ndarray, force: pl.DataFrame,
    existing: np.ndarray, existing_legacy: np.ndarray, legacy_shown: np.ndarray, rates: NoiseRates,
) -> pl.DataFrame:
    """ID numbers as written in the registry from person_id, legacy_id, document and the
    registration `year`; columns `id_number`, `id_tag`, `id_ok` (an ID that still leads to the
    person in the population: the 12-digit ID, or the old number where the population shows it).

    `force` (columns missing_id, clean_id) leaves the ID out or shows the exact 12-digit ID;
    `legacy_shown` says per spouse whether the population shows their old number."""
    n = len(spouses)
    vietnamese = spouses["person_id"].is_not_null().to_numpy()
    has_legacy = spouses["legacy_id"].is_not_null().to_numpy()
    source = id_sources(rng, year, has_legacy)
    passport = np.where(rng.random(n) < rates.id_missing, "none", "passport")
    source = np.where(vietnamese, source, passport)
    source = np.where(force["clean_id"].to_numpy() & vietnamese, "pid", source)
    source = np.where(force["missing_id"].to_numpy(), "none", source)
    kind = categorical(rng, n, {"scientific": rates.id_scientific, "typo": rates.id_typo,
                                "zero_dropped": rates.id_zero_dropped})
    moved = rng.random(n) < rates.id_legacy_moved
    kind = np.where(source == "legacy", np.where(kind == "zero_dropped", "", kind), kind)
    kind = np.where(source == "legacy", np.where(moved, "moved", kind), kind)
    kind = np.where((source == "none") | (source == "passport") | force["clean_id"].to_numpy(), "", kind)
    pid = spouses["person_id"].cast(pl.Int64).fill_null(0).to_numpy()
    old = spouses["legacy_id"].cast(pl.Int64).fill_null(0).to_numpy()
    number = np.where(source == "legacy", old, pid)
    typo_rows = kind == "typo"
    typo = np.zeros(n, dtype=np.int64)
    typo[typo_rows] = _typos(rng, number[typo_rows], np.concatenate([existing, existing_legacy]))
    moved_rows = kind == "moved"
    other = np.zeros(n, dtype=np.int64)
    # A card issued by another province: another 2-digit prefix, so it belongs to nobody here.
    prefixes = np.setdiff1d(np.arange(10, 39), np.unique(existing_legacy // 10**7))
    base = rng.choice(prefixes, int(moved_rows.sum())).astype(np.int64) * 10**7
    other[moved_rows] = unique_draw(rng, base, 10**7, existing_legacy)
    sci_rows = kind == "scientific"
    sci = np.full(n, "", dtype=object)
    c = pl.col
    frame = spouses.select("document", "legacy_id").with_columns(
        source=source, kind=kind, number=pl.Series(number).cast(pl.String),
        typo=pl.Series(typo).cast(pl.String).str.zfill(12),
        other=pl.Series(other).cast(pl.String),
        sci=pl.Series(sci.astype(str)).scatter(np.flatnonzero(sci_rows), _scientific(number[sci_rows])),
        legacy_shown=legacy_shown,
    )
    shown = pl.when(c("source") == "legacy").then(c("legacy_id")).otherwise(c("document"))
    return frame.select(
        id_number=pl.when(c("source") == "none").then(pl.lit(""))
        .when(c("kind") == "zero_dropped").then(c("document").str.strip_chars_start("0"))
        .when(c("kind") == "scientific").then(c("sci"))
        .when((c("kind") == "typo") & (c("source") == "legacy")).then(c("typo").str.slice(3))
        .when(c("kind") == "typo").then(c("typo"))
        .when(c("kind") == "moved").then(c("other"))
        .otherwise(shown),
        id_tag=pl.concat_str([
            pl.when(c("source") == "none").then(pl.lit("id_missing")),
            pl.when(c("source") == "legacy").then(pl.lit("id_legacy")),
            pl.when(c("kind") != "").then(pl.concat_str([pl.lit("id_"), c("kind")])),
        ], separator="+", ignore_nulls=True).fill_null(""),
        id_ok=(c("source").is_in(["pid", "passport"]) & c("kind").is_in(["", "zero_dropped"]))
        | ((c("source") == "legacy") & (c("kind") == "") & c("legacy_shown")),
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
