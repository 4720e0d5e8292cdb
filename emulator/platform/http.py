"""SSJS outbound HTTP doors: ``Platform.Function.HTTPGet``/``HTTPPost`` and the Core ``HTTP``.

Every door calls :func:`emulator.outbound.send.send` (stubs, ports, limits). The return shapes
are the runtime-tested ones (docs/fidelity.md#ssjs-http): ``HTTP.Get`` gives ``{Status,
Content}``, ``HTTP.Post`` ``{StatusCode, Response: [body]}``, ``Platform.Function.HTTPGet`` the
body text (arity 1 or 6 only).
"""

from __future__ import annotations

import math
from typing import Any

from emulator.outbound.send import (
    OutboundAnswer,
    OutboundFailed,
    OutboundRequest,
    send,
    succeeded,
)
from emulator.platform.calls import ARITY_ERROR, arity
from emulator.platform.context import PageContext
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.script.js import is_nullish
from emulator.script.undefined import UNDEFINED

#: ``HTTP.Get``'s Status: 0 success, -2 request error, -3 success with an empty body (OFF).
STATUS_OK, STATUS_ERROR, STATUS_EMPTY = 0, -2, -3


def header_pairs(door: str, names: Any, values: Any) -> list[tuple[str, str]]:
    """Return the headers given as two arrays, or throw saying what is accepted."""
    if is_nullish(names) and is_nullish(values):
        return []
    if not isinstance(names, list) or not isinstance(values, list) or len(names) != len(values):
        raise PlatformError(f"{door}: the header names and values are two arrays of the same "
                            "length, e.g. [\"Authorization\"], [\"Bearer t\"].")
    return [(clr_text(name), clr_text(value)) for name, value in zip(names, values, strict=True)]


def _url(door: str, url: Any) -> str:
    text = "" if is_nullish(url) else clr_text(url).strip()
    if not text:
        raise PlatformError(f"{door}: the URL is empty; give an http or https URL.")
    return text


def outbound_call(context: PageContext, door: str, method: str, url: str,
                  headers: list[tuple[str, str]], body: str = "",
                  content_type: str = "") -> OutboundAnswer:
    """Make the call for the page; a call without an answer throws the platform's error."""
    if content_type:
        headers = [("Content-Type", content_type), *headers]
    try:
        return send(context.outbound, OutboundRequest(method, url, headers, body, door),
                    context.budget, context.warn)
    except OutboundFailed as failed:
        raise PlatformError(failed.message) from None


class HttpFunctions:
    """``Platform.Function.HTTPGet`` and ``HTTPPost``; mixed into PlatformFunction."""

    _context: PageContext

    def HTTPGet(self, *args: Any) -> str:
        # docs/fidelity.md#ssjs-http: 1 or 6 arguments; returns the body; statusOut untouched.
        if len(args) not in (1, 6):
            raise PlatformError(ARITY_ERROR)
        url = _url("HTTPGet", args[0])
        go_on = len(args) == 6 and args[1] is True
        headers = header_pairs("HTTPGet", args[3], args[4]) if len(args) == 6 else []
        try:
            answer = outbound_call(self._context, "Platform.Function.HTTPGet", "GET", url,
                                   headers)
        except PlatformError:
            if go_on:
                return ""
            raise
        if not succeeded(answer.status):
            if go_on:
                return ""
            raise PlatformError(f"HTTPGet: the server answered {answer.status} for {url}.")
        return answer.text

    def HTTPPost(self, *args: Any) -> Any:
        # docs/fidelity.md#ssjs-http: the body, or [status, body] when the 6th argument is true.
        arity(args, 3, 6)
        url = _url("HTTPPost", args[0])
        names, values = (args[3] if len(args) > 3 else None), (args[4] if len(args) > 4 else None)
        both = len(args) == 6 and args[5] is True
        answer = outbound_call(self._context, "Platform.Function.HTTPPost", "POST", url,
                               header_pairs("HTTPPost", names, values), clr_text(args[2]),
                               clr_text(args[1]))
        if both:
            return [answer.status, answer.text]
        if not succeeded(answer.status):
            raise PlatformError(f"HTTPPost: the server answered {answer.status} for {url}.")
        return answer.text


class HttpObject:
    """The Core library's ``HTTP`` (after ``Platform.Load("core", "1")``)."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Get(self, *args: Any) -> dict[str, Any]:
        # docs/fidelity.md#ssjs-http: {Status, Content}; a failed call is Status -2 (assumed).
        arity(args, 1, 3)
        url = _url("HTTP.Get", args[0])
        headers = header_pairs("HTTP.Get", *(args[1:] + (None, None))[:2])
        try:
            answer = outbound_call(self._context, "HTTP.Get", "GET", url, headers)
        except PlatformError:
            return {"Status": STATUS_ERROR, "Content": ""}
        if not succeeded(answer.status):
            return {"Status": STATUS_ERROR, "Content": ""}
        return {"Status": STATUS_EMPTY if answer.text == "" else STATUS_OK,
                "Content": answer.text}

    def Post(self, *args: Any) -> dict[str, Any]:
        # docs/fidelity.md#ssjs-http: {StatusCode: number, Response: [body]}, any status.
        arity(args, 3, 5)
        url = _url("HTTP.Post", args[0])
        headers = header_pairs("HTTP.Post", *(args[3:] + (None, None))[:2])
        answer = outbound_call(self._context, "HTTP.Post", "POST", url, headers,
                               clr_text(args[2]), clr_text(args[1]))
        return {"StatusCode": answer.status, "Response": [answer.text]}


# --- Script.Util.HttpRequest / HttpGet / HttpPost (docs/fidelity.md#script-util-http) ----------
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: The runtime-tested defaults of a new request (the platform's documentation says UTF-8).
DEFAULT_ENCODING = "Windows-1252"
DEFAULT_TIMEOUT = 30
NO_PROPERTY_GET = "Property Get method was not found."
#: returnStatus of an answered call, and (assumed) of a call that got no answer.
RETURN_OK, RETURN_FAILED = 0, -2


class ScriptHttpRequest:
    """One ``new Script.Util.HttpRequest(url)``: its properties, headers and ``send()``.

    docs/fidelity.md#script-util-http: the runtime-tested defaults (encoding Windows-1252,
    timeout 30 s, retries 1, continueOnError false read back ``"False"``, emptyContentHandling 0)
    and the write-only ``postData``. ``send()`` goes through the one outbound send.
    """

    #: The members a page reaches (lower-case API names: the host's surface reads this list).
    SSJS_MEMBERS = ("clearHeaders", "continueOnError", "contentType", "emptyContentHandling",
                    "encoding", "method", "postData", "removeHeader", "retries", "send",
                    "setHeader", "timeout")
    DOOR = "Script.Util.HttpRequest"
    DEFAULT_METHOD = "GET"

    def __init__(self, context: PageContext, url: Any = UNDEFINED) -> None:
        self._context = context
        self._url = _url(self.DOOR, url)
        self._method = self.DEFAULT_METHOD
        self._content_type = ""
        self._encoding = DEFAULT_ENCODING
        self._timeout: float = DEFAULT_TIMEOUT
        self._empty = 0
        self._retries = 1
        self._go_on = False
        self._post_data = ""
        self._headers: list[tuple[str, str]] = []

    # --- properties ------------------------------------------------------------------------
    @property
    def method(self) -> str:
        return self._method

    @method.setter
    def method(self, value: Any) -> None:
        text = clr_text(value).upper()
        if text not in HTTP_METHODS:
            raise PlatformError(f"{self.DOOR}: method {clr_text(value)!r} is not supported; "
                                f"use one of {', '.join(HTTP_METHODS)}.")
        self._method = text

    @property
    def contentType(self) -> str:
        return self._content_type

    @contentType.setter
    def contentType(self, value: Any) -> None:
        self._content_type = clr_text(value)

    @property
    def encoding(self) -> str:
        return self._encoding

    @encoding.setter
    def encoding(self, value: Any) -> None:
        self._encoding = clr_text(value).lower()  # RT: an assigned value reads back lower-cased

    @property
    def timeout(self) -> float:
        return self._timeout

    @timeout.setter
    def timeout(self, value: Any) -> None:
        self._timeout = _number(self.DOOR, "timeout", value, 1)

    @property
    def emptyContentHandling(self) -> int:
        return self._empty

    @emptyContentHandling.setter
    def emptyContentHandling(self, value: Any) -> None:
        number = _number(self.DOOR, "emptyContentHandling", value, 0)
        if number not in (0, 1, 2):
            raise PlatformError(f"{self.DOOR}: emptyContentHandling is 0, 1 or 2, not "
                                f"{clr_text(value)}.")
        self._empty = int(number)

    @property
    def retries(self) -> int:
        return self._retries

    @retries.setter
    def retries(self, value: Any) -> None:
        number = _number(self.DOOR, "retries", value, 0)
        if number > MAX_RETRIES:
            raise PlatformError(f"{self.DOOR}: retries is a whole number from 0 to "
                                f"{MAX_RETRIES}, not {clr_text(value)}.")
        self._retries = int(number)

    @property
    def continueOnError(self) -> str:
        return "True" if self._go_on else "False"  # RT: a .NET boolean's text

    @continueOnError.setter
    def continueOnError(self, value: Any) -> None:
        self._go_on = value is True or clr_text(value).lower() == "true"

    @property
    def postData(self) -> str:
        raise PlatformError(NO_PROPERTY_GET)  # RT: write-only

    @postData.setter
    def postData(self, value: Any) -> None:
        self._post_data = clr_text(value)

    # --- methods ---------------------------------------------------------------------------
    def setHeader(self, *args: Any) -> None:
        arity(args, 2, 2)
        name = clr_text(args[0]).strip()
        if not name:
            raise PlatformError(f"{self.DOOR}: setHeader needs a header name.")
        self._drop(name)  # RT: the same name twice replaces
        self._headers.append((name, clr_text(args[1])))

    def removeHeader(self, *args: Any) -> None:
        arity(args, 1, 1)
        self._drop(clr_text(args[0]).strip())

    def clearHeaders(self, *args: Any) -> None:
        arity(args, 0, 0)
        self._headers = []

    def _drop(self, name: str) -> None:
        self._headers = [(key, value) for key, value in self._headers
                         if key.lower() != name.lower()]

    def send(self, *args: Any) -> ScriptHttpResponse:
        """Make the call; a failure or a non-2xx answer throws unless continueOnError is set."""
        arity(args, 0, 0)
        sends_body = self._method in ("POST", "PUT", "PATCH", "DELETE")
        headers = list(self._headers)
        if self._content_type:
            headers = [("Content-Type", self._content_type),
                       *[(k, v) for k, v in headers if k.lower() != "content-type"]]
        request = OutboundRequest(self._method, self._url, headers,
                                  self._post_data if sends_body else "", self.DOOR,
                                  timeout=float(self._timeout))
        failed: OutboundFailed | None = None
        for _attempt in range(1 + self._retries):  # ASSUMED: retries re-try an unanswered call
            try:
                answer = send(self._context.outbound, request, self._context.budget,
                              self._context.warn, charset=self._charset())
                break
            except OutboundFailed as error:
                failed = error
        else:
            assert failed is not None
            if self._go_on:
                return ScriptHttpResponse(0, RETURN_FAILED, "", "", [])
            raise PlatformError(failed.message)
        if not succeeded(answer.status) and not self._go_on:
            raise PlatformError(f"{self.DOOR}: the server answered {answer.status} for "
                                f"{self._url}.")
        return self._response(answer)

    def _charset(self) -> str:
        return self._encoding if self._encoding else "utf-8"

    def _response(self, answer: OutboundAnswer) -> ScriptHttpResponse:
        return ScriptHttpResponse(answer.status, RETURN_OK, answer.text, answer.content_type,
                                  list(answer.headers))


class ScriptHttpGet(ScriptHttpRequest):
    """``new Script.Util.HttpGet(url)``: a GET whose answer lists no content type or headers.

    docs/fidelity.md#script-util-http: runtime-tested, ``contentType`` and ``encoding`` are empty
    and no header is enumerated.
    """

    DOOR = "Script.Util.HttpGet"

    def _response(self, answer: OutboundAnswer) -> ScriptHttpResponse:
        return ScriptHttpResponse(answer.status, RETURN_OK, answer.text, "", [])


class ScriptHttpPost(ScriptHttpRequest):
    """``new Script.Util.HttpPost(url)``: a request whose method starts as POST (assumed)."""

    DOOR = "Script.Util.HttpPost"
    DEFAULT_METHOD = "POST"


class ScriptHttpResponse:
    """What ``send()`` answers; the SSJS side wraps it in the CLR shapes (prelude.js)."""

    def __init__(self, status: int, return_status: int, content: str, content_type: str,
                 headers: list[tuple[str, str]]) -> None:
        self.statusCode = status
        self.returnStatus = return_status
        self.content = content
        self.contentType = content_type
        self.encoding = ""  # RT: always empty
        self.headers = headers

    def fields(self) -> dict[str, Any]:
        """Return the fields the SSJS side reads (headers as ``[name, value]`` pairs)."""
        return {"statusCode": self.statusCode, "returnStatus": self.returnStatus,
                "content": self.content, "contentType": self.contentType,
                "encoding": self.encoding, "headers": [list(pair) for pair in self.headers]}


MAX_RETRIES = 10


def _number(door: str, name: str, value: Any, low: float) -> float:
    # RT: a boolean "cannot be converted"; the emulator also refuses text that is no number.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise PlatformError(f"{door}: {name} cannot be converted from {clr_text(value)!r}; "
                            "give a number.")
    if value < low or value != int(value):
        raise PlatformError(f"{door}: {name} is a whole number from {low:g} up, not "
                            f"{clr_text(value)}.")
    return value
