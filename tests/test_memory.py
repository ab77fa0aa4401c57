"""`ingest` asks Polars' allocator to give memory back within a second; a user's own setting wins."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = ("from reconcile.cli.memory import return_freed_memory_soon as f; f(); import os, polars; "
        "print(os.environ.get('_RJEM_MALLOC_CONF'))")


def _run(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    return subprocess.run([sys.executable, "-c", SHOW], env={**clean, **env}, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_freed_memory_is_returned_within_a_second_unless_the_user_says_otherwise() -> None:
    # Polars puts its own defaults first when it loads; in jemalloc's list the last setting wins.
    assert _run({}).endswith("dirty_decay_ms:1000,muzzy_decay_ms:1000")
    mine = _run({"_RJEM_MALLOC_CONF": "background_thread:true"})
    assert mine.endswith("background_thread:true") and "dirty_decay_ms:1000" not in mine
