"""Options and helpers that several ``mcemu`` commands share."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from emulator.errors import ConfigError, EmulatorError, StoreLocked


class PathList(click.Path):
    """A repeatable path option whose environment variable splits on os.pathsep."""

    envvar_list_splitter = os.pathsep


class MountList(click.ParamType):
    name = "PATH=PAGE"
    envvar_list_splitter = os.pathsep

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from emulator.config import Mount

        try:
            return value if isinstance(value, Mount) else Mount.parse(value)
        except ConfigError as error:
            self.fail(error.message, param, ctx)


LARGE_LOAD = 1024 * 1024  # bytes of fixture files from which a terminal shows a progress bar
LARGE_ROWS = 5000  # rows from which a terminal shows a progress bar while they are stored

db_option = click.option("--db", envvar="MCEMU_DB", type=click.Path(dir_okay=False),
                          help="The TinyDB file of 'mcemu serve --db'.")
url_option = click.option("--url", envvar="MCEMU_URL", metavar="URL",
                           help="A running emulator, e.g. http://127.0.0.1:8080.")
admin_token_option = click.option("--admin-token", envvar="MCEMU_ADMIN_TOKEN", metavar="TOKEN",
                             help="The running emulator's --admin-token, if it has one.")


def choose_target(db: str | None, url: str | None) -> tuple[str | None, str | None]:
    """Return (db, url): exactly one, a command-line option winning over the environment."""
    ctx = click.get_current_context()
    if db and url:
        sources = {name: ctx.get_parameter_source(name) for name in ("db", "url")}
        given = [n for n, src in sources.items() if src == click.core.ParameterSource.COMMANDLINE]
        if len(given) != 1:
            raise click.UsageError("give either --db FILE or --url URL, not both")
        return (db, None) if given == ["db"] else (None, url)
    if not db and not url:
        raise click.UsageError("give --db FILE (a database file) or --url URL (a running "
                               "emulator)")
    return db, url


def run_or_exit(action: Any) -> Any:
    """Run ``action``; refused data exits 1, a usage problem or an unreachable --url exits 2."""
    from emulator.cli.remote import RemoteUnavailable
    from emulator.fixtures.problems import FixtureProblems

    try:
        return action()
    except FixtureProblems as error:
        click.echo(f"Error: refused, nothing was changed.\n{error.message}", err=True)
        sys.exit(1)
    except EmulatorError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2 if isinstance(error, (ConfigError, RemoteUnavailable, StoreLocked)) else 1)


