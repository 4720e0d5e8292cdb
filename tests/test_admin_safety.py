"""Who may use the admin API: loopback only, or the admin token; JSON and same-site changes."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import token_body

from emulator.web.admin.safety import is_loopback_address, is_loopback_host

REMOTE = {"REMOTE_ADDR": "10.1.2.3"}
JSON = "application/json"


@pytest.fixture
def guarded(make_app: Any) -> Any:
    return make_app({"admin_token": "s3cret"}).test_client()


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("fe80::1%eth0", False), ("10.0.0.1", False), ("192.168.1.2", False), ("", False),
    ("localhost", False),
])
def test_loopback_addresses(address: str, loopback: bool) -> None:
    assert is_loopback_address(address) is loopback


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("localhost:8080", True), ("LOCALHOST.", True), ("127.0.0.1:1", True),
    ("127.1.2.3", True), ("[::1]:8080", True), ("[::1]", True),
    ("evil.example", False), ("localhost.evil.example", False), ("127.0.0.1.evil.example", False),
    ("10.0.0.1:8080", False), ("[::2]", False), ("", False), ("[::1", False),
])
def test_loopback_host_names(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_remote_clients_are_refused_without_a_token(client: Any) -> None:
    answer = client.get("/_emulator/state", environ_overrides=REMOTE)
    assert answer.status_code == 403 and answer.json["emulator_error"] == "admin_loopback_only"
    assert "--admin-token" in answer.json["message"]


def test_a_foreign_host_header_is_refused(client: Any) -> None:
    answer = client.get("/_emulator/health", headers={"Host": "attacker.example:8080"})
    assert answer.status_code == 403 and answer.json["emulator_error"] == "admin_host_refused"
    assert client.get("/_emulator/health", headers={"Host": "127.0.0.1:9"}).status_code == 200


def test_the_token_is_required_from_everyone_when_set(guarded: Any) -> None:
    refused = guarded.get("/_emulator/state")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = guarded.get("/_emulator/state", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    bearer = {"Authorization": "Bearer s3cret", "Host": "emulator.internal:8080"}
    assert guarded.get("/_emulator/state", headers=bearer,
                       environ_overrides=REMOTE).status_code == 200


def test_the_token_may_come_in_the_dashboard_cookie(guarded: Any) -> None:
    guarded.set_cookie("mcemu_admin", "s3cret")
    assert guarded.get("/_emulator/state", environ_overrides=REMOTE).status_code == 200
    guarded.set_cookie("mcemu_admin", "wrong")
    assert guarded.get("/_emulator/state").status_code == 401


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/_emulator/reset"), ("post", "/_emulator/seed"),
    ("post", "/_emulator/data-extensions"), ("post", "/_emulator/data-extensions/X/rows"),
    ("delete", "/_emulator/data-extensions/AppCredentials/rows"),
])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          None])
def test_changes_must_be_json(client: Any, method: str, path: str,
                              content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = getattr(client, method)(path, data="{}", headers=headers)
    assert answer.status_code == 415 and "application/json" in answer.json["message"]


def test_a_delete_without_body_needs_no_content_type(client: Any) -> None:
    assert client.delete("/_emulator/journal").status_code == 204
    assert client.delete("/_emulator/data-extensions/CustomAppException").status_code == 204


@pytest.mark.parametrize("origin", ["http://attacker.example", "null",
                                    "http://localhost:9999"])
def test_changes_from_another_site_are_refused(client: Any, guarded: Any, origin: str) -> None:
    for c, headers in ((client, {}), (guarded, {"Authorization": "Bearer s3cret"})):
        answer = c.post("/_emulator/reset", data="{}", content_type=JSON,
                        headers={"Origin": origin, **headers})
        assert answer.status_code == 403 and answer.json["emulator_error"] == "admin_cross_site"


def test_changes_from_the_emulators_own_origin_pass(client: Any) -> None:
    answer = client.post("/_emulator/reset", data="{}", content_type=JSON,
                         headers={"Origin": "http://localhost"})
    assert answer.status_code == 200


def test_cloudpages_are_never_affected(guarded: Any, client: Any) -> None:
    for c in (client, guarded):
        answer = c.post("/token", data=token_body(), environ_overrides=REMOTE,
                        headers={"Origin": "http://attacker.example", "Host": "evil.example",
                                 "Content-Type": "text/plain"})
        assert answer.status_code == 200 and "access_token" in answer.json
