"""Every branch of the seed's token page, through the Flask test client, on both stores."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from conftest import DEMO, b64url_decode, token_body, write_de

from emulator import assumptions
from emulator.runtime import get_emulator

JSON_TYPE = "application/json; charset=utf-8"
HEADER_SEGMENT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}
UNKNOWN_BROWSER_TEXT = ('{"Platform":"Unknown","Browser":"Unknown","Version":"0.0",'
                        '"MajorVersion":"0","MinorVersion":".0"}')


def expected_token(key: str, payload: bytes) -> str:
    """Compute an HS256 JWT by hand, independently of the emulator's signer."""
    signing_input = HEADER_SEGMENT + "." + base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    mac = hmac.new(key.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def rows(app, key):
    return get_emulator(app).store.rows(key)


def test_success_answers_a_token_signed_with_the_apps_secret(app, client):
    body = token_body()
    response = client.post("/token", data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_TYPE
    token = json.loads(response.data)["access_token"]
    assert response.data == (b'{"access_token":"' + token.encode() + b'","token_type":"Bearer"}')
    assert token == expected_token(DEMO["signing_secret"], body)
    # The payload segment is the exact request body, and PyJWT verifies the signature.
    assert b64url_decode(token.split(".")[1]) == body
    claims = jwt.decode(token, DEMO["signing_secret"], algorithms=["HS256"])
    assert claims["client_secret"] == DEMO["client_secret"]
    assert rows(app, "CustomAppException") == []


def test_every_request_logs_http_properties_first(app, client):
    client.post("/token?x=1&y=2", data=token_body(), content_type="application/json",
                headers={"User-Agent": "curl/8.5.0", "Referer": "https://app.example/login"})
    assert rows(app, "HTTPProperties") == [{
        "Browser": UNKNOWN_BROWSER_TEXT, "ClientIP": "127.0.0.1", "HasSSL": "False",
        "IsSSL": "False", "Method": "POST", "QueryString": "?x=1&y=2",
        "ReferrerURL": "https://app.example/login", "RequestURL": "http://localhost/token?x=1&y=2",
        "UserAgent": "curl/8.5.0"}]


def test_get_answers_200_with_a_403_body_and_still_logs(app, client):
    client.environ_base.pop("HTTP_USER_AGENT")  # the test client sends one by default
    response = client.get("/token")
    assert response.status_code == 200
    assert response.data == b'{"message":"403 Forbidden"}'
    logged = rows(app, "HTTPProperties")
    assert [row["Method"] for row in logged] == ["GET"]
    assert logged[0]["UserAgent"] == ""  # no User-Agent header: null, stored empty
    assert rows(app, "CustomAppException") == []


@pytest.mark.parametrize("body", [
    b'{"operation":"Refresh"}',
    b'{"operation":"requesttoken","client_id":"demo-client"}',  # case matters in a switch
    b'{"Operation":"RequestToken"}',
    b"42", b'"RequestToken"', b"null", b"true", b"[1,2]", b"[]", b"{}",
])
def test_anything_but_request_token_is_an_invalid_operation(app, client, body):
    response = client.post("/token", data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.data == b'{"Error":"Invalid operation specified."}'
    assert len(rows(app, "HTTPProperties")) == 1
    assert rows(app, "CustomAppException") == []


@pytest.mark.parametrize("body", [
    token_body(grant_type=None),
    token_body(client_id=None),
    token_body(client_secret=None),
    token_body(client_id=""),
    token_body(client_secret="wrong"),
    token_body(client_id="nobody"),
])
def test_missing_or_wrong_credentials_still_get_a_token_signed_with_an_objects_clr_text(
        app, client, body):
    response = client.post("/token", data=body, content_type="application/json")
    assert response.status_code == 200
    token = json.loads(response.data)["access_token"]
    assert token == expected_token(assumptions.CLR_OBJECT_TEXT, body)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, DEMO["signing_secret"], algorithms=["HS256"])
    assert rows(app, "CustomAppException") == []


def test_text_comparison_of_credentials_is_case_insensitive(client):
    body = token_body(client_id="DEMO-CLIENT", client_secret="Demo-Secret")
    token = json.loads(client.post("/token", data=body).data)["access_token"]
    assert token == expected_token(DEMO["signing_secret"], body)


@pytest.mark.parametrize("body", [b"", b"   ", b"{not json", b"{\"operation\": ",
                                  b"\xef\xbb\xbf{}", b"[" * 50_000 + b"]" * 50_000])
def test_empty_or_malformed_body_logs_an_exception_and_answers_its_message(app, client, body):
    response = client.post("/token", data=body, content_type="application/json")
    assert response.status_code == 200
    message = "cannot read property 'operation' of null"
    assert response.data == b'{"Error":"' + message.encode() + b'"}'
    assert rows(app, "CustomAppException") == [{
        "Message": message, "Description": message,
        "InnerException": f"TypeError: {message}", "FunctionName": "Main Block"}]
    assert len(rows(app, "HTTPProperties")) == 1


def test_utf8_body_is_read_as_windows_1252_and_signed_that_way(client):
    body = token_body(name="Zoë ✓")
    token = json.loads(client.post("/token", data=body).data)["access_token"]
    payload = b64url_decode(token.split(".")[1])
    # GetPostData decodes Windows-1252 (OFF); GetJWT signs the UTF-8 of that text (RT).
    assert payload != body
    assert payload.decode("utf-8").encode("cp1252") == body
    assert token == expected_token(DEMO["signing_secret"], payload)


def test_non_utf8_and_undefined_windows_1252_bytes_do_not_break_the_page(app, client):
    body = b'{"operation":"RequestToken","grant_type":"g","client_id":"d\x81\x8d\x8f\x90\x9d",' \
           b'"client_secret":"\xe9\xff"}'
    response = client.post("/token", data=body)
    token = json.loads(response.data)["access_token"]
    payload = b64url_decode(token.split(".")[1]).decode("utf-8")
    assert "d\u0081\u008d\u008f\u0090\u009d" in payload and "\u00e9\u00ff" in payload
    assert token == expected_token(assumptions.CLR_OBJECT_TEXT, payload.encode("utf-8"))


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "PURGE"])
def test_every_method_but_options_reaches_the_page(app, client, method):
    response = client.open("/token", method=method, data=token_body())
    assert response.status_code == 200
    assert b"access_token" in response.data
    assert rows(app, "HTTPProperties")[0]["Method"] == method


def test_head_runs_the_page_and_sends_no_body(app, client):
    response = client.head("/token")
    assert response.status_code == 200
    assert response.data == b""
    assert rows(app, "HTTPProperties")[0]["Method"] == "HEAD"
    # HEAD is not GET: the page goes on to json.operation on an empty body, and logs it.
    assert rows(app, "CustomAppException")[0]["FunctionName"] == "Main Block"


def test_options_is_answered_by_the_emulator_without_cors_by_default(app, client):
    response = client.options("/token", headers={"Origin": "https://app.example"})
    assert response.status_code == 204
    assert "POST" in response.headers["Allow"]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert rows(app, "HTTPProperties") == []


def test_cors_headers_when_an_origin_is_configured(make_app):
    client = make_app({"cors": "https://app.example"}).test_client()
    preflight = client.options("/token", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    answer = client.post("/token", data=token_body(), headers={"Origin": "https://app.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example"
    other = client.post("/token", data=token_body(), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_https_request_logs_ssl_true(app, client):
    client.post("/token", data=token_body(), base_url="https://cloud.example.com")
    logged = rows(app, "HTTPProperties")[0]
    assert (logged["HasSSL"], logged["IsSSL"]) == ("True", "True")
    assert logged["RequestURL"] == "https://cloud.example.com/token"


def test_a_user_agent_longer_than_its_field_is_a_caught_platform_error(app, client):
    response = client.post("/token", data=token_body(), headers={"User-Agent": "x" * 4001})
    error = json.loads(response.data)["Error"]
    assert "UserAgent" in error and "4000" in error
    assert rows(app, "HTTPProperties") == []
    logged = rows(app, "CustomAppException")
    assert [(r["FunctionName"], r["Message"], r["InnerException"]) for r in logged] == [
        ("Main Block", error, "")]  # a platform error has no jintException


def test_an_object_as_client_id_fails_in_the_filter_and_is_logged_twice(app, client):
    response = client.post("/token", data=token_body(client_id={"$ne": ""}))
    error = json.loads(response.data)["Error"]
    assert error.startswith("Invalid filter for Data Extension AppCredentials")
    assert [r["FunctionName"] for r in rows(app, "CustomAppException")] == [
        "GetAccessToken", "Main Block"]


def test_an_empty_signing_secret_fails_in_getjwt_and_is_logged_twice(make_app, tmp_path):
    write_de(tmp_path, "AppCredentials", [
        {"name": "client_id", "type": "Text", "length": 100, "primaryKey": True},
        {"name": "client_secret", "type": "Text", "length": 100},
        {"name": "signing_secret", "type": "Text", "length": 256}],
        [{"client_id": "blank", "client_secret": "s", "signing_secret": ""}])
    app = make_app({"fixtures": [str(tmp_path)]})
    body = token_body(client_id="blank", client_secret="s")
    response = app.test_client().post("/token", data=body)
    assert response.status_code == 200
    error = json.loads(response.data)["Error"]
    assert "GetJWT" in error
    logged = rows(app, "CustomAppException")
    assert [r["FunctionName"] for r in logged] == ["GetJWT", "Main Block"]
    assert logged[0]["Message"] == error


def test_without_the_log_data_extensions_the_exception_escapes_as_http_500(make_app, tmp_path):
    write_de(tmp_path, "Other", [{"name": "x", "type": "Text"}])
    app = make_app({"fixtures": [str(tmp_path)], "no_default_fixtures": True})
    response = app.test_client().post("/token", data=token_body())
    assert response.status_code == 500
    assert response.data == assumptions.UNCAUGHT_EXCEPTION_BODY.encode()
    # Rows.Add on HTTPProperties throws; the catch block's Rows.Add throws again and escapes.
    entry = get_emulator(app).journal.entries()[0]
    assert entry.error == ("uncaught Error: A Data Extension with key CustomAppException does "
                           "not exist.")


def test_a_mounted_path_serves_the_same_page(make_app):
    app = make_app({"mount": ["/jwt-issuer=token"]})
    client = app.test_client()
    first = client.post("/jwt-issuer", data=token_body())
    second = client.post("/token", data=token_body())
    assert first.data == second.data
    assert [r["RequestURL"] for r in rows(app, "HTTPProperties")] == [
        "http://localhost/jwt-issuer", "http://localhost/token"]


def test_an_unmounted_path_is_a_404_listing_the_pages(client):
    response = client.post("/jwt-issuer", data=token_body())
    assert response.status_code == 404
    answer = json.loads(response.data)
    assert answer["emulator_error"] == "no_page"
    assert answer["mounts"] == {"/token": "token", "/api": "api",
                                 "/token/hardened": "hardened"}
    assert "--mount" in answer["message"]


def test_an_oversized_body_is_refused_before_the_page_runs(make_app):
    app = make_app({"max_body": 1000})
    before = get_emulator(app).store.dump()
    response = app.test_client().post("/token", data=b"{" + b" " * 2000 + b"}")
    assert response.status_code == 413
    answer = json.loads(response.data)
    assert answer["emulator_error"] == "body_too_large" and answer["limit"] == 1000
    assert "MCEMU_MAX_BODY" in answer["message"]
    assert get_emulator(app).store.dump() == before


def test_the_default_body_limit_is_five_mebibytes(client, app):
    response = client.post("/token", data=b" " * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert rows(app, "HTTPProperties") == []
    just_under = client.post("/token", data=b" " * (5 * 1024 * 1024))
    assert just_under.status_code == 200


def test_a_form_post_is_read_raw_and_is_not_json(app, client):
    response = client.post("/token", data={"operation": "RequestToken"})
    assert response.data == b'{"Error":"cannot read property \'operation\' of null"}'


def test_a_multipart_body_with_thousands_of_parts_reaches_the_page(app, client):
    parts = b"".join(b'--xx\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i
                     for i in range(3000)) + b"--xx--\r\n"
    response = client.post("/token", data=parts,
                           content_type="multipart/form-data; boundary=xx")
    assert response.status_code == 200
    assert response.data == b'{"Error":"cannot read property \'operation\' of null"}'
