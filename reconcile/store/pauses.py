"""Named points inside long commands, where a fault test can stop a real process.

With `RECONCILE_PAUSE_AT=run:writing` and `RECONCILE_PAUSE_FILE=PATH`, a command reaching
the point `run:writing` writes PATH (its pid and the point's name) and waits there until PATH
is removed: a test can then kill it with SIGKILL, or run a second command against it, at
exactly that point. Several points may be named, separated by commas. Without the variables,
`reached` does nothing.

The points of a run: `run:loaded` (data read, campaign locked), `run:scored` (before any
write), `run:writing` (inside the write transaction, results inserted) and
`run:committing` (every row written, just before the commit).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = "RECONCILE_PAUSE_AT"
PAUSE_FILE = "RECONCILE_PAUSE_FILE"


def reached(stage: str) -> None:
    """Pause here if this is the stage named in RECONCILE_PAUSE_AT."""
    if stage not in os.environ.get(PAUSE_AT, "").split(",") or not os.environ.get(PAUSE_FILE):
        return
    marker = Path(os.environ[PAUSE_FILE])
    marker.write_text(f"{os.getpid()} {stage}\n", encoding="utf-8")
    while marker.exists():
        time.sleep(0.02)
