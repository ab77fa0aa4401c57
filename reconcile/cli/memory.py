"""Memory behaviour of the process, set before the libraries that it concerns are loaded."""

from __future__ import annotations

import os
import sys

# Polars' allocator (jemalloc, configured through this variable when Polars loads).
_POLARS_ALLOCATOR = "_RJEM_MALLOC_CONF"


def return_freed_memory_soon() -> None:
    """Have Polars' allocator give freed memory back to the system after a second rather than about
    10 s later. For `ingest`, which builds and lets go of whole tables one after the other, this
    lowers the peak by about half a gigabyte at 1.5 million persons. At once would lower it further,
    but the memory given back is asked for again soon after, and the ingest takes longer. For `run`,
    which reuses its memory, it costs time and saves little, so only `ingest` asks for it
    (measured: docs/performance.md). No effect once Polars is loaded (as in the tests), or when the
    user set it."""
    if "polars" not in sys.modules:
        os.environ.setdefault(_POLARS_ALLOCATOR, "dirty_decay_ms:1000,muzzy_decay_ms:1000")
