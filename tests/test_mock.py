"""``mock_marketing_cloud``: real ``requests`` calls answered in-process by the emulator app."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import jwt
import pytest
import requests
import responses
from conftest import DEMO, token_body, write_de
from requests.adapters import HTTPAdapter

from emulator.errors import ConfigError, EmulatorError
from emulator.testing import (
    AlreadyStartedError,
    LiveServer,
    MarketingCloudMock,
    MockHandle,
    MockOrderError,
    NotEmulatedError,
    NotStartedError,
    current_mock,
    mock_marketing_cloud,
)

ISSUER = "https://cloud.example.com/jwt-issuer"
REAL_SEND = HTTPAdapter.send


@pytest.fixture(autouse=True)
def _send_is_restored():
    """Every test here must leave requests as it found it."""
    assert HTTPAdapter.send is REAL_SEND
    yield
    assert HTTPAdapter.send is REAL_SEND


@pytest.fixture
def live():
    """A real server on 127.0.0.1: the only place pass-through requests may go."""
    with LiveServer() as server:
        yield server


def token_of(response: requests.Response) -> str:
    return response.json()["access_token"]


def test_a_mapped_url_is_answered_by_the_token_page():
    with mock_marketing_cloud({ISSUER: "token"}) as mc:
        answer = requests.post(ISSUER + "?from=app", data=token_body(),
                               headers={"Content-Type": "application/json"})
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        claims = jwt.decode(token_of(answer), DEMO["signing_secret"], algorithms=["HS256"])
        assert claims["client_id"] == DEMO["client_id"]
        logged = mc.rows("HTTPProperties")
        assert [(r["RequestURL"], r["QueryString"], r["IsSSL"]) for r in logged] == [
            (ISSUER + "?from=app", "?from=app", "True")]
        assert mc.urls == [ISSUER]


@pytest.mark.parametrize("host", ["cloud.example.com", "https://cloud.example.com",
                                  "https://cloud.example.com/", "CLOUD.Example.com",
                                  "https://cloud.example.com:443", "cloud.example.com/"])
@pytest.mark.parametrize("url", ["https://cloud.example.com/token",
                                 "https://Cloud.EXAMPLE.com:443/token"])
def test_a_host_given_alone_serves_every_mounted_page(host, url):
    with mock_marketing_cloud(host, mount=["/jwt-issuer=token"]) as mc:
        assert requests.post(url, data=token_body()).status_code == 200
        assert requests.post(ISSUER, data=token_body()).status_code == 200
        assert sorted(mc.urls) == ["https://cloud.example.com/api", ISSUER,
                                   "https://cloud.example.com/token",
                                   "https://cloud.example.com/token/hardened"]
        assert mc.url_for("/token?x=1") == "https://cloud.example.com/token?x=1"


def test_a_host_without_scheme_serves_http_too_and_a_scheme_limits_it():
    with mock_marketing_cloud("cloud.example.com"):
        assert requests.post("http://cloud.example.com:80/token", data=b"{}").ok
    with mock_marketing_cloud("https://cloud.example.com"):
        with pytest.raises(NotEmulatedError):
            requests.post("http://cloud.example.com/token", data=b"{}")


def test_a_port_other_than_the_default_is_part_of_the_host():
    with mock_marketing_cloud("http://localhost.sfmc-content.com:8080") as mc:
        assert requests.get("http://localhost.sfmc-content.com:8080/token").ok
        with pytest.raises(NotEmulatedError):
            requests.get("http://localhost.sfmc-content.com/token")
        assert mc.rows("HTTPProperties")[0]["RequestURL"] == (
            "http://localhost.sfmc-content.com:8080/token")


def test_an_unserved_url_on_a_given_host_is_not_emulated_and_lists_what_is():
    with mock_marketing_cloud({ISSUER: "token"}) as mc:
        with pytest.raises(NotEmulatedError) as caught:
            requests.post("https://cloud.example.com/token", data=token_body())
        assert isinstance(caught.value, requests.exceptions.ConnectionError)
        message = str(caught.value)
        assert "https://cloud.example.com/token is not emulated" in message
        assert ISSUER in message and caught.value.served == [ISSUER]
        assert caught.value.request.method == "POST"
        assert mc.journal() == []


@pytest.mark.parametrize("url", [
    "https://mc123.auth.marketingcloudapis.com/v2/userinfo",  # no REST route of the auth host
    "https://mc123.rest.marketingcloudapis.com/platform/v1/endpoints",
    "https://cloud.pub.sfmc-content.com/abc",
    "https://www.exacttargetapis.com/platform/v1/tokenContext",
    "https://webservice.exacttarget.com/Service.asmx",
    "http://EXACTTARGET.com/",
])
def test_every_marketing_cloud_host_is_refused_never_sent(url):
    with mock_marketing_cloud({ISSUER: "token"}):
        with pytest.raises(NotEmulatedError, match="is not emulated"):
            requests.get(url)


def test_other_hosts_pass_through_to_the_network(live):
    with mock_marketing_cloud("cloud.example.com") as mc:
        answer = requests.post(live.url_for("/token"), data=token_body())
        assert answer.status_code == 200
        assert mc.journal() == []
    assert [e.path for e in live.emulator.journal.entries()] == ["/token"]


@pytest.mark.parametrize("make_body", [
    pytest.param(lambda body: io.BytesIO(body), id="binary-file"),
    pytest.param(lambda body: io.StringIO(body.decode()), id="text-file"),
    pytest.param(lambda body: (body[i:i + 7] for i in range(0, len(body), 7)), id="generator"),
    pytest.param(lambda body: (c for c in body.decode()), id="generator-of-text"),
    pytest.param(lambda body: body.decode(), id="text"),
    pytest.param(lambda body: bytearray(body), id="bytearray"),
])
def test_every_kind_of_body_arrives_whole(make_body):
    body = token_body()
    with mock_marketing_cloud({ISSUER: "token"}) as mc:
        expected = token_of(requests.post(ISSUER, data=body))
        assert token_of(requests.post(ISSUER, data=make_body(body))) == expected
        newest = mc.journal()[0]
        assert newest.request_body == body.decode()
        headers = dict(newest.request_headers)
        assert headers["Content-Length"] == str(len(body))
        assert "Transfer-Encoding" not in headers


def test_a_file_body_from_disk(tmp_path):
    path = tmp_path / "body.json"
    path.write_bytes(token_body())
    with mock_marketing_cloud({ISSUER: "token"}), path.open("rb") as file:
        answer = requests.post(ISSUER, data=file)
    assert jwt.decode(token_of(answer), DEMO["signing_secret"], algorithms=["HS256"])


def test_head_runs_the_page_and_answers_no_body():
    with mock_marketing_cloud("cloud.example.com") as mc:
        answer = requests.head("https://cloud.example.com/token")
        assert (answer.status_code, answer.content) == (200, b"")
        assert mc.rows("HTTPProperties")[0]["Method"] == "HEAD"


def test_the_handle_seeds_reads_freezes_and_resets():
    with mock_marketing_cloud({ISSUER: "token"}) as mc:
        assert isinstance(mc, MockHandle)
        mc.add_app("mobile", "s3cret", "mobile-signing-secret-0123456789abcdef")
        body = token_body(client_id="mobile", client_secret="s3cret")
        token = token_of(requests.post(ISSUER, data=body))
        assert jwt.decode(token, "mobile-signing-secret-0123456789abcdef", algorithms=["HS256"])
        assert [r["client_id"] for r in mc.rows("AppCredentials")] == ["demo-client", "mobile"]
        stored = mc.seed("CustomAppException", [{"Message": "m", "FunctionName": "f"}])
        assert stored[0]["Message"] == "m"
        assert mc.add_rows == mc.seed
        requests.get(ISSUER)
        assert [e.method for e in mc.journal()] == ["GET", "POST"]  # newest first
        mc.freeze("2024-01-15T12:00:00Z")
        assert mc.clock.now_utc() == datetime(2024, 1, 15, 12, tzinfo=timezone.utc)
        mc.freeze(datetime(2025, 3, 1, 8, 30))
        assert mc.clock.now_utc() == datetime(2025, 3, 1, 8, 30, tzinfo=timezone.utc)
        mc.freeze(None)
        assert mc.clock.frozen is None
        mc.freeze("2024-01-15T12:00:00Z")
        mc.reset()
        assert [r["client_id"] for r in mc.rows("AppCredentials")] == ["demo-client"]
        assert mc.rows("HTTPProperties") == [] and len(mc.journal()) == 2  # the journal is kept
        assert mc.clock.now_utc() == datetime(2024, 1, 15, 12, tzinfo=timezone.utc)
        mc.reset(journal=True)
        assert mc.journal() == []
        mc.freeze(None)
        mc.reset(to="empty")
        assert mc.rows("AppCredentials") == []
        assert mc.app.name == "emulator"
        with pytest.raises(LookupError, match="no page is served at /token"):
            mc.url_for("/token")


def test_settings_reach_the_app(tmp_path):
    write_de(tmp_path, "Subscribers", [{"name": "Email", "type": "EmailAddress"}],
             [{"Email": "a@example.com"}])
    with mock_marketing_cloud("cloud.example.com", fixtures=[str(tmp_path)], max_body=100,
                              frozen_time="2024-01-15T12:00:00Z") as mc:
        assert mc.rows("Subscribers") == [{"Email": "a@example.com"}]
        assert mc.clock.frozen == datetime(2024, 1, 15, 12, tzinfo=timezone.utc)
        too_big = requests.post(mc.url_for("/token"), data=b"x" * 101)
        assert too_big.status_code == 413 and too_big.json()["emulator_error"] == "body_too_large"
    with mock_marketing_cloud("cloud.example.com", fixtures=[str(tmp_path)],
                              no_default_fixtures=True) as mc:
        assert mc.store.keys() == ["Subscribers"]


@pytest.mark.parametrize(("pages", "settings", "message"), [
    ("ftp://cloud.example.com", {}, "scheme must be http or https"),
    ("https://cloud.example.com/jwt-issuer", {}, "give a mapping"),
    ({"https://cloud.example.com/x?y=1": "token"}, {}, "no query string"),
    ({"https://cloud.example.com/x": "nope"}, {},
     "no page called 'nope'; pages: api, hardened, token"),
    ({"https://a.example.com/x": "token", "https://b.example.com/x": "other"}, {},
     "one mock serves one page per path"),
    ({"https:///x": "token"}, {}, "expected a URL"),
    ({"https://cloud.example.com/_emulator/x": "token"}, {}, "belong to the emulator"),
    (["cloud.example.com"], {}, "not list"),
    ("cloud.example.com", {"db": "x.json"}, "takes no db"),
    ("cloud.example.com", {"colour": "red"}, "unknown setting 'colour'"),
    ("cloud.example.com", {"max_body": 0}, "expected a number above 0"),
])
def test_bad_arguments_are_refused_when_the_mock_is_made(pages, settings, message):
    with pytest.raises(ConfigError, match=message):
        mock_marketing_cloud(pages, **settings)


def test_the_default_host_is_a_cloudpage_domain():
    with mock_marketing_cloud() as mc:
        assert mc.url_for("/token") == "https://mcemu.pub.sfmc-content.com/token"
        assert requests.post(mc.url_for("/token"), data=token_body()).ok


# --- decorators --------------------------------------------------------------------------------

issuer_mock = mock_marketing_cloud({ISSUER: "token"})


@issuer_mock
def test_a_decorated_test_reaches_its_handle():
    assert current_mock() is issuer_mock.handle
    assert requests.post(ISSUER, data=token_body()).ok
    assert len(issuer_mock.handle.rows("HTTPProperties")) == 1


@mock_marketing_cloud
def test_the_bare_decorator_serves_the_default_host():
    assert requests.post(current_mock().url_for("/token"), data=token_body()).ok


@issuer_mock
def test_each_decorated_run_gets_a_fresh_app(tmp_path):  # fixtures still arrive
    assert tmp_path.exists()
    assert issuer_mock.handle.rows("HTTPProperties") == []


@mock_marketing_cloud("cloud.example.com")
class TestADecoratedClass:
    def helper(self):
        return HTTPAdapter.send is REAL_SEND

    def test_methods_run_in_the_mock(self):
        assert not self.helper()
        assert requests.post("https://cloud.example.com/token", data=b"{}").ok

    @staticmethod
    def test_static_methods_too():
        assert current_mock().url_for("/token") == "https://cloud.example.com/token"


def test_a_decorated_class_leaves_other_methods_alone():
    assert TestADecoratedClass().helper() is True


def test_a_decorated_function_keeps_its_name_and_result():
    @mock_marketing_cloud("cloud.example.com")
    def fetch(path: str) -> int:
        """Fetch a path."""
        return requests.get(f"https://cloud.example.com{path}").status_code

    assert fetch("/token") == 200
    assert (fetch.__name__, fetch.__doc__) == ("fetch", "Fetch a path.")


def gen_function():
    yield 1


async def async_function():
    return 1


async def async_generator():
    yield 1


@pytest.mark.parametrize("function", [gen_function, async_function, async_generator])
def test_generator_and_async_functions_are_refused_at_decoration(function):
    with pytest.raises(TypeError, match="generator or async function"):
        mock_marketing_cloud("cloud.example.com")(function)


def test_a_class_with_a_generator_test_is_refused():
    class Tests:
        def test_gen(self):
            yield 1

    with pytest.raises(TypeError, match="Tests.test_gen"):
        mock_marketing_cloud()(Tests)


def test_decorating_something_not_callable_is_refused():
    with pytest.raises(TypeError, match="functions and classes"):
        MarketingCloudMock()(42)


# --- lifetime ----------------------------------------------------------------------------------

def test_a_mock_not_started_has_no_handle_and_cannot_stop():
    mock = mock_marketing_cloud("cloud.example.com")
    assert not mock.started
    with pytest.raises(NotStartedError, match="not started"):
        mock.handle  # noqa: B018
    with pytest.raises(NotStartedError, match="stop\\(\\) called"):
        mock.stop()
    with pytest.raises(NotStartedError, match="No mock_marketing_cloud is running"):
        current_mock()


def test_a_handle_kept_after_the_mock_stopped_refuses_use():
    with mock_marketing_cloud("cloud.example.com") as mc:
        pass
    with pytest.raises(NotStartedError, match="has stopped"):
        mc.rows("HTTPProperties")
    assert "stopped" in repr(mc)


def test_starting_a_running_mock_again_is_refused():
    mock = mock_marketing_cloud("cloud.example.com")
    with mock as mc:
        with pytest.raises(AlreadyStartedError, match="already started"):
            mock.start()
        with pytest.raises(AlreadyStartedError):
            with mock:
                pass  # pragma: no cover
        assert mock.handle is mc and requests.get(mc.url_for("/token")).ok
    assert not mock.started


def test_a_stopped_mock_starts_again_fresh():
    mock = mock_marketing_cloud("cloud.example.com")
    with mock as first:
        first.seed("CustomAppException", [{"Message": "kept?"}])
    with mock as second:
        assert second is not first and second.rows("CustomAppException") == []


def test_two_mocks_nest_and_the_inner_wins_for_its_urls(live):
    outer = mock_marketing_cloud({"https://a.pub.sfmc-content.com/login": "token"})
    inner = mock_marketing_cloud({"https://b.pub.sfmc-content.com/login": "token",
                                  "https://a.pub.sfmc-content.com/token": "token"})
    with outer as a:
        with inner as b:
            assert current_mock() is b
            requests.post("https://b.pub.sfmc-content.com/login", data=b"{}")
            requests.post("https://a.pub.sfmc-content.com/login", data=b"{}")
            requests.post("https://a.pub.sfmc-content.com/token", data=b"{}")
            requests.post(live.url_for("/token"), data=b"{}")
            with pytest.raises(NotEmulatedError) as caught:
                requests.get("https://c.pub.sfmc-content.com/login")
            assert caught.value.served == ["https://a.pub.sfmc-content.com/login"]
            assert [e.path for e in b.journal()] == ["/token", "/login"]
            assert [e.path for e in a.journal()] == ["/login"]
        assert current_mock() is a
        with pytest.raises(NotEmulatedError):
            requests.get("https://b.pub.sfmc-content.com/login")
    assert len(live.emulator.journal) == 1


def test_a_failing_test_still_stops_the_mock():
    mock = mock_marketing_cloud("cloud.example.com")

    @mock
    def failing():
        requests.get("https://cloud.example.com/token")
        raise AssertionError("the client was wrong")

    with pytest.raises(AssertionError, match="the client was wrong"):
        failing()
    assert not mock.started and HTTPAdapter.send is REAL_SEND
    with pytest.raises(KeyError):
        with mock:
            raise KeyError("boom")
    assert not mock.started


# --- with the user's own responses mocks -------------------------------------------------------

@responses.activate
@mock_marketing_cloud("cloud.example.com")
def test_ours_started_inside_the_users_decorator_passes_other_urls_to_it():
    responses.add(responses.GET, "https://api.example.org/profile", json={"name": "Ada"})
    assert requests.get("https://api.example.org/profile").json() == {"name": "Ada"}
    assert requests.post("https://cloud.example.com/token", data=token_body()).ok
    assert [c.request.url for c in responses.calls] == ["https://api.example.org/profile"]


def test_ours_started_inside_the_users_with_block():
    with responses.RequestsMock() as theirs:
        theirs.add(responses.POST, "https://api.example.org/orders", status=201)
        with mock_marketing_cloud({ISSUER: "token"}) as mc:
            assert requests.post("https://api.example.org/orders").status_code == 201
            assert requests.post(ISSUER, data=token_body()).ok
            with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused "
                               "by Responses"):
                requests.get("https://api.example.org/unknown")  # the user's mock decides
            assert len(mc.journal()) == 1
        assert requests.post("https://api.example.org/orders").status_code == 201


def test_the_users_mock_started_after_ours_is_named_with_the_fix():
    @mock_marketing_cloud("cloud.example.com")
    @responses.activate
    def wrong_order():
        requests.post("https://cloud.example.com/token", data=token_body())

    with pytest.raises(MockOrderError, match="below @responses.activate") as caught:
        wrong_order()
    assert "https://cloud.example.com/token never reached" in str(caught.value)
    assert isinstance(caught.value.__cause__, requests.exceptions.ConnectionError)


def test_a_client_error_wrapping_the_refusal_is_explained_too():
    class ClientError(Exception):
        pass

    with pytest.raises(MockOrderError):
        with mock_marketing_cloud("cloud.example.com"):
            with responses.RequestsMock():
                try:
                    requests.get("https://cloud.example.com/token")
                except requests.exceptions.ConnectionError as error:
                    raise ClientError("login failed") from error


def test_stopping_ours_while_a_later_mock_runs_is_refused():
    ours = mock_marketing_cloud("cloud.example.com")
    theirs = responses.RequestsMock(assert_all_requests_are_fired=False)
    ours.start()
    theirs.start()
    try:
        with pytest.raises(MockOrderError, match="reverse order"):
            ours.stop()
    finally:
        theirs.stop()
    # Theirs restored our send function; stopped, it only hands requests on.
    assert HTTPAdapter.send is not REAL_SEND
    with responses.RequestsMock() as check:
        check.add(responses.GET, "https://api.example.org/x", body="ok")
        assert requests.get("https://api.example.org/x").text == "ok"
    HTTPAdapter.send = REAL_SEND  # type: ignore[method-assign]


def test_other_exceptions_pass_unchanged():
    with pytest.raises(ValueError, match="plain"):
        with mock_marketing_cloud("cloud.example.com"):
            raise ValueError("plain")
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        with mock_marketing_cloud("cloud.example.com"):
            with responses.RequestsMock():
                requests.get("https://api.example.org/elsewhere")
    assert not isinstance(caught.value, MockOrderError)


def test_the_repr_names_the_pages_and_state():
    mock = mock_marketing_cloud({ISSUER: "token"})
    assert repr(mock) == f"<mock_marketing_cloud {{{ISSUER!r}: 'token'}} stopped>"
    with mock as mc:
        assert "started" in repr(mock) and ISSUER in repr(mc)
    assert json.dumps(mock.routes.mounts()) == '["/jwt-issuer=token"]'


def test_a_mock_that_fails_to_start_patches_nothing(tmp_path):
    mock = mock_marketing_cloud("cloud.example.com", fixtures=[str(tmp_path / "missing")])
    with pytest.raises(EmulatorError, match="missing"):
        mock.start()
    assert not mock.started


def test_one_mount_may_be_given_as_text():
    with mock_marketing_cloud("cloud.example.com", mount="/jwt-issuer=token") as mc:
        assert requests.post(ISSUER, data=b"{}").ok
        assert sorted(mc.urls) == ["https://cloud.example.com/api", ISSUER,
                                   "https://cloud.example.com/token",
                                   "https://cloud.example.com/token/hardened"]
