"""AMPscript HTTPGet, HTTPPost and HTTPPost2: calls through the emulator's outbound stubs.

docs/fidelity.md#ampscript-httpget, docs/fidelity.md#ampscript-httppost: the calls go through
:func:`emulator.outbound.send.send` (stubs, ports, limits); a failed call, or a non-2xx answer
where the platform aborts, aborts the page (422).
"""

from __future__ import annotations

from typing import Any

from emulator.ampscript import arguments as arg
from emulator.ampscript.jwt import bad_parameter
from emulator.ampscript.parser import VariableRef
from emulator.ampscript.registry import Runtime, ampscript_function
from emulator.ampscript.values import Row, Rowset
from emulator.outbound.send import OutboundFailed, OutboundRequest, send, succeeded
from emulator.script.errors import AmpscriptError

#: HTTPGet's status out-parameter (docs/fidelity.md#ampscript-httpget).
STATUS_OK, STATUS_NOT_FOUND, STATUS_ERROR, STATUS_EMPTY = 0, -1, -2, -3
#: The columns of HTTPPost2's response-header rowset (unpublished: assumed).
HEADER_COLUMNS = ("Name", "Value")


def _set_out(run: Runtime, node: Any, value: Any, function: str, name: str,
             ordinal: int) -> None:
    """Set the variable ``node`` names to ``value``; an out-parameter must be a variable."""
    if not isinstance(node, VariableRef):
        raise bad_parameter(function, name, ordinal, arg.shown(run.evaluate(node)))
    run.ctx.variables.set(node.name, value)


def _call(run: Runtime, method: str, url: str, door: str, content_type: str = "",
          body: str = "", headers: list[tuple[str, str]] | None = None) -> Any:
    given = list(headers or [])
    if content_type:
        given.insert(0, ("Content-Type", content_type))
    if not url.strip():
        raise AmpscriptError(f"{door}: the URL is empty; give an http or https URL.")
    ctx = run.ctx
    return send(ctx.outbound, OutboundRequest(method, url.strip(), given, body, door),
                ctx.budget, ctx.warn)


def _pairs(run: Runtime, nodes: tuple[Any, ...], door: str, first: int) -> list[tuple[str, str]]:
    values = [arg.text(run.evaluate(node)) for node in nodes]
    if len(values) % 2:
        raise AmpscriptError(f"{door}: header names and values come in pairs (argument "
                             f"{first + len(values) - 1} names a header without a value).")
    return list(zip(values[::2], values[1::2], strict=True))


def _post(run: Runtime, door: str, url: Any, content_type: Any, content: Any,
          headers: list[tuple[str, str]]) -> Any:
    """POST the evaluated ``content`` to ``url`` for the function ``door``."""
    return _call(run, "POST", arg.text(run.evaluate(url)), door,
                 arg.text(run.evaluate(content_type)), arg.text(run.evaluate(content)), headers)


@ampscript_function("HTTPGet", args=(1, 4), lazy=True, tag="OFF, RT; error texts ASSUMED")
def http_get(run: Runtime, url: Any, *rest: Any) -> str:
    """Return the body of a GET; ``@status`` gets 0, -2 or -3 (fidelity: ampscript-httpget)."""
    on_error, empty, status_node = (*rest, None, None, None)[:3]
    go_on = on_error is not None and arg.flag(run.evaluate(on_error))
    empty_handling = 0 if empty is None else arg.integer(
        run.evaluate(empty), arg.Param("HTTPGet", "emptyContentHandling", 3))
    status = STATUS_OK
    try:
        address = arg.text(run.evaluate(url))
        answer = _call(run, "GET", address, "HTTPGet")
    except OutboundFailed as failed:
        if not go_on:
            raise AmpscriptError(failed.message) from None
        status, text = STATUS_ERROR, ""
    else:
        text = answer.text
        if not succeeded(answer.status):
            if not go_on:
                raise AmpscriptError(f"HTTPGet: the server answered {answer.status} for "
                                     f"{address}.")
            status, text = STATUS_ERROR, ""
        elif text == "":
            if empty_handling == 1:
                raise AmpscriptError("HTTPGet: the answer is empty (emptyContentHandling 1).")
            status = STATUS_EMPTY
    if status_node is not None:
        _set_out(run, status_node, status, "HTTPGet", "status", 4)
    return text


@ampscript_function("HTTPPost", args=(3, None), lazy=True, tag="RT; error texts ASSUMED")
def http_post(run: Runtime, url: Any, content_type: Any, content: Any, *rest: Any) -> int:
    """POST; return the HTTP status, the body into the 4th argument; non-2xx aborts (RT)."""
    response_node = rest[0] if rest else None
    headers = _pairs(run, rest[1:], "HTTPPost", 5)
    try:
        answer = _post(run, "HTTPPost", url, content_type, content, headers)
    except OutboundFailed as failed:
        raise AmpscriptError(failed.message) from None
    if not succeeded(answer.status):
        raise AmpscriptError(f"HTTPPost: the server answered {answer.status}; HTTPPost stops "
                             "the page on any status but 2xx.")
    if response_node is not None:
        _set_out(run, response_node, answer.text, "HTTPPost", "response", 4)
    return answer.status


@ampscript_function("HTTPPost2", args=(3, None), lazy=True, tag="RT; header rowset ASSUMED")
def http_post2(run: Runtime, url: Any, content_type: Any, content: Any, *rest: Any) -> int:
    """POST; return the status; 5th argument the body, 6th a rowset of the answer's headers.

    With exceptionOnError false, a non-2xx answer returns its status and a call without an
    answer returns -2 (assumed) instead of stopping the page.
    """
    on_error, response_node, headers_node = (*rest, None, None, None)[:3]
    raise_on_error = on_error is None or arg.flag(run.evaluate(on_error))
    headers = _pairs(run, rest[3:], "HTTPPost2", 7)
    try:
        answer = _post(run, "HTTPPost2", url, content_type, content, headers)
    except OutboundFailed as failed:
        if raise_on_error:
            raise AmpscriptError(failed.message) from None
        return STATUS_ERROR
    if raise_on_error and not succeeded(answer.status):
        raise AmpscriptError(f"HTTPPost2: the server answered {answer.status}.")
    if response_node is not None:
        _set_out(run, response_node, answer.text, "HTTPPost2", "response", 5)
    if headers_node is not None:
        rows = Rowset([Row(zip(HEADER_COLUMNS, pair, strict=True)) for pair in answer.headers])
        _set_out(run, headers_node, rows, "HTTPPost2", "responseHeaders", 6)
    return answer.status
