"""The home an address names first (reconcile/normalize/homes.py): what a registration's residence
of decades ago and a population address of today can share."""

from __future__ import annotations

import polars as pl

from reconcile.normalize.homes import home_key, names_a_house


def keys(*addresses: str | None) -> list[str | None]:
    return pl.select(home_key(pl.Series(addresses, dtype=pl.String))).to_series().to_list()


def test_the_house_or_hamlet_survives_the_merger_renaming_its_commune() -> None:
    before = "Số 295 Nguyễn Huệ, Phường Thủy Vân, Thành phố Huế, Tỉnh Thừa Thiên Huế"
    after = "số 295 NGUYEN HUE, Phường Vỹ Dạ, Thành phố Huế"
    assert keys(before, after) == ["295 nguyen hue", "295 nguyen hue"]
    assert keys("Thôn 4, Xã Phong Sơn, Huyện Phong Điền", "THÔN 4 , Phường Phong Thái") == ["thon 4", "thon 4"]
    assert keys("Số nhà 46/3 Lê Lợi, Phường X") == ["46/3 le loi"]


def test_an_address_that_names_no_home_has_no_key() -> None:
    # Only units (nothing smaller than the commune), a single part, or nothing at all.
    assert keys("Xã Phong Sơn, Huyện Phong Điền, Tỉnh Thừa Thiên Huế", "Phường Vỹ Dạ", "Thôn 4", None, " , Huế") == [
        None, None, None, None, None]


def test_a_house_is_a_number_and_a_street() -> None:
    found = pl.select(names_a_house(pl.Series(["295 nguyen hue", "46/3 le loi", "thon 4", "to dan pho 13"])))
    assert found.to_series().to_list() == [True, True, False, False]
