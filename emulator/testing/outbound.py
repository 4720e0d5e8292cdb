"""``mc.outbound``: a test's stubs for the pages' outbound HTTP calls, and the calls made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import requests
import responses
from flask import Flask
from requests.adapters import HTTPAdapter

from emulator.outbound.send import Outbound, OutboundCall
from emulator.outbound.stubs import Stub
from emulator.runtime import get_emulator


class OutboundHandle:
    """The outbound side of one emulator as a test sees it: ``add`` stubs, read ``calls``.

    Stubs added here and the calls made are undone by the next test's rollback or a reset;
    the stubs of ``outbound/*.json`` stay.
    """

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound

    def add(self, url: str | None = None, **fields: Any) -> Stub:
        """Add a stub (see :meth:`emulator.outbound.stubs.StubRegistry.add`) and return it."""
        return self._outbound.stubs.add(url, **fields)

    def remove(self, id: str) -> Stub:
        """Remove the stub with this id (StubNotFound, a KeyError, names the ids there are)."""
        return self._outbound.stubs.remove(id)

    def clear(self) -> int:
        """Remove the stubs added at run time; return how many."""
        return self._outbound.stubs.clear()

    @property
    def stubs(self) -> list[Stub]:
        """Every stub, in the order they are asked (runtime's newest first, then the files')."""
        return self._outbound.stubs.list()

    @property
    def calls(self) -> list[OutboundCall]:
        """The outbound calls pages made, oldest first (the newest 1,000)."""
        return self._outbound.calls.list()

    def count(self, url: str | None = None, method: str | None = None) -> int:
        """Return how many calls went to ``url`` with ``method`` (None: any), answered or not."""
        if method is not None and not isinstance(method, str):
            raise TypeError(f"method is text such as 'GET', not {type(method).__name__}")
        if url is not None and not isinstance(url, str):
            raise TypeError(f"url is the call's full URL as text, not {type(url).__name__}")
        wanted = method.upper() if method is not None else None
        return sum(1 for call in self.calls
                   if (url is None or call.url == url)
                   and (wanted is None or call.method == wanted))

    def assert_called(self, url: str, method: str | None = None,
                      times: int | None = None) -> list[OutboundCall]:
        """Assert ``url`` was called (exactly ``times`` if given); return those calls.

        The AssertionError lists the calls made instead.
        """
        if times is not None and (isinstance(times, bool) or not isinstance(times, int)
                                  or times < 1):
            raise ValueError(f"times={times!r}: expected a whole number from 1 up; for none, "
                             "assert count(url) == 0")
        found = self.count(url, method)
        if (times is None and found == 0) or (times is not None and found != times):
            made = "\n".join(f"  {call.method} {call.url} -> {call.status or call.error}"
                             for call in self.calls) or "  (none)"
            wanted = f"{times} call(s)" if times is not None else "a call"
            raise AssertionError(f"expected {wanted} to {method or 'ANY'} {url}, found "
                                 f"{found}; the outbound calls were:\n{made}")
        wanted_method = method.upper() if method else None
        return [call for call in self.calls if call.url == url
                and (wanted_method is None or call.method == wanted_method)]

    def __repr__(self) -> str:
        return f"<mc.outbound: {len(self.stubs)} stub(s), {len(self.calls)} call(s)>"


# --- under mock_marketing_cloud: the test's own responses registrations -------------------------
# A page's outbound call that no stub answers is offered to the test's own ``responses``
# registrations (a mock started before or after mock_marketing_cloud, ``@responses.activate``
# among them) before it fails as unreachable. Only a registration that answers is used: one
# that passes through to the network, or none at all, leaves the call unanswered, so nothing
# leaves the machine this way.
_MAX_MOCKS = 10  # mocks followed along the chain of patched sends


def offer_to_user_responses(app: Flask) -> Callable[[], None]:
    """Let the unstubbed outbound calls of ``app`` go to the test's ``responses``; return undo."""
    outbound = get_emulator(app).outbound
    before = outbound.fallback
    outbound.fallback = answer_from_user_responses

    def undo() -> None:
        outbound.fallback = before
    return undo


def answer_from_user_responses(method: str, url: str, headers: list[tuple[str, str]],
                               body: bytes, timeout: float
                               ) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """Return the answer of the first user ``responses`` registration for the call, or None."""
    for mock in _user_mocks():
        request = requests.Request(method, url, headers=dict(headers),
                                   data=body or None).prepare()
        request.params = mock._parse_request_params(request.path_url)  # type: ignore[attr-defined]
        request.req_kwargs = {}  # type: ignore[attr-defined]
        found = [entry for entry in mock.registered() if entry.matches(request)[0]]
        if not found or any(entry.passthrough for entry in found):
            continue
        try:
            # Through the mock's own send: the call is in its ``calls``, as a client's would be.
            response = mock.unbound_on_send()(HTTPAdapter(), request, timeout=timeout)
        except requests.RequestException:
            return None
        return response.status_code, list(response.headers.items()), response.content
    return None


def _user_mocks() -> Iterator[responses.RequestsMock]:
    """Yield the ``responses`` mocks along the chain of patched sends, not the emulator's."""
    send: Any = HTTPAdapter.send
    for _ in range(_MAX_MOCKS):
        run = getattr(send, "_mcemu_run", None)
        if run is not None:  # mock_marketing_cloud's own: what it passes on is behind it
            send = run.previous
            continue
        mock = next((cell.cell_contents for cell in getattr(send, "__closure__", None) or ()
                     if isinstance(cell.cell_contents, responses.RequestsMock)), None)
        if mock is None:
            return
        yield mock
        send = mock._real_send
