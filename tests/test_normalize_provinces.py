"""The province an address names (old or current names, with or without diacritics)."""

from __future__ import annotations

import polars as pl
import pytest

from reconcile.normalize.provinces import address_province, commune_province


@pytest.mark.parametrize(("address", "code"), [
    ("Thôn 12, Xã Quỳnh Lâm, Huyện Quỳnh Lưu, Tỉnh Nghệ An", "40"),
    ("Thôn 7, Thị trấn Sịa, Huyện Quảng Điền, Tỉnh Thừa Thiên Huế", "46"),  # before Huế became a city
    ("Thôn 7, Xã Quảng Điền, Thành phố Huế", "46"),
    ("12 Lê Lợi, TP. Hồ Chí Minh", "79"),
    ("so 3, pho Hang Bac, Ha Noi", "01"),
    ("Thôn 1, Xã Tùng Bá, Huyện Vị Xuyên, Tỉnh Hà Giang", "08"),  # merged into Tuyên Quang in 2025
    ("Thôn 3, Xã Đông Sơn", None),  # no province named
    ("", None),
    (None, None),
])
def test_address_province(address: str | None, code: str | None) -> None:
    assert address_province(pl.Series([address], dtype=pl.String)).to_list() == [code]


def test_commune_province() -> None:
    assert commune_province(pl.Series(["19867", "00004", "99999", None])).to_list() == ["46", "01", None, None]
