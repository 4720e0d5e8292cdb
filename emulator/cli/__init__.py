"""The ``mcemu`` command line: one group, a module per family of commands.

``group`` holds the group (and reports errors with their exit code), ``options`` the options
several commands share and those made from the settings table, ``serve`` the server, ``data``
seed and export, ``reset`` reset, ``tokens`` demo and ``jwt decode``. ``python -m emulator``
runs it too.
"""

from __future__ import annotations

from emulator.cli.data import export, seed
from emulator.cli.group import main
from emulator.cli.reset import reset
from emulator.cli.serve import serve
from emulator.cli.tokens import demo, jwt_group

for _command in (serve, seed, export, reset, demo, jwt_group):
    main.add_command(_command)

__all__ = ["main"]
