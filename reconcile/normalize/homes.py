"""The home an address names first, as a key two addresses can share.

An address reads from the smallest place to the largest: "Số 295 Nguyễn Huệ, Phường Thủy Vân,
Thành phố Huế, Tỉnh Thừa Thiên Huế" (a house: a number and a street), "Thôn 4, Xã Phong Sơn, …"
(a hamlet or a residential group, shared by hundreds of households). The units after the first
part were renamed in the 2025 merger and are compared as communes elsewhere; the first part was
not renamed, so a registration's residence of 1990 and a population address of today can share
it. The key is that first part in lowercase ASCII, "Số" / "Số nhà" dropped ("295 nguyen hue",
"thon 4"); null where the address has a single part or starts with an administrative unit
(nothing smaller is named).

Pure: Polars expressions.
"""

from __future__ import annotations

from typing import overload

import polars as pl

# A first part that is already an administrative unit names no home.
_UNIT = r"^(xa|phuong|thi tran|thi xa|huyen|quan|tinh|thanh pho|tp) "


def _first_part_keys(first: pl.Expr) -> pl.Expr:
    """The key of an address's first part: lowercase ASCII words, "Số" / "Số nhà" dropped; null
    where it is empty or an administrative unit."""
    key = (
        first.str.to_lowercase().str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "").str.replace_all("đ", "d", literal=True)
        .str.replace_all(r"[^a-z0-9/]+", " ").str.strip_chars()
        .str.replace(r"^so (nha )?", "")
    )
    return pl.when((key != "") & ~key.str.contains(_UNIT)).then(key)


def _distinct_keys(addresses: pl.Series) -> pl.Series:
    """The keys of `addresses`, each distinct first part worked out once: a province's addresses
    are many (one per household), their first parts few (a hamlet's is shared by hundreds of
    households, a street's numbers by a street), so the text work is done a few thousand times,
    not once per person."""
    first = addresses.str.splitn(",", 2).struct.field("field_0")
    distinct = first.drop_nulls().unique()
    keys = pl.select(_first_part_keys(pl.lit(distinct))).to_series()
    key = first.replace_strict(distinct, keys, default=None, return_dtype=pl.String)
    # An address of a single part names no home (nothing smaller than its unit is named).
    return pl.select(pl.when(addresses.str.contains(",", literal=True)).then(key)).to_series().alias(addresses.name)


@overload
def home_key(address: pl.Expr) -> pl.Expr: ...
@overload
def home_key(address: pl.Series) -> pl.Series: ...
def home_key(address: pl.Expr | pl.Series) -> pl.Expr | pl.Series:
    """The first part of an address as lowercase ASCII words, or null (see the module)."""
    if isinstance(address, pl.Series):
        return _distinct_keys(address.cast(pl.String))
    return address.cast(pl.String).map_batches(_distinct_keys, return_dtype=pl.String, is_elementwise=True)


def home_of(records: pl.DataFrame, address: str) -> pl.Expr:
    """The home a spouse's residence or a person's address names (`home_key`): as ingest stored it
    (`home`), or made from `address` for a campaign ingested before it did; null where neither is
    there."""
    if "home" in records.columns:
        return pl.col("home")
    return home_key(pl.col(address)) if address in records.columns else pl.lit(None, pl.String)


def names_a_house(key: pl.Expr) -> pl.Expr:
    """The home key names a house (it starts with a number: "295 nguyen hue", "46/3 le loi")."""
    return key.str.contains(r"^\d")
