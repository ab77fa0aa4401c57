"""The campaign folder: its settings file, its copy of the rules and its database.

A campaign is found from `--campaign PATH`, else the `RECONCILE_CAMPAIGN` variable, else
the current folder (or one of its parents). Its folder, database, lock and the files exported
from it are readable by their owner only (`owner_only`); with `encrypted = true` the database is
encrypted at rest (`encryption.py`).
"""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reconcile.errors import CampaignError
from reconcile.paths import data_dir
from reconcile.store.encryption import campaign_key

SETTINGS_FILE = "campaign.toml"
DATABASE_FILE = "campaign.duckdb"
RULES_FOLDER = "rules"
ENV_VAR = "RECONCILE_CAMPAIGN"
FILE_MODE, FOLDER_MODE = 0o600, 0o700


def owner_only(path: Path) -> None:
    """Make a file (or folder) readable by its owner only: it holds, or leads to, personal data."""
    path.chmod(FOLDER_MODE if path.is_dir() else FILE_MODE)


@dataclass(frozen=True)
class Campaign:
    folder: Path
    province: str
    start: date
    days: int
    encrypted: bool = False

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_FILE

    @property
    def rules_dir(self) -> Path:
        return self.folder / RULES_FOLDER

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


def create_campaign(folder: Path, province: str, start: date, days: int, encrypted: bool = False) -> Campaign:
    """Make a new campaign folder with its settings and a copy of the default rules; an encrypted
    one only when its key is given (`encryption.campaign_key`)."""
    if not province.isdigit() or len(province) != 2:
        raise CampaignError.said("err_province", value=province)
    if days < 1:
        raise CampaignError.said("err_days", value=days)
    if (folder / SETTINGS_FILE).exists():
        raise CampaignError.said("err_campaign_exists", folder=folder, settings=SETTINGS_FILE)
    if encrypted:
        campaign_key()
    folder.mkdir(parents=True, exist_ok=True)
    owner_only(folder)
    shutil.copytree(data_dir("rules"), folder / RULES_FOLDER, dirs_exist_ok=False)
    (folder / SETTINGS_FILE).write_text(
        "# reconcile campaign settings (written by `reconcile init`)\n"
        f'province = "{province}"\nstart = {start.isoformat()}\ndays = {days}\n'
        + ("# the database is encrypted; its key comes from RECONCILE_KEY or RECONCILE_KEY_FILE\n"
           "encrypted = true\n" if encrypted else ""),
        encoding="utf-8",
    )
    return Campaign(folder, province, start, days, encrypted)


def _read(folder: Path) -> Campaign:
    path = folder / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        encrypted = data.get("encrypted", False)
        if not isinstance(encrypted, bool):
            raise ValueError(f"encrypted must be true or false, got {encrypted!r}")
        return Campaign(folder, str(data["province"]), data["start"], int(data["days"]), encrypted)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CampaignError.said("err_settings_file", path=path, why=exc) from None


def is_encrypted(folder: Path) -> bool:
    """Whether the campaign settings in `folder` (if any) say its database is encrypted."""
    return (folder / SETTINGS_FILE).is_file() and _read(folder).encrypted


def find_campaign(explicit: Path | None = None) -> Campaign:
    """Locate the campaign to work on, or say how to make one."""
    if explicit is None and os.environ.get(ENV_VAR):
        explicit = Path(os.environ[ENV_VAR])
    if explicit is not None:
        if not (explicit / SETTINGS_FILE).is_file():
            raise CampaignError.said("err_not_campaign", folder=explicit, settings=SETTINGS_FILE)
        return _read(explicit.resolve())
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return _read(folder)
    raise CampaignError.said("err_no_campaign", here=here, env=ENV_VAR)
