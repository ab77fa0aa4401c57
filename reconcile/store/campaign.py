"""The campaign folder: its settings file, its copy of the rules and its database.

A campaign is found from `--campaign PATH`, else the `RECONCILE_CAMPAIGN` variable, else
the current folder (or one of its parents).
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

SETTINGS_FILE = "campaign.toml"
DATABASE_FILE = "campaign.duckdb"
RULES_FOLDER = "rules"
ENV_VAR = "RECONCILE_CAMPAIGN"


@dataclass(frozen=True)
class Campaign:
    folder: Path
    province: str
    start: date
    days: int

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_FILE

    @property
    def rules_dir(self) -> Path:
        return self.folder / RULES_FOLDER

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


def create_campaign(folder: Path, province: str, start: date, days: int) -> Campaign:
    """Make a new campaign folder with its settings and a copy of the default rules."""
    if not province.isdigit() or len(province) != 2:
        raise CampaignError(f"--province must be a 2-digit current province code (e.g. 46 for Huế), got '{province}'")
    if days < 1:
        raise CampaignError(f"--days must be at least 1, got {days}")
    if (folder / SETTINGS_FILE).exists():
        raise CampaignError(f"{folder} already holds a campaign ({SETTINGS_FILE} exists)")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data_dir("rules"), folder / RULES_FOLDER, dirs_exist_ok=False)
    (folder / SETTINGS_FILE).write_text(
        "# reconcile campaign settings (written by `reconcile init`)\n"
        f'province = "{province}"\nstart = {start.isoformat()}\ndays = {days}\n',
        encoding="utf-8",
    )
    return Campaign(folder, province, start, days)


def _read(folder: Path) -> Campaign:
    path = folder / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Campaign(folder, str(data["province"]), data["start"], int(data["days"]))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CampaignError(f"{path}: not a valid campaign settings file ({exc})") from None


def find_campaign(explicit: Path | None = None) -> Campaign:
    """Locate the campaign to work on, or say how to make one."""
    if explicit is None and os.environ.get(ENV_VAR):
        explicit = Path(os.environ[ENV_VAR])
    if explicit is not None:
        if not (explicit / SETTINGS_FILE).is_file():
            raise CampaignError(f"{explicit} is not a campaign folder (no {SETTINGS_FILE}); run `reconcile init` there first")
        return _read(explicit.resolve())
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return _read(folder)
    raise CampaignError(
        f"no campaign here ({here}); run `reconcile init`, or pass --campaign PATH or set {ENV_VAR}"
    )
