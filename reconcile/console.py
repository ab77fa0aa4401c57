"""The console adapter: the only module that imports Rich. Everything the CLI shows goes here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

# A number written as text: a code (19753), a share (70.0%), a signed (+65.6) or decimal (1.8)
# number, a date (2025-06-06, perhaps with a word: "2025-06-06 (late)").
_NUMBER_TEXT = re.compile(r"[+-]?\d[\d,.\-]*%?( \(\w+\))?")


class Screen:
    """Messages, tables and progress for one command run."""

    def __init__(self, console: Console | None = None) -> None:
        self.out = console or Console(highlight=False)
        self.err = console or Console(stderr=True, highlight=False)

    def info(self, text: str) -> None:
        """A line of plain text: brackets in data (a column named `[/red]`) print as they are."""
        self.out.print(escape(text))

    def strong(self, head: str, rest: str = "") -> None:
        """A line whose first part is bold."""
        self.out.print(f"[bold]{escape(head)}[/bold]{escape(rest)}")

    def success(self, text: str) -> None:
        self.out.print(f"[green]✓[/green] {escape(text)}")

    def error(self, text: str) -> None:
        self.err.print(f"[bold red]error:[/bold red] {escape(text)}", soft_wrap=True)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]],
              footer: Sequence[object] | None = None) -> None:
        """A table; columns whose first value is a number (or a code, share, signed or decimal
        number, or date written as text) are right-aligned and never wrapped."""
        table = Table(title=escape(title), show_footer=footer is not None)
        first = rows[0] if rows else ()
        for i, name in enumerate(columns):
            numeric = i < len(first) and (isinstance(first[i], (int, float)) or (
                isinstance(first[i], str) and _NUMBER_TEXT.fullmatch(first[i]) is not None))
            table.add_column(escape(name), justify="right" if numeric else "left", no_wrap=numeric,
                             min_width=len(name) if numeric else None,
                             footer=escape(str(footer[i])) if footer is not None else "")
        for row in rows:
            table.add_row(*(f"{v:,}" if isinstance(v, int) else escape(str(v)) for v in row))
        self.out.print(table)

    def waterfall(self, title: str, start: tuple[str, float], steps: Sequence[tuple[str, str, float]],
                  total: tuple[str, float]) -> None:
        """Match weights as a waterfall: a start, one bar per (name, level, weight), a total."""
        scale = max([abs(start[1]), abs(total[1]), *(abs(w) for _, _, w in steps), 1.0])
        self.out.print(escape(title))
        table = Table(show_edge=False, box=None, pad_edge=False)
        for name, justify in (("", "left"), ("level", "left"), ("weight", "right"), ("", "left")):
            table.add_column(name, justify=justify)

        def bar(weight: float) -> str:
            width = max(1, round(abs(weight) / scale * 24)) if weight else 0
            return f"[{'green' if weight > 0 else 'red'}]{'█' * width}[/]"

        table.add_row(start[0], "", f"{start[1]:+.2f}", bar(start[1]))
        for name, level, weight in steps:
            table.add_row(escape(name), escape(level), f"{weight:+.2f}", bar(weight))
        table.add_row(f"[bold]{escape(total[0])}[/bold]", "", f"[bold]{total[1]:+.2f}[/bold]", bar(total[1]))
        self.out.print(table)

    @contextmanager
    def progress(self) -> Iterator[Callable[[str], None]]:
        """Yield a callback: each message starts a new stage line, closing the previous one."""
        if not self.err.is_terminal:
            # Plain logs for pipes and CI: one line per stage.
            yield lambda message: self.err.print(f"… {escape(message)}")
            return
        bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                       console=self.err, transient=False)
        current: list[int] = []

        def step(message: str) -> None:
            if current:
                bar.update(current[-1], completed=1, total=1)
            current.append(bar.add_task(escape(message), total=None))

        with bar:
            yield step
            if current:
                bar.update(current[-1], completed=1, total=1)
