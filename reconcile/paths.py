"""The package's data files: where they lie (default rules, report templates, text catalogues),
installed or in a source tree, and how a TOML file of them, or of a campaign's rules, is read."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from reconcile.errors import InternalError, RulesError

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name` ('rules' or 'reports') shipped with the package.

    A wheel carries them under `reconcile/_data/`; a source checkout (editable install)
    keeps them at the repository top level, beside the package.
    """
    for candidate in (_HERE / "_data" / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"package data folder '{name}' not found beside {_HERE}")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one rules file; a missing, unreadable or invalid file is a RulesError (key '-')."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError.said("err_rules_file_missing", str(path), "-") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError.said("err_rules_not_utf8", str(path), "-", why=exc) from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError.said("err_rules_not_toml", str(path), "-", why=exc) from None


def read_catalogue(path: Path, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """A catalogue of texts (the report's, the command line's): every key with its text per
    language; a key lacking a language is an error naming it."""
    catalogue = {}
    for key, entry in read_toml(path).items():
        for lang in languages:
            if not isinstance(entry, dict) or not isinstance(entry.get(lang), str) or not entry[lang]:
                raise RulesError.said("err_rules_text", str(path), f"{key}.{lang}")
        catalogue[key] = {lang: entry[lang] for lang in languages}
    return catalogue


CLI_LANGUAGES = ("vi", "en")


_READING: list[Path] = []  # the command line's catalogue being read, to tell an error in it


@lru_cache(maxsize=1)
def cli_catalogue() -> dict[str, dict[str, str]]:
    """The command line's texts (texts/cli.toml), read once: what the console shows and what a
    user error says, in each of CLI_LANGUAGES. An error in the catalogue itself cannot be said
    from it: it is the package's, said in English."""
    path = data_dir("texts") / "cli.toml"
    if _READING:
        raise InternalError(f"{path} is damaged (a text of it cannot be read); reinstall reconcile")
    _READING.append(path)
    try:
        return read_catalogue(path, CLI_LANGUAGES)
    finally:
        _READING.clear()
