"""The server side of ``__host``: a script's platform calls run on the page's real shims.

A request is JSON ``{"op", "o" (owner), "m" (member), "k" (DE key), "a" (args), "v", "t"}``;
the reply is ``{"r": value}``, ``{"e": {name, message, description, jintException}}`` for an
error the script can catch, or ``{"x": 1}`` once the page has redirected. Values cross as
JSON; ``undefined``, non-finite numbers, dates and host objects (``Browser``) as tagged objects.

Each call keeps to the page's budget (docs/fidelity.md#page-budget): it is refused past the
deadline, a call that ends past it ends the page, and what crosses is measured against the
page's memory. The budget's signals end the page run (and its worker), never a ``catch``.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime, timezone
from typing import Any

from emulator import assumptions
from emulator.ampscript import render
from emulator.pages.runner import StoreWriteStop
from emulator.platform.core_objects import CORE_OWNERS, reach
from emulator.platform.data_extension import DataExtensionFactory, Rows
from emulator.platform.function import PlatformFunction
from emulator.platform.globals import (
    CORE_GLOBALS,
    CORE_NOT_EMULATED,
    NOT_LOADED,
    PageGlobals,
    PlatformObject,
)
from emulator.platform.http import HttpObject, ScriptHttpRequest
from emulator.platform.members import CONTAINERS
from emulator.platform.output import PageRedirect, PlatformResponse
from emulator.platform.request import PlatformRequest
from emulator.platform.variable import VariableObject
from emulator.platform.wsproxy import ScriptUtil, WSProxy
from emulator.script.budget import size_of, text_bytes
from emulator.script.errors import (
    AmpscriptError,
    FeatureNotEmulated,
    JSTypeError,
    PlatformError,
    ScriptError,
)
from emulator.script.undefined import UNDEFINED
from emulator.ssjs.flow import PageFlow

log = logging.getLogger("emulator.page")

TAG = "\x00"
STOP = json.dumps({"x": 1})
NOT_EMULATED = "{owner}.{member} is not emulated by mc-emulator."
OWNERS: dict[str, type] = {
    "Platform": PlatformObject, "Platform.Request": PlatformRequest,
    "Platform.Function": PlatformFunction, "Platform.Response": PlatformResponse,
    "Platform.Variable": VariableObject, "Variable": VariableObject,
    "DataExtension": DataExtensionFactory, "Rows": Rows,
    "Script.Util": ScriptUtil, "Script.Util.WSProxy": WSProxy,
    "Script.Util.HttpRequest": ScriptHttpRequest,  # HttpGet and HttpPost too (same members)
    **CORE_OWNERS,
    "HTTP": HttpObject,  # the Core library's outbound calls (emulator/platform/http.py)
}


def surface() -> dict[str, dict[str, list[str]]]:
    """Return each owner's SSJS properties and methods, as the shim classes define them."""
    found = {}
    for owner, cls in OWNERS.items():
        names = sorted(getattr(cls, "SSJS_MEMBERS", None) or  # lower-case API names
                       (name for name in dir(cls)
                        if name[:1].isupper() and name not in CONTAINERS))
        props = [name for name in names if isinstance(getattr(cls, name), property)]
        found[owner] = {"props": props, "methods": [n for n in names if n not in props]}
    return found


_SURFACE = surface()


def to_wire(value: Any, refs: dict[int, Any]) -> Any:
    """Return ``value`` as JSON-safe data; host objects are remembered in ``refs``."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if value is UNDEFINED:
        return {TAG: "u"}
    if isinstance(value, float):
        return value if math.isfinite(value) else {TAG: "n", "v": _number_text(value)}
    if isinstance(value, dict):
        return {str(key): to_wire(item, refs) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(item, refs) for item in value]
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return {TAG: "d", "v": moment.timestamp() * 1000}
    refs[id(value)] = value
    fields = getattr(value, "fields", None)
    return {TAG: "h", "v": id(value), "f": to_wire(fields() if fields else {}, refs)}


def _number_text(number: float) -> str:
    return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")


def from_wire(text: str | bytes, refs: dict[int, Any]) -> Any:
    """Return the Python value of wire JSON ``text``."""
    def tagged(obj: dict[str, Any]) -> Any:
        kind = obj.get(TAG)
        if kind is None:
            return obj
        if kind == "u":
            return UNDEFINED
        if kind == "n":
            return float(obj["v"].replace("Infinity", "inf"))
        if kind == "d":
            return _date(obj.get("v"))
        return refs.get(obj["v"], UNDEFINED)
    return json.loads(text, object_hook=tagged)


def _date(milliseconds: Any) -> datetime:
    """Return a JavaScript date (ms since 1970, UTC) as .NET holds it: naive, years 1 to 9999.

    docs/fidelity.md#date-range: an invalid date (NaN arrives as null) or one outside .NET's
    range is a catchable error, not a failure of the emulator.
    """
    if isinstance(milliseconds, (int, float)) and math.isfinite(milliseconds):
        try:
            return (datetime.fromtimestamp(milliseconds / 1000, timezone.utc)
                    .replace(tzinfo=None))
        except (ValueError, OverflowError, OSError):
            shown = f"({milliseconds:.0f} ms from 1970)"
    else:
        shown = "(Invalid Date)"
    raise PlatformError(assumptions.DATE_OUT_OF_RANGE.format(value=shown))


class HostDispatcher:
    """Answer one page run's host calls against its :class:`PageGlobals`."""

    def __init__(self, globals_: PageGlobals, output_limit: int,
                 flow: PageFlow | None = None) -> None:
        self.globals = globals_
        self.context = globals_.context
        self.refs: dict[int, Any] = {}
        self.redirect: PageRedirect | None = None
        self.stopped = False  # a change was not kept: the page runner answers that
        self.flow = flow  # the page's AMPscript pieces, run where its program calls them
        #: The last AMPscript failure of the page's own AMPscript (not TreatAsContent's): if the
        #: script does not catch it, the page answers 422 (docs/fidelity.md#ampscript-abort).
        self.ampscript_error: AmpscriptError | None = None
        self._output_limit = output_limit
        self._output_size = 0

    def handle(self, data: bytes) -> bytes:
        """Return the reply to one request; raises only the budget's signals, which end the page.

        docs/fidelity.md#page-budget: a call is refused past the deadline, one that ends past it
        ends the page there (what it did is not answered), and the request and the result must
        fit the page's memory allowance.
        """
        if self.redirect is not None or self.stopped:
            return STOP.encode()
        budget = self.context.budget
        budget.check()
        budget.fits(len(data))
        try:
            request = from_wire(data, self.refs)
            result = self._dispatch(request)
            budget.check()
            budget.fits(size_of(result))
            reply = {"r": to_wire(result, self.refs)}
            if request.get("out"):  # out-parameters: the arrays as the call left them
                reply["o"] = to_wire(request.get("a", []), self.refs)
        except PageRedirect as redirect:
            self.redirect = redirect  # RT: the page stops; the runner answers the redirect
            return STOP.encode()
        except StoreWriteStop:
            self.stopped = True  # nothing after it may reach the platform, as after a redirect
            return STOP.encode()
        except ScriptError as ex:
            reply = {"e": {"name": ex.name, "message": ex.message,
                           "description": to_wire(ex.description, self.refs),
                           "jintException": to_wire(ex.jintException, self.refs)}}
            if getattr(ex, "thrown", None) is not None:  # thrown as a bare string (Core, RT)
                reply["e"]["raw"] = ex.thrown
        except Exception as ex:  # a bug of ours must not kill the page run: report it
            log.exception("SSJS host call failed")
            reply = {"e": {"name": "Error", "message": f"mc-emulator internal error: {ex}",
                           "description": str(ex), "jintException": {TAG: "u"}}}
        return json.dumps(reply).encode()

    def _dispatch(self, request: dict[str, Any]) -> Any:
        op = request.get("op")
        if op in ("s", "i", "f") and self.flow is not None:
            return self._piece(op, request.get("t"))
        if op in ("out", "amp"):
            text = str(request.get("t", ""))
            return self._written(lambda: self.context.write(
                render(text, self.context.ampscript()) if op == "amp" else text))
        owner, member = str(request.get("o", "")), str(request.get("m", ""))
        if owner == "":
            if member in CORE_GLOBALS:
                found = getattr(self.globals, member)  # throws until Platform.Load
            elif member in CORE_NOT_EMULATED and op == "get":
                if not self.globals.Platform._core_loaded:  # a Core object, as the others
                    raise JSTypeError(NOT_LOADED.format(name=member))
                return None
            else:
                raise FeatureNotEmulated(f"{member} is not emulated by mc-emulator.")
            if op == "call":
                return self._written(lambda: found(*request.get("a", [])))
            return None
        spec = _SURFACE.get(owner)
        if spec is None:  # a Core object the emulator lacks (HTTP, Attribute, ...)
            raise FeatureNotEmulated(NOT_EMULATED.format(owner=owner, member=member))
        target = self._owner(owner, request.get("k", UNDEFINED))
        if op == "props":
            return {name: getattr(target, name) for name in spec["props"]}
        if member not in spec["props"] and member not in spec["methods"]:
            raise FeatureNotEmulated(NOT_EMULATED.format(owner=_shown(owner), member=member))
        if op == "get":
            return getattr(target, member)
        if op == "set":
            setattr(target, member, request.get("v", UNDEFINED))
            return UNDEFINED
        return self._written(lambda: getattr(target, member)(*request.get("a", [])))

    def _piece(self, op: str, argument: Any) -> Any:
        """Run one AMPscript piece of the page; its text goes to the output."""
        assert self.flow is not None
        try:
            result = self.flow.call(op, argument)
        except AmpscriptError as error:
            self.ampscript_error = error
            raise
        if op == "s":
            self._written(lambda: self.context.write(result))
            return UNDEFINED
        return result

    def _owner(self, owner: str, key: Any) -> Any:
        g = self.globals
        if owner == "Rows":
            return g.DataExtension.Init(key).Rows
        if owner in ("Variable", "DataExtension"):
            return getattr(g, owner)
        if owner == "Platform":
            return g.Platform
        if owner == "Script.Util":
            return g.Script.Util
        if owner in CORE_OWNERS or owner == "HTTP":
            return reach(g, owner, key)
        if owner == "Script.Util.WSProxy":
            if not isinstance(key, WSProxy):
                raise PlatformError("This is not a WSProxy made by new Script.Util.WSProxy().")
            return key
        if owner == "Script.Util.HttpRequest":
            if not isinstance(key, ScriptHttpRequest):
                raise PlatformError("This is not a request made by new "
                                    "Script.Util.HttpRequest(url).")
            return key
        return getattr(g.Platform, owner.partition(".")[2])

    def _written(self, action: Any) -> Any:
        """Run ``action``; refuse output past the emulator's limit (it would exhaust memory)."""
        before = len(self.context.output)
        result = action()
        self._output_size += sum(len(text) for text in self.context.output[before:])
        if self._output_size > self._output_limit:
            dropped = sum(text_bytes(text) for text in self.context.output[before:])
            del self.context.output[before:]
            self.context.budget.charge(-dropped)  # kept no more
            self._output_size = sum(len(text) for text in self.context.output)
            raise PlatformError(assumptions.SSJS_OUTPUT_LIMIT.format(limit=self._output_limit))
        return result


def _shown(owner: str) -> str:
    return "DataExtension.Init(key).Rows" if owner == "Rows" else owner
