"""The pytest plugin, run for real with pytester: fixtures, marker, teardown, a light import."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from requests.adapters import HTTPAdapter

pytest_plugins = ["pytester"]

HEAVY = ("flask", "tinydb", "responses", "waitress", "requests", "werkzeug")
ARGS = ("-p", "no:cacheprovider", "-W", "error")


@pytest.fixture
def mc_fixtures(pytester: pytest.Pytester) -> None:
    """A fixtures directory ``mc/`` under the pytester rootdir, with one DE."""
    folder = pytester.mkdir("mc") / "data_extensions"
    folder.mkdir()
    (folder / "Subscribers.json").write_text(json.dumps({
        "key": "Subscribers", "fields": [{"name": "Email", "type": "EmailAddress"}],
        "rows": [{"Email": "ada@example.com"}]}), encoding="utf-8")


def port_is_free(port: int) -> bool:
    """Return whether nothing listens on 127.0.0.1:``port`` and a new server can bind it."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
    return True


def test_importing_the_plugin_imports_nothing_heavy():
    code = ("import emulator.testing.plugin, sys; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_an_unrelated_run_loads_the_plugin_and_nothing_heavy(pytester: pytest.Pytester):
    pytester.makepyfile(f"""
        import sys

        def test_plain(request):
            assert request.config.pluginmanager.has_plugin("mcemu")
            assert not [n for n in request.fixturenames if n.startswith("mcemu")]
            assert [m for m in {HEAVY!r} if m in sys.modules] == []
    """)
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=1)


def test_the_marker_and_fixtures_are_documented(pytester: pytest.Pytester):
    markers = pytester.runpytest(*ARGS, "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.mcemu_fixtures(*paths, pages=None, **settings)*"])
    fixtures = pytester.runpytest(*ARGS, "--fixtures")
    for name in ("mcemu_app", "mcemu_client", "mcemu_store", "mcemu_handle", "mcemu_mock",
                 "mcemu_server"):
        fixtures.stdout.fnmatch_lines([f"{name} -- *"])


def test_the_fixtures_serve_the_defaults_and_the_markers_fixtures(pytester, mc_fixtures):
    pytester.makepyfile("""
        import pytest
        import requests
        from requests.adapters import HTTPAdapter

        BODY = (b'{"operation":"RequestToken","client_id":"demo-client",'
                b'"client_secret":"demo-secret"}')

        def test_app_client_and_store(mcemu_app, mcemu_client, mcemu_store):
            assert mcemu_app.testing
            assert mcemu_client.post("/token", data=BODY).status_code == 200
            assert len(mcemu_store.rows("HTTPProperties")) == 1
            assert "Subscribers" not in mcemu_store.keys()

        @pytest.mark.mcemu_fixtures("mc")
        def test_marker_adds_a_fixtures_directory(mcemu_store):
            assert mcemu_store.rows("Subscribers") == [{"Email": "ada@example.com"}]
            assert mcemu_store.rows("AppCredentials")[0]["client_id"] == "demo-client"

        @pytest.mark.mcemu_fixtures("mc")
        def test_mock(mcemu_mock):
            assert HTTPAdapter.send.__qualname__.startswith("_Run")
            url = mcemu_mock.url_for("/token")
            assert url == "https://mcemu.pub.sfmc-content.com/token"
            assert "access_token" in requests.post(url, data=BODY).json()
            assert mcemu_mock.rows("Subscribers") == [{"Email": "ada@example.com"}]

        @pytest.mark.mcemu_fixtures("mc")
        def test_server(mcemu_server):
            assert mcemu_server.url.startswith("http://127.0.0.1:")
            answer = requests.post(mcemu_server.url + "/token", data=BODY, timeout=10)
            assert answer.json()["token_type"] == "Bearer"
            assert mcemu_server.store.rows("Subscribers")
            assert mcemu_server.app.name == "emulator"

        def test_each_fixture_has_its_own_app(mcemu_app, mcemu_mock, mcemu_server):
            assert len({id(mcemu_app), id(mcemu_mock.app), id(mcemu_server.app)}) == 3
    """)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=5)


def test_a_reset_through_the_fixtures_goes_back_to_their_fixtures(pytester, mc_fixtures):
    pytester.makepyfile("""
        import pytest
        import requests

        BODY = (b'{"operation":"RequestToken","client_id":"demo-client",'
                b'"client_secret":"demo-secret"}')

        @pytest.mark.mcemu_fixtures("mc")
        def test_client(mcemu_client, mcemu_store):
            mcemu_client.post("/token", data=BODY)
            mcemu_store.add_rows("Subscribers", [{"Email": "bo@example.com"}])
            answer = mcemu_client.post("/_emulator/reset", json={})
            assert answer.json["reset"] == "start"
            assert mcemu_store.rows("Subscribers") == [{"Email": "ada@example.com"}]
            assert mcemu_store.rows("HTTPProperties") == []
            assert mcemu_client.get("/_emulator/journal").json["total"] == 1

        @pytest.mark.mcemu_fixtures("mc")
        def test_mock(mcemu_mock):
            requests.post(mcemu_mock.url_for("/token"), data=BODY)
            mcemu_mock.seed("Subscribers", [{"Email": "bo@example.com"}])
            mcemu_mock.reset()
            assert mcemu_mock.rows("Subscribers") == [{"Email": "ada@example.com"}]
            assert len(mcemu_mock.journal()) == 1
            mcemu_mock.reset(to="empty", journal=True)
            assert mcemu_mock.rows("Subscribers") == [] and mcemu_mock.journal() == []

        @pytest.mark.mcemu_fixtures("mc")
        def test_server(mcemu_server):
            mcemu_server.store.add_rows("Subscribers", [{"Email": "bo@example.com"}])
            answer = requests.post(mcemu_server.url + "/_emulator/reset", json={}, timeout=10)
            assert answer.json()["dataExtensions"]["Subscribers"] == 1
    """)
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=3)


def test_marker_settings_reach_every_fixture(pytester, mc_fixtures):
    pytester.makepyfile("""
        import pytest
        import requests

        pytestmark = pytest.mark.mcemu_fixtures(
            pages={"https://cloud.example.com/jwt-issuer": "token"},
            frozen_time="2024-01-15T12:00:00Z")

        @pytest.mark.mcemu_fixtures("mc", frozen_time="2030-01-01T00:00:00Z")
        class TestClass:
            @pytest.mark.mcemu_fixtures(max_body=50)
            def test_closest_settings_win(self, mcemu_mock, mcemu_app):
                assert mcemu_mock.clock.frozen.year == 2030
                assert mcemu_mock.rows("Subscribers")
                too_big = requests.post("https://cloud.example.com/jwt-issuer", data=b"x" * 51)
                assert too_big.status_code == 413
                assert mcemu_app.test_client().post("/jwt-issuer", data=b"{}").status_code == 200

        def test_pages_become_mounts(mcemu_mock, mcemu_client, mcemu_server):
            assert mcemu_mock.urls == ["https://cloud.example.com/jwt-issuer"]
            assert mcemu_mock.clock.frozen.year == 2024
            assert mcemu_client.post("/jwt-issuer", data=b"{}").status_code == 200
            assert requests.post(mcemu_server.url + "/jwt-issuer", data=b"{}").status_code == 200
    """)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=2)


def test_a_db_in_the_marker_is_refused(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.mcemu_fixtures(db="x.json")
        def test_it(mcemu_app):
            pass
    """)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the marker takes no db*"])


def test_a_failing_test_still_tears_everything_down(pytester):
    port_file = pytester.path / "port.txt"
    pytester.makepyfile(f"""
        import pathlib

        import requests

        def test_fails_midway(mcemu_mock, mcemu_server):
            pathlib.Path({str(port_file)!r}).write_text(str(mcemu_server.port))
            requests.post(mcemu_server.url + "/token", data=b"{{}}", timeout=10)
            requests.post(mcemu_mock.url_for("/token"), data=b"{{}}")
            assert False, "the client was wrong"
    """)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the client was wrong*"])
    assert HTTPAdapter.send.__module__ == "requests.adapters"  # the mock is gone
    assert port_is_free(int(port_file.read_text()))


def test_a_users_responses_fixture_set_up_after_the_mock_is_explained(pytester):
    pytester.makepyfile("""
        import pytest
        import requests
        import responses

        @pytest.fixture
        def theirs():
            with responses.RequestsMock() as mock:
                mock.add(responses.GET, "https://api.example.org/me", json={"id": 7})
                yield mock

        def test_right_order(theirs, mcemu_mock):
            assert requests.get("https://api.example.org/me").json() == {"id": 7}
            assert requests.post(mcemu_mock.url_for("/token"), data=b"{}").ok

        def test_wrong_order(mcemu_mock, theirs):
            requests.get("https://api.example.org/me")
            requests.post(mcemu_mock.url_for("/token"), data=b"{}")
    """)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["E *.MockOrderError: *never reached mock_marketing_cloud*"
                                 "request the mcemu_mock fixture after yours*"])


def test_the_live_server_starts_once_and_stops_with_connections_open():
    import requests

    from emulator.testing import AlreadyStartedError, LiveServer, NotStartedError

    server = LiveServer({"mount": ["/jwt-issuer=token"]})
    with pytest.raises(NotStartedError):
        server.stop()
    with pytest.raises(NotStartedError):
        server.app  # noqa: B018
    with requests.Session() as session:
        with server:
            with pytest.raises(AlreadyStartedError, match=server.url):
                server.start()
            assert session.post(server.url_for("jwt-issuer"), data=b"{}").ok  # kept alive
            port = server.port
        assert not server.started and port_is_free(port)
        with pytest.raises(requests.exceptions.ConnectionError):
            session.get(f"http://127.0.0.1:{port}/token", timeout=5)
