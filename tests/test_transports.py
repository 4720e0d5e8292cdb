"""The token page's branches, through every way in: Flask test client, mock, live server.

The three must agree on status, Content-Type, the headers the page set and the body bytes. The
request bodies are byte-identical, so even the tokens agree; only ``RequestURL`` (logged, never
signed) differs, because each transport is reached at its own URL.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

import jwt
import pytest
import requests
from conftest import DEMO, token_body

from emulator import assumptions

pytestmark = pytest.mark.mcemu_fixtures(pages="https://cloud.example.com",
                                        mount=["/jwt-issuer=token"])

JSON_TYPE = "application/json; charset=utf-8"
MOCK_BASE = "https://cloud.example.com"
TRANSPORTS = ["client", "mock", "server"]
PAGE_HEADERS = ("content-type", "content-length")  # what the page's response carries itself


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    request_url: str  # as the page logged it


@dataclass(frozen=True)
class Scenario:
    method: str
    path: str
    body: bytes
    status: int
    expected: bytes | None = None  # exact body; None: a token response, checked with ``secret``
    secret: str | None = None


SCENARIOS = {
    "success": Scenario("POST", "/token", token_body(), 200, secret=DEMO["signing_secret"]),
    "get": Scenario("GET", "/token", b"", 200, b'{"message":"403 Forbidden"}'),
    "invalid-operation": Scenario("POST", "/token", b'{"operation":"Refresh"}', 200,
                                  b'{"Error":"Invalid operation specified."}'),
    "missing-credentials": Scenario("POST", "/token", token_body(client_secret=None), 200,
                                    secret=assumptions.CLR_OBJECT_TEXT),
    "wrong-credentials": Scenario("POST", "/token", token_body(client_secret="wrong"), 200,
                                  secret=assumptions.CLR_OBJECT_TEXT),
    "empty-body": Scenario("POST", "/token", b"", 200,
                           b'{"Error":"cannot read property \'operation\' of null"}'),
    "malformed-body": Scenario("POST", "/token", b"{not json", 200,
                               b'{"Error":"cannot read property \'operation\' of null"}'),
    "head": Scenario("HEAD", "/token", b"", 200, b""),
    "mounted-path": Scenario("POST", "/jwt-issuer", token_body(), 200,
                             secret=DEMO["signing_secret"]),
}


def _via_requests(base: str, rows: Callable[[], list[dict]]) -> Callable[[Scenario], Answer]:
    def send(scenario: Scenario) -> Answer:
        with requests.Session() as session:
            response = session.request(scenario.method, base + scenario.path,
                                       data=scenario.body,
                                       headers={"Content-Type": "application/json"}, timeout=10)
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                      response.content, rows()[-1]["RequestURL"])
    return send


def sender(kind: str, request: pytest.FixtureRequest) -> Callable[[Scenario], Answer]:
    """Return a function that sends a scenario through transport ``kind``."""
    if kind == "mock":
        mock = request.getfixturevalue("mcemu_mock")
        return _via_requests(MOCK_BASE, lambda: mock.rows("HTTPProperties"))
    if kind == "server":
        server = request.getfixturevalue("mcemu_server")
        return _via_requests(server.url, lambda: server.store.rows("HTTPProperties"))
    client = request.getfixturevalue("mcemu_client")
    store = request.getfixturevalue("mcemu_store")

    def send(scenario: Scenario) -> Answer:
        response = client.open(scenario.path, method=scenario.method, data=scenario.body,
                               content_type="application/json")
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                      response.get_data(), store.rows("HTTPProperties")[-1]["RequestURL"])
    return send


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> Callable[[Scenario], Answer]:
    return sender(request.param, request)


def check(scenario: Scenario, answer: Answer) -> None:
    assert answer.status == scenario.status
    assert answer.headers["content-type"] == JSON_TYPE
    if scenario.expected is not None:
        assert answer.body == scenario.expected
        return
    token = json.loads(answer.body)["access_token"]
    assert answer.body == b'{"access_token":"' + token.encode() + b'","token_type":"Bearer"}'
    # The payload segment is the request body, byte for byte; PyJWT checks the signature.
    payload = token.split(".")[1]
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) == scenario.body
    assert jwt.decode(token, scenario.secret, algorithms=["HS256"]) == json.loads(scenario.body)
    if scenario.secret != DEMO["signing_secret"]:
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, DEMO["signing_secret"], algorithms=["HS256"])


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_branch_through_each_transport(transport, name):
    check(SCENARIOS[name], transport(SCENARIOS[name]))


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_transports_agree_byte_for_byte(request, name):
    scenario = SCENARIOS[name]
    answers = {kind: sender(kind, request)(scenario) for kind in TRANSPORTS}
    first = answers["client"]
    for kind, answer in answers.items():
        assert (answer.status, answer.body) == (first.status, first.body), kind
        assert {h: answer.headers.get(h) for h in PAGE_HEADERS} == {
            h: first.headers.get(h) for h in PAGE_HEADERS}, kind
    # The mock adds no header of its own; the server adds only its own Date and Server.
    assert answers["mock"].headers == first.headers
    assert set(answers["server"].headers) - set(first.headers) == {"date", "server"}
    server_url = request.getfixturevalue("mcemu_server").url
    assert {kind: answer.request_url for kind, answer in answers.items()} == {
        "client": "http://localhost" + scenario.path,
        "mock": MOCK_BASE + scenario.path,
        "server": server_url + scenario.path,
    }
