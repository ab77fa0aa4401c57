"""The chart libraries the supervisors' report inlines: the vega, vega-lite and vega-embed scripts
that the installed Splink ships for its own charts (so that the report needs no network and no
second copy of them)."""

from __future__ import annotations

import functools
import importlib.resources

# Splink's copies of the chart libraries (files named NAME@VERSION), in the order they load.
_SCRIPTS = ("vega@", "vega-lite@", "vega-embed@")


@functools.cache
def chart_scripts() -> tuple[str, ...]:
    """The vega, vega-lite and vega-embed scripts, each safe to inline in a <script> element."""
    folder = importlib.resources.files("splink").joinpath("internals", "files", "external_js")
    found = []
    for prefix in _SCRIPTS:
        matches = sorted((p for p in folder.iterdir() if p.name.startswith(prefix)), key=lambda p: p.name)
        if not matches:
            raise FileNotFoundError(f"no {prefix}VERSION script in splink's package ({folder})")
        # "</script" inside an inlined script would end it early.
        found.append(matches[-1].read_text(encoding="utf-8").replace("</script", "<\\/script"))
    return tuple(found)
