"""``Variable`` (``Platform.Variable``): the AMPscript variables, seen from SSJS.

``@`` optional, names case-insensitive, numbers and booleans keep their type, a never-set
variable reads ``null``, request-local (docs/fidelity.md#variable-values).
"""

from __future__ import annotations

from typing import Any

from emulator.ampscript import Variables
from emulator.ampscript.values import DB_NULL
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.script.undefined import UNDEFINED

_BAD_NAME = ("Invalid variable name {name!r}: AMPscript names are @ followed by letters, "
             "digits or _.")


class VariableObject:
    """The SSJS ``Variable`` object over the page's shared :class:`Variables`."""

    def __init__(self, variables: Variables) -> None:
        self._variables = variables

    def SetValue(self, name: Any, value: Any = None) -> Any:
        try:
            self._variables.set(clr_text(name), None if value is UNDEFINED else value)
        except ValueError:
            raise PlatformError(_BAD_NAME.format(name=clr_text(name))) from None
        return UNDEFINED

    def GetValue(self, name: Any) -> Any:
        try:
            value = self._variables.get(clr_text(name))
            # A Data Extension null (AMPscript Lookup's no-match) reads as null in SSJS.
            return None if value is DB_NULL else value
        except ValueError:
            raise PlatformError(_BAD_NAME.format(name=clr_text(name))) from None
