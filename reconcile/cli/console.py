"""The console adapter: the only module that imports Rich. Everything the CLI shows goes here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from reconcile.cli.language import default_language
from reconcile.errors import Text
from reconcile.paths import CLI_LANGUAGES, cli_catalogue

# A number written as text: a code (19753), a share (70.0%), a signed (+65.6) or decimal (1.8)
# number, a date (2025-06-06, perhaps with a word: "2025-06-06 (late)").
_NUMBER_TEXT = re.compile(r"[+-]?\d[\d,.\-]*%?( \(\w+\))?")


LANGUAGES = CLI_LANGUAGES


class Screen:
    """Messages, tables and progress for one command run, in one language (`t`: the command
    line's catalogue, `texts/cli.toml`)."""

    def __init__(self, console: Console | None = None, lang: str | None = None) -> None:
        self.out = console or Console(highlight=False)
        self.err = console or Console(stderr=True, highlight=False)
        self.lang = lang or default_language()
        if self.lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got '{self.lang}'")

    def t(self, key: str, **values: object) -> str:
        """The catalogue's text for `key` in this screen's language, with `values` filled in."""
        return Text(key, values).said_in(self.lang)

    def info(self, text: str) -> None:
        """A line of plain text: brackets in data (a column named `[/red]`) print as they are."""
        self.out.print(escape(text))

    def strong(self, head: str, rest: str = "") -> None:
        """A line whose first part is bold."""
        self.out.print(f"[bold]{escape(head)}[/bold]{escape(rest)}")

    def success(self, text: str) -> None:
        self.out.print(f"[green]✓[/green] {escape(text)}")

    def error(self, text: str) -> None:
        self.err.print(f"[bold red]{escape(self.t('error'))}[/bold red] {escape(text)}", soft_wrap=True)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]],
              footer: Sequence[object] | None = None, keep: Sequence[str] = (),
              optional: Sequence[str | tuple[str, ...]] = ()) -> list[str]:
        """A table; columns whose first value is a number (or a code, share, signed or decimal
        number, or date written as text) are right-aligned and never wrapped.

        `keep`: columns whose words (record IDs, reason codes) are never cut: they wrap only
        between words. `optional`: columns (or tuples of columns that go together, such as a
        husband's and a wife's) left out, in this order, while the table would not
        fit the window otherwise; a line under the table says which (a narrow console, or
        output piped at 80 columns). Returns the columns left out."""
        cells = [[f"{v:,}" if isinstance(v, int) else str(v) for v in row] for row in rows]
        foot = [str(v) for v in footer] if footer is not None else None
        def is_numeric(i: int) -> bool:
            """The column's first value that is not empty is a number or a number written as text."""
            value = next((row[i] for row in rows if i < len(row) and row[i] not in ("", None)), None)
            return isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER_TEXT.fullmatch(value) is not None)

        numeric = [is_numeric(i) for i in range(len(columns))]

        def longest(i: int, words: bool) -> int:
            texts = [columns[i], *(row[i] for row in cells), *([foot[i]] if foot else [])]
            parts = [w for t in texts for w in (t.split() if words else t.splitlines() or [""])]
            return max((len(w) for w in parts), default=0)

        def least(i: int) -> int:
            """The narrowest the column can be: whole for numbers, whole words for `keep`."""
            if numeric[i]:
                return longest(i, words=False)
            return longest(i, words=True) if columns[i] in keep else min(longest(i, words=False), 16)

        shown = list(range(len(columns)))
        hidden: list[str] = []
        for group in optional:
            if sum(least(i) + 3 for i in shown) + 1 <= self.out.width:
                break
            for name in (group,) if isinstance(group, str) else group:
                if name in columns:
                    shown.remove(columns.index(name))
                    hidden.append(name)
        table = Table(title=escape(title), show_footer=footer is not None)
        for i in shown:
            table.add_column(escape(columns[i]), justify="right" if numeric[i] else "left", no_wrap=numeric[i],
                             min_width=least(i) if numeric[i] or columns[i] in keep else None,
                             overflow="fold", footer=escape(foot[i]) if foot is not None else "")
        for row in cells:
            table.add_row(*(escape(row[i]) for i in shown))
        self.out.print(table)
        if hidden:
            self.out.print(escape(self.t("narrow", columns=", ".join(hidden))))
        return hidden

    def waterfall(self, title: str, start: tuple[str, float], steps: Sequence[tuple[str, str, float]],
                  total: tuple[str, float]) -> None:
        """Match weights as a waterfall: a start, one bar per (name, level, weight), a total."""
        scale = max([abs(start[1]), abs(total[1]), *(abs(w) for _, _, w in steps), 1.0])
        self.out.print(escape(title))
        table = Table(show_edge=False, box=None, pad_edge=False)
        for name, justify in (("", "left"), (self.t("explain_level"), "left"), (self.t("explain_weight"), "right"),
                              ("", "left")):
            table.add_column(name, justify=justify)

        def bar(weight: float) -> str:
            width = max(1, round(abs(weight) / scale * 24)) if weight else 0
            return f"[{'green' if weight > 0 else 'red'}]{'█' * width}[/]"

        table.add_row(start[0], "", f"{start[1]:+.2f}", bar(start[1]))
        for name, level, weight in steps:
            table.add_row(escape(name), escape(level), f"{weight:+.2f}", bar(weight))
        table.add_row(f"[bold]{escape(total[0])}[/bold]", "", f"[bold]{total[1]:+.2f}[/bold]", bar(total[1]))
        self.out.print(table)

    def _stage(self, message: str, values: dict[str, object]) -> str:
        """A stage's text: `message` is a catalogue key (with the values it names) or plain text."""
        return self.t(message, **values) if message in cli_catalogue() else message

    @contextmanager
    def progress(self) -> Iterator[Callable[..., None]]:
        """Yield a callback taking a stage (a catalogue key and its values, or text): each stage
        starts a new line, closing the previous one."""
        if not self.err.is_terminal:
            # Plain logs for pipes and CI: one line per stage.
            yield lambda message, **values: self.err.print(f"… {escape(self._stage(message, values))}")
            return
        bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                       console=self.err, transient=False)
        current: list[int] = []

        def step(message: str, **values: object) -> None:
            if current:
                bar.update(current[-1], completed=1, total=1)
            current.append(bar.add_task(escape(self._stage(message, values)), total=None))

        with bar:
            yield step
            if current:
                bar.update(current[-1], completed=1, total=1)
