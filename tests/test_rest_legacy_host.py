"""The legacy global token host and ``?legacy=1``: FuelSDK-Python's default token URL, mocked."""

from __future__ import annotations

import pytest
import requests

from emulator.testing import NotEmulatedError, mock_marketing_cloud
from emulator.testing.rest_hosts import api_host_kind

LEGACY = "https://auth.exacttargetapis.com"
REST = "https://mc0123456789abcdefghijklmnop.rest.marketingcloudapis.com"
CREDENTIALS = {"clientId": "mcemu-demo-client-id", "clientSecret": "mcemu-demo-client-secret"}
#: The captured failure of the legacy route.
UNAUTHORIZED = {"message": "Unauthorized", "errorcode": 1, "documentation": ""}


def _rows(token: str) -> requests.Response:
    return requests.get(f"{REST}/data/v1/customobjectdata/key/AppCredentials/rowset",
                        headers={"Authorization": f"Bearer {token}"})


def test_fuelsdk_default_url_answers_an_access_and_a_legacy_token():
    with mock_marketing_cloud() as mc:
        answer = requests.post(f"{LEGACY}/v1/requestToken?legacy=1", json=CREDENTIALS)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert list(body) == ["accessToken", "expiresIn", "legacyToken"]
        assert body["expiresIn"] == 3600
        assert body["legacyToken"] != body["accessToken"]
        assert len(body["legacyToken"]) == len(body["accessToken"]) == 64
        assert _rows(body["accessToken"]).status_code == 200
        assert _rows(body["legacyToken"]).status_code == 200  # the assumed form: a bearer too
        assert mc.journal()[-1].path == "/v1/requestToken"  # newest first


@pytest.mark.parametrize("query", ["", "?legacy=0", "?legacy=yes", "?legacy=", "?legacy=true",
                                   "?Legacy=1"])
def test_only_legacy_1_adds_the_legacy_token(query):
    with mock_marketing_cloud():
        answer = requests.post(f"{LEGACY}/v1/requestToken{query}", json=CREDENTIALS)
        assert answer.status_code == 200, answer.text
        assert list(answer.json()) == ["accessToken", "expiresIn"]


@pytest.mark.parametrize("body", [
    {"clientId": "mcemu-demo-client-id", "clientSecret": "wrong"},
    {"clientId": "nobody", "clientSecret": "mcemu-demo-client-secret"},
    {"clientSecret": "mcemu-demo-client-secret"},
    {},
])
def test_bad_credentials_answer_the_captured_401_with_or_without_legacy(body):
    with mock_marketing_cloud():
        for url in (f"{LEGACY}/v1/requestToken", f"{LEGACY}/v1/requestToken?legacy=1"):
            refused = requests.post(url, json=body)
            assert refused.status_code == 401
            assert refused.json() == UNAUTHORIZED


def test_a_body_that_is_not_json_answers_the_captured_401():
    with mock_marketing_cloud():
        refused = requests.post(f"{LEGACY}/v1/requestToken?legacy=1", data=b"{not json",
                                headers={"Content-Type": "application/json"})
        assert refused.status_code == 401
        assert refused.json() == UNAUTHORIZED


@pytest.mark.parametrize("method, path", [("POST", "/v2/token"), ("GET", "/v1/other"),
                                          ("GET", "/data/v1/customobjectdata/key/X/rowset")])
def test_the_legacy_host_serves_only_request_token(method, path):
    with mock_marketing_cloud() as mc:
        with pytest.raises(NotEmulatedError) as caught:
            requests.request(method, LEGACY + path)
        message = str(caught.value)
        assert f"{method} {LEGACY}{path} is not emulated" in message
        assert "only POST /v1/requestToken" in message
        assert mc.journal() == []


def test_another_method_on_request_token_answers_the_app_405():
    with mock_marketing_cloud():
        assert requests.get(f"{LEGACY}/v1/requestToken").status_code == 405


@pytest.mark.parametrize("host", ["www.exacttargetapis.com", "x.auth.exacttargetapis.com",
                                  "auth.exacttargetapis.com.exacttarget.com"])
def test_only_the_legacy_host_itself_is_served(host):
    assert api_host_kind(host) is None
    with mock_marketing_cloud():
        with pytest.raises(NotEmulatedError, match="mock_marketing_cloud serves no page there"):
            requests.post(f"https://{host}/v1/requestToken", json=CREDENTIALS)


def test_the_host_name_is_matched_in_any_case():
    with mock_marketing_cloud():
        answer = requests.post("https://AUTH.ExactTargetAPIs.com/v1/requestToken?legacy=1",
                               json=CREDENTIALS)
        assert answer.status_code == 200
        assert "legacyToken" in answer.json()
