"""The one ``send`` behind every outbound door, with the platform's rules.

docs/fidelity.md#outbound-ports: only ports 80 and 443, unless ``--allow-outbound`` names the
host; docs/fidelity.md#outbound-limits: the timeout (never past the page's budget), the request
and answer sizes, redirects; docs/fidelity.md#outbound-charset: how an answer's bytes become
text. A call no stub answers never leaves the machine (docs/fidelity.md#outbound-unmatched).
"""

from __future__ import annotations

import codecs
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from emulator import assumptions
from emulator.errors import EmulatorError
from emulator.outbound import network
from emulator.outbound.rules import url_is_absolute
from emulator.outbound.stubs import StubRegistry
from emulator.script.budget import PageBudget

if TYPE_CHECKING:
    from emulator.outbound.page import PageOutbound

CALLS_KEPT = 1000  # the newest calls mc.outbound.calls and the admin API show
#: What a test's fallback (the user's own ``responses``) answers: status, headers, body.
Fallback = Callable[[str, str, list[tuple[str, str]], bytes, float],
                    "tuple[int, list[tuple[str, str]], bytes] | None"]
TEXT_KEPT = 8 * 1024  # bytes of each body a call record keeps: the log stays under 16 MiB
_REDIRECTS = (301, 302, 303, 307, 308)


class OutboundFailed(EmulatorError):
    """The call got no answer. ``message`` is what the page sees; ``detail`` says why, for
    the log and the journal (which call had no stub, and how to add one)."""

    code = "outbound_failed"

    def __init__(self, url: str, reason: str, detail: str | None = None) -> None:
        super().__init__(assumptions.OUTBOUND_FAILED.format(url=url, reason=reason))
        self.url = url
        self.reason = reason
        self.detail = detail or reason


@dataclass
class OutboundRequest:
    """One call a page makes; ``door`` names the function that made it (``HTTP.Get``)."""

    method: str
    url: str
    headers: Sequence[tuple[str, str]] = ()
    body: str = ""
    door: str = ""
    #: seconds this call may take (Script.Util's ``timeout``); the setting and the page's
    #: budget still bound it. None: the setting's
    timeout: float | None = None


@dataclass
class OutboundAnswer:
    """What came back: status, headers, the body decoded (``text``), and whether it was cut."""

    status: int
    headers: list[tuple[str, str]]
    text: str
    content_type: str = ""
    cut: bool = False
    stub: str | None = None  # the id of the stub that answered; None: a real host did
    via: str = "stub"  # who answered: "stub", "responses" (a test's own) or "network"

    def header(self, name: str) -> str | None:
        """Return the first header of this name (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass
class OutboundCall:
    """One call as ``mc.outbound.calls`` and ``GET /_emulator/outbound/calls`` show it."""

    id: int
    time: float
    door: str
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status: int | None = None
    response_body: str = ""
    stub: str | None = None
    error: str | None = None
    duration_ms: float = 0.0
    via: str | None = None  # "stub", "responses" or "network"; None: no answer
    response_headers: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "time": self.time, "door": self.door, "method": self.method,
                "url": self.url, "request_headers": [list(h) for h in self.request_headers],
                "request_body": self.request_body, "status": self.status,
                "response_headers": [list(h) for h in self.response_headers],
                "response_body": self.response_body, "stub": self.stub, "via": self.via,
                "error": self.error, "duration_ms": round(self.duration_ms, 3)}


@dataclass(frozen=True)
class Allowed:
    """A host ``--allow-outbound`` names: calls to it go out for real, on any port given."""

    host: str
    port: int | None = None

    def covers(self, host: str, port: int) -> bool:
        return self.host == host.lower() and (self.port is None or self.port == port)


class CallLog:
    """The newest outbound calls, thread-safe; checkpointed like every part of the state."""

    def __init__(self) -> None:
        self._calls: deque[OutboundCall] = deque(maxlen=CALLS_KEPT)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._saved: tuple[list[OutboundCall], int] = ([], 1)

    def record(self, **fields: Any) -> OutboundCall:
        with self._lock:
            call = OutboundCall(id=next(self._ids), **fields)
            self._calls.append(call)
        return call

    def list(self) -> list[OutboundCall]:
        """Return the calls, oldest first."""
        with self._lock:
            return list(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def checkpoint(self) -> None:
        with self._lock:
            following = next(self._ids)
            self._ids = itertools.count(following)
            self._saved = (list(self._calls), following)

    def rollback(self) -> None:
        with self._lock:
            calls, following = self._saved
            self._calls = deque(calls, maxlen=CALLS_KEPT)
            self._ids = itertools.count(following)


@dataclass
class Outbound:
    """The outbound side of one emulator app: its stubs, the calls made, the hosts allowed."""

    stubs: StubRegistry = field(default_factory=StubRegistry)
    calls: CallLog = field(default_factory=CallLog)
    allowed: tuple[Allowed, ...] = ()
    timeout: float = assumptions.OUTBOUND_TIMEOUT
    #: asked for a call no stub answers, before it fails: under mock_marketing_cloud, the
    #: test's own ``responses`` registrations (emulator.testing.outbound). It gets method, URL,
    #: headers, body and timeout, and returns status, headers and body, or None: no answer
    fallback: Fallback | None = None

    def checkpoint(self) -> None:
        self.stubs.checkpoint()
        self.calls.checkpoint()

    def rollback(self) -> None:
        self.stubs.rollback()
        self.calls.rollback()

    def reset(self) -> None:
        """Stubs added at run time go (the files' stay, hits at zero); the calls are cleared."""
        self.stubs.reset()
        self.calls.clear()

    def is_allowed(self, host: str, port: int) -> bool:
        return any(entry.covers(host, port) for entry in self.allowed)

    def send(self, request: OutboundRequest, budget: PageBudget | None = None,
             warn: Callable[[str], None] | None = None,
             charset: str = "utf-8", page: PageOutbound | None = None) -> OutboundAnswer:
        """Make the call under the platform's rules and return its answer.

        ``charset`` decodes an answer whose Content-Type names none. Raise OutboundFailed when
        the call gets no answer; ``warn`` (the page's) hears why, and of an answer cut;
        ``page`` keeps the call for the page request's journal entry.
        """
        started = time.perf_counter()
        body = request.body.encode("utf-8")
        record: dict[str, Any] = {
            "time": time.time(), "door": request.door, "method": request.method.upper(),
            "url": request.url, "request_headers": list(request.headers),
            "request_body": _kept(body)}
        try:
            answer = self._send(request, body, budget, warn, charset)
        except OutboundFailed as failed:
            duration_ms = (time.perf_counter() - started) * 1000
            self.calls.record(**record, error=failed.detail, duration_ms=duration_ms)
            if page is not None:
                page.add(request, None, failed.detail, duration_ms)
            if warn is not None:
                warn(f"outbound {request.door or 'call'}: {failed.detail}")
            raise
        duration_ms = (time.perf_counter() - started) * 1000
        self.calls.record(**record, status=answer.status,
                          response_body=_kept(answer.text.encode("utf-8", "replace")),
                          stub=answer.stub, duration_ms=duration_ms, via=answer.via,
                          response_headers=list(answer.headers))
        if page is not None:
            page.add(request, answer, None, duration_ms)
        return answer

    def _send(self, request: OutboundRequest, body: bytes, budget: PageBudget | None,
              warn: Callable[[str], None] | None, charset: str) -> OutboundAnswer:
        method, url = request.method.upper(), request.url
        if not url_is_absolute(url):
            raise OutboundFailed(url, "Invalid URI", f"{url!r} is not an absolute http or "
                                 "https URL")
        if len(body) > assumptions.OUTBOUND_REQUEST_LIMIT:
            raise OutboundFailed(url, "the request body is too large",
                                 f"the request body has {len(body)} bytes; an outbound call "
                                 f"may send {assumptions.OUTBOUND_REQUEST_LIMIT} "
                                 "(docs/fidelity.md#outbound-limits)")
        remaining = budget.remaining() if budget is not None else float("inf")
        timeout = min(self.timeout, remaining,
                      request.timeout if request.timeout is not None else float("inf"))
        deadline = time.monotonic() + timeout
        headers = list(request.headers)
        for _hop in range(assumptions.OUTBOUND_MAX_REDIRECTS + 1):
            status, answer_headers, data, cut, stub, via = self._once(
                method, url, headers, body, deadline, timeout)
            location = _header(answer_headers, "location")
            if status not in _REDIRECTS or location is None:
                break
            url = urljoin(url, location)
            if status in (301, 302, 303):
                method, body = ("GET" if method != "HEAD" else method), b""
        else:
            raise OutboundFailed(request.url, "too many redirects",
                                 f"{request.method} {request.url} was redirected more than "
                                 f"{assumptions.OUTBOUND_MAX_REDIRECTS} times (a loop?)")
        if budget is not None:
            budget.check()
        content_type = _header(answer_headers, "content-type") or ""
        if cut and warn is not None:
            warn(f"outbound {request.door or 'call'}: the answer of {url} was cut at "
                 f"{assumptions.OUTBOUND_RESPONSE_LIMIT} bytes "
                 "(docs/fidelity.md#outbound-limits)")
        text = decode(data, content_type, charset)
        if budget is not None:
            budget.fits(len(text))
        return OutboundAnswer(status, answer_headers, text, content_type, cut, stub, via)

    def _once(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes,
              deadline: float, timeout: float
              ) -> tuple[int, list[tuple[str, str]], bytes, bool, str | None, str]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        allowed = self.is_allowed(host, port)
        if port not in assumptions.OUTBOUND_PORTS and not allowed:
            raise OutboundFailed(url, f"port {port} is not allowed",
                                 f"{method} {url}: the platform calls out on ports 80 and 443 "
                                 f"only; start with --allow-outbound {host}:{port} to call a "
                                 "local service (docs/fidelity.md#outbound-ports)")
        text = body.decode("utf-8", "replace")
        stub = self.stubs.match(method, url, {k.lower(): v for k, v in headers}, text)
        if stub is not None:
            left = deadline - time.monotonic()
            if stub.delay:
                time.sleep(min(stub.delay, max(left, 0.0)))
                if stub.delay > left:
                    raise OutboundFailed(url, "The operation has timed out",
                                         f"{method} {url}: stub {stub.id} answers after "
                                         f"{stub.delay:g} s, past the timeout of {timeout:g} s")
            if stub.drop:
                raise OutboundFailed(url, "Unable to connect to the remote server",
                                     f"{method} {url}: stub {stub.id} dropped the connection")
            data, answer_headers = stub.answer()
            limit = assumptions.OUTBOUND_RESPONSE_LIMIT
            return stub.status, answer_headers, data[:limit], len(data) > limit, stub.id, "stub"
        if not allowed and self.fallback is not None:
            given = self.fallback(method, url, headers, body, max(deadline - time.monotonic(),
                                                                   0.001))
            if given is not None:
                status, answer_headers, data = given
                limit = assumptions.OUTBOUND_RESPONSE_LIMIT
                return status, answer_headers, data[:limit], len(data) > limit, None, "responses"
        if not allowed:
            raise OutboundFailed(url, "Unable to connect to the remote server",
                                 f"no stub answers {method} {url}, and outbound calls never "
                                 "leave the emulator; add one: mc.outbound.add("
                                 f"{url!r}, method={method!r}, body=...), POST "
                                 "/_emulator/outbound, or a file in outbound/ "
                                 "(docs/fidelity.md#outbound-unmatched)")
        try:
            status, answer_headers, data, cut = network.fetch(
                method, url, headers, body, max(deadline - time.monotonic(), 0.001),
                assumptions.OUTBOUND_RESPONSE_LIMIT)
        except network.NetworkFailed as failed:
            reason = ("The operation has timed out" if failed.timed_out
                      else "Unable to connect to the remote server")
            raise OutboundFailed(url, reason, f"{method} {url}: {failed.reason}") from None
        return status, answer_headers, data, cut, None, "network"


def decode(data: bytes, content_type: str, default: str = "utf-8") -> str:
    """Decode an answer: the Content-Type's charset, else ``default``; bad bytes become U+FFFD.

    docs/fidelity.md#outbound-charset.
    """
    charset = default
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = default
    return data.decode(charset, "replace")


def parse_allowed(text: str) -> Allowed:
    """Parse ``HOST[:PORT]`` of ``--allow-outbound``; raise ValueError saying what is accepted."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or "]" in port:
        host, port = text.strip(), ""
    host = host.strip("[]").lower()
    if not host or any(ch in host for ch in "/ ?#@"):
        raise ValueError("expected HOST or HOST:PORT, e.g. localhost:8081")
    if not port:
        return Allowed(host)
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError("expected HOST:PORT with a port from 1 to 65535, e.g. "
                         "localhost:8081")
    return Allowed(host, int(port))


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _kept(data: bytes) -> str:
    return data[:TEXT_KEPT].decode("utf-8", "replace")


def send(outbound: Outbound | PageOutbound | None, request: OutboundRequest,
         budget: PageBudget | None = None, warn: Callable[[str], None] | None = None,
         charset: str = "utf-8") -> OutboundAnswer:
    """Send through ``outbound``; without one (content rendered outside a page run) every
    call fails as an unmatched call does."""
    if outbound is None:
        failed = OutboundFailed(request.url, "Unable to connect to the remote server",
                                f"{request.method} {request.url}: no outbound stubs here (this "
                                "content is not rendered by an emulator's page)")
        if warn is not None:
            warn(f"outbound {request.door or 'call'}: {failed.detail}")
        raise failed
    return outbound.send(request, budget, warn, charset)


def succeeded(status: int) -> bool:
    """Return whether ``status`` is a success (2xx)."""
    return 200 <= status < 300
