"""mc-emulator: a local emulator of Salesforce Marketing Cloud CloudPages.

Public surface: :func:`create_app` and the :class:`EmulatorError` tree. ``create_app`` is
imported on first use, so that ``import emulator`` (e.g. by the pytest plugin) stays light.
"""

from __future__ import annotations

import logging
from typing import Any

from emulator.errors import EmulatorError

# A library's loggers stay silent until the application configures logging (mcemu serve does);
# without this, Python's last-resort handler would print page warnings in users' test runs.
logging.getLogger("emulator").addHandler(logging.NullHandler())

__all__ = ["EmulatorError", "create_app"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from emulator.app import create_app

        return create_app
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
