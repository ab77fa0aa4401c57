"""The campaign lock: one writing command at a time, a bounded wait, and who holds it.

Writing commands (ingest, train, run, decide, export) hold `campaign.lock` for their whole
length, and say in `campaign.lock.holder` who they are. A second writing command waits up to
`RECONCILE_LOCK_TIMEOUT` seconds (default 30), then stops with a message naming the holder.
Reading commands take no campaign lock: they share the database with each other and with a
writer that is not touching it (a run while it scores), and wait only for the moments a writer
has the database open (`connect.open_database`). The operating system frees the lock when its
holder dies, even by SIGKILL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from reconcile.clock import now
from reconcile.errors import CampaignBusyError, Text, UserError
from reconcile.store.campaign import FILE_MODE

LOCK_FILE = "campaign.lock"
HOLDER_FILE = "campaign.lock.holder"
TIMEOUT_VAR = "RECONCILE_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 30.0


def lock_timeout() -> float:
    """Seconds a command waits for another one: `RECONCILE_LOCK_TIMEOUT`, default 30."""
    value = os.environ.get(TIMEOUT_VAR, "").strip()
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise UserError.said("err_lock_timeout", var=TIMEOUT_VAR, value=value)
    return seconds


@dataclass(frozen=True)
class Holder:
    """The writing command that holds a campaign."""

    command: str
    who: str
    pid: int
    since: str  # local time, YYYY-MM-DD HH:MM:SS

    def describe(self) -> Text:
        return Text("busy_holder", {"command": self.command, "who": self.who, "pid": self.pid, "since": self.since})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def current_holder(folder: Path) -> Holder | None:
    """The live command holding the campaign in `folder`, if one says so."""
    try:
        holder = Holder(**json.loads((folder / HOLDER_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return holder if _alive(holder.pid) else None


def busy_error(folder: Path, waited: float, writing: bool, other: Text | None = None) -> CampaignBusyError:
    """The error saying who has the campaign (`other` when no live holder says so), writing to it
    or using it, how long we waited, and what to do."""
    holder = current_holder(folder)
    return CampaignBusyError.said("err_busy_writing" if writing else "err_busy_using",
                                  who=holder.describe() if holder else other or Text("busy_other_command"),
                                  waited=f"{waited:g}", var=TIMEOUT_VAR)


@contextmanager
def writing(folder: Path, command: str, who: str) -> Iterator[None]:
    """Hold the campaign in `folder` for one writing command, waiting a bounded time for it."""
    timeout = lock_timeout()
    lock = FileLock(folder / LOCK_FILE, timeout=timeout, is_singleton=False, mode=FILE_MODE)
    try:
        lock.acquire()
    except Timeout:
        raise busy_error(folder, timeout, writing=True) from None
    holder_file = folder / HOLDER_FILE
    try:
        staged = holder_file.with_suffix(f".{os.getpid()}")
        since = now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        staged.write_text(json.dumps(asdict(Holder(command, who, os.getpid(), since))), encoding="utf-8")
        staged.chmod(FILE_MODE)
        staged.replace(holder_file)
        yield
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()
