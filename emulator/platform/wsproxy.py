"""``Script.Util.WSProxy``: the SOAP object model's door for SSJS.

docs/fidelity.md#wsproxy: ``new Script.Util.WSProxy()`` needs no ``Platform.Load`` (RT); its
methods enforce their argument counts with the engine's arity error (RT); data errors come back
in ``Status``, malformed requests throw "Error executing <verb> call." (RT). The work runs in
emulator/objects against the page's store and within its budget; continued retrieves live for
the page run (ASSUMED "object-continue").
"""

from __future__ import annotations

from typing import Any

from emulator.objects.catalog import ObjectSession
from emulator.objects.errors import PerformNotEmulated, RequestRefused
from emulator.objects.execute import execute
from emulator.platform.calls import arity, padded
from emulator.platform.context import PageContext
from emulator.platform.http import ScriptHttpGet, ScriptHttpPost, ScriptHttpRequest
from emulator.script.clr import clr_text
from emulator.script.errors import FeatureNotEmulated, PlatformError
from emulator.script.undefined import UNDEFINED
from emulator.units.model import MAX_MID

NOT_BUILT = "Script.Util.WSProxy.{name} is not emulated by mc-emulator."


class ScriptObject:
    """The global ``Script``: only ``Script.Util`` has members."""

    def __init__(self, context: PageContext) -> None:
        self.Util = ScriptUtil(context)


class ScriptUtil:
    """``Script.Util``: the WSProxy and HttpRequest/HttpGet/HttpPost constructors."""

    def __init__(self, context: PageContext) -> None:
        self._context = context
        self._session: ObjectSession | None = None

    def WSProxy(self, *args: Any) -> WSProxy:
        if self._session is None:  # one per page run: continued retrieves span its proxies
            self._session = ObjectSession(self._context.store,  # type: ignore[arg-type]
                                          self._context.budget,
                                          outbox=self._context.outbox,
                                          now=self._context.clock.now_utc,
                                          record_rows=self._context.record_rows)
        return WSProxy(self._session)

    # docs/fidelity.md#script-util-http: outbound HTTP through the one send (emulator.outbound)
    def HttpRequest(self, *args: Any) -> ScriptHttpRequest:
        return ScriptHttpRequest(self._context, *args[:1])

    def HttpGet(self, *args: Any) -> ScriptHttpGet:
        return ScriptHttpGet(self._context, *args[:1])

    def HttpPost(self, *args: Any) -> ScriptHttpPost:
        return ScriptHttpPost(self._context, *args[:1])


def _given(value: Any) -> Any:
    """Return an optional argument, ``undefined`` and ``null`` as None."""
    return None if value is UNDEFINED else value


def _refusal(refused: RequestRefused) -> PlatformError:
    return PlatformError(refused.message)


class WSProxy:
    """One ``new Script.Util.WSProxy()``: the object model's operations under the API's names."""

    #: The methods a page calls (lower-case: the host's surface reads this list).
    SSJS_MEMBERS = ("createBatch", "createItem", "deleteBatch", "deleteItem", "describe",
                    "execute", "getNextBatch", "performBatch", "performItem", "resetClientIds",
                    "retrieve", "setClientId", "updateBatch", "updateItem")

    def __init__(self, session: ObjectSession) -> None:
        self._session = session

    def retrieve(self, *args: Any) -> dict[str, Any]:
        arity(args, 2, 5)
        type_name, columns, filter, options, request = padded(args, 5, None)
        try:
            # padded with None: a left-out argument reads as a given undefined does
            return self._session.retrieve(type_name, columns,
                                          None if filter is UNDEFINED else filter,
                                          None if options is UNDEFINED else options,
                                          None if request is UNDEFINED else request)
        except RequestRefused as refused:
            raise _refusal(refused) from None

    def getNextBatch(self, *args: Any) -> dict[str, Any]:
        arity(args, 2, 2)
        return self._session.next_batch(*args)

    def createItem(self, *args: Any) -> dict[str, Any]:
        return self._write("create", args, batch=False)

    def createBatch(self, *args: Any) -> dict[str, Any]:
        return self._write("create", args, batch=True)

    def updateItem(self, *args: Any) -> dict[str, Any]:
        return self._write("update", args, batch=False)

    def updateBatch(self, *args: Any) -> dict[str, Any]:
        return self._write("update", args, batch=True)

    def deleteItem(self, *args: Any) -> dict[str, Any]:
        return self._write("delete", args, batch=False)

    def deleteBatch(self, *args: Any) -> dict[str, Any]:
        return self._write("delete", args, batch=True)

    def describe(self, *args: Any) -> dict[str, Any]:
        arity(args, 1, 1)
        return self._session.describe(args[0])

    def _write(self, verb: str, args: tuple[Any, ...], batch: bool) -> dict[str, Any]:
        arity(args, 2, 3)
        type_name, items, options = padded(args, 3, UNDEFINED)
        if not batch:
            if not isinstance(items, dict):
                raise PlatformError(f"Error executing {verb} call. An item is an object of "
                                    "properties (an array goes to the batch methods).")
            items = [items]
        elif not isinstance(items, list):
            raise PlatformError(f"Error executing {verb} call. A batch takes an array of "
                                "objects.")
        operation = getattr(self._session, verb)
        try:
            return operation(type_name, items, _given(options))
        except RequestRefused as refused:
            raise _refusal(refused) from None

    def performItem(self, *args: Any) -> dict[str, Any]:
        return self._perform("performItem", args, batch=False)

    def performBatch(self, *args: Any) -> dict[str, Any]:
        return self._perform("performBatch", args, batch=True)

    def _perform(self, name: str, args: tuple[Any, ...], batch: bool) -> dict[str, Any]:
        """Perform on Automation and QueryDefinition (docs/fidelity.md#automation-perform)."""
        arity(args, 3, 4)
        type_name, items, action, options = padded(args, 4, UNDEFINED)
        if not batch:
            if not isinstance(items, dict):
                raise PlatformError("Error executing perform call. An item is an object such "
                                    "as {CustomerKey: \"nightly\"} (an array goes to "
                                    "performBatch).")
            items = [items]
        elif not isinstance(items, list):
            raise PlatformError("Error executing perform call. performBatch takes an array of "
                                "objects.")
        try:
            return self._session.perform(type_name, items, action, _given(options))
        except RequestRefused as refused:
            raise _refusal(refused) from None
        except PerformNotEmulated as refused:
            raise FeatureNotEmulated(
                f"Script.Util.WSProxy.{name} of {refused.type_name} is not emulated by "
                "mc-emulator; it performs Automation and QueryDefinition.") from None

    # Methods of the facts the emulator does not build yet: each says so, naming itself.

    def execute(self, *args: Any) -> dict[str, Any]:
        """Run an Execute request: ``execute([{Name, Value}, ...], "LogUnsubEvent")``.

        See docs/fidelity.md#object-execute: a string as the parameters throws (RT).
        """
        arity(args, 2, 2)
        try:
            return execute(self._session, args[0], args[1])
        except RequestRefused as refused:
            raise _refusal(refused) from None

    def setClientId(self, *args: Any) -> None:
        """Act as the unit ``{ID: mid[, UserID]}`` from the next call on; return null.

        docs/fidelity.md#wsproxy-client-id: ``ID`` is a number or numeric text (RT); the return
        says nothing (RT); a unit out of reach is denied at the next call, not here (RT).
        """
        arity(args, 1, 1)
        given = args[0]
        if not isinstance(given, dict) or "ID" not in given:
            raise PlatformError("Error executing setClientId call. It takes one object such as "
                                "{ID: 123456789} (UserID is optional).")
        self._session.client_id = _client_id(given["ID"])
        return None

    def resetClientIds(self, *args: Any) -> Any:
        """Act as the page's own unit again (docs/fidelity.md#wsproxy-client-id)."""
        arity(args, 0, 0)
        self._session.client_id = None
        return UNDEFINED


def _client_id(value: Any) -> int:
    """Return a ``setClientId`` ID (a whole number, or its digits as text) as a MID."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MID:
        raise PlatformError(f"Error executing setClientId call. ID is a MID: a whole number "
                            f"from 1 to {MAX_MID} or its digits as text, not {clr_text(value)!r}.")
    return value
