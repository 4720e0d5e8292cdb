"""The ``mcemu`` command group: serve, seed, export, reset, demo, jwt.

Every option is also read from ``MCEMU_<OPTION>`` (a list such as ``MCEMU_FIXTURES`` separated by
the OS path separator; booleans ``1``/``0``). Exit codes: 0 ok, 1 the data or token was refused,
2 usage error. The group is the one place that turns an escaping
:class:`~emulator.errors.EmulatorError` into ``Error: ...`` and its ``exit_code``.
"""

from __future__ import annotations

import os
from typing import Any

import click

from emulator import __version__
from emulator.errors import EmulatorError

EXIT_CODES = ("Exit codes:\n  0  ok\n  1  the data or token was refused\n"
              "  2  usage error: a bad option or variable, an unreachable --url, a file in use")


def report(error: EmulatorError) -> None:
    """Print ``error`` as the CLI shows it, on standard error."""
    lines = [f"Error: {error.preface}", error.message] if error.preface else [
        f"Error: {error.message}"]
    click.echo("\n".join(lines), err=True)


class McemuGroup(click.Group):
    """A group that reports the emulator's own errors with their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EmulatorError as error:
            report(error)
            ctx.exit(error.exit_code)


@click.group(cls=McemuGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="\b\nEvery option is also read from MCEMU_<OPTION> (lists separated "
                    f"by '{os.pathsep}', booleans 1/0).\n\n\b\n{EXIT_CODES}")
@click.version_option(__version__, prog_name="mcemu")
def main() -> None:
    """mc-emulator: a local Salesforce Marketing Cloud CloudPage emulator.

    'mcemu COMMAND --help' explains a command.
    """
