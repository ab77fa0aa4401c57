"""The report's words and number formats in one language, from the catalogue `reports/strings.toml`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reconcile.paths import data_dir, read_catalogue

LANGUAGES = ("vi", "en")
CATALOGUE = "strings.toml"


def load_catalogue(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Every key of the report's catalogue with its text per language; a key lacking a language
    is an error naming it."""
    return read_catalogue(path or data_dir("reports") / CATALOGUE, LANGUAGES)


@dataclass(frozen=True)
class Texts:
    """The catalogue in one language: `texts(key, **values)` gives a text with its values filled in."""

    lang: str
    strings: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        return self.strings[key].format(**values)

    def number(self, value: float, digits: int = 0) -> str:
        """1,234.5 in English, 1.234,5 in Vietnamese."""
        text = f"{value:,.{digits}f}"
        return text.translate({ord(","): self("number_thousands"), ord("."): self("number_decimal")})

    def significant(self, value: float, digits: int = 3) -> str:
        """A probability to `digits` significant digits: 0.937, 4.8e-04."""
        return f"{value:.{digits}g}".replace(".", self("number_decimal"))

    def percent(self, share: float, digits: int = 1) -> str:
        return f"{self.number(share * 100, digits)}%"

    def points(self, value: float) -> str:
        """A signed difference in percentage points: +1.5, −0.3."""
        sign = "+" if value >= 0.05 else "−" if value <= -0.05 else "±"
        return f"{sign}{self.number(abs(value), 1)}"

    def day(self, value: date) -> str:
        return value.strftime(self("date_format"))

    def vega_locale(self) -> dict[str, object]:
        """d3's number format locale, so that the charts' axes write numbers as the tables do."""
        return {"decimal": self("number_decimal"), "thousands": self("number_thousands"), "grouping": [3],
                "currency": ["", ""], "percent": "%"}


def texts(lang: str) -> Texts:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got '{lang}'")
    return Texts(lang, {key: entry[lang] for key, entry in load_catalogue().items()})
