"""A third-party OAuth client library (requests-oauthlib) gets and uses a token, as an app would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from oauthlib.oauth2 import BackendApplicationClient, InvalidClientError
from requests_oauthlib import OAuth2Session

from emulator.testing import LiveServer, mock_marketing_cloud

CLIENT_ID, SECRET = "mcemu-demo-client-id", "mcemu-demo-client-secret"
AUTH = "https://mc0123456789abcdefghijklmnop.auth.marketingcloudapis.com"
ROWSET = "data/v1/customobjectdata/key/Orders/rowset"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("oauth")
    (root / "data_extensions").mkdir()
    (root / "data_extensions" / "Orders.json").write_text(json.dumps({
        "key": "Orders", "fields": [{"name": "Id", "primaryKey": True}, {"name": "Total"}],
        "rows": [{"Id": "1", "Total": "9.50"}]}), "utf-8")
    return root


@pytest.fixture(scope="module")
def live(fixtures: Path) -> Iterator[LiveServer]:
    with LiveServer({"fixtures": [str(fixtures)]}) as server:
        yield server


@pytest.fixture
def plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauthlib refuses http:// token URLs unless told that this transport is meant."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def session() -> OAuth2Session:
    return OAuth2Session(client=BackendApplicationClient(client_id=CLIENT_ID))


@pytest.mark.usefixtures("plain_http")
@pytest.mark.parametrize("in_body", [False, True], ids=["http-basic", "form-body"])
def test_the_client_credentials_flow_against_a_real_server(live, in_body):
    app = session()
    token = app.fetch_token(live.url_for("/v2/token"), client_id=CLIENT_ID,
                            client_secret=SECRET, include_client_id=in_body)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1079
    assert token["rest_instance_url"] == live.url + "/"
    page = app.get(token["rest_instance_url"] + ROWSET)
    assert page.status_code == 200, page.text
    assert page.json()["items"] == [{"keys": {"id": "1"}, "values": {"total": "9.50"}}]
    sent = next(entry for entry in live.emulator.journal.entries() if entry.path == "/v2/token")
    headers = dict(sent.request_headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert ("Authorization" in headers) is not in_body  # Basic unless the body carries them


@pytest.mark.usefixtures("plain_http")
def test_a_requested_scope_narrows_the_token(live):
    token = session().fetch_token(live.url_for("/v2/token"), client_id=CLIENT_ID,
                                  client_secret=SECRET, scope=["data_extensions_read"])
    assert token["scope"] == ["data_extensions_read"]  # oauthlib splits the space-separated text
    app = OAuth2Session(client_id=CLIENT_ID, token=token)
    refused = app.post(token["rest_instance_url"] + "hub/v1/dataevents/key:Orders/rowset",
                       json=[{"keys": {"Id": "2"}, "values": {"Total": "1"}}])
    assert (refused.status_code, refused.json()["errorcode"]) == (403, 20002)


@pytest.mark.usefixtures("plain_http")
def test_a_wrong_secret_is_the_library_s_invalid_client_error(live):
    with pytest.raises(InvalidClientError):
        session().fetch_token(live.url_for("/v2/token"), client_id=CLIENT_ID,
                              client_secret="not-the-secret")


@pytest.mark.usefixtures("plain_http")
def test_an_expired_token_is_refused_once_the_clock_moves(live):
    app = session()
    token = app.fetch_token(live.url_for("/v2/token"), client_id=CLIENT_ID, client_secret=SECRET)
    moved = app.post(live.url_for("/_emulator/clock"), json={"advance": 1200})
    assert moved.status_code == 200, moved.text
    try:
        assert app.get(token["rest_instance_url"] + ROWSET).status_code == 401
    finally:
        assert app.post(live.url_for("/_emulator/clock"), json={"unfreeze": True}).status_code \
            == 200


def test_the_same_flow_through_the_mock_with_the_production_urls(fixtures):
    with mock_marketing_cloud(fixtures=[str(fixtures)]) as mc:
        app = session()
        token = app.fetch_token(f"{AUTH}/v2/token", client_id=CLIENT_ID, client_secret=SECRET)
        assert token["rest_instance_url"] == AUTH.replace(".auth.", ".rest.") + "/"
        page = app.get(token["rest_instance_url"] + ROWSET)
        assert page.json()["count"] == 1
        assert [entry.path for entry in mc.journal()] == [f"/{ROWSET}", "/v2/token"]
