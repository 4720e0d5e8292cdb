"""AMPscript's SOAP-object functions on the one object model (emulator/objects).

``CreateObject`` makes a handle, ``SetObjectProperty`` and ``AddObjectArrayItem`` fill it, and
``InvokeCreate``, ``InvokeUpdate``, ``InvokeDelete``, ``InvokeRetrieve``, ``InvokePerform`` and
``InvokeExecute`` hand it to the page
run's :class:`~emulator.objects.model.ObjectSession`, the one WSProxy uses
(docs/fidelity.md#ampscript-objects). Out-parameters (``@status``, ``@errorCode``,
``@requestId``) are the caller's variables: the Invoke functions are lazy and set the variable
an argument names (docs/fidelity.md#ampscript-object-out-parameters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.jwt import bad_parameter
from emulator.ampscript.parser import VariableRef
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.ampscript.values import DB_NULL, Row, Rowset
from emulator.objects.catalog import REGISTRY, ObjectSession
from emulator.objects.errors import RequestRefused
from emulator.objects.execute import execute
from emulator.script.budget import size_of
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError

#: Types a page builds requests from: not object types of their own, parts of one
#: (RetrieveRequest, filters, {Name, Value} pairs, options). The first five are runtime-tested.
BUILDER_TYPES = ("RetrieveRequest", "SimpleFilterPart", "ExecuteRequest", "QueryDefinition",
                 "DataExtensionField", "ComplexFilterPart", "APIProperty", "Attribute",
                 "SubscriberList", "RetrieveOptions", "CreateOptions", "UpdateOptions",
                 "DeleteOptions", "SaveOption")
#: A handle holding handles deeper than this (or itself) cannot be sent.
MAX_DEPTH = assumptions.FILTER_MAX_DEPTH
#: Values one request may carry, all handles and array items counted.
MAX_PARTS = assumptions.FILTER_MAX_PARTS


class ApiObject:
    """A ``CreateObject`` handle: its type and its properties, names matched in any case."""

    __slots__ = ("properties", "type_name")

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.properties: dict[str, Any] = {}

    def key(self, name: str) -> str:
        """Return the spelling ``name`` was first set with (the SOAP names ignore case here)."""
        folded = name.casefold()
        return next((k for k in self.properties if k.casefold() == folded), name)

    def get(self, name: str) -> Any:
        return self.properties.get(self.key(name))

    def clr_text(self) -> str:
        return assumptions.AMPSCRIPT_OBJECT_TEXT

    def __repr__(self) -> str:
        return f"ApiObject({self.type_name!r}, {self.properties!r})"


def _type_names() -> dict[str, str]:
    names = [name for name in REGISTRY.names() if "[" not in name]
    return {name.casefold(): name for name in (*names, *BUILDER_TYPES)}


def _handle(value: Any, function: str, ordinal: int, parameter: str = "apiObject") -> ApiObject:
    if isinstance(value, ApiObject):
        return value
    raise bad_parameter(function, parameter, ordinal, arg.shown(value))


def _name(value: Any, function: str, ordinal: int) -> str:
    name = value if isinstance(value, str) else None
    if not name or not name.strip():
        raise bad_parameter(function, "propertyName", ordinal, arg.shown(value))
    return name.strip()


def _value(run: Runtime, value: Any, function: str) -> Any:
    """Return a property value as it is kept: a handle, text, a number, true/false or null."""
    if isinstance(value, (Rowset, Row)):
        raise bad_parameter(function, "value", 3, "a rowset")
    run.ctx.budget.charge(size_of(value))  # a handle grows with the page's memory
    return None if value is DB_NULL else value


@ampscript_function("CreateObject", args=1, tag="RT")
def create_object(run: Runtime, type_name: Any) -> ApiObject:
    """Return a new handle of an object type or a request part (RetrieveRequest, ...)."""
    known = _type_names()
    found = known.get(type_name.strip().casefold()) if isinstance(type_name, str) else None
    if found is None:
        # RT: dotted names (DataExtension.Field) and PerformRequest abort the page.
        raise AmpscriptError(assumptions.AMPSCRIPT_OBJECT_TYPE.format(
            type=arg.shown(type_name), known=", ".join(sorted(known.values()))))
    return ApiObject(found)


@ampscript_function("SetObjectProperty", args=3, tag="RT")
def set_object_property(run: Runtime, handle: Any, name: Any, value: Any) -> str:
    """Set one property of a handle (a value or another handle); return empty text."""
    obj = _handle(handle, "SetObjectProperty", 1)
    key = obj.key(_name(name, "SetObjectProperty", 2))
    obj.properties[key] = _value(run, value, "SetObjectProperty")
    return ""


@ampscript_function("AddObjectArrayItem", args=3, tag="RT")
def add_object_array_item(run: Runtime, handle: Any, name: Any, value: Any) -> str:
    """Append a value or handle to an array property of a handle; return empty text."""
    obj = _handle(handle, "AddObjectArrayItem", 1)
    key = obj.key(_name(name, "AddObjectArrayItem", 2))
    item = _value(run, value, "AddObjectArrayItem")
    current = obj.properties.get(key)
    if isinstance(current, list):
        current.append(item)
    else:  # a property set once before becomes the first item
        obj.properties[key] = [item] if key not in obj.properties else [current, item]
    return ""


# --- From handles to the object model's requests ------------------------------------------------

def to_request(obj: ApiObject) -> dict[str, Any]:
    """Return ``obj`` as the object model reads a request: nested handles as objects.

    A filter's ``Value`` array of one item is that item (``equals`` compares one value); for
    ``between`` and ``IN`` it stays an array. A handle nested in itself is refused.
    """
    parts = [0]
    return _plain(obj, 1, parts)


def _plain(value: Any, depth: int, parts: list[int]) -> Any:
    parts[0] += 1
    if parts[0] > MAX_PARTS:
        raise AmpscriptError(assumptions.AMPSCRIPT_OBJECT_TOO_BIG.format(
            what=f"more than {MAX_PARTS} values"))
    if depth > MAX_DEPTH:
        raise AmpscriptError(assumptions.AMPSCRIPT_OBJECT_TOO_BIG.format(
            what=f"handles nested more than {MAX_DEPTH} deep (a handle inside itself?)"))
    if isinstance(value, list):
        return [_plain(item, depth + 1, parts) for item in value]
    if not isinstance(value, ApiObject):
        return value
    out = {key: _plain(item, depth + 1, parts) for key, item in value.properties.items()}
    if value.type_name == "SimpleFilterPart":
        _filter_value(out)
    return out


def _filter_value(part: dict[str, Any]) -> None:
    operator = next((v for k, v in part.items() if k.casefold() == "simpleoperator"), None)
    for key, item in part.items():
        if key.casefold() != "value":
            continue
        if isinstance(item, list) and len(item) == 1 and str(operator).casefold() not in (
                "between", "in"):
            part[key] = item[0]


# --- Calls and out-parameters --------------------------------------------------------------------

def _session(run: Runtime) -> ObjectSession:
    """Return the page run's object session, made by its first Invoke call."""
    ctx = run.ctx
    if ctx.objects is None:
        if ctx.store is None:
            raise AmpscriptError(assumptions.AMPSCRIPT_OBJECT_NO_STORE)
        # the page's outbox, as WSProxy's session has it: an InvokeCreate of a send is captured
        ctx.objects = ObjectSession(ctx.store, ctx.budget, outbox=ctx.outbox,
                                    now=ctx.clock.now_utc,  # runs get the emulator's time
                                    record_rows=ctx.record_rows)
    return ctx.objects


def _set_out(run: Runtime, node: Any, value: Any, function: str, name: str,
             ordinal: int) -> None:
    """Set the variable ``node`` names to ``value``; an out-parameter must be a variable."""
    if not isinstance(node, VariableRef):
        raise bad_parameter(function, name, ordinal, arg.shown(run.evaluate(node)))
    run.ctx.variables.set(node.name, value)


def _set_status_and_id(run: Runtime, nodes: tuple[Any, ...], answer: Mapping[str, Any],
                       function: str) -> None:
    """Set the 2nd argument's variable to the answer's status, the 3rd's to its RequestID."""
    if len(nodes) > 1:
        _set_out(run, nodes[1], answer["Status"], function, "statusMessage", 2)
    if len(nodes) > 2:
        _set_out(run, nodes[2], answer["RequestID"], function, "requestId", 3)


def _options(run: Runtime, node: Any, function: str) -> dict[str, Any] | None:
    if node is None:
        return None
    value = run.evaluate(node)
    if value is None or value == "":
        return None
    return to_request(_handle(value, function, 4, "options"))


def _invoke(run: Runtime, verb: str, function: str, nodes: tuple[Any, ...]) -> str:
    handle, status_node, code_node, options_node = (*nodes, None)[:4]
    obj = _handle(run.evaluate(handle), function, 1)
    item = to_request(obj)
    options = _options(run, options_node, function)
    try:
        answer = getattr(_session(run), verb)(obj.type_name, [item], options)
    except RequestRefused as refused:
        raise AmpscriptError(refused.message) from None
    result = answer["Results"][0]
    _set_out(run, status_node, result["StatusMessage"], function, "statusMessage", 2)
    _set_out(run, code_node, result.get("ErrorCode", 0), function, "errorCode", 3)
    return answer["Status"]  # RT: OK or Error, nothing else


@ampscript_function("InvokeCreate", args=(3, 4), lazy=True, tag="RT")
def invoke_create(run: Runtime, *nodes: Any) -> str:
    """Create the handle's object; return OK or Error, the message and code in the out-vars."""
    return _invoke(run, "create", "InvokeCreate", nodes)


@ampscript_function("InvokeUpdate", args=(3, 4), lazy=True, tag="RT")
def invoke_update(run: Runtime, *nodes: Any) -> str:
    """Update with the properties set on the handle (UpdateOptions' SaveAction UpdateAdd adds)."""
    return _invoke(run, "update", "InvokeUpdate", nodes)


@ampscript_function("InvokeDelete", args=(3, 4), lazy=True, tag="RT")
def invoke_delete(run: Runtime, *nodes: Any) -> str:
    """Delete the handle's object (its key suffices); return OK or Error."""
    return _invoke(run, "delete", "InvokeDelete", nodes)


@ampscript_function("InvokePerform", args=(2, 3), lazy=True, tag="RT")
def invoke_perform(run: Runtime, *nodes: Any) -> str:
    """Perform an action (``start``) on the handle's object; return OK or Error.

    The item's message goes to the third argument's variable when there is one
    (docs/fidelity.md#ampscript-invoke-perform); a type the emulator performs nothing on
    stops the page as not emulated.
    """
    obj = _handle(run.evaluate(nodes[0]), "InvokePerform", 1)
    action = run.evaluate(nodes[1])
    if not isinstance(action, str) or not action.strip():
        raise bad_parameter("InvokePerform", "actionToPerform", 2, arg.shown(action))
    item = to_request(obj)
    try:
        answer = _session(run).perform(obj.type_name, [item], action.strip())
    except RequestRefused as refused:
        raise AmpscriptError(refused.message) from None
    if len(nodes) > 2:
        _set_out(run, nodes[2], answer["Results"][0]["StatusMessage"], "InvokePerform",
                 "statusMessage", 3)
    return answer["Status"]  # RT: OK or Error, nothing else


@ampscript_function("InvokeRetrieve", args=(1, 3), lazy=True, tag="RT")
def invoke_retrieve(run: Runtime, *nodes: Any) -> Rowset:
    """Run a RetrieveRequest; return its objects as a rowset of the requested Properties.

    The status goes to the second argument's variable (``OK``, ``MoreDataAvailable`` or the
    ``Error: ...`` text), the RequestID to the third's; ``ContinueRequest`` set to that id
    fetches the next batch (docs/fidelity.md#ampscript-invoke-retrieve).
    """
    request = _handle(run.evaluate(nodes[0]), "InvokeRetrieve", 1, "retrieveRequest")
    if request.type_name != "RetrieveRequest":
        raise bad_parameter("InvokeRetrieve", "retrieveRequest", 1, request.type_name)
    plain = to_request(request)
    get = {key.casefold(): value for key, value in plain.items()}
    properties = get.get("properties")
    if isinstance(properties, str):  # one SetObjectProperty instead of AddObjectArrayItem
        properties = [properties]
    continued = get.get("continuerequest")
    try:
        answer = _session(run).retrieve(
            get.get("objecttype"), properties, get.get("filter"), get.get("options"),
            {"ContinueRequest": continued} if continued else None)
    except RequestRefused as refused:
        raise AmpscriptError(refused.message) from None
    _set_status_and_id(run, nodes, answer, "InvokeRetrieve")
    names = properties if isinstance(properties, list) else []
    return Rowset([Row((name, _cell(result, name)) for name in names)
                   for result in answer["Results"]])


def _cell(result: Mapping[str, Any], name: str) -> str:
    """Return the value of ``name`` in one retrieved object, as text (SOAP carries text)."""
    pairs = result.get("Properties")
    if isinstance(pairs, list):  # a Data Extension row: [{Name, Value}, ...]
        folded = name.casefold()
        found = next((p.get("Value") for p in pairs if str(p.get("Name")).casefold() == folded),
                     None)
        return _text(found)
    value: Any = result
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return ""
        folded = part.casefold()
        value = next((v for k, v in value.items() if k.casefold() == folded), None)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # the SOAP wire's booleans
    return clr_text(value)


@ampscript_function("InvokeExecute", args=(1, 3), lazy=True, tag="RT")
def invoke_execute(run: Runtime, *nodes: Any) -> Rowset:
    """Run an ExecuteRequest (``Name``, ``Parameters`` of APIProperty handles); return its
    results as a rowset of ``StatusCode``, ``StatusMessage``, ``ErrorCode``.

    The status goes to the second argument's variable, the RequestID to the third's; an unknown
    request name is one ``Error`` row, not an abort (docs/fidelity.md#object-execute).
    """
    request = _handle(run.evaluate(nodes[0]), "InvokeExecute", 1, "executeRequest")
    if request.type_name != "ExecuteRequest":
        raise bad_parameter("InvokeExecute", "executeRequest", 1, request.type_name)
    get = {key.casefold(): value for key, value in to_request(request).items()}
    parameters = get.get("parameters", [])
    if isinstance(parameters, Mapping):  # one SetObjectProperty instead of AddObjectArrayItem
        parameters = [parameters]
    try:
        answer = execute(_session(run), parameters, get.get("name"))
    except RequestRefused as refused:
        raise AmpscriptError(refused.message) from None
    _set_status_and_id(run, nodes, answer, "InvokeExecute")
    return Rowset([Row((name, _text(result[name]))
                       for name in ("StatusCode", "StatusMessage", "ErrorCode"))
                   for result in answer["Results"]])
