"""Business units and packages surfaced: GET /_emulator/business-units, the DE listings' MIDs,
and the dashboard's Packages and Business units pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.runtime import get_emulator

UNITS = [{"mid": 100, "name": "Enterprise", "parent": None},
         {"mid": 200, "name": "Brand <A>", "parent": 100, "default": True},
         {"mid": 300, "name": "Brand B", "parent": 100}]
FIELDS = [{"name": "Id", "primaryKey": True}]
DES = {"Orders": {"key": "Orders", "fields": FIELDS},
       "BOrders": {"key": "Orders", "mid": 300, "fields": FIELDS},
       "Merchants": {"key": "Merchants", "mid": 100, "fields": FIELDS}}
PACKAGES = [{"name": "<b>Sync</b>", "client_id": "sync", "client_secret": "abcdefgh-1234",
             "mids": [200, 300]},
            {"client_id": "short", "client_secret": "tiny", "mids": [100]}]
UI = "/_emulator/ui"


def write_fixtures(root: Path, units: Any = UNITS) -> Path:
    (root / "data_extensions").mkdir(parents=True)
    des = DES if units else {"Orders": DES["Orders"]}
    for name, document in des.items():
        (root / "data_extensions" / f"{name}.json").write_text(json.dumps(document), "utf-8")
    if units:
        (root / "business_units.json").write_text(json.dumps(units), "utf-8")
        (root / "packages.json").write_text(json.dumps(PACKAGES), "utf-8")
    return root


def build(root: Path) -> Flask:
    return create_app({"TESTING": True, "fixtures": (str(root),), "no_default_fixtures": True})


@pytest.fixture(scope="module")
def units_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = build(write_fixtures(tmp_path_factory.mktemp("units")))
    yield app
    get_emulator(app).close()


@pytest.fixture(scope="module")
def single_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = build(write_fixtures(tmp_path_factory.mktemp("single"), units=None))
    yield app
    get_emulator(app).close()


@pytest.fixture
def client(units_app: Flask) -> FlaskClient:
    return units_app.test_client()


def test_the_business_units_route_lists_units_with_what_each_holds(client: FlaskClient) -> None:
    answer = client.get("/_emulator/business-units")
    assert answer.status_code == 200
    assert answer.json == {"default": 200, "enterprise": 100, "businessUnits": [
        {"mid": 100, "name": "Enterprise", "parent": None, "default": False, "enterprise": True,
         "dataExtensions": 1, "packages": ["short"]},
        {"mid": 200, "name": "Brand <A>", "parent": 100, "default": True, "enterprise": False,
         "dataExtensions": 1, "packages": ["sync"]},
        {"mid": 300, "name": "Brand B", "parent": 100, "default": False, "enterprise": False,
         "dataExtensions": 1, "packages": ["sync"]}]}


def test_without_a_units_file_there_is_one_default_unit(single_app: Flask) -> None:
    answer = single_app.test_client().get("/_emulator/business-units").json
    [unit] = answer["businessUnits"]
    assert unit["default"] and unit["enterprise"] and unit["dataExtensions"] == 1
    assert answer["default"] == answer["enterprise"] == unit["mid"]


def test_the_route_is_read_only(client: FlaskClient) -> None:
    for method in ("post", "put", "delete"):
        assert getattr(client, method)("/_emulator/business-units", json={}).status_code == 405


def test_the_de_listing_names_each_des_unit_only_when_there_are_several(
        client: FlaskClient, single_app: Flask) -> None:
    listed = client.get("/_emulator/data-extensions").json["dataExtensions"]
    assert sorted((d["key"], d["mid"], d["externalKey"]) for d in listed) == [
        ("100/Merchants", 100, "Merchants"), ("300/Orders", 300, "Orders"),
        ("Orders", 200, "Orders")]
    alone = single_app.test_client().get("/_emulator/data-extensions").json["dataExtensions"]
    assert [d["key"] for d in alone] == ["Orders"] and "mid" not in alone[0]


def test_the_dashboard_shows_each_des_mid_with_several_units(
        client: FlaskClient, single_app: Flask) -> None:
    page = client.get(UI + "/").get_data(as_text=True)
    assert '<th scope="col" class="num">MID</th>' in page
    assert '<td class="num" data-mid="300/Orders">300</td>' in page
    assert '<td class="num" data-mid="Orders">200</td>' in page
    alone = single_app.test_client().get(UI + "/").get_data(as_text=True)
    assert "data-mid=" not in alone and ">MID<" not in alone


def test_the_business_units_page_lists_the_units_as_text(client: FlaskClient) -> None:
    page = client.get(UI + "/business-units").get_data(as_text=True)
    assert "Brand &lt;A&gt;" in page and "<A>" not in page
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td>", page)
    assert rows == ["100", "200", "300"]
    assert "pages run here" in page and "enterprise" in page
    assert 'aria-current="page">Business units</a>' in page


def test_the_packages_page_masks_secrets_and_counts_tokens(client: FlaskClient) -> None:
    issued = client.post("/v2/token", json={"grant_type": "client_credentials",
                                             "client_id": "sync",
                                             "client_secret": "abcdefgh-1234"})
    assert issued.status_code == 200
    page = client.get(UI + "/packages").get_data(as_text=True)
    assert "abcdefgh-1234" not in page and "<code>****1234</code>" in page
    assert "<code>****</code>" in page  # a secret of 8 characters or fewer shows none
    assert "&lt;b&gt;Sync&lt;/b&gt;" in page and "<b>Sync</b>" not in page
    assert re.search(r"\b1 token issued", page)
    assert 'aria-current="page">Packages</a>' in page


def test_the_packages_page_without_packages_says_how_to_add_them(single_app: Flask) -> None:
    page = single_app.test_client().get(UI + "/packages").get_data(as_text=True)
    assert "No packages." in page and "packages.json" in page
