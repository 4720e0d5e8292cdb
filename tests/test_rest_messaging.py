"""Transactional email sends over REST: the single and batch forms, into the one outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import bearer as rest_bearer
from conftest import pages_app
from flask import Flask
from flask.testing import FlaskClient

from emulator.reset import reset
from emulator.rest.messagekeys import MessageKeys
from emulator.runtime import get_emulator
from emulator.sends.definitions import object_id

BASE = "/messaging/v1/email/messages"
FROZEN = "2025-03-04T05:06:07+00:00"
PACKAGES = [
    {"name": "Send", "client_id": "send", "client_secret": "s", "scopes": ["email_send"]},
    {"name": "Rows", "client_id": "rows", "client_secret": "s",
     "scopes": ["data_extensions_read"]},
]
DEFINITIONS = [{"CustomerKey": "welcome", "Name": "Welcome"},
               {"CustomerKey": "paused", "TriggeredSendStatus": "Inactive"}]
SUBSCRIBERS = [{"SubscriberKey": "ann", "EmailAddress": "ann@example.org"}]
EVENTS = """<script runat="server">
Platform.Load("core", "1.1.1");
var proxy = new Script.Util.WSProxy();
var sent = proxy.retrieve("SentEvent", ["SubscriberKey", "TriggeredSendDefinitionObjectID"]);
Platform.Response.Write(Stringify(sent.Results));
</script>"""
ANN = {"contactKey": "ann", "to": "ann@example.org", "attributes": {"First": "Ann", "Age": 30}}


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("rest-messaging")
    fixtures = root / "fixtures"
    (fixtures / "data_extensions").mkdir(parents=True)
    for name, records in (("packages.json", PACKAGES), ("triggered_sends.json", DEFINITIONS),
                          ("subscribers.json", SUBSCRIBERS)):
        (fixtures / name).write_text(json.dumps(records), "utf-8")
    with pages_app(root / "pages", {"events.html": EVENTS}, fixtures=(str(fixtures),),
                   no_default_fixtures=True, frozen_time=FROZEN, checkpoint=True) as application:
        yield application


def bearer(client: FlaskClient, client_id: str = "send") -> dict[str, str]:
    return rest_bearer(client, client_id)


def send(client: FlaskClient, body: Any, key: str | None = "m-1") -> Any:
    url = f"{BASE}/{key}" if key is not None else f"{BASE}/"
    return client.post(url, json=body, headers=bearer(client))


def outbox(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/_emulator/outbox").get_json()["messages"]


def compact(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def refused(answer: Any, status: int, errorcode: int, message: str) -> None:
    assert answer.status_code == status, answer.data
    assert answer.data == compact({"message": message, "errorcode": errorcode,
                                   "documentation": ""})


# --- sending -------------------------------------------------------------------------------------


def test_a_single_send_answers_202_and_lands_in_the_outbox(api: FlaskClient) -> None:
    answer = send(api, {"definitionKey": "welcome", "recipient": ANN})
    assert answer.status_code == 202
    assert answer.content_type == "application/json; charset=utf-8"
    request_id = answer.get_json()["requestId"]
    assert answer.data == compact({"requestId": request_id, "errorcode": 0,
                                   "responses": [{"messageKey": "m-1"}]})
    assert outbox(api) == [{
        "id": 1, "definitionKey": "welcome", "definitionObjectID": object_id("welcome"),
        "subscriberKey": "ann", "emailAddress": "ann@example.org",
        "attributes": {"First": "Ann", "Age": "30"}, "messageKey": "m-1",
        "requestId": request_id, "time": FROZEN}]


def test_a_sent_message_is_a_sent_event_for_wsproxy(api: FlaskClient) -> None:
    send(api, {"definitionKey": "welcome", "recipient": ANN})
    results = json.loads(api.get("/events").get_data(as_text=True))
    assert results == [{"SubscriberKey": "ann",
                        "TriggeredSendDefinitionObjectID": object_id("welcome")}]


def test_a_batch_sends_each_recipient_with_its_own_or_a_made_key(api: FlaskClient) -> None:
    body = {"definitionKey": "welcome", "attributes": {"Campaign": "spring", "First": "-"},
            "recipients": [ANN, {"contactKey": "bob", "to": "bob@example.org",
                                 "messageKey": "b-1"}, {"contactKey": "ann"}]}
    answer = send(api, body, None)
    assert answer.status_code == 202
    responses = answer.get_json()["responses"]
    assert responses[1] == {"messageKey": "b-1"}
    made = responses[0]["messageKey"]
    assert len(made) == 22 and made != responses[2]["messageKey"]
    sent = outbox(api)
    assert [(m["subscriberKey"], m["emailAddress"], m["attributes"]) for m in sent] == [
        ("ann", "ann@example.org", {"Campaign": "spring", "First": "Ann", "Age": "30"}),
        ("bob", "bob@example.org", {"Campaign": "spring", "First": "-"}),
        ("ann", "ann@example.org", {"Campaign": "spring", "First": "-"})]  # the subscriber's
    assert len({m["requestId"] for m in sent}) == 1
    again = api.post(BASE, json=body, headers=bearer(api))  # no slash: the same route
    assert (again.status_code, again.get_json()["responses"][1]["errorcode"]) == (202, 30004)


def test_a_message_key_is_taken_for_72_hours_on_the_emulators_clock(api: FlaskClient) -> None:
    assert send(api, {"definitionKey": "welcome", "recipient": ANN}).status_code == 202
    again = send(api, {"definitionKey": "welcome", "recipient": ANN})
    assert again.status_code == 400
    body = again.get_json()
    assert body == {"requestId": body["requestId"], "errorcode": 109103,
                    "message": "No recipient was sent: see responses.",
                    "responses": [{"messageKey": "m-1", "errorcode": 30004,
                                   "message": "The messageKey 'm-1' was used in the last 72 "
                                              "hours: give each message its own key."}]}
    api.post("/_emulator/clock", json={"advance": 72 * 3600 - 1})
    assert send(api, {"definitionKey": "welcome", "recipient": ANN}).status_code == 400
    api.post("/_emulator/clock", json={"advance": 1})
    assert send(api, {"definitionKey": "welcome", "recipient": ANN}).status_code == 202
    assert len(outbox(api)) == 2


def test_a_batch_sends_what_it_can_and_says_what_it_could_not(api: FlaskClient) -> None:
    send(api, {"definitionKey": "welcome", "recipient": ANN}, "used")
    body = {"definitionKey": "welcome", "recipients": [
        {"contactKey": "a", "to": "a@example.org", "messageKey": "used"},
        {"to": "b@example.org", "messageKey": "k2"},
        {"contactKey": "c", "to": "not-an-address", "messageKey": "k3"},
        {"contactKey": "nobody", "messageKey": "k4"},
        {"contactKey": "d", "to": "d@example.org", "messageKey": "x" * 101},
        {"contactKey": "e", "to": "e@example.org", "messageKey": "k6"},
        {"contactKey": "f", "to": "f@example.org", "messageKey": "k6"}]}
    answer = send(api, body, None)
    assert answer.status_code == 202
    got = answer.get_json()
    assert (got["errorcode"], got["message"]) == (109001, "Some recipients were not sent: see "
                                                          "responses.")
    assert [(r["messageKey"], r.get("errorcode")) for r in got["responses"]] == [
        ("used", 30004), ("k2", 10002), ("k3", 5), ("k4", 10002), ("x" * 101, 10005),
        ("k6", None), ("k6", 30004)]
    assert got["responses"][3]["message"] == (
        "recipients[3] has no 'to' and no subscriber has the key 'nobody': give the "
        "recipient's address in 'to'.")
    assert [m["subscriberKey"] for m in outbox(api)] == ["ann", "e"]


# --- refusals of the whole request ---------------------------------------------------------------


MANY = [{"contactKey": f"c{n}", "to": f"c{n}@example.org"} for n in range(2001)]


@pytest.mark.parametrize(("key", "body", "status", "errorcode", "message"), [
    ("m", {"recipient": ANN}, 400, 10002, "definitionKey is required."),
    ("m", {"definitionKey": 5, "recipient": ANN}, 400, 10000,
     "definitionKey must be text, not a number."),
    ("m", {"definitionKey": "nope", "recipient": ANN}, 404, 30003,
     "No triggered send definition has the key 'nope'."),
    ("m", {"definitionKey": "paused", "recipient": ANN}, 409, 30002,
     "The triggered send definition 'paused' is Inactive: only an Active one sends."),
    ("m", {"definitionKey": "welcome", "recipient": ANN, "recipients": [ANN]}, 400, 10005,
     "recipient and recipients cannot both be given: send one recipient or a list."),
    ("m", {"definitionKey": "welcome", "recipients": [ANN]}, 400, 10005,
     "This route takes recipient, not recipients: POST /messaging/v1/email/messages/"
     "{messageKey} sends to one recipient, /messaging/v1/email/messages/ to recipients."),
    (None, {"definitionKey": "welcome", "recipient": ANN}, 400, 10005,
     "This route takes recipients, not recipient: POST /messaging/v1/email/messages/"
     "{messageKey} sends to one recipient, /messaging/v1/email/messages/ to recipients."),
    ("m", {"definitionKey": "welcome"}, 400, 109102,
     "No recipient given: a send needs at least one recipient with a contactKey."),
    (None, {"definitionKey": "welcome", "recipients": []}, 400, 109102,
     "No recipients given: a send needs at least one recipient with a contactKey."),
    (None, {"definitionKey": "welcome", "recipients": MANY}, 400, 109101,
     "A request holds at most 2000 recipients, not 2001."),
    (None, {"definitionKey": "welcome", "recipients": {"contactKey": "a"}}, 400, 10000,
     "recipients must be an array of {contactKey, to, messageKey, attributes}, not an object."),
    (None, {"definitionKey": "welcome", "recipients": ["ann"]}, 400, 10000,
     "recipients[0] must be an object {contactKey, to, messageKey, attributes}, not a string."),
    ("m", {"definitionKey": "welcome", "recipient": [ANN]}, 400, 10000,
     "recipient must be an object {contactKey, to, attributes}, not an array."),
    ("m", {"definitionKey": "welcome", "recipient": {**ANN, "attributes": ["a"]}}, 400, 10000,
     "recipient.attributes must be an object of name: text, not an array."),
    ("m", {"definitionKey": "welcome", "recipient": {**ANN, "email": "x"}}, 400, 10000,
     "recipient has no email; its members are contactKey, to, messageKey, attributes."),
    ("m", {"definitionKey": "welcome", "recipient": ANN, "options": {}}, 400, 10000,
     "The body has no options; its members are definitionKey, recipient, recipients, "
     "attributes."),
    ("m", [{"definitionKey": "welcome"}], 400, 10000,
     "The body must be an object {definitionKey, recipient: ...}, not an array."),
    ("k" * 101, {"definitionKey": "welcome", "recipient": ANN}, 400, 10005,
     "A messageKey has at most 100 characters, not 101."),
])
def test_bad_requests_send_nothing(api: FlaskClient, key: str | None, body: Any, status: int,
                                   errorcode: int, message: str) -> None:
    refused(send(api, body, key), status, errorcode, message)
    assert outbox(api) == []


def test_not_json_too_large_and_the_scope(api: FlaskClient) -> None:
    headers = {**bearer(api), "Content-Type": "application/json"}
    answer = api.post(f"{BASE}/m", data=b"{definitionKey", headers=headers)
    assert (answer.status_code, answer.get_json()["errorcode"]) == (400, 10004)
    answer = api.post(f"{BASE}/", data=b" " * (5 * 1024 * 1024 + 1), headers=headers)
    refused(answer, 413, 10000, "The request body of 5242881 bytes is larger than the 5242880 "
                                "bytes accepted.")
    answer = api.post(f"{BASE}/m", data=b"{", headers=bearer(api, "rows"))
    refused(answer, 403, 20002, "Insufficient Privileges to complete this action.")
    assert api.post(f"{BASE}/m", json={}).status_code == 401
    assert outbox(api) == []


# --- state ---------------------------------------------------------------------------------------


def test_a_rollback_and_a_reset_free_the_keys(rest_app: Flask) -> None:
    client, emulator = rest_app.test_client(), get_emulator(rest_app)
    body = {"definitionKey": "welcome", "recipient": ANN}
    assert send(client, body).status_code == 202
    emulator.rollback()
    assert len(emulator.message_keys) == 0 and outbox(client) == []
    assert send(client, body).status_code == 202
    reset(emulator)
    assert send(client, body).status_code == 202
    emulator.rollback()


def test_keys_are_per_business_unit() -> None:
    keys, now = MessageKeys(), datetime(2025, 1, 1, tzinfo=timezone.utc)
    keys.use(1, ["a"], now)
    assert keys.taken(1, "a", now + timedelta(hours=71)) and not keys.taken(2, "a", now)
    assert not keys.taken(1, "a", now + timedelta(hours=72))


def test_keys_are_swept_when_expired_and_bounded_under_a_frozen_clock(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.rest import messagekeys

    monkeypatch.setattr(messagekeys, "SWEEP_AT", 10)
    monkeypatch.setattr(messagekeys, "MAX_KEYS", 25)
    keys, now = MessageKeys(), datetime(2025, 1, 1, tzinfo=timezone.utc)
    keys.use(1, [f"old-{i}" for i in range(10)], now)
    later = now + timedelta(hours=73)
    keys.use(1, ["new-0"], later)  # past the sweep mark: the expired keys go
    assert len(keys) == 1 and keys.taken(1, "new-0", later)
    for i in range(1, 40):  # a frozen clock: nothing expires, the oldest go past the bound
        keys.use(1, [f"new-{i}"], later)
    assert len(keys) == 25
    assert keys.taken(1, "new-39", later) and not keys.taken(1, "new-0", later)


def test_the_dashboard_shows_rest_state_and_the_routes_are_documented(api: FlaskClient) -> None:
    send(api, {"definitionKey": "welcome", "recipient": ANN})
    page = api.get("/_emulator/ui/rest-jobs").get_data(as_text=True)
    assert "1 message key held" in page
    assert "No async jobs." in page
    paths = api.get("/_emulator/rest-openapi.json").get_json()["paths"]
    assert set(paths[f"{BASE}/{{message_key}}"]) == set(paths[f"{BASE}/"]) == {"post"}
    assert paths[f"{BASE}/"]["post"]["security"] == [{"bearer": ["email_send"]}]
