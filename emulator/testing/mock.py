"""``mock_marketing_cloud``: answer a client's ``requests`` calls in-process, from the emulator.

Each start builds a fresh app with :func:`emulator.app.create_app` (memory store; the pytest
plugin hands it a shared one instead, :meth:`MarketingCloudMock.serve_app`) and puts a
private ``responses.RequestsMock`` in front of ``requests``: URLs the mock serves (its pages, and
the REST routes on the platform's API hosts, :mod:`emulator.testing.rest_hosts`) are forwarded
into that app (:mod:`emulator.testing.forward`), other Marketing Cloud URLs raise
:class:`URLNotEmulated`, everything else passes on to whatever ``HTTPAdapter.send`` was active
when the mock started (the network, or the user's own ``responses`` mock).
"""

from __future__ import annotations

import functools
import inspect
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar, overload

import responses
from flask import Flask
from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError

from emulator.app import create_app
from emulator.config import load_settings
from emulator.errors import ConfigError
from emulator.pages import get_page, pages
from emulator.runtime import get_emulator
from emulator.testing import rest_hosts
from emulator.testing.errors import (
    AlreadyStartedError,
    FaultDropped,
    MockOrderError,
    NotStartedError,
    URLNotEmulated,
)
from emulator.testing.forward import Answer, forward, new_client
from emulator.testing.handle import MockHandle
from emulator.testing.outbound import offer_to_user_responses
from emulator.testing.routes import Pages, Routes, Target

T = TypeVar("T")
C = TypeVar("C", bound=Callable[..., Any])
_lock = threading.Lock()
_running: list[_Run] = []  # started and not yet stopped, oldest first


class _EmulatedRoute(responses.CallbackResponse):
    """One responses route for every method and every URL the mock claims."""

    def __init__(self, run: _Run) -> None:
        # content_type=None: the page's own Content-Type is the only one.
        super().__init__("*", re.compile(".*"), run.answer, content_type=None)
        self._run = run

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        claimed = self._run.claims(Target.parse(str(request.url)), request.method or "GET")
        return claimed, "" if claimed else "not a Marketing Cloud URL"


class _Run:
    """One start of a mock: its app, its responses mock and the send function it installed."""

    def __init__(self, mock: MarketingCloudMock, config: dict[str, Any],
                 app: Flask | None = None) -> None:
        self.routes = mock.routes
        self.owns_app = app is None  # a shared app (the pytest plugin's) stays open at stop
        self.app = create_app(config) if app is None else app
        try:
            self.mounted = list(get_emulator(self.app).mounts)
            self.client = new_client(self.app)
            self.handle = MockHandle(self.app, self.routes)
            # The send active now (the network, or a responses mock started before ours) gets
            # what we pass through, and what an outer mock of ours serves is left to it.
            self.previous = HTTPAdapter.send
            outer = getattr(self.previous, "_mcemu_run", None)
            self.outer: _Run | None = outer if isinstance(outer, _Run) and outer.active else None
            self.mock = responses.RequestsMock(assert_all_requests_are_fired=False,
                                               real_adapter_send=self.previous)
            self.mock.add(_EmulatedRoute(self))
            # Consulted only for URLs the route above left alone: hosts that are not Marketing
            # Cloud's (and those an outer mock of ours decides about).
            self.mock.add_passthru(re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://"))
            self.send = self._make_send()
            # Pages' unstubbed outbound calls: the test's own responses may answer them.
            self.undo_outbound = offer_to_user_responses(self.app)
        except BaseException:
            if self.owns_app:
                get_emulator(self.app).close()
            raise
        self.active = True

    def _make_send(self) -> Callable[..., Any]:
        through_mock = self.mock.unbound_on_send()
        previous = self.previous

        def send(adapter: HTTPAdapter, request: PreparedRequest, *args: Any, **kwargs: Any
                 ) -> Any:
            # Once stopped, forward untouched: a mock started after ours and stopped after it
            # restores this function, which must then be harmless.
            if self.active:
                return through_mock(adapter, request, *args, **kwargs)
            return previous(adapter, request, *args, **kwargs)

        send._mcemu_run = self  # type: ignore[attr-defined]
        return send

    def claims(self, target: Target, method: str) -> bool:
        if self.serves(target, method):
            return True
        # An outer mock of ours decides about the Marketing Cloud URLs this one does not serve.
        return self.outer is None and self.routes.claims(target)

    def serves(self, target: Target, method: str) -> bool:
        """Return whether a page or a REST route of the app answers ``target``."""
        return (self.routes.resolve(target, self.mounted) is not None
                or rest_hosts.serves(self.app, target, method))

    def answer(self, request: PreparedRequest) -> Answer | Exception:
        """Answer a claimed request from the app, or say that its URL is not emulated."""
        target = Target.parse(str(request.url))
        method = request.method or "GET"
        if not self.serves(target, method):
            served = self.routes.urls(self.mounted)
            refused = rest_hosts.refusal(target, method)
            if refused is not None:
                return URLNotEmulated(refused, request=request, url=target.url, served=served)
            return URLNotEmulated(
                f"{request.method} {target.url} is not emulated: mock_marketing_cloud serves no "
                f"page there, and a Marketing Cloud URL never goes to the network. Served: "
                f"{', '.join(served) or 'nothing'}. To serve a page there: mock_marketing_cloud("
                f"{{{target.base_url + target.raw_path!r}: PAGE}}), PAGE one of: "
                f"{', '.join(sorted(pages()))}.",
                request=request, url=target.url, served=served)
        if self.routes.resolve(target, self.mounted) is None:
            target = rest_hosts.app_target(target)
        return forward(self.client, request, target)

    def swallowed(self, error: BaseException) -> str | None:
        """Return the URL of ours that ``error`` (or its cause) says another mock refused."""
        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            request = getattr(current, "request", None)
            if (isinstance(current, RequestsConnectionError)
                    and not isinstance(current, (URLNotEmulated, FaultDropped))
                    and getattr(request, "url", None)):
                target = Target.parse(str(request.url))
                if self.routes.claims(target):
                    return target.url
            current = current.__cause__ or current.__context__
        return None

    def close(self) -> None:
        self.active = False
        self.undo_outbound()
        self.handle._stop()
        if self.owns_app:
            get_emulator(self.app).close()


class MarketingCloudMock:
    """A decorator and context manager that answers Marketing Cloud URLs from the emulator.

    ``with mock_marketing_cloud(...) as mc:`` gives the :class:`MockHandle`; a decorated test
    reaches it through :attr:`handle` or :func:`current_mock`.
    """

    def __init__(self, pages: Pages = None, **settings: Any) -> None:
        if "db" in {key.lower().removeprefix("mcemu_") for key in settings}:
            raise ConfigError("mock_marketing_cloud keeps its Data Extensions in memory; "
                              "it takes no db setting")
        self.routes = Routes.from_pages(pages)
        for route in self.routes.routes:
            if route.page is not None:
                get_page(route.page)  # an unknown page name fails here, naming the pages
        self.pages = pages
        given = settings.pop("mount", ())
        mounts = [*([given] if isinstance(given, str) else given), *self.routes.mounts()]
        self.config: dict[str, Any] = {**settings, "db": None, "mount": mounts}
        load_settings(self.config, environ={})  # refuse a bad setting now, not at start
        self._run: _Run | None = None
        self._app: Flask | None = None  # served by every start when set (serve_app)

    def serve_app(self, app: Flask) -> None:
        """Answer from ``app`` at every start instead of building one, and leave it open at stop.

        For the pytest plugin, which builds one app per configuration and rolls it back after
        each test; ``app`` must be built from :attr:`config`. Whoever passes it closes it.
        """
        if self._run is not None:
            raise AlreadyStartedError("serve_app() is called before start(), not while started.")
        self._app = app

    # --- start and stop ------------------------------------------------------------------------

    def start(self) -> MockHandle:
        """Build a fresh app (or take :meth:`serve_app`'s) and put it in front of ``requests``;
        return its handle."""
        with _lock:
            if self._run is not None:
                raise AlreadyStartedError(
                    "This mock_marketing_cloud is already started. One mock runs once at a "
                    "time; to nest, start a second mock_marketing_cloud(...).")
            run = _Run(self, self.config, self._app)
            HTTPAdapter.send = run.send  # type: ignore[method-assign]
            self._run = run
            _running.append(run)
        return run.handle

    def stop(self) -> None:
        """Restore the ``HTTPAdapter.send`` that was active at start and close the app (one that
        :meth:`serve_app` gave stays open)."""
        with _lock:
            run = self._run
            if run is None:
                raise NotStartedError("stop() called on a mock_marketing_cloud that is not "
                                      "started; call start() (or use `with`) first.")
            self._run = None
            _running.remove(run)
            on_top = HTTPAdapter.send is run.send
            if on_top:
                HTTPAdapter.send = run.previous  # type: ignore[method-assign]
            run.close()
        if not on_top:
            raise MockOrderError(
                "mock_marketing_cloud stopped while a mock started after it is still active "
                f"(HTTPAdapter.send is now {HTTPAdapter.send!r}). Stop mocks in the reverse "
                "order of starting them: nest `with` blocks, or stack the decorators.")

    @property
    def started(self) -> bool:
        return self._run is not None

    @property
    def handle(self) -> MockHandle:
        """The handle of the running mock (for decorated tests)."""
        if self._run is None:
            raise NotStartedError("This mock_marketing_cloud is not started: its handle exists "
                                  "only inside the `with` block or the decorated test.")
        return self._run.handle

    def __enter__(self) -> MockHandle:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: object) -> None:
        run = self._run
        self.stop()
        if error is not None and run is not None:
            explained = _order_error(run, error)
            if explained is not None:
                raise explained from error

    # --- decorator -----------------------------------------------------------------------------

    def __call__(self, target: T) -> T:
        """Run ``target`` (a test function, or each ``test*`` method of a class) in this mock."""
        if isinstance(target, type):
            for name in dir(target):
                if name.startswith("test"):
                    member = inspect.getattr_static(target, name)
                    if isinstance(member, (staticmethod, classmethod)):
                        setattr(target, name, type(member)(self(member.__func__)))
                    elif inspect.isfunction(member):
                        setattr(target, name, self(member))
            return target
        if not callable(target):
            raise TypeError(f"mock_marketing_cloud decorates functions and classes, not "
                            f"{type(target).__name__}")
        if (inspect.isgeneratorfunction(target) or inspect.iscoroutinefunction(target)
                or inspect.isasyncgenfunction(target)):
            raise TypeError(
                f"mock_marketing_cloud cannot decorate {target.__qualname__}: it is a generator "
                "or async function, whose body runs after the decorator returns. Use `with "
                "mock_marketing_cloud(...)` inside it instead.")

        @functools.wraps(target)
        def run_in_mock(*args: Any, **kwargs: Any) -> Any:
            with self:
                return target(*args, **kwargs)

        return run_in_mock  # type: ignore[return-value]

    def __repr__(self) -> str:
        state = "started" if self._run is not None else "stopped"
        return f"<mock_marketing_cloud {self.pages!r} {state}>"


def _order_error(run: _Run, error: BaseException) -> MockOrderError | None:
    url = run.swallowed(error)
    if url is None:
        return None
    return MockOrderError(
        f"The request to {url} never reached mock_marketing_cloud: a `responses` mock started "
        "after it answered first. Start mock_marketing_cloud inside your own mock instead: list "
        "@mock_marketing_cloud(...) below @responses.activate, enter it inside the `with "
        "responses.RequestsMock()` block, or request the mcemu_mock fixture after yours. It then "
        "passes every URL it does not serve on to your mock.")


def order_error(handle: MockHandle, error: BaseException) -> MockOrderError | None:
    """Return the error that explains ``error``, when it shows that a ``responses`` mock started
    after the running mock of ``handle`` refused one of its URLs."""
    with _lock:
        run = next((run for run in _running if run.handle is handle), None)
    return _order_error(run, error) if run is not None else None


@overload
def mock_marketing_cloud(pages: C) -> C: ...


@overload
def mock_marketing_cloud(pages: Pages = None, **settings: Any) -> MarketingCloudMock: ...


def mock_marketing_cloud(pages: Any = None, **settings: Any) -> Any:
    """Return a mock of Marketing Cloud for ``pages``: a decorator and a context manager.

    ``pages`` is a host (``"cloud.example.com"``: every mounted page, by path) or a mapping of
    the client's URLs to page names; ``settings`` are :func:`emulator.app.create_app`'s
    (``fixtures``, ``no_default_fixtures``, ``frozen_time``, ``max_body``, ...). Used bare
    (``@mock_marketing_cloud``), it decorates with the defaults.
    """
    if callable(pages):
        return MarketingCloudMock(**settings)(pages)
    return MarketingCloudMock(pages, **settings)


def current_mock() -> MockHandle:
    """Return the handle of the mock started last and still running (for decorated tests)."""
    with _lock:
        if not _running:
            raise NotStartedError("No mock_marketing_cloud is running: current_mock() works "
                                  "inside a decorated test or a `with` block.")
        return _running[-1].handle
