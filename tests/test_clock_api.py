"""The page clock over HTTP (``GET|POST /_emulator/clock``) and ``Clock.advance``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
import requests
from conftest import token_body

from emulator.clock import MAX_ADVANCE, Clock
from emulator.testing import LiveServer, mock_marketing_cloud

JSON = "application/json"
FROZEN = "2024-01-15T12:00:00Z"
FROZEN_AT = datetime(2024, 1, 15, 12, tzinfo=timezone.utc)


def post_clock(client: Any, body: Any, **kwargs: Any) -> Any:
    return client.post("/_emulator/clock", json=body, **kwargs)


# --- Clock.advance ------------------------------------------------------------------------------

def test_advance_moves_a_frozen_clock_and_restarts_its_guid_sequence() -> None:
    clock = Clock(FROZEN_AT)
    first = clock.new_guid()
    assert clock.advance(90) == FROZEN_AT + timedelta(seconds=90)
    assert clock.now_utc() == FROZEN_AT + timedelta(seconds=90)
    assert clock.advance(0.5) == FROZEN_AT + timedelta(seconds=90.5)
    again = Clock(FROZEN_AT + timedelta(seconds=90.5))
    assert clock.new_guid() == again.new_guid() != first


def test_advance_freezes_a_running_clock_at_now_plus_the_seconds() -> None:
    clock = Clock()
    before = datetime.now(timezone.utc)
    moment = clock.advance(3600)
    after = datetime.now(timezone.utc)
    assert clock.frozen == moment
    assert before + timedelta(hours=1) <= moment <= after + timedelta(hours=1)
    assert clock.now_utc() == moment  # it stays there


@pytest.mark.parametrize(("seconds", "error", "says"), [
    (-1, ValueError, "to go back, freeze the clock at an earlier time"),
    (MAX_ADVANCE + 1, ValueError, "from 0 to 3,155,760,000 (100 years)"),
    (float("nan"), ValueError, "not nan"),
    (float("inf"), ValueError, "not inf"),
    (True, TypeError, "not True (bool)"),
    ("60", TypeError, "not '60' (str)"),
    (None, TypeError, "not None (NoneType)"),
])
def test_advance_refuses_what_is_not_a_forward_step(seconds: Any, error: type, says: str) -> None:
    clock = Clock(FROZEN_AT)
    with pytest.raises(error) as refused:
        clock.advance(seconds)
    assert says in str(refused.value)
    assert clock.now_utc() == FROZEN_AT  # unchanged


def test_advance_past_the_year_9999_is_refused() -> None:
    clock = Clock(datetime(9990, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="passes the year 9999"):
        clock.advance(MAX_ADVANCE)


# --- the admin route ----------------------------------------------------------------------------

def test_get_clock_says_running_and_now_in_utc_and_cst(memory_app: Any) -> None:
    answer = memory_app.test_client().get("/_emulator/clock")
    assert answer.status_code == 200 and answer.json["frozen"] is False
    utc = datetime.fromisoformat(answer.json["utc"])
    cst = datetime.fromisoformat(answer.json["cst"])
    assert abs(utc - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert cst.utcoffset() == timedelta(hours=-6) and abs(cst - utc) < timedelta(seconds=1)


def test_freeze_advance_unfreeze_over_http(memory_app: Any) -> None:
    client = memory_app.test_client()
    frozen = post_clock(client, {"freeze": FROZEN})
    assert frozen.status_code == 200
    assert frozen.json == {"frozen": True, "utc": "2024-01-15T12:00:00+00:00",
                           "cst": "2024-01-15T06:00:00-06:00"}
    assert client.get("/_emulator/clock").json == frozen.json
    assert post_clock(client, {"advance": 90.5}).json["utc"] == "2024-01-15T12:01:30.500000+00:00"
    assert client.get("/_emulator/state").json["clock"]["frozen"] is True
    running = post_clock(client, {"unfreeze": True})
    assert running.status_code == 200 and running.json["frozen"] is False
    assert datetime.fromisoformat(running.json["utc"]).year >= 2025


def test_a_zoneless_freeze_is_utc_and_an_offset_is_honoured(memory_app: Any) -> None:
    client = memory_app.test_client()
    assert post_clock(client, {"freeze": "2024-01-15T12:00:00"}).json["utc"] == (
        "2024-01-15T12:00:00+00:00")
    assert post_clock(client, {"freeze": "2024-01-15T06:00:00-06:00"}).json["utc"] == (
        "2024-01-15T12:00:00+00:00")


def test_advance_on_a_running_clock_over_http_freezes_it(memory_app: Any) -> None:
    client = memory_app.test_client()
    before = datetime.now(timezone.utc)
    answer = post_clock(client, {"advance": 86400})
    assert answer.status_code == 200 and answer.json["frozen"] is True
    assert datetime.fromisoformat(answer.json["utc"]) >= before + timedelta(days=1)


@pytest.mark.parametrize(("body", "says"), [
    ({}, "a clock body is a JSON object with one key; send one of"),
    ([{"advance": 1}], "a clock body is a JSON object with one key"),
    ("advance", "a clock body is a JSON object with one key"),
    ({"advance": 1, "freeze": FROZEN}, "a clock body has one key, not 2 (advance, freeze)"),
    ({"rewind": 5}, "a clock body has no 'rewind'; send one of"),
    ({"freeze": "yesterday"}, '"freeze": "yesterday" is not an ISO 8601 time'),
    ({"freeze": "0001-01-01T00:00:00Z"}, "from year 1 to 9999"),
    ({"freeze": None}, '"freeze" takes an ISO 8601 time such as "2024-01-15T12:00:00Z", not '
                       'null; to let the clock run send {"unfreeze": true}'),
    ({"freeze": 1705320000}, "not 1705320000"),
    ({"advance": "60"}, '"advance" takes a number of seconds from 0 to 3,155,760,000, not "60"'),
    ({"advance": True}, "not true"),
    ({"advance": -5}, '"advance" takes seconds from 0 to 3,155,760,000 (100 years), not -5'),
    ({"advance": 1e12}, "not 1000000000000.0"),
    ({"unfreeze": False}, '"unfreeze" takes true, not false; to stop the clock send'),
    ({"unfreeze": "yes"}, '"unfreeze" takes true, not "yes"'),
])
def test_bad_clock_bodies_are_400_and_change_nothing(make_app: Any, body: Any,
                                                     says: str) -> None:
    client = make_app({"frozen_time": FROZEN}).test_client()
    answer = post_clock(client, body)
    assert answer.status_code == 400, answer.json
    assert answer.json["emulator_error"] == "bad_request"
    assert says in answer.json["message"]
    assert client.get("/_emulator/clock").json["utc"] == "2024-01-15T12:00:00+00:00"


@pytest.mark.parametrize("raw", [b"", b"{", b'{"advance": NaN}'])
def test_empty_or_malformed_json_is_400(memory_app: Any, raw: bytes) -> None:
    answer = memory_app.test_client().post("/_emulator/clock", data=raw, content_type=JSON)
    assert answer.status_code == 400 and answer.json["message"]


def test_the_clock_route_goes_through_the_admin_safety(make_app: Any) -> None:
    guarded = make_app({"admin_token": "s3cret"}).test_client()
    assert guarded.get("/_emulator/clock").status_code == 401
    assert post_clock(guarded, {"advance": 1}).status_code == 401
    bearer = {"Authorization": "Bearer s3cret"}
    assert post_clock(guarded, {"advance": 1}, headers=bearer).status_code == 200
    open_client = make_app().test_client()
    remote = open_client.get("/_emulator/clock", environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert remote.status_code == 403
    as_text = open_client.post("/_emulator/clock", data='{"advance": 1}',
                               content_type="text/plain")
    assert as_text.status_code == 415
    cross_site = post_clock(open_client, {"advance": 1},
                            headers={"Origin": "http://attacker.example"})
    assert cross_site.status_code == 403
    assert open_client.get("/_emulator/clock").json["frozen"] is False  # none got through


def test_the_openapi_document_describes_the_clock_bodies(memory_app: Any) -> None:
    document = memory_app.test_client().get("/_emulator/openapi.json").json
    assert set(document["paths"]["/_emulator/clock"]) == {"get", "post"}
    schema = {"components": document["components"], "$ref": "#/components/schemas/Clock"}
    validator = jsonschema.Draft202012Validator(schema)
    for good in ({"freeze": FROZEN}, {"advance": 3600}, {"unfreeze": True}):
        assert validator.is_valid(good), good
    for bad in ({}, {"advance": -1}, {"unfreeze": False}, {"advance": 1, "unfreeze": True}):
        assert not validator.is_valid(bad), bad


def test_the_dashboard_home_shows_the_clock(make_app: Any) -> None:
    client = make_app({"frozen_time": FROZEN}).test_client()
    page = client.get("/_emulator/ui/").get_data(as_text=True)
    assert "Page clock: <strong>frozen</strong> at 2024-01-15 12:00:00 UTC" in page
    post_clock(client, {"unfreeze": True})
    assert "Page clock: running," in client.get("/_emulator/ui/").get_data(as_text=True)


# --- a token expires when a client's test moves the clock ---------------------------------------

def test_a_token_expires_when_the_clock_is_advanced_over_http() -> None:
    """A non-Python client's flow, over real HTTP: a token, then time passes, then the API."""
    with LiveServer() as server:
        def clock(body: dict[str, Any]) -> dict[str, Any]:
            answer = requests.post(server.url_for("/_emulator/clock"), json=body, timeout=10)
            assert answer.status_code == 200, answer.text
            return answer.json()

        def api(token: str) -> dict[str, Any]:
            return requests.get(server.url_for("/api"), timeout=10,
                                headers={"Authorization": f"Bearer {token}"}).json()

        clock({"freeze": FROZEN})
        issued = requests.post(server.url_for("/token/hardened"), data=token_body(), timeout=10)
        token = issued.json()["access_token"]
        assert issued.json()["expires_in"] == 3600
        assert api(token)["verified"] is True
        clock({"advance": 3599})
        assert api(token)["verified"] is True
        clock({"advance": 1})  # now == exp: expired
        assert api(token) == {"Error": "Token has expired."}
        # The journal tells the story, through the same admin API.
        answers = requests.get(server.url_for("/_emulator/journal?path=/api"), timeout=10).json()
        assert answers["count"] == 3
        assert [entry["outcome"] for entry in answers["entries"]][0] == "Token has expired."


def test_the_handle_clock_advances_a_mock() -> None:
    with mock_marketing_cloud("cloud.example.com", frozen_time=FROZEN) as mc:
        url = mc.url_for("/token/hardened")
        token = requests.post(url, data=token_body()).json()["access_token"]
        api = mc.url_for("/api")
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(api, headers=headers).json()["verified"] is True
        assert mc.clock.advance(3600) == FROZEN_AT + timedelta(hours=1)
        assert requests.get(api, headers=headers).json() == {"Error": "Token has expired."}
        mc.freeze(FROZEN)  # mc.freeze still takes ISO text
        assert requests.get(api, headers=headers).json()["verified"] is True
