"""The ``mcemu`` command group: serve, seed, export, reset, demo, jwt.

Every option is also read from ``MCEMU_<OPTION>`` (a list such as ``MCEMU_FIXTURES`` separated by
the OS path separator; booleans ``1``/``0``). Exit codes: 0 ok, 1 the data was refused, 2 usage.
"""

from __future__ import annotations

import click

from emulator import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcemu")
def main() -> None:
    """mc-emulator: a local Salesforce Marketing Cloud CloudPage emulator."""
