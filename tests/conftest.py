"""Shared fixtures: real apps on real stores, the Flask test client, real ``mcemu serve``."""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.runtime import get_emulator
from emulator.store.store import Store

DEMO = {"client_id": "demo-client", "client_secret": "demo-secret",
        "signing_secret": "demo-signing-secret-change-me-0123456789"}


@pytest.fixture(autouse=True)
def _clean_mcemu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own MCEMU_* variables out of the tests."""
    import os

    for name in list(os.environ):
        if name.startswith("MCEMU_"):
            monkeypatch.delenv(name)


@pytest.fixture(params=["memory", "file"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Flask:
    """An emulator app with the default fixtures, on a memory store and on a --db file."""
    config: dict[str, Any] = {"TESTING": True}
    if request.param == "file":
        config["db"] = str(tmp_path / "mcemu.json")
    application = create_app(config)
    yield application
    get_emulator(application).close()


@pytest.fixture
def memory_app() -> Flask:
    application = create_app({"TESTING": True})
    yield application
    get_emulator(application).close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def store(app: Flask) -> Store:
    return get_emulator(app).store


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """Build apps with given settings; every one is closed after the test."""
    made: list[Flask] = []

    def build(config: dict[str, Any] | None = None) -> Flask:
        application = create_app({"TESTING": True, **(config or {})})
        made.append(application)
        return application

    yield build
    for application in made:
        get_emulator(application).close()


MCEMU = str(Path(sys.executable).with_name("mcemu"))


class ServerProcess:
    """An ``mcemu serve`` child process; reads its banner to learn the URL."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                 mcemu: str = MCEMU):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("MCEMU_")}
        full_env.update(env or {})
        # The log goes to a file: a pipe nobody reads would fill up and block the server.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [mcemu, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
            stderr=self.log, text=True, env=full_env, cwd=cwd)
        self.banner: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            match = re.search(r"serving on (http://\S+)", line)
            if match:
                self.url = match.group(1)
            if line.startswith("Press Ctrl-C"):
                return
        self.process.kill()
        self.process.communicate(timeout=10)
        raise AssertionError(f"no banner: {self.banner} {self.read_log()}")

    def read_log(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGTERM)
        try:
            out, _ = self.process.communicate(timeout=60)  # generous: a loaded machine
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        log = self.read_log()
        self.log.close()
        return self.process.returncode, out, log


@pytest.fixture
def server() -> Iterator[Callable[..., ServerProcess]]:
    """Start ``mcemu serve`` processes (arguments as on the command line); kill what is left."""
    started: list[ServerProcess] = []

    def start(*args: str, **kwargs: Any) -> ServerProcess:
        process = ServerProcess(*args, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
        process.process.communicate(timeout=10)  # reaps it and closes the pipes
        if not process.log.closed:
            process.log.close()


@contextmanager
def built_app(*, checkpoint: bool = False, **config: Any) -> Iterator[Flask]:
    """An app with ``config``; closed after.

    ``checkpoint`` marks its start, for a module's app whose tests each roll back to it
    (``rolled_back_client``): the app is built once, not once a test.
    """
    application = create_app({"TESTING": True, **config})
    try:
        if checkpoint:
            get_emulator(application).checkpoint()
        yield application
    finally:
        get_emulator(application).close()


@contextmanager
def pages_app(folder: Path, pages: Mapping[str, str], *, checkpoint: bool = False,
              **config: Any) -> Iterator[Flask]:
    """An app serving ``pages`` (file name -> text), written into ``folder``; closed after."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    with built_app(checkpoint=checkpoint, pages=str(folder), **config) as application:
        yield application


def module_app(fixtures: Path, **config: Any) -> Iterator[Flask]:
    """Yield a checkpointed app on the fixture folder ``fixtures`` alone, then close it.

    The body of a module-scoped fixture: ``yield from module_app(root, frozen_time=...)``.
    """
    with built_app(checkpoint=True, fixtures=(str(fixtures),), no_default_fixtures=True,
                   **config) as application:
        yield application


def rolled_back_client(app: Flask) -> Iterator[FlaskClient]:
    """Yield a test client of ``app``, then roll the app back to its checkpoint."""
    yield app.test_client()
    get_emulator(app).rollback()


@pytest.fixture
def api(rest_app: Flask) -> Iterator[FlaskClient]:
    """A client of the module's ``rest_app``; the app rolls back after the test."""
    yield from rolled_back_client(rest_app)


def bearer(client: FlaskClient, client_id: str = "rw", secret: str = "s",
           **fields: str) -> dict[str, str]:
    """An Authorization header with a token for the package ``client_id`` (``fields`` added)."""
    answer = client.post("/v2/token", json={"grant_type": "client_credentials",
                                            "client_id": client_id, "client_secret": secret,
                                            **fields})
    assert answer.status_code == 200, answer.data
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def token_body(**fields: Any) -> bytes:
    """A RequestToken body for the demo client, with ``fields`` changed (None drops one)."""
    body: dict[str, Any] = {"operation": "RequestToken", "grant_type": "client_credentials",
                            "client_id": DEMO["client_id"],
                            "client_secret": DEMO["client_secret"]}
    for name, value in fields.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def write_de(directory: Path, key: str, fields: list[dict[str, Any]],
             rows: list[dict[str, Any]] | None = None) -> Path:
    """Write one DE fixture file under ``directory/data_extensions``."""
    target = directory / "data_extensions"
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{key}.json"
    path.write_text(json.dumps({"key": key, "fields": fields, "rows": rows or []}),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once and install it, with pytest but no extras, in a fresh venv.

    Returns the venv's folder. Tests that use it run from elsewhere, so the installed package,
    not the source tree, answers.
    """
    import subprocess
    import sys
    import venv

    root = Path(__file__).resolve().parent.parent
    scratch = tmp_path_factory.mktemp("wheel")
    wheels = scratch / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(wheels), str(root)], check=True)
    wheel = next(wheels.glob("mc_emulator-*.whl"))
    env_dir = scratch / "venv"
    venv.create(env_dir, with_pip=True)
    install = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
                              "--disable-pip-version-check", str(wheel), "pytest"],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    return env_dir


def process_gone(pid: int) -> bool:
    """Return whether process ``pid`` has exited (gone, or a zombie awaiting its parent)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return "\nState:\tZ" in status


# --- the network guard: no test opens a connection beyond this machine ---------------------------

class NetworkBlocked(RuntimeError):
    """A test tried to connect to an address that is not this machine's loopback."""


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def loopback_only(address: Any) -> None:
    """Raise NetworkBlocked unless ``address`` (a socket address) is on this machine."""
    if not isinstance(address, tuple):  # AF_UNIX paths and the like stay on the machine
        return
    host = str(address[0]).strip("[]")
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host.split("%")[0]).is_loopback:
            return
    except ValueError:  # a host name other than localhost: never resolved, refused
        pass
    raise NetworkBlocked(f"the test suite never connects beyond this machine; {address!r} is "
                         "not a loopback address (stub the call: mc.outbound.add(...))")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    loopback_only(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    loopback_only(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _network_guard() -> Iterator[None]:
    """Fail any socket connection to a non-loopback address, for the whole session."""
    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", _guarded_connect)
    patch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    yield
    patch.undo()


def write_unit_fixtures(root: Path, units: Any, des: Mapping[str, Any],
                        folders: Any = None) -> Path:
    """Write a fixtures directory with business units, DE files and folders (None: no file)."""
    (root / "data_extensions").mkdir(parents=True, exist_ok=True)
    if units is not None:
        (root / "business_units.json").write_text(json.dumps(units), encoding="utf-8")
    for name, document in des.items():
        (root / "data_extensions" / f"{name}.json").write_text(json.dumps(document))
    if folders is not None:
        (root / "folders.json").write_text(json.dumps(folders), encoding="utf-8")
    return root


def fixtures_only_app(root: Path, **settings: Any) -> Flask:
    """An app on the fixtures directory ``root`` alone (no default fixtures)."""
    return create_app({"TESTING": True, "fixtures": (str(root),), "no_default_fixtures": True,
                       **settings})
