"""The `reconcile` command line: parses options, calls a job, shows the outcome. Nothing else.

Exit codes: 0 ok, 1 user error (a one-line reason, no traceback), 2 internal error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from reconcile.cli import views
from reconcile.cli.language import SaidGroup
from reconcile.errors import UserError, as_resource_error

if TYPE_CHECKING:
    from reconcile.cli.console import Screen
    from reconcile.link.engine import Engine

app = typer.Typer(
    name="reconcile",
    help="help_app",
    cls=SaidGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="help_export", cls=SaidGroup, no_args_is_help=True)
fixtures_app = typer.Typer(help="help_fixtures", cls=SaidGroup, no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(fixtures_app, name="fixtures")

# The language of this invocation: --lang before the command, else RECONCILE_LANG, else Vietnamese.
# Help texts are keys of the command line's catalogue, said in that language (reconcile.cli.language);
# --lang is eager, so that a --help after it is said in its language.
_LANGUAGE: dict[str, str | None] = {"lang": None}


@app.callback()
def _language(lang: Annotated[Optional[str], typer.Option("--lang", help="help_lang", is_eager=True)] = None) -> None:
    if lang is not None and lang.strip().lower() not in ("vi", "en"):
        raise typer.BadParameter(f"must be vi or en, got '{lang}'", param_hint="--lang")
    _LANGUAGE["lang"] = lang.strip().lower() if lang else None


CampaignOpt = Annotated[Optional[Path], typer.Option(
    "--campaign", help="help_campaign", envvar="RECONCILE_CAMPAIGN", show_envvar=False)]
ByOpt = Annotated[Optional[str], typer.Option("--by", help="help_by")]
EngineOpt = Annotated[str, typer.Option("--engine", help="help_engine")]
MemoryOpt = Annotated[Optional[str], typer.Option("--memory-limit", help="help_memory_limit")]
ThreadsOpt = Annotated[Optional[int], typer.Option("--threads", help="help_threads")]

FormatOpt = Annotated[str, typer.Option("--format", help="help_format")]


def chosen_format(value: str) -> str:
    fmt = value.strip().lower()
    if fmt not in views.FORMATS:
        raise UserError.said("err_format", formats=", ".join(views.FORMATS), value=value)
    return fmt


def chosen_lang(screen: Screen, lang: str | None) -> str:
    """A command's own --lang, else the command line's language."""
    if lang is None:
        return screen.lang
    if lang.strip().lower() not in ("vi", "en"):
        raise UserError.said("err_lang", value=lang)
    return lang.strip().lower()


def chosen_engine(name: str, memory_limit: str | None, threads: int | None) -> Engine:
    from reconcile.link.engine import Engine

    return Engine(name.strip().lower(), memory_limit, threads)


def new_screen() -> Screen:
    from reconcile.cli.console import Screen  # imported lazily so that --help stays instant

    return Screen(lang=_LANGUAGE["lang"])


@contextmanager
def guard(screen: Screen) -> Iterator[None]:
    """Turn errors into a one-line message (no whole ID number in it) and the documented exit code.
    Files the command creates are readable by their owner only (umask 077)."""
    from reconcile.ingest.privacy import mask_ids

    umask = os.umask(0o077)
    try:
        yield
    except UserError as exc:
        screen.error(mask_ids(exc.said_in(screen.lang)))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        screen.error(screen.t("interrupted"))
        raise typer.Exit(1) from None
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: report, exit 2
        short = as_resource_error(exc)  # out of memory under --memory-limit, a full disk: the user's to fix
        if short is not None:
            screen.error(mask_ids(short.said_in(screen.lang)))
            raise typer.Exit(1) from None
        screen.error(mask_ids(f"internal error: {type(exc).__name__}: {exc} (please report this with the command "
                              "you ran)"))
        raise typer.Exit(2) from None
    finally:
        os.umask(umask)
