"""Real-world CloudPages of ``tests/cloudpages``, served by a live emulator and driven over HTTP.

Each page uses the idioms real pages use (a preference centre, an unsubscribe link, a JSON code
resource with a router, try/catch around AMPscript, a rowset table, a validated form linking to a
second page). The tests assert the exact bytes a browser gets and the rows the pages leave in the
Data Extensions of ``tests/cloudpages/fixtures``, read back through the admin API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from conftest import ServerProcess

from emulator.testing.live import LiveServer

PAGES = Path(__file__).parent / "cloudpages"
FIXTURES = PAGES / "fixtures"
TIMEOUT = 30  # seconds; generous for a loaded machine
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer({"pages": str(PAGES), "fixtures": (str(FIXTURES),)}).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fixture_rows(live: LiveServer) -> None:
    """Start every test from the fixtures' rows."""
    answer = requests.post(f"{live.url}/_emulator/reset", json={}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text


def _get(live: LiveServer, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(f"{live.url}{path}", timeout=TIMEOUT, allow_redirects=False, **kwargs)


def _post(live: LiveServer, path: str, **kwargs: Any) -> requests.Response:
    return requests.post(f"{live.url}{path}", timeout=TIMEOUT, allow_redirects=False, **kwargs)


def _html(answer: requests.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    return answer.content.decode("utf-8")


def _rows(live: LiveServer, key: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{live.url}/_emulator/data-extensions/{key}/rows", timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()["rows"]


def _row(live: LiveServer, key: str, field: str, value: str) -> dict[str, Any]:
    (found,) = [row for row in _rows(live, key) if row[field] == value]
    return found


def _href(text: str) -> str:
    (link,) = re.findall(r'href="([^"]*)"', text)
    return link


# 1. A preference centre in AMPscript: LookupRows, checkboxes, UpsertData on post-back.

def _preferences(key: str, name: str, news: bool, offers: bool, often: str, saved: bool) -> str:
    def checked(on: bool) -> str:
        return " checked" if on else ""

    def option(value: str) -> str:
        return f"<option{' selected' if value == often else ''}>{value}</option>\n"

    return (
        f"\n<h1>Email preferences for {name}</h1>\n"
        + ('<p class="ok">Your choices are saved.</p>\n' if saved else "")
        + f'<form method="post" action="preferences?sk={key}">\n'
        '<input type="hidden" name="step" value="save">\n'
        f'<label><input type="checkbox" name="newsletter" value="yes"{checked(news)}> '
        "Newsletter</label>\n"
        f'<label><input type="checkbox" name="offers" value="yes"{checked(offers)}> '
        "Offers</label>\n"
        '<select name="frequency">\n' + option("weekly") + option("monthly") + "</select>\n"
        "<button>Save</button>\n</form>\n")


NOT_FOUND = ("\n<h1>Email preferences</h1>\n<p class=\"error\">We could not find that "
             "subscription. Open the link in your latest email again.</p>\n")


@pytest.mark.parametrize(("key", "expected"), [
    ("M-001", _preferences("M-001", "Greta", True, False, "weekly", saved=False)),
    ("M-002", _preferences("M-002", "Tomas", False, True, "monthly", saved=False)),
])
def test_the_preference_centre_shows_each_members_choices(
        live: LiveServer, key: str, expected: str) -> None:
    assert _html(_get(live, f"/preferences?sk={key}")) == expected


def test_the_preference_centre_saves_a_post_back_to_itself(live: LiveServer) -> None:
    page = _get(live, "/preferences?sk=M-001")
    action = re.search(r'<form method="post" action="([^"]*)"', _html(page))
    assert action is not None
    target = urljoin(page.url, action.group(1))  # where a browser would post the form
    # Unticked boxes are not sent at all, as a browser does.
    saved = requests.post(target, data={"step": "save", "offers": "yes",
                                        "frequency": "monthly"}, timeout=TIMEOUT)
    assert _html(saved) == _preferences("M-001", "Greta", False, True, "monthly", saved=True)
    assert _row(live, "Members", "SubscriberKey", "M-001") == {
        "SubscriberKey": "M-001", "FirstName": "Greta", "Email": "greta@example.org",
        "Newsletter": False, "Offers": True, "Frequency": "monthly", "Status": "Active",
        "Reason": None}
    assert _html(_get(live, "/preferences?sk=M-001")) == _preferences(
        "M-001", "Greta", False, True, "monthly", saved=False)


def test_the_preference_centre_refuses_a_frequency_it_does_not_offer(live: LiveServer) -> None:
    answer = _post(live, "/preferences?sk=M-002",
                   data={"step": "save", "newsletter": "yes", "frequency": "hourly"})
    assert _html(answer) == _preferences("M-002", "Tomas", True, False, "monthly", saved=True)
    assert _row(live, "Members", "SubscriberKey", "M-002")["Frequency"] == "monthly"


@pytest.mark.parametrize("query", ["?sk=M-404", "?sk=", ""])
def test_an_unknown_subscriber_gets_the_error_branch_and_writes_nothing(
        live: LiveServer, query: str) -> None:
    before = _rows(live, "Members")
    answer = _post(live, f"/preferences{query}", data={"step": "save", "newsletter": "yes"})
    assert _html(answer) == NOT_FOUND
    assert _rows(live, "Members") == before


# 2. An unsubscribe link: RequestParameter, UpdateData, Redirect to a thank-you page.

def test_unsubscribe_updates_the_row_and_redirects_to_the_goodbye_page(live: LiveServer) -> None:
    answer = _get(live, "/unsubscribe?sk=M-002&reason=%20too%20many%20mails%20")
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(f"{live.url}/goodbye?qs=")
    assert "M-002" not in location  # the pairs travel inside qs, not as parameters
    assert _row(live, "Members", "SubscriberKey", "M-002") == {
        "SubscriberKey": "M-002", "FirstName": "Tomas", "Email": "tomas@example.org",
        "Newsletter": False, "Offers": False, "Frequency": "monthly",
        "Status": "Unsubscribed", "Reason": "too many mails"}
    assert _row(live, "Members", "SubscriberKey", "M-001")["Status"] == "Active"
    goodbye = requests.get(location, timeout=TIMEOUT)
    assert _html(goodbye) == ("\n<h1>Goodbye, Tomas</h1>\n"
                              "<p>Status: Unsubscribed (via unsubscribe)</p>")


def test_unsubscribe_without_a_reason_records_a_default(live: LiveServer) -> None:
    assert _get(live, "/unsubscribe?sk=M-001").status_code == 302
    assert _row(live, "Members", "SubscriberKey", "M-001")["Reason"] == "no reason given"


@pytest.mark.parametrize(("query", "expected"), [
    ("?sk=M-404", "<p>Nothing changed: M-404 is not on our list.</p>\n"),
    ("", "<p>This link is missing its subscriber.</p>\n"),
])
def test_unsubscribe_of_nobody_stays_on_the_page_and_changes_nothing(
        live: LiveServer, query: str, expected: str) -> None:
    before = _rows(live, "Members")
    assert _html(_get(live, f"/unsubscribe{query}")) == "\n<h1>Unsubscribe</h1>\n" + expected
    assert _rows(live, "Members") == before


def test_the_goodbye_page_without_its_pairs_shows_no_name(live: LiveServer) -> None:
    assert _html(_get(live, "/goodbye")) == "\n<h1>Goodbye</h1>\n<p>Status:  (via )</p>"


# 3. A JSON code resource with a router: query action, posted JSON, Rows.Add, Stringify.

def _json(answer: requests.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    return answer.content.decode("utf-8")


def test_the_router_adds_a_posted_ticket(live: LiveServer) -> None:
    answer = _post(live, "/feedback?action=add",
                   data='{"ticket": "T-2", "topic": "returns", "score": "5", "comment": "Easy"}',
                   headers={"Content-Type": "application/json"})
    assert _json(answer) == '{"ok":true,"added":1,"ticket":"T-2"}'
    assert sorted(_rows(live, "Feedback"), key=lambda row: row["TicketId"]) == [
        {"TicketId": "T-1", "Topic": "delivery", "Score": 4, "Comment": "On time"},
        {"TicketId": "T-2", "Topic": "returns", "Score": 5, "Comment": "Easy"}]


def test_the_router_lists_tickets_with_and_without_a_filter(live: LiveServer) -> None:
    for ticket, topic, score in (("T-2", "returns", 5), ("T-3", "Delivery", 2)):
        body = f'{{"ticket": "{ticket}", "topic": "{topic}", "score": {score}}}'
        assert _json(_post(live, "/feedback?action=add", data=body)).startswith('{"ok":true')
    # Stringify puts CR LF after each comma between array elements, as the platform does.
    assert _json(_get(live, "/feedback?action=list")) == (
        '{"ok":true,"count":3,"tickets":["T-1:4",\r\n"T-2:5",\r\n"T-3:2"]}')
    assert _json(_get(live, "/feedback?action=list&topic=delivery")) == (
        '{"ok":true,"count":2,"tickets":["T-1:4",\r\n"T-3:2"]}')
    assert _json(_get(live, "/feedback?action=list&topic=praise")) == (
        '{"ok":true,"count":0,"tickets":[]}')


SEND_ALL = '{"ok":false,"error":"send {ticket, topic, score, comment}"}'


@pytest.mark.parametrize(("body", "expected"), [
    ('{"ticket": "T-9", "score": 2}', SEND_ALL),
    ('{"ticket": "T-9", "topic": "", "score": 2}', SEND_ALL),
    ("ticket=T-9&topic=x", SEND_ALL),
    ("[1, 2]", SEND_ALL),
    ("", SEND_ALL),
    ('{"ticket": "T-9", "topic": "x", "score": 9}', '{"ok":false,"error":"score must be 1 to 5"}'),
    ('{"ticket": "T-9", "topic": "x", "score": "lots"}',
     '{"ok":false,"error":"score must be 1 to 5"}'),
    ('{"ticket": "T-1", "topic": "x", "score": 3}',
     '{"ok":false,"error":"could not save: Violation of PRIMARY KEY constraint on Data Extension '
     "Feedback: a row with TicketId = 'T-1' already exists.\"}"),
])
def test_the_router_refuses_a_bad_ticket_and_writes_nothing(
        live: LiveServer, body: str, expected: str) -> None:
    assert _json(_post(live, "/feedback?action=add", data=body)) == expected
    assert _rows(live, "Feedback") == [
        {"TicketId": "T-1", "Topic": "delivery", "Score": 4, "Comment": "On time"}]


@pytest.mark.parametrize(("method", "query", "action"), [
    ("GET", "?action=add", "add"),  # adding needs a POST
    ("POST", "?action=remove", "remove"),
    ("GET", "", ""),
])
def test_the_router_names_an_unknown_route(
        live: LiveServer, method: str, query: str, action: str) -> None:
    answer = requests.request(method, f"{live.url}/feedback{query}", timeout=TIMEOUT)
    assert _json(answer) == (f'{{"ok":false,"error":"unknown action \'{action}\'; '
                             'use add (POST) or list"}')


# 4. try/catch around AMPscript: a lookup in a DE that does not exist is caught and logged.

@pytest.mark.parametrize(("query", "expected"), [
    ("?program=Gold&sk=M-001", "<p>Loyalty Gold: 1,250 points, 750 to go.</p><p>Tier: Silver</p>"),
    ("?program=Gold&sk=M-002", "<p>Loyalty Gold: 80 points, 1920 to go.</p><p>Tier: none yet</p>"),
    ("?program=Gold&sk=M-404", "<p>Loyalty Gold: 0 points, 2000 to go.</p><p>Tier: none yet</p>"),
])
def test_the_points_page_reads_the_programmes_table(
        live: LiveServer, query: str, expected: str) -> None:
    assert _html(_get(live, f"/points{query}")) == "<h1>Your points</h1>\n" + expected
    assert _rows(live, "CustomAppException") == []


@pytest.mark.parametrize("query", ["?program=Platinum&sk=M-001", "?sk=M-001"])
def test_a_failed_lookup_is_caught_answered_kindly_and_logged(
        live: LiveServer, query: str) -> None:
    assert _html(_get(live, f"/points{query}")) == (
        "<h1>Your points</h1>\n<p>Your points are not available right now.</p>"
        "<p>Tier: unknown</p>")
    missing = "A Data Extension of this name does not exist."
    assert _rows(live, "CustomAppException") == [
        {"Message": missing, "Description": missing, "InnerException": None,
         "FunctionName": where} for where in ("points", "tier")]


# 5. A rowset loop printing a table: LookupOrderedRows, FOR, Field, FormatDate.

HEAD = "<h1>Recent orders</h1>\n"


def test_the_orders_table_lists_the_three_latest_orders(live: LiveServer) -> None:
    assert _html(_get(live, "/orders?sk=M-001")) == (
        HEAD + "<table>\n<tr><th>Order</th><th>Placed</th><th>Item</th><th>Total</th></tr>\n"
        '<tr class="odd"><td>O-12</td><td>18 Apr 2024 11:05</td>'
        "<td>Wool socks & liners</td><td>14.00</td></tr>\n"
        '<tr class="even"><td>O-10</td><td>02 Mar 2024 09:15</td>'
        "<td>Rain jacket</td><td>89.50</td></tr>\n"
        '<tr class="odd"><td>O-13</td><td>27 Jan 2024 20:30</td>'
        "<td>Head torch</td><td>32.99</td></tr>\n"
        '<tr><td colspan="3">Shown</td><td>136.49</td></tr>\n</table>\n')


def test_the_orders_table_follows_rows_added_over_the_admin_api(live: LiveServer) -> None:
    added = requests.post(f"{live.url}/_emulator/data-extensions/Orders/rows", timeout=TIMEOUT,
                          json={"OrderId": "O-20", "SubscriberKey": "M-002", "Item": "Stove",
                                "Total": "45.5", "Placed": "2024-06-01T07:00:00"})
    assert added.status_code == 200, added.text
    text = _html(_get(live, "/orders?sk=M-002"))
    assert [line for line in text.splitlines() if line.startswith("<tr class")] == [
        '<tr class="odd"><td>O-20</td><td>01 Jun 2024 07:00</td><td>Stove</td>'
        "<td>45.50</td></tr>",
        '<tr class="even"><td>O-11</td><td>05 Mar 2024 16:40</td><td>Tent pegs</td>'
        "<td>7.25</td></tr>"]
    assert '<td colspan="3">Shown</td><td>52.75</td>' in text


def test_the_orders_table_says_when_there_is_nothing(live: LiveServer) -> None:
    assert _html(_get(live, "/orders?sk=M-404")) == HEAD + "<p>No orders yet.</p>\n"


# 6. A form posting back to itself with validation, and a CloudPagesURL link to a second page.

def _contact(email: str = "", problem: str = "", topic: str = "") -> str:
    def radio(value: str) -> str:
        return (f'<label><input type="radio" name="topic" value="{value}"'
                f'{" checked" if value == topic else ""}> {value.title()}</label>\n')

    return (
        "<h1>Contact us</h1>\n"
        + (f'<p class="error">{problem}</p>\n' if problem else "")
        + '<form method="post">\n<input type="hidden" name="sent" value="1">\n'
        f'<input name="email" value="{email}" class="plain{" invalid" if problem else ""}">\n'
        + radio("billing") + radio("delivery") + "<button>Send</button>\n</form>\n")


def test_the_contact_form_starts_empty(live: LiveServer) -> None:
    assert _html(_get(live, "/contact")) == _contact()


@pytest.mark.parametrize(("form", "expected"), [
    ({"sent": "1", "email": ""}, _contact(problem="Please enter your email address.")),
    ({"sent": "1", "email": "   ", "topic": "billing"},
     _contact(problem="Please enter your email address.", topic="billing")),
    ({"sent": "1", "email": "not-an-address", "topic": "billing"},
     _contact("not-an-address", "That is no email address: not-an-address", "billing")),
    ({"sent": "1", "email": "ada@", "topic": "delivery"},
     _contact("ada@", "That is no email address: ada@", "delivery")),
    ({"sent": "1", "email": " Ada@Example.COM "},
     _contact("Ada@Example.COM", "Please choose a topic.")),
    ({"sent": "1", "email": "ada@example.com", "topic": "praise"},
     _contact("ada@example.com", "Please choose a topic.")),
])
def test_the_contact_form_says_what_is_wrong_and_keeps_the_input(
        live: LiveServer, form: dict[str, str], expected: str) -> None:
    assert _html(_post(live, "/contact", data=form)) == expected


def test_a_valid_message_links_to_the_review_page_with_its_pairs(live: LiveServer) -> None:
    text = _html(_post(live, "/contact", data={"sent": "1", "email": " Ada@Example.COM ",
                                               "topic": "delivery"}))
    link = _href(text)
    assert text == f'<p>Thanks, we got it.\n<a href="{link}">Review your message</a></p>\n'
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{live.url}/review"
    assert parts.query.startswith("qs=") and "example" not in parts.query.lower()
    review = requests.get(link, timeout=TIMEOUT)
    assert _html(review) == ("<dl><dt>Email</dt><dd>ada@example.com</dd>"
                             "<dt>Topic</dt><dd>Delivery</dd></dl>")


def test_the_review_page_without_its_pairs_has_nothing_to_show(live: LiveServer) -> None:
    assert _html(_get(live, "/review")) == "<p>Nothing to review.</p>"
    assert _html(_get(live, "/review?qs=not-a-signed-value")) == "<p>Nothing to review.</p>"


# The layout most pages have: a script block on top, the HTML below it.

def test_the_line_breaks_after_a_script_block_are_kept(live: LiveServer) -> None:
    assert _html(_get(live, "/hours")) == "\n\n<h1>Opening hours</h1>"


def test_mcemu_serve_runs_the_same_folder_from_the_command_line(
        server: Callable[..., ServerProcess]) -> None:
    emu = server("--pages", str(PAGES), "--fixtures", str(FIXTURES))
    try:
        answer = requests.get(f"{emu.url}/orders?sk=M-002", timeout=TIMEOUT)
        assert _html(answer) == (
            HEAD + "<table>\n<tr><th>Order</th><th>Placed</th><th>Item</th><th>Total</th></tr>\n"
            '<tr class="odd"><td>O-11</td><td>05 Mar 2024 16:40</td><td>Tent pegs</td>'
            '<td>7.25</td></tr>\n<tr><td colspan="3">Shown</td><td>7.25</td></tr>\n</table>\n')
        added = requests.post(f"{emu.url}/feedback?action=add", timeout=TIMEOUT,
                              data='{"ticket": "T-5", "topic": "sizes", "score": 3}')
        assert _json(added) == '{"ok":true,"added":1,"ticket":"T-5"}'
        rows = requests.get(f"{emu.url}/_emulator/data-extensions/Feedback/rows",
                            timeout=TIMEOUT).json()["rows"]
        assert {row["TicketId"]: row["Score"] for row in rows} == {"T-1": 4, "T-5": 3}
    finally:
        code, _, log = emu.stop()
    assert code == 0, log
