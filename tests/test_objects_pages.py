"""Real pages on the object model (``tests/objects_pages``): exact bytes and the state they leave.

A DE list with folder paths (WSProxy DataExtension and DataFolder), a preference centre (Core
Subscriber and List, the page's subscriber), an unsubscribe page (AMPscript InvokeRetrieve and
InvokeUpdate) and a sign-up form that sends the welcome email (WSProxy TriggeredSend).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import module_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

PAGES = Path(__file__).parent / "objects_pages"
FIXTURES = PAGES / "fixtures"
FROZEN = "2024-05-02T09:30:00+00:00"
SIGNUP_FORM = ('<form method="post">\n<input name="email" type="email">\n<input name="name">\n'
               '<button>Sign up</button>\n</form>')


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    yield from module_app(FIXTURES, pages=str(PAGES), frozen_time=FROZEN, ssjs_timeout=20)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)  # each test starts from the fixtures


def body(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def subscriber(client: FlaskClient, key: str) -> dict[str, Any]:
    [found] = client.get("/_emulator/subscribers", query_string={"key": key}).get_json()[
        "subscribers"]
    return found


def test_the_de_list_shows_each_folder_path(client: FlaskClient) -> None:
    assert body(client.get("/data-extensions")) == (
        "\n<h1>Data Extensions</h1>\n<ul>\n"
        "<li>Orders (Orders): Data Extensions</li>\n"
        "<li>Signups (Signups): Data Extensions / Campaigns / Spring</li>\n"
        "\n</ul>")


def test_a_de_created_later_is_listed_in_the_root_folder(client: FlaskClient) -> None:
    created = client.post("/_emulator/data-extensions", json={
        "key": "Leads", "name": "Leads",
        "fields": [{"name": "Email", "type": "EmailAddress", "primaryKey": True}]})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert "<li>Leads (Leads): Data Extensions</li>\n<li>Orders" in body(
        client.get("/data-extensions"))


def preferences(name: str, checked: tuple[str, ...], saved: bool = False) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" name="{key}" value="yes"'
        f'{" checked" if key in checked else ""}> {label}</label>\n'
        for key, label in (("newsletter", "Newsletter"), ("offers", "Offers")))
    return (f"\n<h1>Preferences for {name}</h1>\n"
            + ("<p>Your choices are saved.</p>\n" if saved else "")
            + f'<form method="post">\n<input name="firstName" value="{name}">\n{boxes}'
            "<button>Save</button>\n</form>")


def test_the_preference_centre_shows_the_page_subscriber(client: FlaskClient) -> None:
    ann = {"X-Mcemu-Subscriber": "ann"}
    assert body(client.get("/preferences", headers=ann)) == preferences("Ann", ("newsletter",))
    assert body(client.get("/preferences")) == (
        "\n<p>Open this page from one of our emails.</p>")


def test_the_preference_centre_saves_attributes_and_list_status(client: FlaskClient) -> None:
    answer = client.post("/preferences", headers={"X-Mcemu-Subscriber": "ann"},
                         data={"firstName": "Annie <A&B>", "offers": "yes"})
    assert body(answer) == preferences("Annie &lt;A&amp;B>", ("offers",), saved=True)
    ann = subscriber(client, "ann")
    assert ann["Attributes"] == {"First Name": "Annie <A&B>"}
    assert ann["Lists"] == [{"ID": 1, "Status": "Unsubscribed"}, {"ID": 2, "Status": "Active"}]
    assert ann["Status"] == "Active"  # a list's unsubscribe leaves the subscriber active
    # The next visit reads the saved name through the subscriber context.
    assert body(client.get("/preferences", headers={"X-Mcemu-Subscriber": "ann"})) == (
        preferences("Annie &lt;A&amp;B>", ("offers",)))
    members = {entry["CustomerKey"]: entry["members"]
               for entry in client.get("/_emulator/lists").get_json()["lists"]}
    assert members == {"newsletter": {"Unsubscribed": 1, "Active": 1}, "offers": {"Active": 1}}


def test_the_unsubscribe_page_asks_then_unsubscribes(client: FlaskClient) -> None:
    assert body(client.get("/unsubscribe?sk=bob")) == (
        '<form method="post" action="unsubscribe?sk=bob">\n'
        '<input type="hidden" name="confirm" value="yes">\n'
        "<button>Unsubscribe bob@example.org</button>\n</form>\n")
    assert subscriber(client, "bob")["Status"] == "Active"
    assert body(client.post("/unsubscribe?sk=bob", data={"confirm": "yes"})) == (
        "<p>bob@example.org will get no more emails from us.</p>\n")
    bob = subscriber(client, "bob")
    assert bob["Status"] == "Unsubscribed"
    assert bob["Lists"] == [{"ID": 1, "Status": "Active"}]  # the memberships stay
    assert body(client.get("/unsubscribe?sk=bob")) == (
        "<p>bob@example.org is unsubscribed already.</p>\n")


@pytest.mark.parametrize("query", ["sk=nobody", "sk=", ""])
def test_the_unsubscribe_page_without_a_known_key(client: FlaskClient, query: str) -> None:
    assert body(client.get(f"/unsubscribe?{query}")) == (
        "<p>We could not find that subscription.</p>\n")
    assert [s["Status"] for s in client.get("/_emulator/subscribers").get_json()[
        "subscribers"]] == ["Active", "Active"]


def test_the_signup_form_sends_the_welcome_email(client: FlaskClient) -> None:
    assert body(client.get("/signup")) == f"\n<h1>Sign up</h1>\n\n{SIGNUP_FORM}"
    answer = client.post("/signup", data={"email": "cat@example.org", "name": "Cat"})
    assert body(answer) == ("\n<h1>Sign up</h1>\n<p>Thanks, Cat! A welcome email is on its way "
                            f"to cat@example.org.</p>\n{SIGNUP_FORM}")
    [message] = client.get("/_emulator/outbox").get_json()["messages"]
    assert {k: message[k] for k in ("id", "definitionKey", "subscriberKey", "emailAddress",
                                    "attributes", "time")} == {
        "id": 1, "definitionKey": "welcome", "subscriberKey": "cat@example.org",
        "emailAddress": "cat@example.org", "attributes": {"First Name": "Cat"}, "time": FROZEN}
    rows = client.get("/_emulator/data-extensions/Signups/rows").get_json()["rows"]
    assert rows == [{"Email": "cat@example.org", "Name": "Cat"}]


@pytest.mark.parametrize(("query", "email", "said"), [
    ("?tsd=paused", "dan@example.org",
     "The TriggeredSendDefinition 'paused' is Inactive: only an Active definition sends"),
    ("?tsd=gone", "dan@example.org", "The TriggeredSendDefinition 'gone' does not exist."),
    ("", "not-an-address", "InvalidEmailAddress"),
])
def test_a_signup_that_cannot_send_writes_nothing(client: FlaskClient, query: str, email: str,
                                                  said: str) -> None:
    answer = client.post(f"/signup{query}", data={"email": email, "name": "Dan"})
    assert body(answer) == f"\n<h1>Sign up</h1>\n<p>Sorry: {said}</p>\n{SIGNUP_FORM}"
    assert client.get("/_emulator/outbox").get_json()["messages"] == []
    assert client.get("/_emulator/data-extensions/Signups/rows").get_json()["rows"] == []
