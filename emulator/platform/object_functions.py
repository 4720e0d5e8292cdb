"""``Platform.Function``'s SOAP-object functions: the AMPscript ones, for SSJS.

``CreateObject``, ``SetObjectProperty``, ``AddObjectArrayItem`` and the ``Invoke*`` functions
build the same handles (:class:`~emulator.ampscript.functions.objects.ApiObject`) and send them
to the same object model (docs/fidelity.md#ssjs-object-functions). Out-parameters are arrays
the call fills (ASSUMED "ssjs-object-functions"): the status (and request id) of a retrieve or
an execute, the status message and error code of a write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.ampscript.functions.objects import ApiObject, _type_names, to_request
from emulator.objects.catalog import ObjectSession
from emulator.objects.errors import PerformNotEmulated, RequestRefused
from emulator.objects.execute import execute
from emulator.platform.calls import arity, padded
from emulator.platform.context import PageContext
from emulator.script.budget import size_of
from emulator.script.clr import clr_text
from emulator.script.errors import FeatureNotEmulated, PlatformError
from emulator.script.js import is_nullish
from emulator.script.undefined import UNDEFINED

HANDLE = ("Platform.Function.{function}: argument {ordinal} is an object made by "
          "Platform.Function.CreateObject, not {given}.")


def _handle(function: str, value: Any, ordinal: int = 1) -> ApiObject:
    if isinstance(value, ApiObject):
        return value
    raise PlatformError(HANDLE.format(function=function, ordinal=ordinal,
                                      given=type(value).__name__ if not isinstance(value, str)
                                      else repr(value)))


def _request_fields(function: str, value: Any, expected: str) -> dict[str, Any]:
    """Return the fields of the request handle ``value`` by folded name; ``expected`` is its
    type with the article ("a RetrieveRequest"), refused otherwise."""
    request = _handle(function, value)
    if request.type_name != expected.split()[-1]:
        raise PlatformError(f"Platform.Function.{function}: argument 1 is {expected}, not a "
                            f"{request.type_name}.")
    return {key.casefold(): field for key, field in to_request(request).items()}


def _name(function: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlatformError(f"Platform.Function.{function}: the property name is text such as "
                            f"\"ObjectType\", not {value!r}.")
    return value.strip()


def _fill(out: Any, values: list[Any]) -> None:
    """Put ``values`` in the out-parameter ``out`` when it is an array (else nothing)."""
    if isinstance(out, list):
        out[:] = values


class ObjectFunctions:
    """The SOAP-object members of ``Platform.Function``."""

    _context: PageContext
    _objects: ObjectSession | None = None

    def _session(self) -> ObjectSession:
        # one session a page run, so a ContinueRequest reaches the retrieve it continues
        if self._objects is None:
            self._objects = ObjectSession(self._context.store,  # type: ignore[arg-type]
                                          self._context.budget, outbox=self._context.outbox,
                                          now=self._context.clock.now_utc,
                                          record_rows=self._context.record_rows)
        return self._objects

    def CreateObject(self, *args: Any) -> ApiObject:
        """Return a new handle of an object type or a request part (``RetrieveRequest``)."""
        arity(args, 1, 1)
        known = _type_names()
        found = known.get(args[0].strip().casefold()) if isinstance(args[0], str) else None
        if found is None:
            raise PlatformError(f"Platform.Function.CreateObject: {clr_text(args[0])!r} is no "
                                f"object type; the types are {', '.join(sorted(known.values()))}.")
        return ApiObject(found)

    def SetObjectProperty(self, *args: Any) -> Any:
        """Set one property of a handle (a value or another handle)."""
        arity(args, 3, 3)
        obj = _handle("SetObjectProperty", args[0])
        key = obj.key(_name("SetObjectProperty", args[1]))
        obj.properties[key] = self._value(args[2])
        return UNDEFINED

    def AddObjectArrayItem(self, *args: Any) -> Any:
        """Append a value or handle to an array property of a handle."""
        arity(args, 3, 3)
        obj = _handle("AddObjectArrayItem", args[0])
        key = obj.key(_name("AddObjectArrayItem", args[1]))
        item = self._value(args[2])
        current = obj.properties.get(key)
        if isinstance(current, list):
            current.append(item)
        else:
            obj.properties[key] = [item] if key not in obj.properties else [current, item]
        return UNDEFINED

    def _value(self, value: Any) -> Any:
        self._context.budget.charge(size_of(value))  # a handle grows with the page's memory
        return None if value is UNDEFINED else value

    def InvokeCreate(self, *args: Any) -> str:
        """Create the handle's object; "OK" or "Error", message and code in the out-arrays."""
        return self._write("create", "InvokeCreate", args)

    def InvokeUpdate(self, *args: Any) -> str:
        """Update with the properties set on the handle."""
        return self._write("update", "InvokeUpdate", args)

    def InvokeDelete(self, *args: Any) -> str:
        """Delete the handle's object (its key suffices)."""
        return self._write("delete", "InvokeDelete", args)

    def _write(self, verb: str, function: str, args: tuple[Any, ...]) -> str:
        arity(args, 1, 4)
        handle, status, code, options = padded(args, 4, UNDEFINED)
        obj = _handle(function, handle)
        extra = None
        if not is_nullish(options):
            extra = to_request(_handle(function, options, 4))
        try:
            answer = getattr(self._session(), verb)(obj.type_name, [to_request(obj)], extra)
        except RequestRefused as refused:
            raise PlatformError(refused.message) from None
        result = answer["Results"][0]
        _fill(status, [result["StatusMessage"]])
        _fill(code, [result.get("ErrorCode", 0)])
        return str(answer["Status"])

    def InvokeRetrieve(self, *args: Any) -> list[dict[str, Any]]:
        """Run a RetrieveRequest; return its objects; ``[Status, RequestID]`` in the out-array.

        ``ContinueRequest`` set to the RequestID gets the next batch.
        """
        arity(args, 1, 3)
        get = _request_fields("InvokeRetrieve", args[0], "a RetrieveRequest")
        properties = get.get("properties")
        if isinstance(properties, str):
            properties = [properties]
        continued = get.get("continuerequest")
        try:
            answer = self._session().retrieve(
                get.get("objecttype"), properties, get.get("filter"), get.get("options"),
                {"ContinueRequest": continued} if continued else None)
        except RequestRefused as refused:
            raise PlatformError(refused.message) from None
        _fill(args[1] if len(args) > 1 else None, [answer["Status"], answer["RequestID"]])
        return list(answer["Results"])

    def InvokePerform(self, *args: Any) -> str:
        """Perform an action (``start``) on the handle's object; "OK" or "Error"."""
        arity(args, 2, 3)
        obj = _handle("InvokePerform", args[0])
        action = args[1]
        if not isinstance(action, str) or not action.strip():
            raise PlatformError("Platform.Function.InvokePerform: the action is text such as "
                                f"\"start\", not {clr_text(action)!r}.")
        try:
            answer = self._session().perform(obj.type_name, [to_request(obj)], action.strip())
        except RequestRefused as refused:
            raise PlatformError(refused.message) from None
        except PerformNotEmulated as refused:
            raise FeatureNotEmulated(f"Platform.Function.InvokePerform of {refused.type_name} "
                                     "is not emulated by mc-emulator.") from None
        _fill(args[2] if len(args) > 2 else None, [answer["Results"][0]["StatusMessage"]])
        return str(answer["Status"])

    def InvokeExecute(self, *args: Any) -> list[dict[str, Any]]:
        """Run an ExecuteRequest; return its results; ``[Status, RequestID]`` in the out-array."""
        arity(args, 1, 2)
        get = _request_fields("InvokeExecute", args[0], "an ExecuteRequest")
        parameters = get.get("parameters", [])
        if isinstance(parameters, Mapping):
            parameters = [parameters]
        try:
            answer = execute(self._session(), parameters, get.get("name"))
        except RequestRefused as refused:
            raise PlatformError(refused.message) from None
        _fill(args[1] if len(args) > 1 else None, [answer["Status"], answer["RequestID"]])
        return [{name: result[name] for name in ("StatusCode", "StatusMessage", "ErrorCode")}
                for result in answer["Results"]]
