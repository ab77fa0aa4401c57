"""Opening the campaign database file: a bounded wait while another process has it open in a
conflicting mode (DuckDB allows one writer or many readers), and a clear refusal, naming the
file, of anything that is not a DuckDB database. Every open of a campaign database goes through
`connect`: an encrypted campaign's (its campaign.toml says so) with its key, and a file opened
for writing is made readable by its owner only.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from reconcile.errors import CampaignDatabaseError, CampaignKeyError, Text, UserError
from reconcile.store.campaign import SETTINGS_FILE, is_encrypted, owner_only
from reconcile.store.encryption import KEY_FILE_VAR, KEY_VAR, campaign_key, open_encrypted, scrub
from reconcile.store.lock import busy_error, lock_timeout

# Never fetch an extension (e.g. to read a SQLite file handed in by mistake): there is no network.
# A new campaign database is made in the newest storage format of the pinned DuckDB, not the one
# DuckDB 1.0 can read: text is compressed faster and smaller (docs/performance.md). A campaign
# made earlier keeps its format.
_CONFIG = {"autoload_known_extensions": False, "autoinstall_known_extensions": False,
           "storage_compatibility_version": "latest"}


def first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting (bounded) while another process has it open in a conflicting mode."""
    key = campaign_key() if is_encrypted(path.parent) else None
    timeout = lock_timeout()
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = (open_encrypted(path, read_only, key, _CONFIG) if key
                   else duckdb.connect(str(path), read_only=read_only, config=_CONFIG))
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise _refusal(path, exc, key) from None
            if time.monotonic() >= deadline:
                pid = re.search(r"\(PID (\d+)\)", str(exc))
                other = Text("busy_other_program_pid", {"pid": pid.group(1)}) if pid else Text("busy_other_program")
                raise busy_error(path.parent, timeout, writing=False, other=other) from None
            time.sleep(0.1)
        except duckdb.Error as exc:
            raise _refusal(path, exc, key) from None
        else:
            if not read_only:
                owner_only(path)
            return con


def _refusal(path: Path, exc: duckdb.Error, key: str | None) -> UserError:
    """What to say when DuckDB will not open the file (never quoting the key)."""
    said = scrub(first_line(exc), key or "")
    if "Wrong encryption key" in said:
        return CampaignKeyError.said("err_key_wrong", key_var=KEY_VAR, file_var=KEY_FILE_VAR, path=path)
    if "without a key" in said:
        return CampaignDatabaseError.said("err_key_not_said", str(path), settings=SETTINGS_FILE, key_var=KEY_VAR,
                                          file_var=KEY_FILE_VAR)
    if "is not encrypted" in said:
        return CampaignDatabaseError.said("err_not_encrypted", str(path), settings=SETTINGS_FILE)
    if any(sign in said.lower() for sign in ("attempted to read", "checksum", "corrupt")):
        return CampaignDatabaseError.said("err_database_damaged_or_disk", str(path), why=said)
    return CampaignDatabaseError.said("err_not_database", str(path), why=said)
