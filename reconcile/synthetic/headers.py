"""Column headers of the generated files: canonical (data contract) or Vietnamese.

The Vietnamese headers are the ones real exports carry; the ingest column map in `rules/`
must map exactly these names. In Vietnamese files the sex is written `Nam` / `Nữ`.
"""

from __future__ import annotations

import polars as pl

REGISTRY_VIETNAMESE: dict[str, str] = {
    "registration_id": "Số đăng ký",
    "registration_date": "Ngày đăng ký",
    "registration_ward_code": "Mã xã đăng ký",
    "registration_place": "Nơi đăng ký",
    **{
        f"{role}_{field}": f"{label} {word}"
        for role, word in (("husband", "chồng"), ("wife", "vợ"))
        for field, label in (
            ("full_name", "Họ và tên"), ("birth_date", "Ngày sinh"),
            ("id_number", "Số giấy tờ tùy thân"), ("ethnicity", "Dân tộc"),
            ("nationality", "Quốc tịch"), ("residence", "Nơi cư trú"),
        )
    },
    "status": "Tình trạng",
    "status_date": "Ngày thay đổi tình trạng",
}

POPULATION_VIETNAMESE: dict[str, str] = {
    "person_id": "Số định danh cá nhân",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "nationality": "Quốc tịch",
    "ward_code": "Mã xã",
    "address": "Nơi thường trú",
    "marital_status": "Tình trạng hôn nhân",
    "spouse_id": "Số định danh vợ/chồng",
    "spouse_name": "Họ tên vợ/chồng",
    "death_date": "Ngày mất",
    "legacy_id": "Số CMND",
}

SEX_VIETNAMESE: dict[str, str] = {"M": "Nam", "F": "Nữ"}
HEADER_STYLES = ("canonical", "vietnamese")


def with_headers(frame: pl.DataFrame, mapping: dict[str, str], style: str) -> pl.DataFrame:
    """`frame` with canonical headers, or renamed by `mapping` (and sex in Vietnamese)."""
    if style == "canonical":
        return frame
    if "sex" in frame.columns:
        frame = frame.with_columns(pl.col("sex").replace_strict(SEX_VIETNAMESE))
    return frame.rename(mapping)
