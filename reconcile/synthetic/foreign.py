"""Foreign spouses: a passport name, nationality and passport number, no population record.

Marriages with foreigners registered in Vietnam are mostly Vietnamese women marrying
men from Korea, China, Taiwan and Japan; names are written as in the passport, in capitals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reconcile.synthetic.people import PEOPLE_SCHEMA

FOREIGN_HUSBAND_SHARE = 0.75  # of foreign-spouse marriages, the foreigner is the husband


@dataclass(frozen=True)
class Country:
    """Naming and passport conventions of one country."""

    nationality: str
    husband_share: float
    wife_share: float
    family: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    ethnicity: str
    cities: tuple[str, ...]
    passport_prefix: str
    passport_digits: int


COUNTRIES: tuple[Country, ...] = (
    Country("Hàn Quốc", 0.40, 0.05, ("KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON"),
            ("MIN JUN", "JI HOON", "HYUN WOO", "DONG HYUN", "SUNG MIN", "JAE HO", "YOUNG SOO"),
            ("JI YEON", "SEO YEON", "MIN JI", "SOO JIN", "HYE JIN"), "Hàn",
            ("Seoul", "Busan", "Incheon", "Daegu"), "M", 8),
    Country("Trung Quốc", 0.18, 0.35, ("WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO"),
            ("WEI", "JUN", "LEI", "QIANG", "JIAN", "MING", "YONG"),
            ("FANG", "LI NA", "XIU YING", "JING", "YAN"), "Hán",
            ("Quảng Châu", "Nam Ninh", "Thâm Quyến", "Côn Minh"), "E", 8),
    Country("Đài Loan (Trung Quốc)", 0.15, 0.05, ("CHEN", "LIN", "HUANG", "CHANG", "WU", "TSAI"),
            ("CHIH MING", "CHIA HAO", "CHUN HUNG", "WEN HSIUNG"), ("MEI LING", "YA TING", "HSIU CHU"),
            "Hán", ("Đài Bắc", "Cao Hùng", "Đài Trung"), "3", 8),
    Country("Nhật Bản", 0.10, 0.05, ("SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO"),
            ("HIROSHI", "TAKESHI", "KENJI", "DAISUKE"), ("YUKI", "AYAKA", "MISAKI"), "",
            ("Tokyo", "Osaka", "Nagoya"), "TK", 7),
    Country("Hoa Kỳ", 0.09, 0.05, ("SMITH", "JOHNSON", "WILLIAMS", "BROWN", "NGUYEN", "MILLER"),
            ("JOHN", "MICHAEL", "DAVID", "JAMES"), ("MARY", "JENNIFER", "LINDA"), "",
            ("California", "Texas", "Washington"), "5", 8),
    Country("Úc", 0.05, 0.05, ("SMITH", "JONES", "WILLIAMS", "TAYLOR"),
            ("JACK", "THOMAS", "WILLIAM"), ("OLIVIA", "EMILY", "SARAH"), "",
            ("Sydney", "Melbourne"), "PA", 7),
    Country("Lào", 0.03, 0.40, ("PHOMMAVONG", "SOUVANNAVONG", "KEOMANY", "VONGSA", "INTHAVONG"),
            ("SOMPHONE", "BOUNMY", "KHAMPHONE", "VILAY"), ("NOY", "KHAMLA", "SOMPHAVANH", "MALY"),
            "Lào", ("Viêng Chăn", "Savannakhet", "Luang Prabang"), "P", 7),
)


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def make_foreigners(rng: np.random.Generator, female: np.ndarray, birth: np.ndarray) -> pl.DataFrame:
    """Foreign persons of the given sex and birth date, in the people schema (no person_id)."""
    n = len(female)
    shares = np.array([[c.husband_share, c.wife_share] for c in COUNTRIES])
    country = np.where(
        female,
        rng.choice(len(COUNTRIES), size=n, p=shares[:, 1] / shares[:, 1].sum()),
        rng.choice(len(COUNTRIES), size=n, p=shares[:, 0] / shares[:, 0].sum()),
    )
    cols = {k: np.empty(n, dtype=object) for k in ("family", "given", "nationality", "ethnicity", "detail", "document")}
    for i, c in enumerate(COUNTRIES):  # one pass per country, vectorised within
        m = country == i
        k = int(m.sum())
        cols["family"][m] = _pick(rng, c.family, k)
        cols["given"][m] = np.where(female[m], _pick(rng, c.female, k), _pick(rng, c.male, k))
        cols["nationality"][m] = c.nationality
        cols["ethnicity"][m] = c.ethnicity
        cols["detail"][m] = _pick(rng, c.cities, k) + f", {c.nationality}"
        digits = pl.Series(rng.integers(0, 10**c.passport_digits, k), dtype=pl.Int64).cast(pl.String)
        cols["document"][m] = (c.passport_prefix + digits.str.zfill(c.passport_digits)).to_numpy()
    return pl.DataFrame({
        "person_id": pl.Series([None] * n, dtype=pl.String),
        "family": cols["family"].astype(str),
        "middle": np.full(n, "", dtype=object).astype(str),
        "given": cols["given"].astype(str),
        "female": female,
        "birth_date": pl.Series(birth).cast(pl.Date),
        "ethnicity": cols["ethnicity"].astype(str),
        "nationality": cols["nationality"].astype(str),
        "ward_row": pl.Series([None] * n, dtype=pl.Int64),
        "detail": cols["detail"].astype(str),
        "legacy_id": pl.Series([None] * n, dtype=pl.String),
        "document": cols["document"].astype(str),
    }).with_columns(
        full_name=pl.concat_str([pl.col("family"), pl.col("given")], separator=" "),
    ).select(list(PEOPLE_SCHEMA))
