"""The campaign's clock: today's date (which a scripted campaign may set) and the time of an event.

`RECONCILE_TODAY=YYYY-MM-DD` makes every command behave as on that day: the day a progress
snapshot is filed under, and the day `reconcile status` counts from. Event times (the audit
log, decisions) stay the real time, so the log never lies about when something happened.
"""

from __future__ import annotations

import getpass
import os
from datetime import date, datetime, timezone

from reconcile.errors import UserError

TODAY_VAR = "RECONCILE_TODAY"


def today() -> date:
    """The campaign's today: `RECONCILE_TODAY` if set, else the machine's local date."""
    value = os.environ.get(TODAY_VAR, "").strip()
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError.said("err_today", var=TODAY_VAR, value=value) from None


def now() -> datetime:
    """The real time of an event, in UTC."""
    return datetime.now(timezone.utc)


def user() -> str:
    """Who runs the command when no `--by NAME` is given: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-file entry (some containers)
        return f"uid {os.getuid()}"
