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
from reconcile.paths import data_dir, read_toml

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
            raise RulesError.said("err_rules_input", where, kind, registry=REGISTRY.kind, population=POPULATION.kind)
    return ColumnMap(path, _table(raw, REGISTRY, where), _table(raw, POPULATION, where))


def _table(raw: dict[str, Any], spec: TableSpec, where: str) -> TableColumns:
    section = raw.get(spec.kind)
    if not isinstance(section, dict):
        raise RulesError.said("err_rules_columns", where, spec.kind)
    for name in section:
        if name not in spec.columns:
            known = ", ".join(spec.columns)
            raise RulesError.said("err_rules_unknown_column", where, f"{spec.kind}.{name}", kind=spec.kind, known=known)
    rules = tuple(_rule(spec, name, section.get(name), where) for name in spec.columns)

    # Canonical names are claimed first, so an alias that repeats one is reported on the alias.
    by_key = {header_key(rule.name): rule.name for rule in rules}
    for rule in rules:
        for alias in rule.aliases:
            owner = by_key.setdefault(header_key(alias), rule.name)
            if owner != rule.name:
                raise RulesError.said("err_rules_alias_taken", where, f"{spec.kind}.{rule.name}.aliases", alias=alias,
                                      owner=owner)
    owners: dict[str, set[str]] = {}
    for key, name in by_key.items():
        owners.setdefault(folded_key(key), set()).add(name)
    by_folded = {key: names.pop() for key, names in owners.items() if len(names) == 1}
    return TableColumns(spec, rules, MappingProxyType(by_key), MappingProxyType(by_folded))


def _rule(spec: TableSpec, name: str, value: object, where: str) -> ColumnRule:
    key = f"{spec.kind}.{name}"
    if value is None:
        raise RulesError.said("err_rules_column_missing", where, key)
    if not isinstance(value, dict):
        raise RulesError.said("err_rules_column", where, key)
    for item in value:
        if item not in _RULE_KEYS:
            raise RulesError.said("err_rules_column_key", where, f"{key}.{item}")
    required = value.get("required")
    if not isinstance(required, bool):
        raise RulesError.said("err_rules_type", where, f"{key}.required", kind="bool", value=repr(required))
    if not required and name in (spec.key, *spec.names):
        raise RulesError.said("err_rules_required", where, f"{key}.required")
    aliases = value.get("aliases")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise RulesError.said("err_rules_strings", where, f"{key}.aliases")
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
            raise InputFileError.said("err_duplicate_column", str(path), first=found[name], second=header, name=name)
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
