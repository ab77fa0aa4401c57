"""Free-text categories (sex, marital status, marriage status, nationality) mapped to codes.

Values are matched on their lowercase ASCII fold, so `Nữ`, `NU` and `nu` are one value,
and each distinct text is looked up once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from reconcile.normalize.syllables import fold_ascii

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    """'Đã ly hôn ' → 'da ly hon': lowercase ASCII words separated by single spaces."""
    return _NOT_ALNUM.sub(" ", fold_ascii(text.strip().lower())).strip()


_SEX = {
    "m": "M", "male": "M", "nam": "M", "man": "M", "trai": "M", "nam gioi": "M",
    "f": "F", "female": "F", "nu": "F", "woman": "F", "gai": "F", "nu gioi": "F",
}

_MARITAL = {
    "single": "single", "chua ket hon": "single", "doc than": "single", "chua co vo": "single",
    "chua co chong": "single", "chua lap gia dinh": "single",
    "married": "married", "da ket hon": "married", "ket hon": "married", "co vo": "married",
    "co chong": "married", "da co vo": "married", "da co chong": "married", "co vo chong": "married",
    "divorced": "divorced", "ly hon": "divorced", "da ly hon": "divorced", "li hon": "divorced",
    "da li hon": "divorced",
    "widowed": "widowed", "widow": "widowed", "widower": "widowed", "goa": "widowed",
    "goa vo": "widowed", "goa chong": "widowed", "vo chong da chet": "widowed",
}

_STATUS = {
    "": "valid", "valid": "valid", "con hieu luc": "valid", "hieu luc": "valid",
    "dang hieu luc": "valid", "co hieu luc": "valid", "active": "valid",
    "divorced": "divorced", "ly hon": "divorced", "da ly hon": "divorced", "li hon": "divorced",
    "da li hon": "divorced",
    "annulled": "annulled", "huy": "annulled", "da huy": "annulled", "bi huy": "annulled",
    "huy ket hon": "annulled", "huy viec ket hon trai phap luat": "annulled",
}

# Returned for a non-empty text the tables do not know: never read as "single" or "valid".
UNRECOGNISED = "unrecognised"

_VIETNAMESE = {"vn", "vnm", "viet nam", "vietnam", "viet", "vietnamese", "nguoi viet nam"}
# Ethnicities typed in the nationality column are Vietnamese citizens, not foreigners.
_ETHNICITIES = {
    "kinh", "tay", "thai", "muong", "khmer", "hoa", "nung", "hmong", "h mong", "mong", "dao", "gia rai",
    "e de", "ba na", "san chay", "cham", "co ho", "xo dang", "san diu", "hre", "ra glai", "mnong",
    "ta oi", "co tu", "bru van kieu", "van kieu", "tho", "giay", "gie trieng", "ma", "kho mu", "co",
}


def _nationality_is_foreign(text: str) -> bool | None:
    folded = _fold(text)
    if not folded:
        return None
    # "Việt Nam", "CHXHCN Việt Nam", "Viet Nam (Kinh)", and typos such as "Việt Nan"
    vietnamese = folded in _VIETNAMESE or "viet" in folded or "vn" in folded.split() or folded in _ETHNICITIES
    return not vietnamese


def _lookup(table: dict[str, str], unknown: str | None = None) -> Callable[[str], str | None]:
    return lambda text: table.get(_fold(text), unknown)


def _map_distinct(text: pl.Expr, function: Callable[[str], object], dtype: pl.DataType) -> pl.Expr:
    """Apply a Python function to each distinct non-null value of a column only."""

    def apply(series: pl.Series) -> pl.Series:
        distinct = series.drop_nulls().unique().to_list()
        mapping = {value: function(value) for value in distinct}
        return series.replace_strict(mapping, default=None, return_dtype=dtype)

    return text.map_batches(apply, return_dtype=dtype, is_elementwise=True)


def sex_code(text: pl.Expr) -> pl.Expr:
    """'M', 'F' or null from M/F, Nam/Nữ, male/female and their spellings."""
    return _map_distinct(text, _lookup(_SEX), pl.String())


def marital_status_code(text: pl.Expr) -> pl.Expr:
    """'single', 'married', 'divorced', 'widowed', null when empty, 'unrecognised' for other text."""
    return _map_distinct(text, _lookup(_MARITAL, UNRECOGNISED), pl.String())


def marriage_status_code(text: pl.Expr) -> pl.Expr:
    """'valid' (also when empty), 'divorced', 'annulled', or 'unrecognised' for other text."""
    return _map_distinct(text.fill_null(""), _lookup(_STATUS, UNRECOGNISED), pl.String())


def is_foreign(nationality: pl.Expr) -> pl.Expr:
    """True when a nationality is given and is not Vietnamese; False when empty."""
    return _map_distinct(nationality, _nationality_is_foreign, pl.Boolean()).fill_null(False)
