"""``Script.Util.WSProxy`` from SSJS pages of ``tests/wsproxy_pages``, driven over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import built_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

PAGES = Path(__file__).parent / "wsproxy_pages"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    with built_app(checkpoint=True, pages=str(PAGES), ssjs_timeout=20) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)


def _text(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def test_a_page_lists_the_des_with_their_folder_paths(client: FlaskClient) -> None:
    # like wraps its value in %...%: both keys containing "app", any case.
    assert _text(client, "/catalogue") == ("Data Extensions > AppCredentials\n"
                                          "Data Extensions > CustomAppException\n")


def test_a_de_created_by_a_page_is_the_stores_and_the_admin_apis(client: FlaskClient) -> None:
    assert _text(client, "/orders") == ("create OK\nrows OK\n"
                                        "OrderId=3 Total=31.50\nOrderId=5 Total=52.50\n")
    schema = client.get("/_emulator/data-extensions/Orders")
    assert schema.status_code == 200, schema.get_data(as_text=True)
    rows = client.get("/_emulator/data-extensions/Orders/rows").get_json()["rows"]
    assert [row["OrderId"] for row in rows] == [1, 2, 3, 4, 5, 6]
    # A second run: the DE exists now, so creating it again is the item's error.
    assert _text(client, "/orders").startswith("create Error\nrows Error\n")


def test_the_rollback_drops_a_de_a_page_created(client: FlaskClient) -> None:
    assert client.get("/_emulator/data-extensions/Orders").status_code == 404


def test_a_page_pages_through_6000_rows(client: FlaskClient) -> None:
    assert _text(client, "/paging") == ("MoreDataAvailable:2500 MoreDataAvailable:2500 OK:1000\n"
                                        f"6000 {sum(range(6000))}")


def test_bad_input_is_answered_and_writes_nothing(client: FlaskClient) -> None:
    lines = _text(client, "/bad").splitlines()
    assert lines == [
        "column: Error: The Request Property(s) Colour do not match with the fields of "
        "DataExtension retrieve",
        "operator threw: Error executing retrieve call. filter: SimpleOperator 'contains' is "
        "not supported; operators are equals, notEquals, greaterThan, lessThan, "
        "greaterThanOrEqual, lessThanOrEqual, isNull, isNotNull, between, IN, like",
        "deep threw: A value passed to the platform is nested too deeply.",
        "huge threw: Error executing create call. a batch holds at most 2500 items, not "
        "100000; send it in chunks",
        "duplicate: A Data Extension with key AppCredentials already exists.",
        "field type: Error true",
        "arity threw: Unable to retrieve security descriptor for this frame.",
        "perform threw: Script.Util.WSProxy.performItem of DataExtension is not emulated by "
        "mc-emulator; it performs Automation and QueryDefinition.",
        "missing: undefined",
    ]
    rows = client.get("/_emulator/data-extensions/AppCredentials/rows").get_json()["rows"]
    assert not any(row["client_id"].startswith("c") and row["client_id"][1:].isdigit()
                   for row in rows)
    assert client.get("/_emulator/data-extensions/T").status_code == 404
