"""Data-quality counts: what normalization found in an input, as an officer reads it."""

from __future__ import annotations

import polars as pl

from reconcile.ingest.contract import REGISTRY
from reconcile.normalize import data_quality, normalize_registry
from reconcile.normalize.communes import commune_table


def test_counts_each_kind_of_repair_once() -> None:
    base = {c: None for c in REGISTRY.columns}
    rows = [
        {**base, "registration_id": "A-1", "registration_date": "15/03/2004", "registration_ward_code": "19780",
         "husband_full_name": "NguyÔn V¨n Hïng", "wife_full_name": "Trần Thị Hoà",
         "husband_birth_date": "1979", "wife_birth_date": "02/03/1981",
         "husband_id_number": "46079012345", "wife_id_number": "4.61E+11"},
        {**base, "registration_id": "A-2", "registration_date": "15/03/2026", "registration_ward_code": None,
         "registration_place": "nowhere", "husband_full_name": "Lê Văn Tám", "wife_full_name": "Lê Thị Chín",
         "husband_birth_date": "05/1980", "wife_birth_date": "01/02/1982",
         "husband_id_number": "046080000111", "wife_id_number": "046182000222"},
    ]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in REGISTRY.columns}).with_columns(
        source_file=pl.lit("registry.csv"), source_row=pl.int_range(2, 4, dtype=pl.Int64))
    norm = normalize_registry(frame, commune_table())
    quality = data_quality(norm.spouses, norm.marriages)
    assert norm.spouses.filter(pl.col("name_repaired"))["full_name"].to_list() == ["Nguyễn Văn Hùng"]
    assert (quality.people, quality.names_repaired, quality.ids_missing) == (4, 1, 0)
    assert (quality.ids_unusable, quality.ids_scientific, quality.ids_zero_restored) == (1, 1, 1)
    assert quality.birth_partial == 2
    assert (quality.old_commune_codes, quality.communes_from_text, quality.communes_unknown) == (1, 0, 1)
