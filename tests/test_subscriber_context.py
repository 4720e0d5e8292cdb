"""The subscriber context of a page: the X-Mcemu-Subscriber header and mc.subscriber(key)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from emulator.app import create_app
from emulator.runtime import get_emulator
from emulator.subscribers.data import SubscriberNotFound
from emulator.testing.live import LiveServer
from emulator.testing.mock import mock_marketing_cloud

LISTS = [{"ID": 1, "ListName": "Newsletter"}]
SUBSCRIBERS = [
    {"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
     "Attributes": {"First Name": "Ann", "City": "Oslo"}, "Lists": [{"ID": 1}]},
    {"SubscriberKey": "bob", "EmailAddress": "bob@example.org", "Status": "Unsubscribed",
     "Attributes": {"First Name": "Bob"}},
]
GREETING = ("Hello %%First Name%% from %%=AttributeValue(\"city\")=%% "
            "<%%emailaddr%%> %%_subscriberkey%%")
#: An SSJS page: TreatAsContent renders the personalization strings of the same subscriber.
SSJS = ('<script runat="server">Platform.Load("core", "1.1.1");'
        'Write(Platform.Function.TreatAsContent("[%%First Name%%]"));</script>')


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    fixtures, pages = tmp_path / "fx", tmp_path / "pages"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    pages.mkdir()
    (pages / "hello.html").write_text(GREETING, encoding="utf-8")
    (pages / "ssjs.html").write_text(SSJS, encoding="utf-8")
    return fixtures, pages


@pytest.fixture
def app(folders: tuple[Path, Path]) -> Iterator[Flask]:
    fixtures, pages = folders
    application = create_app({"TESTING": True, "pages": str(pages),
                              "fixtures": (str(fixtures),)})
    yield application
    get_emulator(application).close()


def test_a_personalised_page_over_http_with_the_header(folders: tuple[Path, Path]) -> None:
    fixtures, pages = folders
    with LiveServer({"pages": str(pages), "fixtures": (str(fixtures),)}) as server:
        answer = requests.get(f"{server.url}/hello", headers={"X-Mcemu-Subscriber": "ann"},
                              timeout=30)
        assert answer.status_code == 200
        assert answer.text == "Hello Ann from Oslo <ann@example.org> ann"
        bare = requests.get(f"{server.url}/hello", timeout=30)
        assert bare.text == "Hello  from  <> "  # no subscriber: every attribute is empty


def test_an_unknown_subscriber_is_a_clear_400(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/hello", headers={"X-Mcemu-Subscriber": "nobody"})
    assert answer.status_code == 400
    assert answer.get_json() == {  # the emulator's own refusal shape, never a page's
        "emulator_error": "unknown_subscriber", "key": "nobody",
        "message": "no subscriber has the key 'nobody'; subscribers come from subscribers.json "
                   "or subscribers.csv in a fixtures directory"}
    (entry,) = get_emulator(app).journal.entries()[:1]
    assert entry.status == 400


def test_the_key_is_exact(app: Flask) -> None:
    answer = app.test_client().get("/hello", headers={"X-Mcemu-Subscriber": "ANN"})
    assert answer.status_code == 400


def test_ssjs_treat_as_content_reads_the_same_subscriber(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/ssjs", headers={"X-Mcemu-Subscriber": "bob"}).data == b"[Bob]"
    assert client.get("/ssjs").data == b"[]"


def test_mc_subscriber_through_the_mock_until_cleared(folders: tuple[Path, Path]) -> None:
    fixtures, pages = folders
    with mock_marketing_cloud("cloud.example.com", fixtures=(str(fixtures),),
                              MCEMU_PAGES=str(pages)) as mc:
        mc.subscriber("ann")
        for _ in range(2):  # every next request, not only the first
            answer = requests.get("https://cloud.example.com/hello", timeout=30)
            assert answer.text == "Hello Ann from Oslo <ann@example.org> ann"
        header = requests.get("https://cloud.example.com/hello",
                              headers={"X-Mcemu-Subscriber": "bob"}, timeout=30)
        assert header.text == "Hello Bob from  <bob@example.org> bob"  # the header wins
        mc.subscriber(None)
        assert requests.get("https://cloud.example.com/hello", timeout=30).text == (
            "Hello  from  <> ")


@pytest.mark.parametrize(("key", "error", "message"), [
    ("nobody", SubscriberNotFound, "no subscriber has the key 'nobody'"),
    (5, TypeError, "a subscriber key is text \\(or None to clear\\), not int"),
])
def test_mc_subscriber_refuses_a_bad_key(folders: tuple[Path, Path], key: object,
                                         error: type[Exception], message: str) -> None:
    fixtures, pages = folders
    with mock_marketing_cloud("cloud.example.com", fixtures=(str(fixtures),),
                              MCEMU_PAGES=str(pages)) as mc:
        mc.subscriber("ann")
        with pytest.raises(error, match=message):
            mc.subscriber(key)  # type: ignore[arg-type]
        assert get_emulator(mc.app).subscriber.key == "ann"  # unchanged


def test_a_subscriber_removed_after_mc_subscriber_answers_400(app: Flask) -> None:
    from emulator.testing.handle import EmulatorHandle

    EmulatorHandle(app).subscriber("ann")
    client = app.test_client()
    assert client.get("/hello").status_code == 200
    client.post("/_emulator/reset", json={"to": "empty"})
    answer = client.get("/hello")
    assert answer.status_code == 400 and b"'ann'" in answer.data


def test_a_rollback_clears_the_subscriber_context(app: Flask) -> None:
    from emulator.testing.handle import EmulatorHandle

    emulator = get_emulator(app)
    emulator.checkpoint()
    EmulatorHandle(app).subscriber("bob")
    assert app.test_client().get("/hello").data.startswith(b"Hello Bob")
    emulator.rollback()
    assert app.test_client().get("/hello").data == b"Hello  from  <> "
