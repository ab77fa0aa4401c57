"""The console adapter, rendered to a fixed-width in-memory console."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from reconcile.cli.console import Screen


def _screen() -> tuple[Screen, StringIO]:
    buffer = StringIO()
    return Screen(Console(file=buffer, width=80, color_system=None, force_terminal=False), lang="en"), buffer


def test_table_formats_counts_and_keeps_headers_whole() -> None:
    screen, buffer = _screen()
    screen.table("Buckets", ["commune", "name", "auto_resolve", "conflict"],
                 [("19753", "Phường Thuận An", 12345, 7)], footer=("total", "", "12,345", "7"))
    text = buffer.getvalue()
    assert "12,345" in text and "auto_resolve" in text and "Phường Thuận An" in text
    row = next(line for line in text.splitlines() if "19753" in line)
    assert row.index("12,345") > row.index("Phường")


def test_error_is_one_line_and_progress_is_plain_when_not_a_terminal() -> None:
    screen, buffer = _screen()
    screen.error("registry.csv: required column 'wife_full_name' is missing")
    with screen.progress() as step:
        step("reading registry.csv")
        step("normalizing")
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "error: registry.csv: required column 'wife_full_name' is missing"
    assert lines[1:] == ["… reading registry.csv", "… normalizing"]


def test_brackets_in_data_print_as_they_are() -> None:
    # A column named `[/red]` or a name with `[bold]` in it is data, not Rich markup: no crash.
    screen, buffer = _screen()
    screen.error("registry.csv: columns not used: [/red]")
    screen.info("columns not used: [bold]x")
    screen.strong("[/b]husband", ": Nguyễn [i]An")
    screen.table("[/title]", ["[/col]"], [("[/red]",)])
    with screen.progress() as step:
        step("reading [/x].csv")
    text = buffer.getvalue()
    for literal in ("columns not used: [/red]", "[bold]x", "[/b]husband: Nguyễn [i]An", "[/title]", "[/col]",
                    "[/red]", "reading [/x].csv"):
        assert literal in text
