"""The column map (rules/columns.toml): which headers of an export mean which canonical column."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

from reconcile.errors import InputFileError, MissingColumnError, RulesError
from reconcile.ingest.contract import POPULATION, REGISTRY, SOURCE_COLUMNS, SPECS, TableSpec
from reconcile.ingest.privacy import mask_ids
from reconcile.ingest.readers import REPEATED_HEADER
from reconcile.paths import data_dir
from reconcile.ruleset import read_toml

_RULE_KEYS = ("required", "aliases")


@dataclass(frozen=True)
class ColumnRule:
    """One canonical column: whether a file must have it, and the headers that mean it."""

    name: str
    required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class TableColumns:
    """The column rules of one input, with the header lookups built from them."""

    spec: TableSpec
    rules: tuple[ColumnRule, ...]
    by_key: Mapping[str, str]
    by_folded: Mapping[str, str]

    def canonical(self, header: str) -> str | None:
        """The canonical column a header means, or None.

        Aliases are unique after `header_key`, so an exact match always wins; the
        diacritics-free fallback only holds keys that point to a single column.
        """
        return self.by_key.get(header_key(header)) or self.by_folded.get(folded_key(header))


@dataclass(frozen=True)
class ColumnMap:
    """The column rules of both inputs, as loaded from one columns.toml."""

    path: Path
    registry: TableColumns
    population: TableColumns


def header_key(text: str) -> str:
    """A header as compared: NFC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def folded_key(text: str) -> str:
    """A header with its diacritics removed, for exports that lost them."""
    decomposed = unicodedata.normalize("NFD", header_key(text))
    # đ is a letter of its own, not d plus a mark, so NFD leaves it whole.
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


def default_columns_path() -> Path:
    """The columns.toml shipped with reconcile (a campaign keeps its own copy)."""
    return data_dir("rules") / "columns.toml"


def load_column_map(path: Path | None = None) -> ColumnMap:
    """Load and validate a columns.toml; any problem is a RulesError naming the file and key."""
    path = Path(path) if path is not None else default_columns_path()
    where = str(path)
    raw = read_toml(path)
    for kind in raw:
        if kind not in SPECS:
            raise RulesError(where, kind, f"unknown input; expected {' and '.join(SPECS)}")
    return ColumnMap(path, _table(raw, REGISTRY, where), _table(raw, POPULATION, where))


def _table(raw: dict[str, Any], spec: TableSpec, where: str) -> TableColumns:
    section = raw.get(spec.kind)
    if not isinstance(section, dict):
        raise RulesError(where, spec.kind, "must be a table of columns, one per canonical column")
    for name in section:
        if name not in spec.columns:
            known = ", ".join(spec.columns)
            raise RulesError(where, f"{spec.kind}.{name}", f"unknown column; the {spec.kind} columns are: {known}")
    rules = tuple(_rule(spec, name, section.get(name), where) for name in spec.columns)

    # Canonical names are claimed first, so an alias that repeats one is reported on the alias.
    by_key = {header_key(rule.name): rule.name for rule in rules}
    for rule in rules:
        for alias in rule.aliases:
            owner = by_key.setdefault(header_key(alias), rule.name)
            if owner != rule.name:
                message = f"'{alias}' already means '{owner}'; a header can mean one column only"
                raise RulesError(where, f"{spec.kind}.{rule.name}.aliases", message)
    owners: dict[str, set[str]] = {}
    for key, name in by_key.items():
        owners.setdefault(folded_key(key), set()).add(name)
    by_folded = {key: names.pop() for key, names in owners.items() if len(names) == 1}
    return TableColumns(spec, rules, MappingProxyType(by_key), MappingProxyType(by_folded))


def _rule(spec: TableSpec, name: str, value: object, where: str) -> ColumnRule:
    key = f"{spec.kind}.{name}"
    if value is None:
        raise RulesError(where, key, "is missing; every canonical column needs 'required' and 'aliases'")
    if not isinstance(value, dict):
        raise RulesError(where, key, "must be a table with 'required' and 'aliases'")
    for item in value:
        if item not in _RULE_KEYS:
            raise RulesError(where, f"{key}.{item}", "unknown key; expected 'required' and 'aliases'")
    required = value.get("required")
    if not isinstance(required, bool):
        raise RulesError(where, f"{key}.required", f"must be bool, got {required!r}")
    if not required and name in (spec.key, *spec.names):
        raise RulesError(where, f"{key}.required", "must be true: every row is checked on the key and the names")
    aliases = value.get("aliases")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise RulesError(where, f"{key}.aliases", "must be a list of non-empty strings")
    return ColumnRule(name, required, tuple(aliases))


def map_headers(frame: pl.DataFrame, table: TableColumns, path: Path) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Rename a read frame to the canonical columns, in contract order, absent ones all-null.

    Returns the frame and the headers that mean nothing (ignored). A missing required
    column, or two headers meaning the same column (also the same header twice), is an
    error naming the file.
    """
    headers = [c for c in frame.columns if c not in SOURCE_COLUMNS]
    found: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        repeated = REPEATED_HEADER.match(header)
        name = table.canonical(repeated.group(1) if repeated else header)
        if name is None:
            ignored.append(header)
        elif name in found:
            message = f"columns '{found[name]}' and '{header}' both mean '{name}'; keep one of them"
            raise InputFileError(str(path), message)
        else:
            found[name] = header
    for rule in table.rules:
        if rule.required and rule.name not in found:
            # A file without a header shows its first row here: an ID in it is masked.
            raise MissingColumnError(str(path), rule.name, [mask_ids(h) for h in headers])
    columns = [
        pl.col(found[name]).alias(name) if name in found else pl.lit(None, pl.String).alias(name)
        for name in table.spec.columns
    ]
    return frame.select(*columns, *SOURCE_COLUMNS), tuple(ignored)
