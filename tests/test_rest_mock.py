"""The ``responses`` mock serves the platform's API hosts: a Python app's REST calls, unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses
from requests.adapters import HTTPAdapter

from emulator.testing import MockOrderError, NotEmulatedError, mock_marketing_cloud

SUB = "mc0123456789abcdefghijklmnop"
AUTH = f"https://{SUB}.auth.marketingcloudapis.com"
REST = f"https://{SUB}.rest.marketingcloudapis.com"
SOAP = f"https://{SUB}.soap.marketingcloudapis.com"
CREDENTIALS = {"grant_type": "client_credentials", "client_id": "mcemu-demo-client-id",
               "client_secret": "mcemu-demo-client-secret"}
REAL_SEND = HTTPAdapter.send


@pytest.fixture(autouse=True)
def _send_is_restored():
    assert HTTPAdapter.send is REAL_SEND
    yield
    assert HTTPAdapter.send is REAL_SEND


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rest-mock")
    (root / "data_extensions").mkdir()
    (root / "data_extensions" / "Orders.json").write_text(json.dumps({
        "key": "Orders", "fields": [{"name": "Id", "primaryKey": True}, {"name": "Total"}],
        "rows": [{"Id": "1", "Total": "9.50"}]}), "utf-8")
    return root


def token() -> dict:
    answer = requests.post(f"{AUTH}/v2/token", json=CREDENTIALS)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_token_names_the_platform_hosts_and_the_rows_come_from_the_emulator(fixtures):
    with mock_marketing_cloud(fixtures=[str(fixtures)]) as mc:
        issued = token()
        assert list(issued) == ["access_token", "token_type", "expires_in", "scope",
                                "soap_instance_url", "rest_instance_url"]
        assert issued["rest_instance_url"] == REST + "/"
        assert issued["soap_instance_url"] == SOAP + "/"
        bearer = {"Authorization": f"Bearer {issued['access_token']}"}
        url = issued["rest_instance_url"] + "data/v1/customobjectdata/key/Orders/rowset"
        page = requests.get(url, headers=bearer)
        assert page.status_code == 200, page.text
        assert page.json()["items"] == [{"keys": {"id": "1"}, "values": {"total": "9.50"}}]
        written = requests.post(f"{REST}/hub/v1/dataevents/key:Orders/rowset", headers=bearer,
                                json=[{"keys": {"Id": "2"}, "values": {"Total": "3"}}])
        assert written.status_code == 200, written.text
        assert [row["Id"] for row in mc.rows("Orders")] == ["1", "2"]
        journaled = [(entry.method, entry.path, entry.status) for entry in mc.journal()]
        assert journaled == [
            ("POST", "/hub/v1/dataevents/key:Orders/rowset", 200),
            ("GET", "/data/v1/customobjectdata/key/Orders/rowset", 200),
            ("POST", "/v2/token", 200)]


def test_rest_refusals_come_from_the_emulator_in_the_rest_shape():
    with mock_marketing_cloud():
        missing = requests.get(f"{REST}/data/v1/customobjectdata/key/Orders/rowset")
        assert missing.status_code == 401
        assert list(missing.json()) == ["documentation", "errorcode", "message"]
        bearer = {"Authorization": f"Bearer {token()['access_token']}"}
        unknown = requests.get(f"{REST}/data/v1/nothing/here", headers=bearer)
        assert (unknown.status_code, unknown.json()["errorcode"]) == (404, 30003)
        bad_client = requests.post(f"{AUTH}/v2/token", json={**CREDENTIALS,
                                                              "client_secret": "wrong"})
        assert (bad_client.status_code, bad_client.json()["error"]) == (401, "invalid_client")
        wrong_method = requests.get(f"{AUTH}/v2/token")
        assert wrong_method.status_code == 405


@pytest.mark.parametrize("path", ["/Service.asmx", "/service.asmx", "/SERVICE.ASMX"])
def test_the_soap_host_answers_that_soap_is_not_emulated(path):
    with mock_marketing_cloud():
        answer = requests.post(f"{SOAP}{path}", data="<soap:Envelope/>",
                               headers={"Content-Type": "text/xml"})
        assert answer.status_code == 500
        assert answer.headers["Content-Type"].startswith("text/xml")
        assert "<soap:Fault>" in answer.text and "not emulated" in answer.text


@pytest.mark.parametrize(("method", "url", "said"), [
    ("GET", f"{AUTH}/v2/userinfo", "on a auth host mock_marketing_cloud serves the token routes"),
    ("GET", f"{AUTH}/data/v1/customobjectdata/key/Orders/rowset", "the token routes"),
    ("POST", f"{REST}/v2/token", "the REST routes listed in GET /_emulator/rest-openapi.json"),
    ("GET", f"{REST}/platform/v1/endpoints", "the REST routes listed"),
    ("POST", f"{SOAP}/v2/token", "/Service.asmx"),
    ("GET", f"{REST}/token", "the REST routes listed"),  # a page path, on an API host
])
def test_a_path_the_host_does_not_serve_is_not_emulated_and_never_sent(method, url, said):
    with mock_marketing_cloud() as mc:
        with pytest.raises(NotEmulatedError) as caught:
            requests.request(method, url)
        assert f"{method} {url} is not emulated" in str(caught.value)
        assert said in str(caught.value)
        assert mc.journal() == []


@pytest.mark.parametrize("host", ["auth.marketingcloudapis.com", "x.y.rest.marketingcloudapis.com",
                                  f"{SUB}.rest.marketingcloudapis.com.exacttarget.com"])
def test_only_subdomain_api_hosts_are_rest_hosts(host):
    with mock_marketing_cloud():
        with pytest.raises(NotEmulatedError, match="mock_marketing_cloud serves no page there"):
            requests.post(f"https://{host}/v2/token", json=CREDENTIALS)


@responses.activate
def test_your_outer_registrations_for_an_api_host_are_not_consulted():
    responses.add(responses.POST, f"{AUTH}/v2/token", json={"access_token": "canned"})
    responses.add(responses.GET, "https://api.example.org/me", json={"id": 7})
    with mock_marketing_cloud():
        assert token()["access_token"] != "canned"  # the emulator answers first
        assert requests.get("https://api.example.org/me").json() == {"id": 7}  # yours


def test_a_responses_mock_started_inside_answers_the_urls_it_registered_first():
    with mock_marketing_cloud(), responses.RequestsMock() as yours:
        yours.add(responses.POST, f"{AUTH}/v2/token", json={"access_token": "canned"})
        assert token()["access_token"] == "canned"


def test_an_api_host_refused_by_a_mock_started_inside_is_explained():
    with pytest.raises(MockOrderError, match="started after it answered first"):
        with mock_marketing_cloud(), responses.RequestsMock(assert_all_requests_are_fired=False):
            token()
