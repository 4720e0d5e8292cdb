"""``Platform.Function``: ParseJSON, Stringify, TreatAsContent and the Data Extension functions."""

from __future__ import annotations

from typing import Any

from emulator.ampscript import render
from emulator.platform.context import PageContext
from emulator.platform.de_functions import DataExtensionFunctions
from emulator.script.clr import clr_text
from emulator.script.jsontext import parse_json, stringify
from emulator.script.undefined import UNDEFINED


class PlatformFunction(DataExtensionFunctions):
    """The ``Platform.Function`` members a page may call."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def ParseJSON(self, text: Any) -> Any:
        return parse_json(text)

    def Stringify(self, value: Any = UNDEFINED) -> str:
        return stringify(value)

    def TreatAsContent(self, content: Any) -> str:
        # docs/fidelity.md#treatascontent: renders AMPscript sharing the variables of `Variable`; an
        # AMPscript error surfaces as a catchable exception (AmpscriptError is a ScriptError).
        return render(clr_text(content), self._context.ampscript())
