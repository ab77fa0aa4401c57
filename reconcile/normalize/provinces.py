"""The province an address names, and the province of a commune, as current province codes.

An address ends with its province (`…, Huyện Quỳnh Lưu, Tỉnh Nghệ An`), named before or
after the 2025 merger. Provinces merged whole, so every old province name maps to one
current province. The province of a spouse's residence is a safety signal, not match
evidence: someone who lived in another province when they married may never have moved
here, and a same-named resident is then a stranger.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from reconcile.normalize.communes import commune_table, current_communes, query_units
from reconcile.normalize.syllables import fold_ascii

# Thừa Thiên Huế became the city of Huế on 1 January 2025 (Resolution 1314/NQ-UBTVQH15);
# the unit lists know only the new name, but older addresses carry the old one.
FORMER_NAMES = {"tinhthuathienhue": "46", "thuathienhue": "46"}


def province_key(name: str) -> str:
    """'Tỉnh Nghệ An' → 'tinhnghean', 'TP. Hồ Chí Minh' → 'tphochiminh': the unit lists' keyword form."""
    return re.sub(r"[^a-z0-9]", "", fold_ascii(name).lower())


def _keywords(table: str) -> pl.DataFrame:
    units = query_units(f"SELECT DISTINCT provinceCode AS code, provinceKeywords AS keywords FROM {table}")
    return units.with_columns(key=pl.col("keywords").str.json_decode(pl.List(pl.String))).explode("key").select("key", "code")


@lru_cache(maxsize=1)
def province_codes() -> dict[str, str]:
    """Province keyword (old and current names, with and without 'Tỉnh'/'Thành phố', common
    abbreviations) → current province code; a keyword naming two current provinces is left out."""
    moved = (
        commune_table().group_by("old_province_code", "new_province_code").len()
        .sort("len", descending=True).unique("old_province_code", keep="first")
    )
    legacy = _keywords("admin_units_legacy").join(moved, left_on="code", right_on="old_province_code").select(
        "key", code="new_province_code"
    )
    keyed = pl.concat([legacy, _keywords("admin_units")]).unique()
    single = keyed.filter(pl.len().over("key") == 1)
    return {**dict(zip(single["key"], single["code"], strict=True)), **FORMER_NAMES}


def _lookup(codes: dict[str, str], key: str) -> str | None:
    """The code of a keyword, also when written with a prefix the lists lack ('TP. Hồ Chí Minh')."""
    return codes.get(key) or codes.get(re.sub(r"^(tp|tinh|thanhpho)", "", key))


def address_province(addresses: pl.Series) -> pl.Series:
    """The current province code an address's last part names, or null (unknown or absent)."""
    last = addresses.str.split(",").list.last().str.strip_chars()
    distinct = last.drop_nulls().unique()
    codes = province_codes()
    table = {text: _lookup(codes, province_key(text)) for text in distinct}
    return last.replace_strict(table, default=None, return_dtype=pl.String).alias("residence_province")


def commune_province(communes: pl.Series) -> pl.Series:
    """The current province code of current commune codes (null where unknown)."""
    table = current_communes().select("code", "province_code").unique("code")
    return communes.replace_strict(
        dict(zip(table["code"], table["province_code"], strict=True)), default=None, return_dtype=pl.String
    ).alias("province")
