"""The command line's language, and its --help said in it.

The help texts of the commands (reconcile.cli) are keys of the command line's catalogue (texts/cli.toml): a group
made with `cls=SaidGroup` says them, for itself and for each command it hands out, in the
language of a `--lang` given before `--help`, else RECONCILE_LANG, else Vietnamese. Click's own
headings (Usage, Options) stay as Click writes them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from typer.core import TyperGroup

from reconcile.paths import CLI_LANGUAGES, cli_catalogue

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter  # Typer's own copy of Click


def default_language() -> str:
    """Vietnamese, unless RECONCILE_LANG says en."""
    lang = os.environ.get("RECONCILE_LANG", "").strip().lower()
    return lang if lang in CLI_LANGUAGES else "vi"


def _chosen(ctx: Context) -> str:
    """The --lang given before the command (already parsed: the option is eager), else the default."""
    lang = str(ctx.find_root().params.get("lang") or "").strip().lower()
    return lang if lang in CLI_LANGUAGES else default_language()


def _said(command: Command, ctx: Context) -> Command:
    """`command` with its help and its parameters' help said from the catalogue (once: a said
    text is no longer a key)."""
    catalogue, lang = cli_catalogue(), _chosen(ctx)
    if command.help in catalogue:
        command.help = catalogue[command.help][lang]
    for param in command.get_params(ctx):
        if param.name == "help":
            param.help = catalogue["help_help"][lang]  # type: ignore[attr-defined]
        elif getattr(param, "help", None) in catalogue:
            param.help = catalogue[param.help][lang]  # type: ignore[attr-defined]
    return command


class SaidGroup(TyperGroup):
    """A Typer group whose help, and whose commands' help, are said in the chosen language."""

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        return None if command is None else _said(command, ctx)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _said(self, ctx)
        super().format_help(ctx, formatter)
