"""Faults on REST routes through the one registry: throttling, blocks, 5xx, delays, drops."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import bearer as rest_bearer
from conftest import module_app
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.errors import FixtureError
from emulator.faults import FaultRefused, FaultRegistry
from emulator.runtime import get_emulator
from emulator.testing import mock_marketing_cloud

DOCS = "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm"
JSON = "application/json; charset=utf-8"
PACKAGES = [
    {"name": "App", "client_id": "app", "client_secret": "s",
     "scopes": ["data_extensions_read", "data_extensions_write"]},
    {"name": "Other", "client_id": "other", "client_secret": "s",
     "scopes": ["data_extensions_read"]},
]
ROWS = "/data/v1/customobjectdata/key/Orders/rowset"
HUB = "/hub/v1/dataevents/key:Orders/rowset"


def write_fixtures(root: Path, faults: list[dict[str, Any]] | None = None) -> Path:
    (root / "data_extensions").mkdir(parents=True)
    (root / "data_extensions" / "Orders.json").write_text(json.dumps({
        "key": "Orders", "fields": [{"name": "Id", "primaryKey": True}, {"name": "Total"}],
        "rows": [{"Id": "1", "Total": "9.50"}]}), "utf-8")
    (root / "packages.json").write_text(json.dumps(PACKAGES), "utf-8")
    if faults is not None:
        (root / "faults.json").write_text(json.dumps(faults), "utf-8")
    return root


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from module_app(write_fixtures(tmp_path_factory.mktemp("rest-faults")))


@pytest.fixture
def faults(rest_app: Flask) -> FaultRegistry:
    return get_emulator(rest_app).faults


def bearer(api: FlaskClient, client_id: str = "app") -> dict[str, str]:
    return rest_bearer(api, client_id)


def compact(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


# --- what a fault answers on a REST route ---

def test_a_429_answers_the_captured_rate_limit_with_retry_after(api: FlaskClient,
                                                                faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add(ROWS, status=429, retry_after=1, times=1)
    answer = api.get(ROWS, headers=headers)
    assert (answer.status_code, answer.content_type) == (429, JSON)
    assert answer.headers["Retry-After"] == "1"
    assert answer.data == compact({"message": "Rate limit exceeded", "errorcode": 50100,
                                   "retryAfter": 1, "documentation": DOCS})
    assert api.get(ROWS, headers=headers).status_code == 200  # times=1: retired


def test_a_429_without_retry_after_says_the_captured_5_seconds(api: FlaskClient,
                                                               faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add(ROWS, status=429)
    answer = api.get(ROWS, headers=headers)
    assert answer.headers["Retry-After"] == "5" and answer.get_json()["retryAfter"] == 5


def test_errorcode_50200_is_the_block_without_retry_after(api: FlaskClient,
                                                          faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add(HUB, status=429, errorcode=50200)
    answer = api.post(HUB, headers=headers, json=[{"keys": {"Id": "2"}, "values": {}}])
    assert answer.status_code == 429 and "Retry-After" not in answer.headers
    assert answer.data == compact({"message": "Your requests are temporarily blocked.",
                                   "errorcode": 50200, "documentation": DOCS})
    assert get_emulator(api.application).store.count("Orders") == 1  # nothing written


def test_503_carries_retry_after_and_500_the_rest_error_shape(api: FlaskClient,
                                                              faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add(ROWS, status=503, retry_after=0, times=1)
    faults.add(ROWS, status=500, times=1)
    unavailable = api.get(ROWS, headers=headers)
    assert (unavailable.status_code, unavailable.headers["Retry-After"]) == (503, "0")
    assert unavailable.data == compact({"message": "Service Unavailable", "errorcode": 50300,
                                        "documentation": DOCS})
    failed = api.get(ROWS, headers=headers)
    assert failed.status_code == 500 and "Retry-After" not in failed.headers
    assert failed.data == compact({"message": "Internal Server Error", "errorcode": 0,
                                   "documentation": ""})


def test_a_text_body_is_the_message_and_a_json_body_goes_as_given(api: FlaskClient,
                                                                  faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add(ROWS, status=400, errorcode=10005, body="Try later.", times=1)
    faults.add(ROWS, status=502, body={"custom": [1, 2]}, times=1)
    assert api.get(ROWS, headers=headers).data == compact(
        {"message": "Try later.", "errorcode": 10005, "documentation": ""})
    given = api.get(ROWS, headers=headers)
    assert (given.status_code, given.content_type, given.data) == (502, JSON,
                                                                    b'{"custom":[1,2]}')


def test_a_route_form_covers_every_key_and_a_literal_path_only_its_own(
        api: FlaskClient, faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add("/data/v1/customobjectdata/key/{key}/rowset", status=429, retry_after=0,
               every=2)
    other = "/data/v1/customobjectdata/key/Missing/rowset"
    assert [api.get(path, headers=headers).status_code
            for path in (ROWS, other, ROWS, other)] == [200, 429, 200, 429]
    faults.clear()
    faults.add(other, status=503)
    assert api.get(ROWS, headers=headers).status_code == 200
    assert api.get(other, headers=headers).status_code == 503


def test_a_path_fault_answers_before_the_bearer_check(api: FlaskClient,
                                                      faults: FaultRegistry) -> None:
    faults.add(ROWS, status=429, retry_after=0)
    assert api.get(ROWS).status_code == 429  # no token at all


def test_a_fault_on_v2_token_covers_every_path_ending_in_it(api: FlaskClient,
                                                            faults: FaultRegistry) -> None:
    faults.add("/v2/token", status=503, retry_after=0, times=3)
    for path in ("/v2/token", "/auth//v2/token",
                 "/https://mc00000000000000000000000000.auth.marketingcloudapis.com/v2/token"):
        answer = api.post(path, json={"grant_type": "client_credentials"})
        assert answer.status_code == 503, path
        assert answer.get_json()["errorcode"] == 50300
    assert api.post("/v2/token", json={"grant_type": "client_credentials", "client_id": "app",
                                       "client_secret": "s"}).status_code == 200


# --- per package ---

def test_a_package_fault_answers_only_that_packages_calls(api: FlaskClient,
                                                          faults: FaultRegistry) -> None:
    mine, theirs = bearer(api), bearer(api, "other")
    fault = faults.add(ROWS, package="app", status=429, retry_after=0)
    assert api.get(ROWS, headers=mine).status_code == 429
    assert api.get(ROWS, headers=theirs).status_code == 200
    assert api.get(ROWS).status_code == 401  # no token: no package, no fault
    assert (fault.seen, fault.fired) == (1, 1)


def test_a_package_fault_answers_before_the_scope_check(api: FlaskClient,
                                                        faults: FaultRegistry) -> None:
    theirs = bearer(api, "other")  # read only
    body = [{"keys": {"Id": "2"}, "values": {}}]
    assert api.post(HUB, headers=theirs, json=body).status_code == 403
    faults.add(package="other", status=429, errorcode=50200)
    assert api.post(HUB, headers=theirs, json=body).status_code == 429


def test_a_package_fault_with_a_path_covers_that_route_only(api: FlaskClient,
                                                            faults: FaultRegistry) -> None:
    mine = bearer(api)
    faults.add(HUB, package="app", status=500)
    assert api.get(ROWS, headers=mine).status_code == 200
    assert api.post(HUB, headers=mine, json=[]).status_code == 500


def test_a_package_fault_covers_its_token_requests(api: FlaskClient,
                                                   faults: FaultRegistry) -> None:
    faults.add("/v2/token", package="other", status=429, retry_after=0)
    assert api.post("/v2/token", json={"grant_type": "client_credentials", "client_id": "other",
                                       "client_secret": "s"}).status_code == 429
    bearer(api)  # another package's token request is served
    legacy = api.post("/v1/requestToken", json={"clientId": "app", "clientSecret": "s"})
    assert legacy.status_code == 200


def test_a_package_fault_covers_legacy_token_requests(api: FlaskClient,
                                                      faults: FaultRegistry) -> None:
    faults.add(package="app", status=503, retry_after=0)
    legacy = api.post("/v1/requestToken", json={"clientId": "app", "clientSecret": "s"})
    assert legacy.status_code == 503 and legacy.get_json()["errorcode"] == 50300


# --- delays, drops, the journal ---

def test_a_delay_alone_lets_the_route_answer_late_and_is_journaled(
        api: FlaskClient, faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add(ROWS, delay=0.2, times=1)
    assert api.get(ROWS, headers=headers).status_code == 200
    entry = get_emulator(api.application).journal.entries()[0]
    assert entry.path == ROWS and entry.duration_ms >= 200
    assert entry.fault == {"id": 1, "did": "delayed the page 0.2 s"}


def test_every_rest_fault_is_journaled_with_its_client(api: FlaskClient,
                                                       faults: FaultRegistry) -> None:
    headers = bearer(api)
    faults.add(package="app", status=429, retry_after=0, times=1)
    api.get(ROWS, headers=headers)
    entry = get_emulator(api.application).journal.entries()[0]
    assert (entry.status, entry.fault) == (429, {"id": 1, "did": "answered 429 with "
                                                              "Retry-After 0"})
    assert entry.to_json()["client_id"] == "app"


def test_a_drop_on_a_rest_route_raises_connection_error_through_the_mock(
        tmp_path: Path) -> None:
    auth = "https://mc0123456789abcdefghijklmnop.auth.marketingcloudapis.com"
    with mock_marketing_cloud(fixtures=[str(write_fixtures(tmp_path))]) as mc:
        issued = requests.post(f"{auth}/v2/token", json={
            "grant_type": "client_credentials", "client_id": "app", "client_secret": "s"}).json()
        mc.faults.add(package="app", drop=True, times=1)
        url = issued["rest_instance_url"] + ROWS.lstrip("/")
        headers = {"Authorization": f"Bearer {issued['access_token']}"}
        with pytest.raises(requests.ConnectionError):
            requests.get(url, headers=headers)
        assert requests.get(url, headers=headers).status_code == 200


# --- three ways in: faults.json, the admin API, mc.faults ---

def test_faults_json_faults_rest_routes_and_packages(tmp_path: Path) -> None:
    root = write_fixtures(tmp_path, [
        {"path": "/hub/v1/dataevents/key:{key}/rowset", "status": 429, "retry_after": 0},
        {"package": "other", "status": 503, "retry_after": 1}])
    app = create_app({"TESTING": True, "fixtures": (str(root),), "no_default_fixtures": True})
    try:
        api = app.test_client()
        assert api.post(HUB, headers=bearer(api), json=[]).status_code == 429
        answer = api.post("/v2/token", json={"grant_type": "client_credentials",
                                             "client_id": "other", "client_secret": "s"})
        assert (answer.status_code, answer.headers["Retry-After"]) == (503, "1")
    finally:
        get_emulator(app).close()


def test_faults_json_refuses_an_unknown_package_naming_the_file(tmp_path: Path) -> None:
    root = write_fixtures(tmp_path, [{"package": "nobody", "status": 429}])
    with pytest.raises(FixtureError) as refused:
        create_app({"TESTING": True, "fixtures": (str(root),), "no_default_fixtures": True})
    assert "faults.json" in str(refused.value)
    assert "package='nobody': no installed package has this client id" in str(refused.value)
    assert "the client ids are: app, other" in str(refused.value)


def test_the_admin_api_adds_a_package_fault(api: FlaskClient) -> None:
    headers = bearer(api)
    added = api.post("/_emulator/faults", json={"package": "app", "status": 429,
                                                 "retry_after": 0, "times": 1})
    assert added.status_code == 201
    assert (added.get_json()["path"], added.get_json()["package"]) == (None, "app")
    answer = api.get(ROWS, headers=headers)
    assert answer.status_code == 429 and answer.get_json()["errorcode"] == 50100
    listed = api.get("/_emulator/faults").get_json()["faults"]
    assert [(f["seen"], f["fired"], f["active"]) for f in listed] == [(1, 1, False)]


@pytest.mark.parametrize(("body", "message"), [
    ({"package": "nobody", "status": 429}, "no installed package has this client id"),
    ({"package": ["app"], "status": 429}, "expected the client id of an installed package"),
    ({"package": "app"}, "this fault does nothing"),
    ({"path": "/Service.asmx", "status": 500}, "the SOAP API"),
    ({"path": "/data/v1/customobjectdata/key/{key/rowset", "status": 429},
     "variable part is written {name}"),
    ({"status": 429}, "or package= (an installed package's client id)"),
])
def test_the_admin_api_refuses_a_bad_rest_fault(api: FlaskClient, body: dict[str, Any],
                                                message: str) -> None:
    answer = api.post("/_emulator/faults", json=body)
    assert answer.status_code == 400 and message in answer.get_json()["message"]
    assert api.get("/_emulator/faults").get_json() == {"faults": []}


def test_mc_faults_takes_rest_routes_in_the_mock(tmp_path: Path) -> None:
    rest = "https://mc0123456789abcdefghijklmnop.rest.marketingcloudapis.com"
    auth = rest.replace(".rest.", ".auth.")
    with mock_marketing_cloud(fixtures=[str(write_fixtures(tmp_path))]) as mc:
        mc.faults.add(ROWS, status=429, retry_after=0, times=2)
        token = requests.post(f"{auth}/v2/token", json={
            "grant_type": "client_credentials", "client_id": "app",
            "client_secret": "s"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [requests.get(rest + ROWS, headers=headers).status_code for _ in range(3)]
        assert statuses == [429, 429, 200]
        with pytest.raises(FaultRefused, match="no installed package"):
            mc.faults.add(package="ghost", status=429)
