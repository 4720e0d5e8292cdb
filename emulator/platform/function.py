"""``Platform.Function``: ParseJSON, Stringify, TreatAsContent, Now, GUID and the DE functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.ampscript import render
from emulator.platform.calls import arity
from emulator.platform.content_functions import ContentFunctions
from emulator.platform.context import PageContext
from emulator.platform.de_functions import DataExtensionFunctions
from emulator.platform.http import HttpFunctions
from emulator.platform.object_functions import ObjectFunctions
from emulator.script.clr import clr_text
from emulator.script.jsontext import parse_json, stringify
from emulator.script.undefined import UNDEFINED


class PlatformFunction(DataExtensionFunctions, HttpFunctions, ObjectFunctions,
                       ContentFunctions):
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

    def Now(self, *args: Any) -> datetime:
        # docs/fidelity.md#ssjs-now-guid: the page's one instant, CST, as AMPscript Now() gives it;
        # the optional "time of the send" flag changes nothing on a page.
        arity(args, 0, 1)
        return self._context.ampscript().now()

    def GUID(self, *args: Any) -> str:
        arity(args, 0, 0)
        return self._context.clock.new_guid().lower()  # as AMPscript GUID() gives it
