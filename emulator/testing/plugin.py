"""pytest plugin of mc-emulator (entry point pytest11): fixtures and a marker, nothing autouse.

Fixtures: ``mcemu_app``, ``mcemu_client``, ``mcemu_store``, ``mcemu_mock``, ``mcemu_server``;
each builds its own emulator (memory store) and closes it at the end of the test. Its start
state is its fixtures, so a reset (``POST /_emulator/reset``, ``mcemu_mock.reset()``) with no
target goes back to them, as ``{"to": "fixtures"}`` does. The marker

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
    from emulator.testing.handle import MockHandle
    from emulator.testing.live import LiveServer

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


@pytest.fixture
def mcemu_app(request: pytest.FixtureRequest) -> Generator[Flask, None, None]:
    """A fresh emulator app: memory store, default fixtures plus the marker's."""
    from emulator.app import create_app
    from emulator.runtime import get_emulator

    app = create_app({"TESTING": True, **_app_config(request)})
    try:
        yield app
    finally:
        get_emulator(app).close()


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
def mcemu_mock(request: pytest.FixtureRequest) -> Generator[MockHandle, None, None]:
    """A started ``mock_marketing_cloud`` (its own app); yields its handle."""
    from emulator.testing.mock import MarketingCloudMock

    paths, pages, settings = _marker_options(request)
    mock = MarketingCloudMock(pages, **settings, fixtures=paths)
    handle = mock.start()
    try:
        yield handle
    finally:
        mock.stop()


@pytest.fixture
def mcemu_server(request: pytest.FixtureRequest) -> Generator[LiveServer, None, None]:
    """A live emulator (its own app) on 127.0.0.1, a free port; ``.url``, ``.app``, ``.store``."""
    from emulator.testing.live import LiveServer

    server = LiveServer(_app_config(request)).start()
    try:
        yield server
    finally:
        server.stop()


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
