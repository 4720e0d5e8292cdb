"""pytest plugin of mc-emulator (entry point pytest11): fixtures and a marker, nothing autouse.

Fixtures: ``mcemu_app``, ``mcemu_client``, ``mcemu_store``, ``mcemu_mock``, ``mcemu_server``;
each gives the test an emulator (memory store) in the state its fixtures start it in, and no
test sees what another changed. An app is built once per configuration (kind of fixture, marker
paths, pages and settings) in each pytest process and rolled back after each test at the cost
of what the test changed (:mod:`emulator.testing.cache`: a bounded cache, closed at the end of
the session; the app object is shared). Its start state is its fixtures, so a reset
(``POST /_emulator/reset``, ``mcemu_mock.reset()``) with no target goes back to them, as
``{"to": "fixtures"}`` does. The marker

    @pytest.mark.mcemu_fixtures("tests/mc", frozen_time="2024-01-15T12:00:00Z",
                                pages={"https://cloud.example.com/jwt-issuer": "token"})

adds fixtures directories (relative to the rootdir) to the default set and passes settings to
``create_app``; ``pages`` is ``mock_marketing_cloud``'s argument, and the app and the server mount
the same paths. This module imports nothing heavy: installing mc-emulator must not slow down or
break pytest runs that never use it.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from emulator.store.store import Store
    from emulator.testing.cache import Entry, SessionApps
    from emulator.testing.handle import EmulatorHandle, MockHandle
    from emulator.testing.live import LiveServer
    from emulator.testing.mock import MarketingCloudMock

MARKER = "mcemu_fixtures"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*paths, pages=None, **settings): fixtures directories (relative to the "
        "rootdir) added to mc-emulator's defaults, and create_app settings, for the mcemu_* "
        "fixtures of this test.")


def _marker_options(request: pytest.FixtureRequest) -> tuple[list[str], Any, dict[str, Any]]:
    """Return the fixtures directories, the pages and the settings the markers give."""
    paths: list[str] = []
    pages: Any = None
    settings: dict[str, Any] = {}
    # Farthest first (module, class, function), so the closest marker's settings win.
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        for path in marker.args:
            resolved = str(Path(request.config.rootpath, path))
            if resolved not in paths:
                paths.append(resolved)
        options = dict(marker.kwargs)
        if "pages" in options:
            pages = options.pop("pages")
        settings.update(options)
    if "db" in settings:
        from emulator.errors import ConfigError

        raise ConfigError(f"@pytest.mark.{MARKER}: the mcemu fixtures keep their Data Extensions "
                          "in memory; the marker takes no db")
    extra = settings.pop("fixtures", ())
    paths.extend(str(Path(request.config.rootpath, path)) for path in
                 ([extra] if isinstance(extra, str) else extra))
    return paths, pages, settings


def _app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Return create_app settings for the app and the server: marker settings, pages as mounts."""
    from emulator.testing.routes import Routes

    paths, pages, settings = _marker_options(request)
    given = settings.pop("mount", ())
    mounts = [*([given] if isinstance(given, str) else given), *Routes.from_pages(pages).mounts()]
    return {**settings, "db": None, "fixtures": paths, "mount": mounts}


@pytest.fixture(scope="session")
def _mcemu_session_apps() -> Generator[SessionApps, None, None]:
    """The apps of this session (of this xdist worker), by configuration; closed at its end."""
    from emulator.testing.cache import SessionApps

    apps = SessionApps()
    try:
        yield apps
    finally:
        apps.close()


def _app_entry(config: dict[str, Any]) -> Entry[Flask]:
    from emulator.app import create_app
    from emulator.runtime import get_emulator
    from emulator.testing.cache import Entry

    app = create_app(config)
    emulator = get_emulator(app)
    return Entry(app, emulator, emulator.close)


@pytest.fixture
def mcemu_app(request: pytest.FixtureRequest,
              _mcemu_session_apps: SessionApps) -> Generator[Flask, None, None]:
    """An emulator app as its fixtures start it: memory store, default fixtures plus the marker's.

    Built once per configuration in the session and rolled back after the test.
    """
    from emulator.testing.cache import config_key

    config = {"TESTING": True, **_app_config(request)}
    key = config_key("app", config)
    entry = _mcemu_session_apps.get(key, lambda: _app_entry(config))
    try:
        yield entry.value
    finally:
        _mcemu_session_apps.release(key)


@pytest.fixture
def mcemu_client(mcemu_app: Flask) -> FlaskClient:
    """The Flask test client of ``mcemu_app``."""
    return mcemu_app.test_client()


@pytest.fixture
def mcemu_store(mcemu_app: Flask) -> Store:
    """The Data Extension store of ``mcemu_app``."""
    from emulator.runtime import get_emulator

    return get_emulator(mcemu_app).store


@pytest.fixture
def mcemu_handle(mcemu_app: Flask) -> EmulatorHandle:
    """The handle of ``mcemu_app`` (for ``mcemu_client`` tests): ``calls``, ``assert_called``."""
    from emulator.testing.handle import EmulatorHandle

    return EmulatorHandle(mcemu_app)


def _mock_entry(pages: Any, settings: dict[str, Any],
                paths: list[str]) -> Entry[MarketingCloudMock]:
    from emulator.testing.cache import Entry
    from emulator.testing.mock import MarketingCloudMock

    mock = MarketingCloudMock(pages, **settings, fixtures=paths)
    entry = _app_entry(mock.config)
    mock.serve_app(entry.value)
    return Entry(mock, entry.emulator, entry.close)


@pytest.fixture
def mcemu_mock(request: pytest.FixtureRequest,
               _mcemu_session_apps: SessionApps) -> Generator[MockHandle, None, None]:
    """A ``mock_marketing_cloud`` started for the test (its own app); yields its handle.

    The app is built once per configuration in the session and rolled back after the test; the
    ``responses`` mock is put in front of ``requests`` for the test only.
    """
    from emulator.testing.cache import config_key

    paths, pages, settings = _marker_options(request)
    key = config_key("mock", {"pages": pages, "settings": settings, "fixtures": paths})
    entry = _mcemu_session_apps.get(key, lambda: _mock_entry(pages, settings, paths))
    try:
        handle = entry.value.start()
        try:
            yield handle
        finally:
            entry.value.stop()
    finally:
        _mcemu_session_apps.release(key)


def _server_entry(config: dict[str, Any]) -> Entry[LiveServer]:
    from emulator.testing.cache import Entry
    from emulator.testing.live import LiveServer

    server = LiveServer(config).start()
    return Entry(server, server.emulator, server.stop)


@pytest.fixture
def mcemu_server(request: pytest.FixtureRequest,
                 _mcemu_session_apps: SessionApps) -> Generator[LiveServer, None, None]:
    """A live emulator (its own app) on 127.0.0.1, a free port; ``.url``, ``.app``, ``.store``.

    One server per configuration in the session (its port stays); after the test, once no
    request is in flight, its state is rolled back.
    """
    from emulator.testing.cache import config_key

    config = _app_config(request)
    key = config_key("server", config)
    entry = _mcemu_session_apps.get(key, lambda: _server_entry(config))
    try:
        yield entry.value
    finally:
        if not entry.value.wait_idle():  # a request still running would write after rollback
            _mcemu_session_apps.discard(key)
        _mcemu_session_apps.release(key)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, None]:
    """Explain a test failure caused by a ``responses`` mock started after ``mcemu_mock``."""
    outcome = yield
    handle = getattr(item, "funcargs", {}).get("mcemu_mock")
    if handle is None or outcome.excinfo is None or not hasattr(outcome, "force_exception"):
        return
    from emulator.testing.mock import order_error

    explained = order_error(handle, outcome.excinfo[1])
    if explained is not None:
        explained.__cause__ = outcome.excinfo[1]
        outcome.force_exception(explained)
