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

from reconcile.errors import CampaignBusyError, CampaignDatabaseError, CampaignKeyError, UserError
from reconcile.store.campaign import SETTINGS_FILE, is_encrypted, owner_only
from reconcile.store.encryption import KEY_FILE_VAR, KEY_VAR, WRONG_KEY, campaign_key, open_encrypted, scrub
from reconcile.store.lock import busy_message, lock_timeout

# Never fetch an extension (e.g. to read a SQLite file handed in by mistake): there is no network.
# A new campaign database is made in the newest storage format of the pinned DuckDB, not the one
# DuckDB 1.0 can read: text is compressed faster and smaller (an ingest of 1.5 million persons
# ~0.5 s sooner, the file 5% smaller). A campaign made earlier keeps its format.
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
                other = f"another program (pid {pid.group(1)})" if pid else "another program"
                raise CampaignBusyError(busy_message(path.parent, timeout, "using", other)) from None
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
        return CampaignKeyError(f"{WRONG_KEY} ({path})")
    if "without a key" in said:
        return CampaignDatabaseError(str(path), f"the database is encrypted, but {SETTINGS_FILE} beside it does not "
                                                f"say `encrypted = true`; add that line and give the key in {KEY_VAR} "
                                                f"or {KEY_FILE_VAR}")
    if "is not encrypted" in said:
        return CampaignDatabaseError(str(path), f"{SETTINGS_FILE} says this campaign is encrypted, but its database "
                                                "is not (was it replaced?); it is not used, so that no personal data "
                                                "is written unencrypted")
    if any(sign in said.lower() for sign in ("attempted to read", "checksum", "corrupt")):
        return CampaignDatabaseError(str(path), f"damaged campaign database, or a disk error ({said})")
    return CampaignDatabaseError(str(path), f"not a campaign database, or a damaged one ({said})")
