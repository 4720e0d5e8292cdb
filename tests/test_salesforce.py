"""Sales Cloud objects: ids, LongSFID, the three record functions, fixtures, reset and export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import module_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.app import create_app
from emulator.fixtures.problems import FixtureProblems
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.salesforce import ids
from emulator.salesforce import records as org
from emulator.salesforce.export import salesforce_entries, write_salesforce
from emulator.salesforce.files import SalesforceData, load_salesforce_dirs
from emulator.script.errors import AmpscriptError
from emulator.store.store import Store

PAGES = Path(__file__).parent / "salesforce_pages"
FIXTURES = PAGES / "fixtures"
CAMPAIGN = "701MC0000000001YAA"  # the first Campaign of the fixtures (tests/salesforce_pages)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(None) as opened:
        opened.replace_all([], SalesforceData().tables())
        yield opened


def amp(store: Store, text: str) -> str:
    return render(text, AmpscriptContext(variables=Variables(), store=store))


def refused(store: Store, text: str) -> str:
    with pytest.raises(AmpscriptError) as caught:
        amp(store, text)
    return caught.value.message


# --- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("short", "long"), [("0036000000QKv5T", "0036000000QKv5TAAT"),
                                             ("00Q6F00001APnym", "00Q6F00001APnymUAD"),
                                             ("001500000ABCDEF", "001500000ABCDEFAQ5")])
def test_longsfid_adds_the_checksum_of_the_platform_vectors(store: Store, short: str,
                                                            long: str) -> None:
    assert amp(store, f'%%=LongSFID("{short}")=%%') == long


@pytest.mark.parametrize("value", ["ABC", "0036000000QKv5TAAT", "", "0036000000QKv5"])
def test_longsfid_returns_any_other_length_unchanged(store: Store, value: str) -> None:
    assert amp(store, f'%%=LongSFID("{value}")=%%') == value


def test_new_ids_have_the_prefix_18_characters_and_their_own_checksum() -> None:
    made = [ids.new_id("00Q", number) for number in (1, 61, 62, 10**9)]
    assert len(set(made)) == 4
    for record_id in made:
        assert len(record_id) == 18 and record_id.startswith("00Q")
        assert ids.long_id(record_id[:15]) == record_id
    assert ids.canonical("00Q6F00001APnymXXX") is None  # not its checksum
    assert ids.canonical("00Q6F00001APnym") == "00Q6F00001APnymUAD"


# --- CreateSalesforceObject -------------------------------------------------------------------


def test_create_returns_the_new_id_and_the_record_holds_the_values(store: Store) -> None:
    made = amp(store, '%%=CreateSalesforceObject("Lead", 3, "LastName", "Ng", "Company", '
                      '"Acme", "Email", "ng@example.com")=%%')
    assert made == ids.new_id("00Q", 1)
    [lead] = org.records(store, "Lead")
    assert lead["Id"] == made and lead["LastName"] == "Ng" and lead["Email"] == "ng@example.com"
    second = amp(store, '%%=CreateSalesforceObject("lead", 2, "lastname", "Li", "COMPANY", '
                        '"Beta")=%%')
    assert second == ids.new_id("00Q", 2)


def test_a_task_id_starts_00t_and_a_contact_003(store: Store) -> None:
    assert amp(store, '%%=CreateSalesforceObject("Task", 1, "Subject", "Call")=%%'
               ).startswith("00T")
    assert amp(store, '%%=CreateSalesforceObject("Contact", 1, "LastName", "Ng")=%%'
               ).startswith("003")


@pytest.mark.parametrize(("call", "words"), [
    ('"Leed", 1, "LastName", "Ng"', ["no object 'Leed'", "Lead", "Contact"]),
    ('"Lead", 3, "LastName", "Ng", "Company", "A", "Shoe", "9"', ["no field 'Shoe'", "Email"]),
    ('"Lead", 1, "LastName", "Ng"', ["needs LastName, Company", "missing: Company"]),
    ('"Account", 1, "Phone", "1"', ["needs Name", "missing: Name"]),
    ('"Contact", 1, "LastName", ""', ["missing: LastName"]),
    ('"Lead", 3, "LastName", "Ng", "Company", "A", "Id", "00Q6F00001APnym"', ["Id is set by"]),
    ('"Account", 2, "Name", "A", "NumberOfEmployees", "many"', ["NumberOfEmployees is a number"]),
    ('"Lead", 2, "LastName", "Ng", "Company", "' + "x" * 256 + '"', ["at most 255"]),
    ('"Contact", 2, "LastName", "Ng", "AccountId", "nope"', ["AccountId is a record id"]),
    ('"Contact", 2, "LastName", "Ng", "AccountId", "001500000ABCDEF"', ["no record has"]),
    ('"Lead", 3, "LastName", "Ng", "Company", "A"', ["numberOfFields is 3", "2 field"]),
    ('"Lead", "two", "LastName", "Ng", "Company", "A"', ["numberOfFields"]),
])
def test_a_bad_create_aborts_says_why_and_writes_nothing(store: Store, call: str,
                                                         words: list[str]) -> None:
    message = refused(store, f"%%=CreateSalesforceObject({call})=%%")
    for word in words:
        assert word in message
    assert org.records(store) == []


def test_a_bad_create_aborts_the_page_with_422(client: FlaskClient) -> None:
    response = client.post("/lead", data={"last": "Ng", "company": "", "email": "a@b.c"})
    assert response.status_code == 422
    entry = client.get("/_emulator/journal").get_json()["entries"][-1]
    assert "missing: Company" in entry["error"]
    assert client.get("/_emulator/salesforce/Lead").get_json()["total"] == 0


# --- UpdateSingleSalesforceObject ---------------------------------------------------------------


def test_update_returns_1_and_changes_the_record_by_15_or_18_char_id(store: Store) -> None:
    made = org.create(store, "Lead", [("LastName", "Ng"), ("Company", "Acme")])
    assert amp(store, f'%%=UpdateSingleSalesforceObject("Lead", "{made}", "Title", '
                      '"CEO")=%%') == "1"
    assert amp(store, f'%%=UpdateSingleSalesforceObject("Lead", "{made[:15]}", "Company", '
                      '"Beta", "Status", "Open")=%%') == "1"
    [lead] = org.records(store, "Lead")
    assert (lead["Title"], lead["Company"], lead["Status"]) == ("CEO", "Beta", "Open")


@pytest.mark.parametrize(("target", "pairs", "words"), [
    ("Leed", '"Title", "x"', ["no object 'Leed'"]),
    ("Lead", '"Shoe", "x"', ["no field 'Shoe'"]),
    ("Lead", '"Company", ""', ["needs Company", "cannot be emptied"]),
])
def test_a_bad_update_aborts_and_changes_nothing(store: Store, target: str, pairs: str,
                                                 words: list[str]) -> None:
    made = org.create(store, "Lead", [("LastName", "Ng"), ("Company", "Acme")])
    before = org.records(store)
    message = refused(store, f'%%=UpdateSingleSalesforceObject("{target}", "{made}", {pairs})=%%')
    for word in words:
        assert word in message
    assert org.records(store) == before


@pytest.mark.parametrize(("record_id", "words"), [
    ("abc", ["no record id", "15 or 18"]),
    ("00Q6F00001APnymXXX", ["no record id"]),
    ("00Q6F00001APnym", ["no Lead has the Id"]),
])
def test_an_update_of_a_bad_or_unknown_id_aborts(store: Store, record_id: str,
                                                 words: list[str]) -> None:
    message = refused(store, f'%%=UpdateSingleSalesforceObject("Lead", "{record_id}", '
                             '"Title", "x")=%%')
    for word in words:
        assert word in message


# --- RetrieveSalesforceObjects ----------------------------------------------------------------

RETRIEVE = ('%%[ SET @rows = RetrieveSalesforceObjects("Account", "Id,Name,NumberOfEmployees", '
            '{conditions}) FOR @i = 1 TO RowCount(@rows) DO SET @r = Row(@rows, @i) ]%%'
            '%%=Field(@r, "Name")=%%:%%=Field(@r, "NumberOfEmployees")=%%;%%[ NEXT @i ]%%')


@pytest.mark.parametrize(("conditions", "expected"), [
    ('"Name", "=", "acme"', "Acme:50;"),
    ('"Name", "!=", "Acme"', "Beta:5;Gamma:500;"),
    ('"NumberOfEmployees", ">", "10"', "Acme:50;Gamma:500;"),
    ('"NumberOfEmployees", ">=", "50"', "Acme:50;Gamma:500;"),
    ('"NumberOfEmployees", "<", "50"', "Beta:5;"),
    ('"NumberOfEmployees", "<=", 50', "Acme:50;Beta:5;"),
    ('"NumberOfEmployees", ">", "1", "Name", "!=", "Gamma"', "Acme:50;Beta:5;"),
    ('"Name", "=", "Nobody"', ""),
])
def test_retrieve_ands_its_triplets_with_each_operator(store: Store, conditions: str,
                                                       expected: str) -> None:
    for name, size in (("Acme", "50"), ("Beta", "5"), ("Gamma", "500")):
        org.create(store, "Account", [("Name", name), ("NumberOfEmployees", size)])
    assert amp(store, RETRIEVE.format(conditions=conditions)) == expected


def test_retrieve_gives_18_character_ids_and_finds_by_a_15_character_one(store: Store) -> None:
    made = org.create(store, "Account", [("Name", "Acme")])
    text = ('%%[ SET @rows = RetrieveSalesforceObjects("Account", "Id", "Id", "=", "{id}") ]%%'
            '%%=RowCount(@rows)=%%:%%=Field(Row(@rows, 1), "Id")=%%')
    assert amp(store, text.format(id=made[:15])) == f"1:{made}"


@pytest.mark.parametrize(("call", "words"), [
    ('"Acount", "Id", "Name", "=", "x"', ["no object 'Acount'"]),
    ('"Account", "Id,Shoe", "Name", "=", "x"', ["no field 'Shoe'"]),
    ('"Account", "Id", "Shoe", "=", "x"', ["no field 'Shoe'"]),
    ('"Account", "Id", "Name", "like", "x"', ["'like' is no operator", ">="]),
    ('"Account", "Id", "Name", "=", "x", "Phone"', ["in threes"]),
    ('"Account", "", "Name", "=", "x"', ["at least one field"]),
    ('"Account", "Id", "NumberOfEmployees", ">", "many"', ["is a number"]),
])
def test_a_bad_retrieve_aborts_and_says_why(store: Store, call: str, words: list[str]) -> None:
    message = refused(store, f"%%=RowCount(RetrieveSalesforceObjects({call}))=%%")
    for word in words:
        assert word in message


# --- fixtures -----------------------------------------------------------------------------------


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / "salesforce" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_fixtures_add_fields_declare_objects_and_give_records(tmp_path: Path) -> None:
    write(tmp_path, {
        "Lead.json": json.dumps({"fields": [{"name": "Score__c", "type": "number"}],
                                 "records": [{"LastName": "Ng", "Company": "A", "Score__c": "7"},
                                             {"Id": "00Q6F00001APnym", "LastName": "Li",
                                              "Company": "B"}]}),
        "Lead.csv": "LastName,Company,Email\nKo,C,ko@example.com\n",
        "Pet__c.json": json.dumps({"prefix": "a01", "fields": [
            {"name": "Name", "required": True}, {"name": "Age", "type": "number"}],
            "records": [{"Name": "Rex", "Age": 3}]}),
    })
    data = load_salesforce_dirs([tmp_path], include_default=False)
    leads = [item["values"] for item in data.records if item["object"] == "Lead"]
    assert [(lead["LastName"], lead["Id"]) for lead in leads] == [
        ("Ng", ids.new_id("00Q", 1)), ("Li", "00Q6F00001APnymUAD"), ("Ko", ids.new_id("00Q", 2))]
    assert leads[0]["Score__c"] == 7
    [pet] = [item["values"] for item in data.records if item["object"] == "Pet__c"]
    assert pet["Id"] == ids.new_id("a01", 1) and pet["Age"] == 3


@pytest.mark.parametrize(("files", "words"), [
    ({"Lead.json": '{"records": [], "colour": 1}'}, ["no 'colour'", "prefix, fields, records"]),
    ({"Lead.json": '{"prefix": "001"}'}, ["Lead's key prefix is 00Q"]),
    ({"Pet__c.json": '{"fields": [{"name": "Name"}]}'}, ["needs a prefix"]),
    ({"Pet__c.json": '{"prefix": "00Q", "fields": []}'}, ["prefix 00Q is Lead's"]),
    ({"Pet__c.json": '{"prefix": "a01"}'}, ["needs its fields"]),
    ({"Pet__c.json": '{"prefix": "a01", "fields": [{"name": "A", "type": "colour"}]}'},
     ["type 'colour'", "text, number"]),
    ({"Pet__c.json": '{"prefix": "a01", "fields": [{"name": "Id"}]}'}, ["no field name"]),
    ({"Lead.json": '{"records": [{"LastName": "Ng"}]}'}, ["missing: Company"]),
    ({"Lead.json": '{"records": [{"LastName": "Ng", "Company": "A", "Shoe": 1}]}'},
     ["no field 'Shoe'"]),
    ({"Lead.json": '{"records": [{"LastName": "N", "Company": "A", "Id": "001500000ABCDEF"}]}'},
     ["starting 00Q"]),
    ({"Lead.json": '{"records": [{"LastName": "N", "Company": "A", "Id": "00Q6F00001APnym"},'
                   '{"LastName": "M", "Company": "B", "Id": "00Q6F00001APnymUAD"}]}'},
     ["given twice"]),
    ({"Pet__c.csv": "Name\nRex\n"}, ["no object Pet__c"]),
    ({"Lead.csv": "LastName,Company\nNg\n"}, ["1 cells, the header 2"]),
    ({"Lead.json": "[1]"}, ["holds a JSON object"]),
    ({"Lead.json": "{"}, []),
])
def test_a_bad_fixture_is_refused_with_its_file(tmp_path: Path, files: dict[str, str],
                                                words: list[str]) -> None:
    write(tmp_path, files)
    with pytest.raises(FixtureProblems) as caught:
        load_salesforce_dirs([tmp_path], include_default=False)
    text = str(caught.value)
    assert str(tmp_path / "salesforce") in text
    for word in words:
        assert word in text


def test_a_bad_record_value_is_refused_with_its_line_and_field(tmp_path: Path) -> None:
    write(tmp_path, {"Account.json": '{"records": [\n  {"Name": "A"},\n'
                                     '  {"Name": "B", "NumberOfEmployees": "lots"}\n]}'})
    with pytest.raises(FixtureProblems) as caught:
        load_salesforce_dirs([tmp_path], include_default=False)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (3, "NumberOfEmployees")
    assert "NumberOfEmployees is a number" in problem.message


# --- the app: pages, admin, reset, export -------------------------------------------------------


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    yield from module_app(FIXTURES, pages=str(PAGES), frozen_time="2024-05-02T09:30:00+00:00")


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)


LEAD = {"first": "Ann", "last": "Ng", "company": "Acme", "email": "ann@example.com"}


def test_the_lead_form_shows_then_creates_and_reads_back_the_lead(client: FlaskClient) -> None:
    form = client.get("/lead")
    assert form.get_data(as_text=True) == (
        '<form method="post">\n<input name="first"><input name="last"><input name="company">'
        '<input name="email" type="email">\n<button>Send</button>\n</form>\n')
    posted = client.post("/lead", data=LEAD)
    lead_id, member_id = ids.new_id("00Q", 1), ids.new_id("00v", 1)
    assert posted.get_data(as_text=True) == (
        f"<p>Thank you, Ann of Acme.</p>\n<p>Lead {lead_id} (1 found), member "
        f"{member_id}.</p>\n")
    [lead] = client.get("/_emulator/salesforce/lead").get_json()["records"]
    assert {k: lead[k] for k in ("Id", "FirstName", "LastName", "Company", "Email")} == {
        "Id": lead_id, "FirstName": "Ann", "LastName": "Ng", "Company": "Acme",
        "Email": "ann@example.com"}
    [member] = client.get("/_emulator/salesforce/CampaignMember").get_json()["records"]
    assert (member["CampaignId"], member["LeadId"]) == (CAMPAIGN, lead_id)


def test_the_admin_api_pages_records_and_lists_objects(client: FlaskClient) -> None:
    for last in ("A", "B", "C"):
        assert client.post("/lead", data={**LEAD, "last": last}).status_code == 200
    page = client.get("/_emulator/salesforce/Lead?limit=2").get_json()
    assert (page["total"], len(page["records"])) == (3, 2)
    rest = client.get(page["next"]).get_json()
    assert [r["LastName"] for r in rest["records"]] == ["C"] and rest["next"] is None
    one = client.get(f"/_emulator/salesforce/Lead?id={ids.new_id('00Q', 2)[:15]}").get_json()
    assert [r["LastName"] for r in one["records"]] == ["B"]
    objects = {o["name"]: o for o in client.get("/_emulator/salesforce").get_json()["objects"]}
    assert objects["Lead"]["records"] == 3 and objects["Campaign"]["prefix"] == "701"


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/_emulator/salesforce/Leed", 404, ["no object 'Leed'", "Lead"]),
    ("/_emulator/salesforce/Lead?limit=0", 400, ["limit"]),
    ("/_emulator/salesforce/Lead?offset=-1", 400, ["offset"]),
    ("/_emulator/salesforce/Lead?colour=red", 400, ["colour", "offset, limit, id"]),
])
def test_the_admin_api_refuses_bad_requests(client: FlaskClient, url: str, status: int,
                                            words: list[str]) -> None:
    response = client.get(url)
    assert response.status_code == status
    for word in words:
        assert word in response.get_json()["message"]


def test_the_admin_route_is_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/_emulator/openapi.json").get_json()["paths"]
    assert "get" in paths["/_emulator/salesforce/{name}"]
    assert "get" in paths["/_emulator/salesforce"]


def test_reset_brings_back_the_fixture_records_or_none(app: Flask, client: FlaskClient) -> None:
    emulator = get_emulator(app)
    client.post("/lead", data=LEAD)
    assert len(org.records(emulator.store)) == 3
    reset(emulator, "fixtures")
    assert [r["Name"] for r in org.records(emulator.store)] == ["Spring"]
    client.post("/lead", data=LEAD)
    reset(emulator, "empty")
    assert org.records(emulator.store) == []
    assert "Lead" in {o.name for o in org.objects(emulator.store).values()}
    reset(emulator, "start")
    assert [r["Id"] for r in org.records(emulator.store)] == [CAMPAIGN]


def test_export_then_load_gives_the_same_records_and_bytes(app: Flask, client: FlaskClient,
                                                           tmp_path: Path) -> None:
    client.post("/lead", data=LEAD)
    state = client.get("/_emulator/state").get_json()["salesforce"]
    assert {entry["name"] for entry in state} == {"Lead", "Campaign", "CampaignMember"}
    store = get_emulator(app).store
    first = write_salesforce(salesforce_entries(store.records(org.OBJECTS_TABLE),
                                                store.records(org.RECORDS_TABLE)), tmp_path / "a")
    loaded = load_salesforce_dirs([tmp_path / "a"], include_default=False)
    # by object file, so in another order: the same records
    assert sorted(loaded.records, key=lambda r: r["Id"]) == sorted(
        store.records(org.RECORDS_TABLE), key=lambda r: r["Id"])
    tables = loaded.tables()
    again = write_salesforce(salesforce_entries(tables[org.OBJECTS_TABLE],
                                                tables[org.RECORDS_TABLE]), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]


def test_mcemu_export_writes_the_salesforce_files(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from emulator.cli import main

    db = tmp_path / "org.json"
    application = create_app({"TESTING": True, "db": str(db), "fixtures": (str(FIXTURES),),
                              "no_default_fixtures": True})
    emulator = get_emulator(application)
    org.create(emulator.store, "Account", [("Name", "Acme")])
    emulator.close()
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads((tmp_path / "out/salesforce/Account.json").read_text())
    assert document["records"] == [{"Id": ids.new_id("001", 1), "Name": "Acme"}]
    assert (tmp_path / "out/salesforce/Campaign.json").is_file()


def test_the_dashboard_shows_the_objects_and_one_objects_records(client: FlaskClient) -> None:
    client.post("/lead", data={**LEAD, "first": "<b>Ann</b>"})
    page = client.get("/_emulator/ui/salesforce")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sales Cloud" in text
    assert "<code>00Q</code>" in text and "LastName, Company" in text
    assert f"<code>{ids.new_id('00Q', 1)}</code>" in text and "&lt;b&gt;Ann&lt;/b&gt;" in text
    campaign = client.get("/_emulator/ui/salesforce?object=campaign").get_data(as_text=True)
    assert "Spring" in campaign and "In Progress" in campaign
    missing = client.get("/_emulator/ui/salesforce?object=Pet")
    assert missing.status_code == 404 and "salesforce/Pet.json" in missing.get_data(as_text=True)
