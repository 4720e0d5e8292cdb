"""Options that several ``mcemu`` commands share, and options made from the settings table.

Every option is also read from ``MCEMU_<OPTION>``: :func:`mcemu_option` derives the variable from
the option's name, and :func:`setting_option` builds an option from a row of
:data:`emulator.config.SETTINGS` (its parser, default, help and variable), so a bad value is a
usage error (exit 2) with the setting's own message, from the command line or the environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click
from click.core import ParameterSource

from emulator.config import ENV_PREFIX, SETTINGS, SETTINGS_BY_NAME, Setting
from emulator.errors import ConfigError

Decorator = Callable[[Any], Any]


class PathList(click.Path):
    """A repeatable path option whose environment variable splits on os.pathsep."""

    envvar_list_splitter = os.pathsep


def env_name(option: str) -> str:
    """Return the variable of an option: ``--admin-token`` -> ``MCEMU_ADMIN_TOKEN``."""
    return ENV_PREFIX + option.lstrip("-").replace("-", "_").upper()


def mcemu_option(*decls: str, **kwargs: Any) -> Decorator:
    """``click.option`` that is also read from ``MCEMU_<OPTION>`` (the first long name)."""
    long_name = next(d for d in decls if d.startswith("--")).split("/")[0]
    kwargs.setdefault("envvar", env_name(long_name))
    return click.option(*decls, **kwargs)


def _label(ctx: click.Context | None, param: click.Parameter | None, row: Setting) -> str:
    # click names the option in its message; a value from the environment names its variable
    if ctx is not None and param is not None and param.name is not None:
        if ctx.get_parameter_source(param.name) == ParameterSource.ENVIRONMENT:
            return row.env
    return ""


class SettingType(click.ParamType):
    """Convert an option's text with its setting's parser; a path is checked by click first."""

    def __init__(self, row: Setting) -> None:
        self.row = row
        self.name = row.metavar or "TEXT"
        self.envvar_list_splitter = row.splitter if row.many else None
        self.path: click.Path | None = None
        if row.path == "file":
            self.path = click.Path(dir_okay=False)
        elif row.path == "dir":
            self.path = click.Path(exists=True, file_okay=False)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        label = _label(ctx, param, self.row)
        try:
            if self.path is not None and isinstance(value, str):
                value = self.path.convert(value, param, ctx)
            return self.row.parse(label, value)
        except click.BadParameter as error:
            prefix = f"{label}: " if label else ""
            self.fail(prefix + error.message, param, ctx)
        except ConfigError as error:
            self.fail(error.message, param, ctx)


class SettingFlag(click.types.BoolParamType):
    """A flag whose variable takes 1 or 0, refused with the setting's own message."""

    def __init__(self, row: Setting) -> None:
        self.row = row

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        try:
            return self.row.parse(_label(ctx, param, self.row), value)
        except ConfigError as error:
            self.fail(error.message, param, ctx)


def setting_option(name: str, **overrides: Any) -> Decorator:
    """Build the option of setting ``name``; ``overrides`` adapt it to a command (its help)."""
    row = SETTINGS_BY_NAME[name]
    kwargs: dict[str, Any] = {"envvar": row.env}
    if row.flag:
        kwargs.update(is_flag=True, type=SettingFlag(row), default=False)
    else:
        kwargs.update(type=SettingType(row), metavar=row.metavar, multiple=row.many,
                      default=row.default)
    kwargs.update(overrides)
    if "help" not in overrides:
        # said once, from the row: click would put a text default such as "in memory" in ()
        shown = row.shown_default
        kwargs["help"] = row.help + (f"  [default: {shown}]" if shown is not None else "")
    return click.option(row.option, row.name, **kwargs)


def setting_options(rows: tuple[Setting, ...] = SETTINGS) -> Decorator:
    """Add the option of every row, in the table's order."""
    def decorate(command: Any) -> Any:
        for row in reversed(rows):
            command = setting_option(row.name)(command)
        return command
    return decorate


# The options seed, export, reset, demo and jwt decode share: one definition each, the help
# adapted to the command where it says something else there.
def make_db_option(help: str = "The TinyDB file of 'mcemu serve --db'.") -> Decorator:
    return setting_option("db", default=None, help=help)


def make_url_option(help: str = "A running emulator, e.g. http://127.0.0.1:8080.") -> Decorator:
    return mcemu_option("--url", metavar="URL", help=help)


def make_admin_token_option(
        help: str = "The running emulator's --admin-token, if it has one.") -> Decorator:
    return mcemu_option("--admin-token", metavar="TOKEN", help=help)


def make_fixtures_option(
        help: str = "A fixtures directory to add to the defaults (repeatable).") -> Decorator:
    return setting_option("fixtures", help=help)


db_option = make_db_option()
url_option = make_url_option()
admin_token_option = make_admin_token_option()
fixtures_option = make_fixtures_option()


def given_on_command_line(name: str) -> bool:
    """Whether the current command's parameter ``name`` was typed, not read from a variable."""
    source = click.get_current_context().get_parameter_source(name)
    return source == ParameterSource.COMMANDLINE


def choose_target(db: str | None, url: str | None) -> tuple[str | None, str | None]:
    """Return (db, url): exactly one, a command-line option winning over the environment."""
    ctx = click.get_current_context()
    if db and url:
        sources = {name: ctx.get_parameter_source(name) for name in ("db", "url")}
        given = [n for n, src in sources.items() if src == ParameterSource.COMMANDLINE]
        if len(given) != 1:
            raise click.UsageError("give either --db FILE or --url URL, not both")
        return (db, None) if given == ["db"] else (None, url)
    if not db and not url:
        raise click.UsageError("give --db FILE (a database file) or --url URL (a running "
                               "emulator)")
    return db, url


def run_or_exit(action: Callable[[], Any]) -> Any:
    """Run ``action``; kept for callers written before the group reported errors itself.

    An :class:`~emulator.errors.EmulatorError` it raises reaches the ``mcemu`` group, which
    prints it and exits with the error's ``exit_code``.
    """
    return action()
