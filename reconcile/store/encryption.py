"""Encryption at rest of the campaign database, with DuckDB's database encryption (AES-GCM).

A campaign made with `reconcile init --encrypt` says `encrypted = true` in its campaign.toml.
Its key is never kept in the campaign: every command takes it from `RECONCILE_KEY`, or from the
file named by `RECONCILE_KEY_FILE`, and it never appears in a message. The database is opened
as an in-memory DuckDB with the file attached (`ATTACH … (ENCRYPTION_KEY …)`), its spill files
encrypted too. DuckDB reads encrypted files on its own but writes them only with OpenSSL, which
its httpfs extension brings: that is loaded from the `duckdb-extension-httpfs` package, built for
exactly this duckdb version, and never fetched from the network.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from reconcile.errors import CampaignKeyError

KEY_VAR = "RECONCILE_KEY"
KEY_FILE_VAR = "RECONCILE_KEY_FILE"
MIN_KEY_LENGTH = 16
ALIAS = "campaign"


def campaign_key() -> str:
    """The key of an encrypted campaign, from `RECONCILE_KEY` or the file `RECONCILE_KEY_FILE` names."""
    value, named = os.environ.get(KEY_VAR, ""), os.environ.get(KEY_FILE_VAR, "").strip()
    if value and named:
        raise CampaignKeyError.said("err_key_both", key_var=KEY_VAR, file_var=KEY_FILE_VAR)
    if named:
        value = _read_key_file(Path(named))
    if not value:
        raise CampaignKeyError.said("err_key_missing", key_var=KEY_VAR, file_var=KEY_FILE_VAR)
    if len(value) < MIN_KEY_LENGTH:
        raise CampaignKeyError.said("err_key_short", length=MIN_KEY_LENGTH)
    return value


def _read_key_file(path: Path) -> str:
    try:
        if path.stat().st_mode & 0o077:
            raise CampaignKeyError.said("err_key_file_shared", file_var=KEY_FILE_VAR, path=path)
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise CampaignKeyError.said("err_key_file_unreadable", file_var=KEY_FILE_VAR, path=path,
                                     why=exc.strerror or exc) from None
    except UnicodeDecodeError:
        raise CampaignKeyError.said("err_key_file_not_text", file_var=KEY_FILE_VAR, path=path) from None


def _literal(text: str) -> str:
    """A SQL string literal (ATTACH and LOAD take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _httpfs() -> Path:
    """The httpfs extension of the installed duckdb, from its Python package."""
    try:
        import duckdb_extension_httpfs
    except ImportError:
        raise CampaignKeyError.said("err_httpfs_missing") from None
    path = (Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{duckdb.__version__}"
            / "httpfs.duckdb_extension")
    if not path.is_file():
        raise CampaignKeyError.said("err_httpfs_version", version=duckdb.__version__)
    return path


def open_encrypted(path: Path, read_only: bool, key: str, config: dict[str, object]) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the encrypted file attached and in use; DuckDB's errors pass
    through (the caller words them) and never carry the key."""
    con = duckdb.connect(":memory:", config={**config, "temp_directory": f"{path}.tmp"})
    try:
        con.execute(f"LOAD {_literal(str(_httpfs()))}")
        mode = ", READ_ONLY" if read_only else ""
        try:
            con.execute(f"ATTACH {_literal(str(path))} AS {ALIAS} (ENCRYPTION_KEY {_literal(key)}{mode})")
        except duckdb.Error as exc:
            raise type(exc)(scrub(str(exc), key)) from None
        con.execute(f"USE {ALIAS}")
        con.execute("SET temp_file_encryption = true")
    except BaseException:
        con.close()
        raise
    return con


def scrub(text: str, key: str) -> str:
    """`text` with the key blanked out, should DuckDB ever quote it."""
    for form in (key.replace("'", "''"), key) if key else ():
        text = text.replace(form, "***")
    return text
