"""The console adapter: the only module that imports Rich. Everything the CLI shows goes here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


class Screen:
    """Messages, tables and progress for one command run."""

    def __init__(self, console: Console | None = None) -> None:
        self.out = console or Console(highlight=False)
        self.err = console or Console(stderr=True, highlight=False)

    def info(self, text: str) -> None:
        self.out.print(text)

    def success(self, text: str) -> None:
        self.out.print(f"[green]✓[/green] {text}")

    def error(self, text: str) -> None:
        self.err.print(f"[bold red]error:[/bold red] {text}", soft_wrap=True)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]],
              footer: Sequence[object] | None = None) -> None:
        table = Table(title=title, show_footer=footer is not None)
        first = rows[0] if rows else ()
        for i, name in enumerate(columns):
            numeric = i < len(first) and isinstance(first[i], (int, float))
            table.add_column(name, justify="right" if numeric else "left", no_wrap=numeric,
                             min_width=len(name) if numeric else None,
                             footer=str(footer[i]) if footer is not None else "")
        for row in rows:
            table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
        self.out.print(table)

    def waterfall(self, title: str, start: tuple[str, float], steps: Sequence[tuple[str, str, float]],
                  total: tuple[str, float]) -> None:
        """Match weights as a waterfall: a start, one bar per (name, level, weight), a total."""
        scale = max([abs(start[1]), abs(total[1]), *(abs(w) for _, _, w in steps), 1.0])
        self.out.print(title)
        table = Table(show_edge=False, box=None, pad_edge=False)
        for name, justify in (("", "left"), ("level", "left"), ("weight", "right"), ("", "left")):
            table.add_column(name, justify=justify)

        def bar(weight: float) -> str:
            width = max(1, round(abs(weight) / scale * 24)) if weight else 0
            return f"[{'green' if weight > 0 else 'red'}]{'█' * width}[/]"

        table.add_row(start[0], "", f"{start[1]:+.2f}", bar(start[1]))
        for name, level, weight in steps:
            table.add_row(name, level, f"{weight:+.2f}", bar(weight))
        table.add_row(f"[bold]{total[0]}[/bold]", "", f"[bold]{total[1]:+.2f}[/bold]", bar(total[1]))
        self.out.print(table)

    @contextmanager
    def progress(self) -> Iterator[Callable[[str], None]]:
        """Yield a callback: each message starts a new stage line, closing the previous one."""
        if not self.err.is_terminal:
            # Plain logs for pipes and CI: one line per stage.
            yield lambda message: self.err.print(f"… {message}")
            return
        bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                       console=self.err, transient=False)
        current: list[int] = []

        def step(message: str) -> None:
            if current:
                bar.update(current[-1], completed=1, total=1)
            current.append(bar.add_task(message, total=None))

        with bar:
            yield step
            if current:
                bar.update(current[-1], completed=1, total=1)
