"""Real communes for the generator: old (pre-merger) wards, their current commune, place texts.

Every person lives in one old ward; their current ward code is that ward's successor.
Registration texts use the names in force on the registration date: old ward, district
and province before 1 July 2025, and for Huế the names before the city status of
1 January 2025 (tỉnh Thừa Thiên Huế, huyện Phong Điền).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from reconcile.errors import UserError
from reconcile.normalize.communes import MERGER_DATE, commune_table, current_communes

HUE_CITY_DATE = date(2025, 1, 1)
# Unit names of Thừa Thiên Huế before it became a centrally governed city (1 Jan 2025).
_BEFORE_HUE_CITY = {
    "Thành phố Huế": "Tỉnh Thừa Thiên Huế",
    "Quận Phú Xuân": "Thành phố Huế",
    "Quận Thuận Hóa": "Thành phố Huế",
    "Thị xã Phong Điền": "Huyện Phong Điền",
}
# Minority share and mix by current commune name (A Lưới and Nam Đông highlands of Huế).
_HIGHLAND = {"Xã Khe Tre": 0.35, "Xã Nam Đông": 0.35, "Xã Long Quảng": 0.35}  # and A Lưới 1–5: 0.6
_HIGHLAND_GROUPS: tuple[tuple[str, float], ...] = (
    ("Tà Ôi", 0.55), ("Cơ Tu", 0.3), ("Bru-Vân Kiều", 0.1), ("Pa Kô", 0.05),
)
_LOWLAND_GROUPS: tuple[tuple[str, float], ...] = (
    ("Hoa", 0.35), ("Mường", 0.15), ("Tày", 0.15), ("Thái", 0.15), ("Tà Ôi", 0.2),
)
_STREETS = (
    "Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Huệ", "Điện Biên Phủ", "Lý Thường Kiệt",
    "Phan Đình Phùng", "Bà Triệu", "Nguyễn Trãi", "Đống Đa", "Ngô Quyền", "Trần Phú",
    "Lê Duẩn", "Phan Bội Châu", "Nguyễn Sinh Cung", "Chi Lăng", "Kim Long", "Tố Hữu",
)


@dataclass(frozen=True)
class Wards:
    """Old wards of the whole country with their successor; `home` marks the province's."""

    table: pl.DataFrame  # old_code, old_name, old_district, old_province_code, old_province_name,
    #                      new_code, new_name, new_province_name, minority_share
    home: np.ndarray  # row indices of the province's old wards
    away: np.ndarray  # row indices of every other province's old wards

    def locate(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (with a `ward_row` column, null for none) joined to that ward's names."""
        rows = self.table.with_row_index("ward_row").with_columns(pl.col("ward_row").cast(pl.Int64))
        return frame.join(rows, on="ward_row", how="left", maintain_order="left")


def load_wards(province: str) -> Wards:
    """Old wards joined to their current commune and province names."""
    current = current_communes().select(
        pl.col("code").alias("new_code"), pl.col("name").alias("new_name"),
        pl.col("province_name").alias("new_province_name"),
    )
    table = (
        commune_table().filter(pl.col("new_code").is_not_null())
        .drop("new_name").join(current, on="new_code", how="left")
        .sort("old_code")
        .with_columns(
            minority_share=pl.when(pl.col("new_name").str.starts_with("Xã A Lưới")).then(0.6)
            .otherwise(pl.col("new_name").replace_strict(_HIGHLAND, default=0.007, return_dtype=pl.Float64))
        )
    )
    in_home = (table["new_province_code"] == province).to_numpy()
    if not in_home.any():
        raise UserError.said("err_fixtures_province", province=province)
    return Wards(table=table, home=np.flatnonzero(in_home), away=np.flatnonzero(~in_home))


def draw_home_wards(rng: np.random.Generator, wards: Wards, n: int) -> np.ndarray:
    """Old-ward row of `n` residents; urban wards are larger, highland communes smaller."""
    home = wards.table[wards.home]
    urban = home["old_name"].str.starts_with("Phường").to_numpy()
    highland = home["minority_share"].to_numpy() > 0.1
    weights = rng.gamma(2.0, 1.0, size=len(wards.home)) * np.where(urban, 2.0, 1.0) * np.where(highland, 0.35, 1.0)
    return rng.choice(wards.home, size=n, p=weights / weights.sum())


def draw_ethnicity(rng: np.random.Generator, minority_share: np.ndarray) -> tuple[pl.Series, np.ndarray]:
    """Ethnicity of each person (mostly Kinh) and whether it is a highland minority."""
    n = len(minority_share)
    minority = rng.random(n) < minority_share
    highland = minority_share > 0.1
    groups = [
        pl.Series([g for g, _ in table]).gather(
            rng.choice(len(table), size=n, p=np.array([w for _, w in table]))
        )
        for table in (_HIGHLAND_GROUPS, _LOWLAND_GROUPS)
    ]
    ethnicity = pl.select(
        pl.when(~pl.lit(minority)).then(pl.lit("Kinh"))
        .when(pl.lit(highland)).then(groups[0]).otherwise(groups[1])
    ).to_series()
    return ethnicity.alias("ethnicity"), minority & highland


def draw_address_detail(rng: np.random.Generator, urban: np.ndarray) -> pl.Series:
    """House, street, group or hamlet part of an address (`urban` for wards, else communes)."""
    n = len(urban)
    house = pl.Series(rng.integers(1, 300, n)).cast(pl.String)
    street = pl.Series(_STREETS).gather(rng.integers(0, len(_STREETS), n))
    group = pl.Series(rng.integers(1, 16, n)).cast(pl.String)
    kind = rng.random(n)
    return pl.select(
        pl.when(pl.lit(urban) & (pl.lit(kind) < 0.6)).then(pl.concat_str([pl.lit("Số "), house, pl.lit(" "), street]))
        .when(pl.lit(urban)).then(pl.concat_str([pl.lit("Tổ dân phố "), group]))
        .otherwise(pl.concat_str([pl.lit("Thôn "), group]))
    ).to_series().alias("detail")


def _lower_first(col: pl.Expr) -> pl.Expr:
    return pl.concat_str([col.str.slice(0, 1).str.to_lowercase(), col.str.slice(1)])


def unit_names(on: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Ward, district and province names in force on date `on` (needs old/new name columns)."""
    before_merger = on < pl.lit(MERGER_DATE)
    before_city = (on < pl.lit(HUE_CITY_DATE)) & (pl.col("old_province_code") == "46")
    district = pl.when(before_city).then(
        pl.col("old_district").replace(_BEFORE_HUE_CITY)
    ).otherwise(pl.col("old_district"))
    province = pl.when(before_city).then(
        pl.col("old_province_name").replace(_BEFORE_HUE_CITY)
    ).otherwise(pl.col("old_province_name"))
    ward = pl.when(before_merger).then(pl.col("old_name")).otherwise(pl.col("new_name"))
    district = pl.when(before_merger).then(district)
    province = pl.when(before_merger).then(province).otherwise(pl.col("new_province_name"))
    return ward, district, province


def residence_text(detail: pl.Expr, on: pl.Expr) -> pl.Expr:
    """A residence as written on date `on`: `Thôn 3, Xã Lộc Thủy, Huyện Phú Lộc, Tỉnh …`."""
    ward, district, province = unit_names(on)
    return pl.concat_str([detail, ward, district, province], separator=", ", ignore_nulls=True)


def authority_text(on: pl.Expr) -> pl.Expr:
    """The registering authority: `UBND xã Lộc Thủy, huyện Phú Lộc, tỉnh Thừa Thiên Huế`."""
    ward, district, province = unit_names(on)
    return pl.concat_str(
        [pl.lit("UBND ") + _lower_first(ward), _lower_first(district), _lower_first(province)],
        separator=", ", ignore_nulls=True,
    )


def ward_code_on(on: pl.Expr) -> pl.Expr:
    """The ward code in force on `on`: the old code before the merger, the current one after."""
    return pl.when(on < pl.lit(MERGER_DATE)).then(pl.col("old_code")).otherwise(pl.col("new_code"))
