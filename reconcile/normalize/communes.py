"""The 2025 commune merger: old (pre-1 July 2025) ward codes mapped to current ones.

The table comes from `vietnamadminunits`, which ships the official old→new unit list
(10,040 old wards → 3,321 new). Its converter works on name keys, so the code table is
built here once by joining the legacy units, the converter's key map and the new units.
An old ward split between several new wards maps to the package's default new ward and
is flagged `split`, because the true new ward of such a record is uncertain.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import polars as pl

MERGER_DATE = date(2025, 7, 1)

def query_units(sql: str) -> pl.DataFrame:
    """A query on the package's unit tables (`admin_units`: the 34 provinces since the merger,
    `admin_units_legacy`: the 63 before), through its public `database.query`. Imported here, on
    first use: it takes a few tenths of a second, and commands that only read a campaign need none
    of it."""
    from vietnamadminunits.database import query

    rows = query(sql)
    return pl.DataFrame(rows, orient="row") if rows else pl.DataFrame()


@lru_cache(maxsize=1)
def current_communes() -> pl.DataFrame:
    """Current (post-merger) communes: code, name, province code and name."""
    return query_units(
        "SELECT DISTINCT wardCode AS code, ward AS name, provinceCode AS province_code, "
        "province AS province_name, provinceKey AS province_key, wardKey AS ward_key FROM admin_units"
    )


@lru_cache(maxsize=1)
def commune_table() -> pl.DataFrame:
    """Old ward codes with their current ward code.

    Columns: old_code, old_name, old_district, old_province_code, old_province_name,
    new_code, new_name, new_province_code, split (the old ward was divided; new_code is
    the default successor).
    """
    legacy = query_units(
        "SELECT DISTINCT wardCode AS old_code, ward AS old_name, district AS old_district, "
        "provinceCode AS old_province_code, province AS old_province_name, "
        "provinceKey || '_' || districtKey || '_' || wardKey AS old_key FROM admin_units_legacy"
    )
    from vietnamadminunits.converter import converter_2025  # the converter's key map, as it uses it

    rows: list[tuple[str, str, str, bool]] = []
    for new_province_key, wards in converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED.items():
        for new_ward_key, old_keys in wards.items():
            rows.extend((old_key, new_province_key, new_ward_key, False) for old_key in old_keys)
    for new_province_key, divided in converter_2025.DICT_PROVINCE_WARD_DIVIDED.items():
        for old_key, successors in divided.items():
            default = next((s["newWardKey"] for s in successors if s["isDefaultNewWard"]), None)
            if default:
                rows.append((old_key, new_province_key, default, True))
    keymap = pl.DataFrame(
        rows, schema=["old_key", "province_key", "ward_key", "split"], orient="row"
    ).unique(subset=["old_key"], keep="first", maintain_order=True)
    current = current_communes().select(
        "province_key", "ward_key", pl.col("code").alias("new_code"),
        pl.col("name").alias("new_name"), pl.col("province_code").alias("new_province_code"),
    )
    return (
        legacy.join(keymap, on="old_key", how="left")
        .join(current, on=["province_key", "ward_key"], how="left")
        .select(
            "old_code", "old_name", "old_district", "old_province_code", "old_province_name",
            "new_code", "new_name", "new_province_code", pl.col("split").fill_null(False),
        )
        .unique(subset=["old_code"], keep="first", maintain_order=True)
    )
