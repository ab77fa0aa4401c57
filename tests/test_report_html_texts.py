"""The report's catalogue (reports/strings.toml): every text in both languages, numbers and dates
written each language's way."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from reconcile.errors import RulesError
from reconcile.paths import data_dir
from reconcile.report.texts import LANGUAGES, load_catalogue, texts


def test_every_text_in_both_languages_and_every_placeholder_in_both() -> None:
    catalogue = load_catalogue()
    assert len(catalogue) > 80
    for key, entry in catalogue.items():
        assert set(entry) == set(LANGUAGES)
        assert set(re.findall(r"{(\w+)}", entry["en"])) == set(re.findall(r"{(\w+)}", entry["vi"])), key


def test_every_key_the_template_asks_for_is_in_the_catalogue() -> None:
    template = (data_dir("reports") / "report.html.j2").read_text(encoding="utf-8")
    asked = set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", template))
    assert len(asked) > 40 and asked <= set(load_catalogue())


def test_a_text_missing_a_language_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "strings.toml"
    path.write_text('[title]\nen = "Report"\nvi = "Báo cáo"\n\n[total]\nen = "Total"\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"strings.toml.*total\.vi"):
        load_catalogue(path)


def test_numbers_and_dates_per_language() -> None:
    vi, en = texts("vi"), texts("en")
    assert (vi.number(46118), en.number(46118)) == ("46.118", "46,118")
    assert (vi.percent(0.7716), en.percent(0.7716)) == ("77,2%", "77.2%")
    assert (vi.points(-1.25), en.points(3.0), en.points(0.01)) == ("−1,2", "+3.0", "±0.0")
    assert (vi.day(date(2025, 8, 28)), en.day(date(2025, 8, 28))) == ("28/08/2025", "2025-08-28")
    assert vi.significant(0.000480487) == "0,00048"
    assert vi("day_of", day=3, days=90) == "Ngày 3/90" and en("day_of", day=3, days=90) == "Day 3 of 90"
    with pytest.raises(ValueError):
        texts("fr")
