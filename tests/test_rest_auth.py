"""The REST API's front door: packages, tokens, bearer checks, reserved paths (Flask client)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask, jsonify

from emulator.app import create_app
from emulator.errors import ConfigError
from emulator.fixtures.problems import FixtureProblems
from emulator.runtime import get_emulator
from emulator.web.rest.auth import require_token

CLIENT = {"client_id": "mcemu-demo-client-id", "client_secret": "mcemu-demo-client-secret"}
GRANT = {"grant_type": "client_credentials", **CLIENT}
NOT_AUTHORIZED = {"documentation": "https://developer.salesforce.com/docs/atlas.en-us.mc-apis."
                  "meta/mc-apis/error-handling.htm", "errorcode": 0, "message": "Not Authorized"}


@pytest.fixture
def rest_app() -> Any:
    application = create_app({"TESTING": True})

    @application.get("/_test/needs-read")
    def needs_read() -> Any:
        grant = require_token("data_extensions_read")
        return jsonify({"client": grant.client_id, "mid": grant.mid})

    yield application
    get_emulator(application).close()


def token(client: Any, **fields: Any) -> dict[str, Any]:
    answer = client.post("/v2/token", json={**GRANT, **fields})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


# --- v2/token --------------------------------------------------------------------------------

def test_a_token_answers_the_captured_keys_in_order(rest_app: Flask) -> None:
    answer = rest_app.test_client().post("/v2/token", json=GRANT)
    assert answer.status_code == 200
    body = json.loads(answer.get_data(as_text=True))
    assert list(body) == ["access_token", "token_type", "expires_in", "scope",
                          "soap_instance_url", "rest_instance_url"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1079
    assert body["scope"].split()[:2] == ["data_extensions_read", "data_extensions_write"]
    assert body["rest_instance_url"] == body["soap_instance_url"] == "http://localhost/"
    assert 0 < len(body["access_token"]) <= 512


def test_the_auth_host_names_the_rest_and_soap_hosts(rest_app: Flask) -> None:
    body = rest_app.test_client().post(
        "/v2/token", json=GRANT,
        base_url="https://mc0123456789abcdefghijklmnop.auth.marketingcloudapis.com").json
    assert body["rest_instance_url"] == ("https://mc0123456789abcdefghijklmnop.rest."
                                         "marketingcloudapis.com/")
    assert body["soap_instance_url"] == ("https://mc0123456789abcdefghijklmnop.soap."
                                         "marketingcloudapis.com/")


@pytest.mark.parametrize("path", ["//v2/token", "/https://mc0123456789abcdefghijklmnop.auth."
                                  "marketingcloudapis.com/v2/token", "/any/prefix/v2/token"])
def test_any_path_ending_in_v2_token_is_the_token_route(rest_app: Flask, path: str) -> None:
    answer = rest_app.test_client().post("/x", json=GRANT, environ_overrides={"PATH_INFO": path})
    assert answer.status_code == 200 and answer.json["expires_in"] == 1079


def test_scope_keeps_what_the_package_has_and_drops_the_rest(rest_app: Flask) -> None:
    client = rest_app.test_client()
    assert token(client, scope="email_read nonsense sms_send data_extensions_read")["scope"] \
        == "data_extensions_read email_read"
    assert token(client, scope="")["scope"] == ""


@pytest.mark.parametrize("account", [100000001, "100000001"])
def test_account_id_is_a_number_or_a_string(rest_app: Flask, account: Any) -> None:
    assert token(rest_app.test_client(), account_id=account)["expires_in"] == 1079


@pytest.mark.parametrize("account", ["abc", -1, 0, 2**31, True, 1.5, [1]])
def test_a_bad_account_id_is_refused_naming_it(rest_app: Flask, account: Any) -> None:
    answer = rest_app.test_client().post("/v2/token", json={**GRANT, "account_id": account})
    assert answer.status_code == 400
    assert answer.json["error"] == "invalid_request"
    assert "account_id is the MID" in answer.json["error_description"]


def test_a_mid_the_package_may_not_act_for_is_refused(rest_app: Flask) -> None:
    answer = rest_app.test_client().post("/v2/token", json={**GRANT, "account_id": 7})
    assert answer.status_code == 400 and answer.json["error"] == "invalid_grant"
    assert "may act for 100000001" in answer.json["error_description"]


@pytest.mark.parametrize("fields", [{"client_secret": "wrong"}, {"client_id": "nobody"},
                                    {"client_id": None}, {"client_secret": None}])
def test_a_bad_client_answers_the_captured_401(rest_app: Flask, fields: dict[str, Any]) -> None:
    body = {k: v for k, v in {**GRANT, **fields}.items() if v is not None}
    answer = rest_app.test_client().post("/v2/token", json=body)
    assert answer.status_code == 401
    assert list(answer.json) == ["error", "error_description", "error_uri"]
    assert answer.json["error"] == "invalid_client"
    assert answer.json["error_description"].startswith("Client authentication failed.")


@pytest.mark.parametrize("grant", ["password", None, 5])
def test_a_bad_grant_answers_unsupported_grant_type(rest_app: Flask, grant: Any) -> None:
    body = {**GRANT, "grant_type": grant}
    answer = rest_app.test_client().post("/v2/token", json=body)
    assert answer.status_code == 400 and answer.json["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(("data", "said"), [("not json", "invalid JSON"), ("[1, 2]", "not a list"),
                                            ('"text"', "not a string"), ("", "invalid JSON"),
                                            (b"\xff\xfe", "not UTF-8")])
def test_a_body_that_is_no_json_object_is_refused(rest_app: Flask, data: Any, said: str) -> None:
    answer = rest_app.test_client().post("/v2/token", data=data,
                                         content_type="application/json")
    assert answer.status_code == 400 and answer.json["error"] == "invalid_request"
    assert said in answer.json["error_description"]


def test_a_field_of_the_wrong_type_is_refused(rest_app: Flask) -> None:
    answer = rest_app.test_client().post("/v2/token", json={**GRANT, "scope": ["email_read"]})
    assert answer.status_code == 400 and "scope is a string" in answer.json["error_description"]


def test_a_too_large_body_is_refused_before_it_is_read(rest_app: Flask) -> None:
    answer = rest_app.test_client().post("/v2/token", json={**GRANT, "pad": "x" * 70_000})
    assert answer.status_code == 413 and answer.json["error"] == "invalid_request"
    assert "at most 65536" in answer.json["error_description"]


def test_a_form_body_and_http_basic_credentials_are_accepted(rest_app: Flask) -> None:
    client = rest_app.test_client()
    assert client.post("/v2/token", data=GRANT).json["expires_in"] == 1079
    basic = base64.b64encode(b"mcemu-demo-client-id:mcemu-demo-client-secret").decode()
    answer = client.post("/v2/token", data={"grant_type": "client_credentials"},
                         headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 200
    wrong = base64.b64encode(b"mcemu-demo-client-id:nope").decode()
    assert client.post("/v2/token", data={"grant_type": "client_credentials"},
                       headers={"Authorization": f"Basic {wrong}"}).status_code == 401


def test_the_legacy_route_answers_as_captured(rest_app: Flask) -> None:
    client = rest_app.test_client()
    answer = client.post("/v1/requestToken", json={"clientId": CLIENT["client_id"],
                                                   "clientSecret": CLIENT["client_secret"]})
    assert answer.status_code == 200 and list(answer.json) == ["accessToken", "expiresIn"]
    assert answer.json["expiresIn"] == 3600
    assert client.get("/_test/needs-read", headers={
        "Authorization": f"Bearer {answer.json['accessToken']}"}).status_code == 200
    for bad in ({"clientId": "x", "clientSecret": "y"}, {}, [1]):
        refused = client.post("/v1/requestToken", json=bad)
        assert refused.status_code == 401
        assert refused.json == {"message": "Unauthorized", "errorcode": 1, "documentation": ""}


# --- bearer checks ---------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer unknown",
                                    "token-without-kind"])
def test_a_missing_malformed_or_unknown_token_answers_the_captured_401(
        rest_app: Flask, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    answer = rest_app.test_client().get("/_test/needs-read", headers=headers)
    assert answer.status_code == 401
    assert json.loads(answer.get_data(as_text=True)) == NOT_AUTHORIZED
    assert list(json.loads(answer.get_data(as_text=True))) == ["documentation", "errorcode",
                                                               "message"]


def test_a_token_expires_after_20_minutes_on_the_emulator_clock(rest_app: Flask) -> None:
    client = rest_app.test_client()
    client.post("/_emulator/clock", json={"freeze": "2026-01-01T00:00:00Z"})
    bearer = {"Authorization": f"Bearer {token(client)['access_token']}"}
    client.post("/_emulator/clock", json={"advance": 1199})
    assert client.get("/_test/needs-read", headers=bearer).status_code == 200
    client.post("/_emulator/clock", json={"advance": 1})
    answer = client.get("/_test/needs-read", headers=bearer)
    assert answer.status_code == 401 and answer.json == NOT_AUTHORIZED


def test_a_token_without_the_scope_answers_403_20002(rest_app: Flask) -> None:
    client = rest_app.test_client()
    bearer = {"Authorization": f"Bearer {token(client, scope='email_read')['access_token']}"}
    answer = client.get("/_test/needs-read", headers=bearer)
    assert answer.status_code == 403
    assert answer.json == {"message": "Insufficient Privileges to complete this action.",
                           "errorcode": 20002, "documentation": ""}


def test_the_grant_carries_client_and_mid_and_the_journal_names_the_client(
        rest_app: Flask) -> None:
    client = rest_app.test_client()
    bearer = {"Authorization": f"Bearer {token(client)['access_token']}"}
    assert client.get("/_test/needs-read", headers=bearer).json == {
        "client": "mcemu-demo-client-id", "mid": 100000001}
    entries = client.get("/_emulator/journal").json
    entries = entries.get("entries", entries) if isinstance(entries, dict) else entries
    assert entries[0]["path"] == "/_test/needs-read"
    assert entries[0]["client_id"] == "mcemu-demo-client-id"
    assert entries[1]["path"] == "/v2/token" and entries[1]["client_id"] == "mcemu-demo-client-id"


def test_tokens_go_with_a_reset_and_with_a_rollback(rest_app: Flask) -> None:
    client = rest_app.test_client()
    emulator = get_emulator(rest_app)
    emulator.checkpoint()
    bearer = {"Authorization": f"Bearer {token(client)['access_token']}"}
    emulator.rollback()
    assert client.get("/_test/needs-read", headers=bearer).status_code == 401
    bearer = {"Authorization": f"Bearer {token(client)['access_token']}"}
    assert client.post("/_emulator/reset", json={"to": "fixtures"}).status_code == 200
    assert client.get("/_test/needs-read", headers=bearer).status_code == 401


# --- reserved paths --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/data/v1/nothing", "/hub/v1/x/y", "/messaging/v9/z"])
def test_an_unknown_rest_path_answers_404_30003(rest_app: Flask, path: str) -> None:
    answer = rest_app.test_client().get(path)
    assert answer.status_code == 404 and answer.json["errorcode"] == 30003
    assert list(answer.json) == ["message", "errorcode", "documentation"]


@pytest.mark.parametrize(("method", "path", "route"), [
    ("GET", "/data/v1/customobjects/category/12345", "customobjects/category/{categoryId}"),
    ("POST", "/data/v1/customobjectsasync/8f2c/fields", "customobjectsasync/{id}/fields"),
    ("POST", "/hub/v1/dataeventsasync/key:Orders/rowset/delete", "dataeventsasync"),
    ("GET", "/messaging/v1/email/definitions", "email/definitions"),
])
def test_a_known_platform_route_not_built_answers_not_emulated(
        rest_app: Flask, method: str, path: str, route: str) -> None:
    answer = rest_app.test_client().open(path, method=method)
    assert answer.status_code == 501 and answer.json["errorcode"] == 0
    assert list(answer.json) == ["message", "errorcode", "documentation"]
    assert route in answer.json["message"] and "does not emulate" in answer.json["message"]


def test_service_asmx_answers_a_soap_fault(rest_app: Flask) -> None:
    answer = rest_app.test_client().post("/Service.asmx", data="<x/>")
    assert answer.status_code == 500 and answer.mimetype == "text/xml"
    assert b"<soap:Fault>" in answer.data and b"not emulated yet" in answer.data


@pytest.mark.parametrize("path", ["/data/page", "/hub/x", "/messaging/x", "/v1/requestToken",
                                  "/Service.asmx", "/my/v2/token"])
def test_a_mount_under_a_reserved_path_is_refused_at_start(path: str) -> None:
    with pytest.raises(ConfigError, match="under the platform's REST paths") as refused:
        create_app({"mount": [f"{path}=api"]})
    assert refused.value.exit_code == 2


# --- packages --------------------------------------------------------------------------------

def test_the_admin_api_lists_packages_with_secrets_masked(rest_app: Flask) -> None:
    client = rest_app.test_client()
    token(client)
    answer = client.get("/_emulator/packages").json
    assert answer["tokens"] == 1
    (demo,) = answer["packages"]
    assert demo["clientId"] == "mcemu-demo-client-id" and demo["clientSecret"] == "****cret"
    assert demo["mids"] == [100000001] and demo["defaultMid"] == 100000001
    assert "mcemu-demo-client-secret" not in json.dumps(answer)


def write_packages(tmp_path: Path, packages: Any) -> Path:
    (tmp_path / "data_extensions").mkdir(exist_ok=True)
    (tmp_path / "packages.json").write_text(json.dumps(packages), encoding="utf-8")
    return tmp_path


def test_a_fixtures_package_gets_tokens_for_its_mids(tmp_path: Path) -> None:
    folder = write_packages(tmp_path, [{"client_id": "a", "client_secret": "b",
                                        "scopes": ["email_read"]}])
    app = create_app({"TESTING": True, "fixtures": [str(folder)]})
    try:
        client = app.test_client()
        answer = client.post("/v2/token", json={"grant_type": "client_credentials",
                                                "client_id": "a", "client_secret": "b"})
        assert answer.json["scope"] == "email_read"
        assert len(client.get("/_emulator/packages").json["packages"]) == 2
    finally:
        get_emulator(app).close()


@pytest.mark.parametrize(("packages", "said"), [
    ({"client_id": "a"}, "holds a JSON list of package objects"),
    ([[]], "a package is a JSON object"),
    ([{"client_secret": "b"}], "client_id is missing or empty"),
    ([{"client_id": "a", "client_secret": ""}], "client_secret is missing or empty"),
    ([{"client_id": "a", "client_secret": 5}], "client_secret is text"),
    ([{"client_id": " a", "client_secret": "b"}], "spaces at its start or end"),
    ([{"client_id": "a", "client_secret": "b", "colour": 1}], "a package has no 'colour'"),
    ([{"client_id": "a", "client_secret": "b", "scopes": "email_read"}], "scopes is a JSON list"),
    ([{"client_id": "a", "client_secret": "b", "scopes": ["mail"]}], "'mail', which is not a"),
    ([{"client_id": "a", "client_secret": "b", "scopes": ["sms_read", "sms_read"]}], "twice"),
    ([{"client_id": "a", "client_secret": "b", "mids": []}], "mids is empty"),
    ([{"client_id": "a", "client_secret": "b", "mids": [0]}], "each of mids is a whole number"),
    ([{"client_id": "a", "client_secret": "b", "mids": [5]}], "5, which is no business unit"),
    ([{"client_id": "a", "client_secret": "b", "mids": [100000001], "default_mid": 7}],
     "default_mid 7 is not one of mids"),
    ([{"client_id": "mcemu-demo-client-id", "client_secret": "b"}], "is used twice"),
])
def test_a_bad_packages_file_is_refused_saying_what_is_wrong(tmp_path: Path, packages: Any,
                                                             said: str) -> None:
    folder = write_packages(tmp_path, packages)
    with pytest.raises(FixtureProblems) as refused:
        create_app({"fixtures": [str(folder)]})
    assert said in str(refused.value) or any(said in p.message for p in refused.value.problems)


# --- the REST OpenAPI document ---------------------------------------------------------------

def test_the_rest_document_is_valid_and_covers_every_rest_route(rest_app: Flask) -> None:
    document = rest_app.test_client().get("/_emulator/rest-openapi.json").json
    assert document["openapi"] == "3.1.0"
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document))
    assert refs and set(refs) <= set(document["components"]["schemas"])
    served = set()
    for rule in rest_app.url_map.iter_rules():
        if rule.endpoint.startswith("rest.") and "rest_path" not in rule.arguments \
                and rule.rule != "/Service.asmx" and "prefix" not in rule.arguments:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert ("/v2/token", "post") in documented and ("/v1/requestToken", "post") in documented
    assert served == documented


def test_the_tokens_kept_are_bounded_the_oldest_forgotten_first(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timezone

    from emulator.rest import tokens as token_module

    monkeypatch.setattr(token_module, "MAX_TOKENS", 3)
    kept = token_module.TokenStore()
    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    issued = [kept.issue("app", 1, ["data_extensions_read"], now)[0] for _ in range(5)]
    assert len(kept) == 3
    assert [kept.find(token) is not None for token in issued] == [False, False, True, True, True]
